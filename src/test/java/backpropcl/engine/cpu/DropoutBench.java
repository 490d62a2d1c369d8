package backpropcl.engine.cpu;

import backpropcl.data.Dataset;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.selftest.SyntheticData;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What dropout costs the cpu engine: samples/s of 784-128-64-10 (relu, batch 100, file order,
 * default threads) without dropout, with dropout after both hidden activations, and with input
 * dropout too, best of 3 epochs after a warm-up, three rounds in one JVM; with the bytes the last
 * epoch allocated (all threads), to show the per-element draws allocate nothing. Not a test: run
 * as {@link DenseProductsBench} says, with this class's name.
 */
final class DropoutBench {
    private static final String[] SPECS = {
        "dense:128,relu,dense:64,relu,dense:10,softmax",
        "dense:128,relu,dropout:0.05,dense:64,relu,dropout:0.05,dense:10,softmax",
        "dense:128,relu,dropout:0.5,dense:64,relu,dropout:0.5,dense:10,softmax",
        "dropout:0.2,dense:128,relu,dropout:0.5,dense:64,relu,dropout:0.5,dense:10,softmax"};
    private static final int SAMPLES = 10_000;
    private static final int BATCH = 100;

    private DropoutBench() {
    }

    public static void main(String[] args) {
        Dataset data = SyntheticData.random("random", 1, SAMPLES, 784, 10, true);
        for (int round = 0; round < 3; round++) {
            for (String spec : SPECS) {
                Network net = Network.parse(784, spec, Cost.CROSS_ENTROPY);
                try (CpuEngine e = new CpuEngine(net, Init.HE.initialise(net, 1))) {
                    e.setTrainingData(data);
                    e.setSeed(1);
                    long best = Long.MAX_VALUE;
                    long allocated = 0;
                    for (int epoch = 0; epoch < 4; epoch++) {
                        long bytes = allocatedBytes();
                        long t0 = System.nanoTime();
                        for (int s = 0; s + BATCH <= SAMPLES; s += BATCH) {
                            e.trainBatch(s, BATCH, 0.1);
                        }
                        long t = System.nanoTime() - t0;
                        allocated = allocatedBytes() - bytes;
                        best = epoch == 0 ? best : Math.min(best, t);
                    }
                    System.out.printf(Locale.ROOT, "round %d  %-82s %,9.0f samples/s  %,d bytes allocated in the last epoch%n", round, spec,
                            SAMPLES / (best / 1e9), allocated);
                }
            }
        }
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            sum += Math.max(0, mx.getThreadAllocatedBytes(id));
        }
        return sum;
    }
}
