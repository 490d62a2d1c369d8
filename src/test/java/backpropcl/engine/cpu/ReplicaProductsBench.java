package backpropcl.engine.cpu;

import dev.ludovic.netlib.blas.BLAS;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;

/**
 * The products of one W2 step (784-128-64-10, or the widths and batches of the arguments, e.g. {@code 784-16-16-10 10,5}: forward on every layer, backward on the second and
 * third, the weight gradient on every layer) on single-threaded replicas: Vector API kernels against
 * the native sgemm (every product, whatever its size), wall time, best of 7 rounds. First each
 * product alone on one thread at batch 100 and 50, then whole steps on one thread, then two
 * threads each running its own half batch (the last batch size) at the same time (the data-parallel replicas).
 * Not a test: run with OpenBLAS limited to one thread (it reads the variable when it loads):
 * <pre>
 *   mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   OPENBLAS_NUM_THREADS=1 java --add-modules jdk.incubator.vector \
 *       -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) backpropcl.engine.cpu.ReplicaProductsBench
 * </pre>
 * "mixed" takes, per product, whichever path was faster alone on one thread. Each run first checks
 * the two paths against each other (relative error under 1e-5). samples/s counts the products only.
 */
final class ReplicaProductsBench {
    /** The network's widths: W2's, or args[0] (e.g. 784-16-16-10). */
    private static int[] WIDTHS = {784, 128, 64, 10};
    private static final String[] KINDS = {"forward", "backward", "gradient"};
    private static final int ROUNDS = 7;

    private ReplicaProductsBench() {
    }

    /** The blocks of one replica's step at a batch of {@code rows}. */
    private static final class Step {
        final int rows;
        final float[][] x;
        final float[][] w;
        final float[][] wT;
        final float[][] b;
        final float[][] z;
        final float[][] delta;
        final float[][] deltaT;
        final float[][] g;
        final float[][] gradW;

        Step(int rows, Random rnd) {
            this.rows = rows;
            int layers = WIDTHS.length - 1;
            x = new float[layers][];
            w = new float[layers][];
            wT = new float[layers][];
            b = new float[layers][];
            z = new float[layers][];
            delta = new float[layers][];
            deltaT = new float[layers][];
            g = new float[layers][];
            gradW = new float[layers][];
            for (int l = 0; l < layers; l++) {
                int m = WIDTHS[l];
                int n = WIDTHS[l + 1];
                x[l] = random(rnd, rows * m);
                w[l] = random(rnd, n * m);
                wT[l] = new float[n * m];
                DenseProducts.transposeWeights(w[l], wT[l], n, m, 0, n);
                b[l] = random(rnd, n);
                z[l] = new float[rows * n];
                delta[l] = random(rnd, rows * n);
                deltaT[l] = new float[rows * n];
                DenseProducts.transpose(delta[l], deltaT[l], rows, n, 0, n);
                g[l] = new float[rows * m];
                gradW[l] = new float[n * m];
            }
        }

        /** Whether the engine runs product {@code kind} on layer {@code l} (no backward into the input). */
        static boolean exists(int kind, int l) {
            return kind != 1 || l > 0;
        }

        void run(DenseProducts p, int kind, int l) {
            int m = WIDTHS[l];
            int n = WIDTHS[l + 1];
            switch (kind) {
                case 0 -> p.forward(z[l], x[l], 0, w[l], wT[l], b[l], n, m, 0, rows);
                case 1 -> p.backward(g[l], delta[l], w[l], n, m, 0, rows);
                default -> p.weightGradient(gradW[l], deltaT[l], x[l], 0, rows, m, 1f / rows, 0, n);
            }
        }

        /** Every product of a step, each on the path {@code choice[kind][l]}. */
        void runAll(DenseProducts[][] choice) {
            for (int kind = 0; kind < KINDS.length; kind++) {
                for (int l = 0; l < WIDTHS.length - 1; l++) {
                    if (exists(kind, l)) {
                        run(choice[kind][l], kind, l);
                    }
                }
            }
        }

        double flops() {
            double f = 0;
            for (int kind = 0; kind < KINDS.length; kind++) {
                for (int l = 0; l < WIDTHS.length - 1; l++) {
                    f += exists(kind, l) ? 2.0 * rows * WIDTHS[l] * WIDTHS[l + 1] : 0;
                }
            }
            return f;
        }
    }

