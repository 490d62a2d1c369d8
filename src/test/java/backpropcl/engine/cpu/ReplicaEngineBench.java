package backpropcl.engine.cpu;

import backpropcl.data.Dataset;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.selftest.SyntheticData;
import dev.ludovic.netlib.blas.BLAS;
import java.util.Locale;

/**
 * Samples/s of whole training steps of W2 (784-128-64-10, relu, softmax, batch 100, file order)
 * on single-threaded cpu engines: the Vector API kernels alone, and every product of at least
 * {@code args[0]} FLOPs (default 0: all of them) on the native sgemm (args[1]: another layer spec, args[2]: its batch); first one engine at batch 100,
 * then two engines at once, each on its own thread and its own 5,000 samples at batch 50 (the
 * data-parallel replicas without their gradient sum); the default multi-threaded engine for comparison. Best of 4 epochs after a warm-up, three
 * rounds. Not a test: run as {@link ReplicaProductsBench} says, with this class's name.
 */
final class ReplicaEngineBench {
    private static final int SAMPLES = 10_000;

    private ReplicaEngineBench() {
    }

    public static void main(String[] args) throws Exception {
        long threshold = args.length > 0 ? Long.parseLong(args[0]) : 0;
        String spec = args.length > 1 ? args[1] : "dense:128,relu,dense:64,relu,dense:10,softmax";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        BLAS nat = BlasLibrary.optimizedNative().orElseThrow(() -> new IllegalStateException("no optimised native BLAS"));
        Network net = Network.parse(784, spec, Cost.CROSS_ENTROPY);
        Dataset whole = SyntheticData.random("random", 1, SAMPLES, 784, 10, true);
        Dataset[] halves = {SyntheticData.random("a", 2, SAMPLES / 2, 784, 10, true), SyntheticData.random("b", 3, SAMPLES / 2, 784, 10, true)};
        System.out.printf(Locale.ROOT, "OPENBLAS_NUM_THREADS=%s OPENBLAS_CORETYPE=%s, sgemm from %d FLOPs%n", System.getenv("OPENBLAS_NUM_THREADS"),
                System.getenv("OPENBLAS_CORETYPE"), threshold);
        for (int round = 0; round < 3; round++) {
            System.out.printf(Locale.ROOT, "round %d default engine (%d threads), batch %d: %,9.0f samples/s%n", round, CpuEngine.defaultThreads(),
                    batch, epochs(new CpuEngine(net, Init.HE.initialise(net, 1)), whole, batch));
            for (BLAS fast : new BLAS[] {null, nat}) {
                String name = fast == null ? "kernels" : "sgemm  ";
                double one = epochs(new CpuEngine(net, Init.HE.initialise(net, 1), 1, fast, threshold), whole, batch);
                double[] two = new double[2];
                Thread other = new Thread(() -> two[1] = epochs(new CpuEngine(net, Init.HE.initialise(net, 1), 1, fast, threshold), halves[1], batch / 2));
                other.start();
                two[0] = epochs(new CpuEngine(net, Init.HE.initialise(net, 1), 1, fast, threshold), halves[0], batch / 2);
                other.join();
                System.out.printf(Locale.ROOT, "round %d %s  one engine, batch %d: %,9.0f samples/s   two engines x batch %d: %,9.0f samples/s%n", round,
                        name, batch, one, batch / 2, two[0] + two[1]);
            }
        }
    }

    /** Samples/s of the best of 4 epochs after one warm-up epoch; closes the engine. */
    private static double epochs(CpuEngine e, Dataset data, int batch) {
        try (e) {
            e.setTrainingData(data);
            e.setSeed(1);
            long best = Long.MAX_VALUE;
            int n = data.count();
            for (int epoch = 0; epoch < 5; epoch++) {
                long t0 = System.nanoTime();
                for (int s = 0; s + batch <= n; s += batch) {
                    e.trainBatch(s, batch, 0.1);
                }
                long t = System.nanoTime() - t0;
                best = epoch == 0 ? best : Math.min(best, t);
            }
            return n / (best / 1e9);
        }
    }
}
