package backpropcl.engine.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * GFLOP/s of the three products of {@link DenseProducts}, Vector API kernels against sgemv runs,
 * on one thread (thread CPU time, best of 7 rounds). Not a test: run with
 * <pre>
 *   mvn -q -B -DbuildDir=/tmp/build-simd dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java --add-modules jdk.incubator.vector \
 *       -cp /tmp/build-simd/classes:/tmp/build-simd/test-classes:$(cat /tmp/cp.txt) backpropcl.engine.cpu.DenseProductsBench
 * </pre>
 * Each run first checks the two against each other (relative error under 1e-5).
 */
final class DenseProductsBench {
    private static final int[][] SHAPES = {{10, 784, 16}, {32, 784, 16}, {10, 784, 128}, {10, 16, 16}, {10, 16, 10}, {100, 784, 128},
        {100, 128, 64}, {100, 64, 10}};

    private DenseProductsBench() {
    }

    public static void main(String[] args) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        DenseProducts[] both = {new DenseProducts(BlasLibrary.load(), false), new DenseProducts(BlasLibrary.load(), true)};
        System.out.println("species " + VectorKernels.species());
        System.out.println("shape (B, m, n)      forward sgemv/kernel   backward sgemv/kernel   gradient sgemv/kernel  (GFLOP/s)");
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            int rows = s[0];
            int m = s[1];
            int n = s[2];
            float[] x = random(rnd, rows * m);
            float[] w = random(rnd, n * m);
            float[] wT = new float[n * m];
            DenseProducts.transposeWeights(w, wT, n, m, 0, n);
            float[] bias = random(rnd, n);
            float[] delta = random(rnd, rows * n);
            float[] deltaT = new float[rows * n];
            DenseProducts.transpose(delta, deltaT, rows, n, 0, n);
            float[][] z = {new float[rows * n], new float[rows * n]};
            float[][] g = {new float[rows * m], new float[rows * m]};
            float[][] gw = {new float[n * m], new float[n * m]};
            double flops = 2.0 * rows * m * n;
            double[][] best = new double[3][2];
            for (double[] b : best) {
                java.util.Arrays.fill(b, Double.MAX_VALUE);
            }
            int reps = (int) Math.max(1, 2e8 / flops);
            for (int round = 0; round < 7; round++) {
                for (int v = 0; v < 2; v++) {
                    DenseProducts p = both[v];
                    long t0 = bean.getCurrentThreadCpuTime();
                    for (int i = 0; i < reps; i++) {
                        p.forward(z[v], x, 0, w, wT, bias, n, m, 0, rows);
                    }
                    long t1 = bean.getCurrentThreadCpuTime();
                    for (int i = 0; i < reps; i++) {
                        p.backward(g[v], delta, w, n, m, 0, rows);
                    }
                    long t2 = bean.getCurrentThreadCpuTime();
                    for (int i = 0; i < reps; i++) {
                        p.weightGradient(gw[v], deltaT, x, 0, rows, m, 0.5f, 0, n);
                    }
                    long t3 = bean.getCurrentThreadCpuTime();
                    best[0][v] = Math.min(best[0][v], (t1 - t0) / 1e9 / reps);
                    best[1][v] = Math.min(best[1][v], (t2 - t1) / 1e9 / reps);
                    best[2][v] = Math.min(best[2][v], (t3 - t2) / 1e9 / reps);
                }
            }
            check("forward", z);
            check("backward", g);
            check("gradient", gw);
            System.out.printf("%4d %4d %4d        %5.1f / %5.1f          %5.1f / %5.1f           %5.1f / %5.1f%n", rows, m, n,
                    flops / best[0][0] / 1e9, flops / best[0][1] / 1e9, flops / best[1][0] / 1e9, flops / best[1][1] / 1e9,
                    flops / best[2][0] / 1e9, flops / best[2][1] / 1e9);
        }
    }

    /** out[0] against out[1], relative norm under 1e-5. */
    static void check(String what, float[][] out) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < out[0].length; i++) {
            num += (out[0][i] - (double) out[1][i]) * (out[0][i] - (double) out[1][i]);
            den += (double) out[0][i] * out[0][i];
        }
        if (!(Math.sqrt(num) <= 1e-5 * Math.sqrt(den))) {
            throw new AssertionError(what + ": the two paths differ, relative norm " + Math.sqrt(num / den));
        }
    }

    private static float[] random(Random rnd, int count) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = rnd.nextFloat() * 2 - 1;
        }
        return f;
    }
}