    public static void main(String[] args) throws Exception {
        int[] batches = {100, 50};
        if (args.length > 0) {
            WIDTHS = java.util.Arrays.stream(args[0].split("-")).mapToInt(Integer::parseInt).toArray();
            batches = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        }
        BLAS java = BlasLibrary.load();
        BLAS nat = BlasLibrary.optimizedNative().orElseThrow(() -> new IllegalStateException("no optimised native BLAS"));
        DenseProducts kernels = new DenseProducts(java, true);
        DenseProducts sgemm = new DenseProducts(java, true, nat, 0);
        System.out.printf(Locale.ROOT, "%s, OPENBLAS_NUM_THREADS=%s, species %s%n", BlasLibrary.optimizedLibrary().orElse("?"),
                System.getenv("OPENBLAS_NUM_THREADS"), VectorKernels.species());
        int layers = WIDTHS.length - 1;
        DenseProducts[][] allKernels = fill(kernels);
        DenseProducts[][] allSgemm = fill(sgemm);
        DenseProducts[][] mixed = new DenseProducts[KINDS.length][layers];
        // Warm-up: until C2 compiles the kernels their vector code is boxed.
        Step warm = new Step(50, new Random(0));
        for (int i = 0; i < 3000; i++) {
            warm.runAll(allKernels);
            warm.runAll(allSgemm);
        }
        for (int rows : batches) {
            Step s = new Step(rows, new Random(rows));
            Step t = new Step(rows, new Random(rows));
            System.out.printf(Locale.ROOT, "batch %d, one thread, GFLOP/s kernel / sgemm:%n", rows);
            for (int kind = 0; kind < KINDS.length; kind++) {
                for (int l = 0; l < layers; l++) {
                    if (!Step.exists(kind, l)) {
                        continue;
                    }
                    int k = kind;
                    int ll = l;
                    double flops = 2.0 * rows * WIDTHS[l] * WIDTHS[l + 1];
                    int reps = (int) Math.max(1, 4e8 / flops);
                    double tk = best(reps, () -> s.run(kernels, k, ll));
                    double tg = best(reps, () -> t.run(sgemm, k, ll));
                    check(KINDS[kind], s, t, kind, l);
                    mixed[kind][l] = tk <= tg ? kernels : sgemm;
                    System.out.printf(Locale.ROOT, "  %-8s %3d x %3d -> %3d   %5.1f / %5.1f%n", KINDS[kind], rows, WIDTHS[l], WIDTHS[l + 1],
                            flops / tk / 1e9, flops / tg / 1e9);
                }
            }
            int reps = (int) Math.max(1, 4e8 / s.flops());
            for (Object[] path : new Object[][] {{"kernels", allKernels}, {"sgemm", allSgemm}, {"mixed", copy(mixed)}}) {
                DenseProducts[][] choice = (DenseProducts[][]) path[1];
                double step = best(reps, () -> s.runAll(choice));
                System.out.printf(Locale.ROOT, "  step, %-7s one thread:  %6.1f GFLOP/s, %8.0f samples/s%n", path[0], s.flops() / step / 1e9,
                        rows / step);
            }
            if (rows == batches[batches.length - 1]) {
                for (Object[] path : new Object[][] {{"kernels", allKernels}, {"sgemm", allSgemm}, {"mixed", copy(mixed)}}) {
                    double step = twoThreads(reps, (DenseProducts[][]) path[1], s, t);
                    System.out.printf(Locale.ROOT, "  step, %-7s two threads x %d rows: %6.1f GFLOP/s, %8.0f samples/s%n", path[0], rows,
                            2 * s.flops() / step / 1e9, 2 * rows / step);
                }
            }
        }
    }

    private static DenseProducts[][] fill(DenseProducts p) {
        DenseProducts[][] c = new DenseProducts[KINDS.length][WIDTHS.length - 1];
        for (DenseProducts[] row : c) {
            java.util.Arrays.fill(row, p);
        }
        return c;
    }

    private static DenseProducts[][] copy(DenseProducts[][] c) {
        DenseProducts[][] d = new DenseProducts[c.length][];
        for (int i = 0; i < c.length; i++) {
            d[i] = c[i].clone();
        }
        return d;
    }

    /** Seconds per call of {@code body}, best of the rounds of {@code reps} calls. */
    private static double best(int reps, Runnable body) {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                body.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
        }
        return best;
    }

    /** Seconds per step when two threads each run {@code reps} steps of their own blocks at once, best of the rounds. */
    private static double twoThreads(int reps, DenseProducts[][] choice, Step a, Step b) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            Thread other = new Thread(() -> {
                await(start);
                for (int i = 0; i < reps; i++) {
                    b.runAll(choice);
                }
            });
            other.start();
            await(start);
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                a.runAll(choice);
            }
            other.join();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
        }
        return best;
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(String what, Step s, Step t, int kind, int l) {
        float[] a = kind == 0 ? s.z[l] : kind == 1 ? s.g[l] : s.gradW[l];
        float[] c = kind == 0 ? t.z[l] : kind == 1 ? t.g[l] : t.gradW[l];
        DenseProductsBench.check(what, new float[][] {a, c});
    }

    private static float[] random(Random rnd, int count) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = rnd.nextFloat() * 2 - 1;
        }
        return f;
    }
}
