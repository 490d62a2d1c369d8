package backpropcl.engine;

import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Network;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The host's share of a data-parallel step for N devices: the weighted sum
 * ({@link DataParallelEngine#weightedSum}, in double, k = 0..N-1) of N gradient buffers of W3
 * (784-1024-1024-10, 1,863,690 parameters) and of W2, on ONE thread over the whole buffer, for
 * N = 2, 4 and 8. The engine splits the elements over its N lanes, so with N free cores a step
 * pays about 1/N of this (docs/benchmarks.md, "Scaling on paper"). Prints the median and the
 * spread of 15 timed repeats after 20 warm-up ones (the JIT), in milliseconds. Not a test: run it as
 * {@code cpu.ReplicaProductsBench} says, with this class's name.
 */
final class HostSumBench {
    private static final int WARM_UP = 20;
    private static final int REPEATS = 15;

    private HostSumBench() {
    }

    public static void main(String[] args) {
        for (String arch : new String[] {"dense:128,relu,dense:64,relu,dense:10,softmax", "dense:1024,relu,dense:1024,relu,dense:10,softmax"}) {
            Network net = Network.parse(784, arch, Cost.CROSS_ENTROPY);
            for (int n : new int[] {2, 4, 8}) {
                Gradients[] parts = new Gradients[n];
                Random random = new Random(n);
                for (int k = 0; k < n; k++) {
                    parts[k] = new Gradients(net);
                    parts[k].setRows(256 / n);
                    double[] v = parts[k].values();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) random.nextGaussian();
                    }
                }
                double[] into = new double[parts[0].values().length];
                double[] ms = new double[REPEATS];
                for (int r = -WARM_UP; r < REPEATS; r++) {
                    long t0 = System.nanoTime();
                    DataParallelEngine.weightedSum(parts, 256, into, 0, into.length);
                    if (r >= 0) {
                        ms[r] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%s, %,d parameters, N = %d: sum on one thread %.3f ms median (%.3f - %.3f), %.2f GB/s of buffers read%n",
                        net.archString(), into.length, n, ms[REPEATS / 2], ms[0], ms[REPEATS - 1],
                        (double) n * into.length * Double.BYTES / (ms[REPEATS / 2] / 1e3) / 1e9);
            }
        }
    }
}
