package backpropcl.engine;

import backpropcl.data.Dataset;
import backpropcl.engine.cpu.CpuEngine;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import java.util.List;
import java.util.Locale;

/**
 * Where a data-parallel step's time goes: W2 (784-128-64-10, relu, softmax, batch 100) on 2 cpu
 * replicas, synthetic data in file order. Times, on the calling thread alone, one replica's
 * half-batch {@code computeGradients}, its {@code gradients()} copy-out, the host's weighted sum of
 * two buffers, {@code setGradients} and {@code applyGradients}; then the whole
 * {@link DataParallelEngine#trainBatch} on 2 replicas and on 1. Microseconds a step, best of 5
 * passes over 10,000 samples. Not a test: run it as {@code cpu.ReplicaProductsBench} says, with this
 * class's name; with the argument {@code opencl}, the same on OpenCL devices 0 and 1 instead
 * (run under {@code POCL_DEVICES="pthread pthread"} for two PoCL devices).
 */
final class DataParallelStepBench {
    private static final int SAMPLES = 10_000;
    private static final int BATCH = 100;

    private DataParallelStepBench() {
    }

    public static void main(String[] args) {
        Network net = Network.parse(784, "dense:128,relu,dense:64,relu,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters initial = Init.HE.initialise(net, 1);
        Dataset data = SyntheticData.random("random", 1, SAMPLES, 784, 10, true);
        int steps = SAMPLES / BATCH;
        if (args.length > 0 && args[0].equals("opencl")) {
            openCl(net, initial, data, steps);
            return;
        }
        for (int round = 0; round < 3; round++) {
            try (CpuEngine r = CpuEngine.replica(net, initial)) {
                r.setTrainingData(data);
                Gradients into = new Gradients(net);
                Gradients[] parts = {r.gradients(), r.gradients()};
                double[] sumInto = new double[into.values().length];
                double compute = best(steps, s -> r.computeGradients(s * BATCH, BATCH / 2, 0));
                double copyOut = best(steps, s -> r.gradients());
                double copyInto = best(steps, s -> r.gradients(into));
                double sum = best(steps, s -> DataParallelEngine.weightedSum(parts, BATCH, sumInto, 0, sumInto.length));
                double set = best(steps, s -> r.setGradients(parts[0]));
                double apply = best(steps, s -> r.applyGradients(0.01));
                System.out.printf(Locale.ROOT,
                        "round %d one replica, 50 rows: compute %.1f us, gradients() %.1f, gradients(into) %.1f, sum of 2 %.1f, setGradients %.1f, applyGradients %.1f%n",
                        round, compute, copyOut, copyInto, sum, set, apply);
            }
            for (int n = 1; n <= 2; n++) {
                java.util.ArrayList<Engine> replicas = new java.util.ArrayList<>();
                for (int k = 0; k < n; k++) {
                    replicas.add(CpuEngine.replica(net, initial));
                }
                try (DataParallelEngine dp = new DataParallelEngine(List.copyOf(replicas))) {
                    dp.setTrainingData(data);
                    double step = best(steps, s -> dp.trainBatch(s * BATCH, BATCH, 0.01));
                    System.out.printf(Locale.ROOT, "round %d trainBatch on %d replica(s): %.1f us a step, %,.0f samples/s%n", round, n, step,
                            BATCH / (step / 1e6));
                }
            }
        }
    }

    /**
     * The same on OpenCL devices 0 and 1 (POCL_DEVICES="pthread pthread" gives two PoCL devices):
     * one device's gradients() copy after a 50-row slice, then trainBatch on devices 0..1 and on device 0 alone.
     */
    private static void openCl(Network net, Parameters initial, Dataset data, int steps) {
        for (int round = 0; round < 3; round++) {
            try (backpropcl.engine.opencl.OpenClEngine r = new backpropcl.engine.opencl.OpenClEngine(net, initial, 0)) {
                r.setTrainingData(data);
                Gradients into = new Gradients(net);
                double compute = best(steps, s -> {
                    r.computeGradients(s * BATCH, BATCH / 2, 0);
                    r.finish();
                });
                double copy = best(steps, s -> {
                    r.computeGradients(s * BATCH, BATCH / 2, 0);
                    r.gradients(into);
                }) - compute;
                double set = best(steps, s -> r.setGradients(into));
                System.out.printf(Locale.ROOT, "round %d one device, 50 rows: compute %.1f us, gradients(into) %.1f more, setGradients %.1f%n",
                        round, compute, copy, set);
            }
            for (int n = 2; n >= 1; n--) {
                java.util.ArrayList<Engine> replicas = new java.util.ArrayList<>();
                for (int k = 0; k < n; k++) {
                    replicas.add(new backpropcl.engine.opencl.OpenClEngine(net, initial, k));
                }
                try (DataParallelEngine dp = new DataParallelEngine(List.copyOf(replicas))) {
                    dp.setTrainingData(data);
                    double step = best(steps, s -> dp.trainBatch(s * BATCH, BATCH, 0.01));
                    System.out.printf(Locale.ROOT, "round %d trainBatch on %d device(s): %.1f us a step, %,.0f samples/s%n", round, n, step,
                            BATCH / (step / 1e6));
                }
            }
        }
    }

    /** Microseconds per call of the best of 5 passes of {@code steps} calls, after one warm-up pass. */
    private static double best(int steps, java.util.function.IntConsumer call) {
        long best = Long.MAX_VALUE;
        for (int pass = 0; pass < 6; pass++) {
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                call.accept(s);
            }
            long t = System.nanoTime() - t0;
            best = pass == 0 ? best : Math.min(best, t);
        }
        return best / 1e3 / steps;
    }
}
