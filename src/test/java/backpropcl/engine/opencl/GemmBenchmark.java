package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastTranspose;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;

/**
 * The GEMM microbenchmark of issue 4: our forward matrix-product kernel (z = x W^T + b, identity
 * activation) against CLBlast's SGEMM (through JOCLBlast, test scope only) on the same device,
 * context and queue, at the shapes of the benchmark workloads. Each is timed as the best of five
 * rounds of enough launches to take ~0.2 s, the queue drained around each round. Our kernel runs
 * in every variant the tuner may pick; the best of them is the one the engine would use.
 *
 * <p>Run: bench/gemm.sh [device]. Prints one table row per shape and the ratio ours / CLBlast.
 */
public final class GemmBenchmark {
    /** (rows, n, m) = (M, N, K): W2's first layer, W3's first and second layers. */
    static final int[][] SHAPES = {{100, 128, 784}, {256, 1024, 784}, {256, 1024, 1024}};
    private static final int ROUNDS = 5;
    private static final long ROUND_NANOS = 200_000_000L;

    private GemmBenchmark() {
    }

    interface Launch {
        void run();
    }

    public static void main(String[] args) {
        int device = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        CLBlast.setExceptionsEnabled(true);
        try (ClContext ctx = ClContext.open(device); ClKernels k = new ClKernels(ctx)) {
            System.out.println("device: " + ctx.deviceName() + " (" + ctx.info().driverVersion() + ")");
            System.out.println("| M x N x K | ours: variant | ours GFLOP/s | CLBlast GFLOP/s | ours / CLBlast |");
            System.out.println("|---|---|---:|---:|---:|");
            KernelTuner tuner = new KernelTuner(ctx, DenseLayer.of(k), KernelTuner.Mode.TUNE, TuningCache.load(java.nio.file.Path.of("/dev/null/none")));
            for (int[] s : SHAPES) {
                row(ctx, k, tuner, s[0], s[1], s[2]);
            }
        }
    }

    private static void row(ClContext ctx, ClKernels k, KernelTuner tuner, int rows, int n, int m) {
        Random rnd = new Random(1);
        List<ClBuffer> bufs = new ArrayList<>();
        try {
            ClBuffer x = filled(ctx, bufs, rnd, (long) rows * m, "x");
            ClBuffer w = filled(ctx, bufs, rnd, (long) n * m, "W");
            ClBuffer b = filled(ctx, bufs, rnd, n, "b");
            ClBuffer z = filled(ctx, bufs, rnd, (long) rows * n, "z");
            ClBuffer a = filled(ctx, bufs, rnd, (long) rows * n, "a");
            double flops = 2.0 * rows * n * m;
            double bestOurs = Double.MAX_VALUE;
            Variant bestVariant = null;
            for (Variant v : tuner.candidates(Product.FORWARD)) {
                double t = seconds(ctx, () -> DenseLayer.of(k).forward(z, a, x, w, b, rows, n, m, Activation.IDENTITY, v));
                if (t < bestOurs) {
                    bestOurs = t;
                    bestVariant = v;
                }
            }
            cl_command_queue queue = ctx.queue();
            double blast = seconds(ctx, () -> CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor,
                    CLBlastTranspose.CLBlastTransposeNo, CLBlastTranspose.CLBlastTransposeYes, rows, n, m,
                    1f, x.mem(), 0, m, w.mem(), 0, m, 0f, z.mem(), 0, n, queue, (cl_event) null));
            System.out.printf(Locale.ROOT, "| %d x %d x %d | %s | %.1f | %.1f | %.2f |%n", rows, n, m, bestVariant,
                    flops / bestOurs / 1e9, flops / blast / 1e9, blast / bestOurs);
        } finally {
            for (ClBuffer buf : bufs) {
                buf.close();
            }
        }
    }

    /** Seconds per launch: the best of {@link #ROUNDS} rounds. */
    static double seconds(ClContext ctx, Launch launch) {
        launch.run();
        ctx.finish();
        long t0 = System.nanoTime();
        launch.run();
        ctx.finish();
        long once = Math.max(1, System.nanoTime() - t0);
        int reps = (int) Math.max(1, Math.min(10_000, ROUND_NANOS / once));
        double best = Double.MAX_VALUE;
        for (int r = 0; r < ROUNDS; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                launch.run();
            }
            ctx.finish();
            best = Math.min(best, (System.nanoTime() - s) / 1e9 / reps);
        }
        return best;
    }

    static ClBuffer filled(ClContext ctx, List<ClBuffer> bufs, Random rnd, long count, String what) {
        ClBuffer buf = ctx.buffer(count * Float.BYTES, what);
        bufs.add(buf);
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.1f;
        }
        buf.write(v);
        return buf;
    }
}
