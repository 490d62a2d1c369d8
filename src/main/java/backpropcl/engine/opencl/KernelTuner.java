package backpropcl.engine.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Chooses, per matrix product and shape, which kernel variant runs: the local-memory tiled
 * family or the register-blocked family at one of a few work-group sizes. By default it times
 * every legal candidate once on scratch buffers of that shape and keeps the fastest, remembering
 * the choice in a {@link TuningCache} (so later runs and engines skip the timing, and two engines
 * on one device sum in the same order). $BACKPROP_CL_TUNE selects another mode: {@code off} (no
 * timing: blocked on CPU devices, tiled on others), {@code tiled} or {@code blocked} (that family
 * everywhere).
 */
final class KernelTuner {
    private static final Logger LOG = Logger.getLogger(KernelTuner.class.getName());

    /** Timing rounds; the candidates take turns in each round, so a burst of load hits them all. */
    private static final int ROUNDS = 3;
    /** Launches per round are chosen so a round of one candidate takes about this long. */
    private static final long ROUND_NANOS = 2_000_000;
    private static final int MAX_REPS = 50;

    enum Mode {
        TUNE, OFF, TILED, BLOCKED;

        /** The mode named by $BACKPROP_CL_TUNE (default: tune). */
        static Mode fromEnvironment() {
            return parse(System.getenv("BACKPROP_CL_TUNE"));
        }

        /** on (or unset), off, tiled or blocked, any case. */
        static Mode parse(String v) {
            if (v == null || v.isBlank() || v.equalsIgnoreCase("on")) {
                return TUNE;
            }
            switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "off":
                    return OFF;
                case "tiled":
                    return TILED;
                case "blocked":
                    return BLOCKED;
                default:
                    throw new IllegalArgumentException("BACKPROP_CL_TUNE=" + v + " is not one of on, off, tiled, blocked");
            }
        }
    }

    private final ClContext ctx;
    private final DenseLayer dense;
    private final Mode mode;
    private final TuningCache cache;

    KernelTuner(ClContext ctx, DenseLayer dense, Mode mode, TuningCache cache) {
        this.ctx = ctx;
        this.dense = dense;
        this.mode = mode;
        this.cache = cache;
    }

    Mode mode() {
        return mode;
    }

    /** The variant to run {@code product} with for (rows, n, m). */
    Variant choose(Product product, int rows, int n, int m) {
        switch (mode) {
            case TILED:
                return dense.tiled();
            case BLOCKED:
                return blockedDefault(product);
            case OFF:
                return ctx.info().isCpu() ? blockedDefault(product) : dense.tiled();
            default:
                break;
        }
        String key = key(product, rows, n, m);
        // One cache per file in the JVM: holding it from lookup to store makes two engines that need
        // the same shape at once agree (the second waits for the first's timing and reads its choice).
        synchronized (cache) {
            String known = cache.get(key);
            if (known != null) {
                Variant v = Variant.parse(known, dense.tile());
                if (v != null && legal(product, v)) {
                    return v;
                }
            }
            Variant best = time(product, rows, n, m);
            cache.put(key, best.toString());
            return best;
        }
    }

    /** The blocked family at the largest of 4 and 1 work-items the kernel allows. */
    private Variant blockedDefault(Product product) {
        return Variant.blocked(dense.workGroupLimit(product, Variant.Family.BLOCKED) >= 4 ? 4 : 1);
    }

    /** What a cache entry is for: the device and driver, the build options, the product and the shape. */
    String key(Product product, int rows, int n, int m) {
        DeviceInfo d = ctx.info();
        return (d.name() + "|" + d.driverVersion() + "|" + dense.buildOptions() + "|" + product + "|" + rows + "x" + n + "x" + m)
                .replace(' ', '_');
    }

    /** Every variant the device allows for {@code product}. */
    List<Variant> candidates(Product product) {
        List<Variant> out = new ArrayList<>();
        out.add(dense.tiled());
        for (int local : LaunchSizes.blockedLocals(ctx.info().isCpu(),
                dense.workGroupLimit(product, Variant.Family.BLOCKED))) {
            out.add(Variant.blocked(local));
        }
        return out;
    }

    private boolean legal(Product product, Variant v) {
        return v.local() <= dense.workGroupLimit(product, v.family());
    }

    private Variant time(Product product, int rows, int n, int m) {
        List<Variant> candidates = candidates(product);
        try (Scratch s = new Scratch(ctx, rows, n, m)) {
            int[] reps = new int[candidates.size()];
            for (int c = 0; c < candidates.size(); c++) {
                long once = timed(s, product, candidates.get(c), rows, n, m, 1);   // also the warm-up
                reps[c] = (int) Math.max(1, Math.min(MAX_REPS, ROUND_NANOS / Math.max(1, once)));
            }
            double[] best = new double[candidates.size()];
            java.util.Arrays.fill(best, Double.MAX_VALUE);
            for (int round = 0; round < ROUNDS; round++) {
                for (int c = 0; c < candidates.size(); c++) {
                    best[c] = Math.min(best[c], (double) timed(s, product, candidates.get(c), rows, n, m, reps[c]) / reps[c]);
                }
            }
            int pick = 0;
            for (int c = 1; c < best.length; c++) {
                if (best[c] < best[pick]) {
                    pick = c;
                }
            }
            Variant chosen = candidates.get(pick);
            double us = best[pick] / 1e3;
            LOG.fine(() -> String.format(Locale.ROOT, "%s %dx%dx%d on %s: %s (%.1f us)", product, rows, n, m, ctx.deviceName(),
                    chosen, us));
            return chosen;
        }
    }

    /** Nanoseconds for {@code reps} launches of one variant, queue drained before and after. */
    private long timed(Scratch s, Product product, Variant v, int rows, int n, int m, int reps) {
        ctx.finish();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            switch (product) {
                case FORWARD -> dense.forward(s.z, s.a, s.x, s.w, s.b, rows, n, m, backpropcl.model.Activation.SIGMOID, v);
                case BACKWARD -> dense.backward(s.xOut, s.z, s.w, s.x, s.x, rows, n, m, backpropcl.model.Activation.SIGMOID, v);
                case GRADIENTS -> dense.gradientsSgd(s.gw, s.w, s.gb, s.b, s.z, s.x, rows, n, m, 0f, v);
            }
        }
        ctx.finish();
        return System.nanoTime() - t0;
    }

    /** Buffers of one shape, filled with small numbers, for timing only. */
    private static final class Scratch implements AutoCloseable {
        final ClBuffer x;
        final ClBuffer xOut;
        final ClBuffer w;
        final ClBuffer b;
        final ClBuffer z;
        final ClBuffer a;
        final ClBuffer gw;
        final ClBuffer gb;
        private final TuningBuffers all;

        Scratch(ClContext ctx, int rows, int n, int m) {
            all = new TuningBuffers(ctx);
            try {
                x = all.filled((long) rows * m, "tuning x");
                xOut = all.filled((long) rows * m, "tuning delta_prev");
                w = all.filled((long) n * m, "tuning W");
                b = all.filled(n, "tuning b");
                z = all.filled((long) rows * n, "tuning z");
                a = all.filled((long) rows * n, "tuning a");
                gw = all.filled((long) n * m, "tuning gradW");
                gb = all.filled(n, "tuning gradB");
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            all.close();
        }
    }
}
