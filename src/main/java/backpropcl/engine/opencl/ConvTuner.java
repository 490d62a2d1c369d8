package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Chooses, per pass of a conv layer ({@link Product}: forward, input delta, gradients) and shape,
 * whether the direct kernels or the im2col variant run it, and for im2col the dense products'
 * variant ({@link KernelTuner}'s choice for the product's matrix shape: rows OH OW x F x C K K).
 * In {@link KernelTuner.Mode#TUNE} it times both once on scratch buffers of that shape (the best of
 * three rounds, the two taking turns) and remembers the faster in the {@link TuningCache}; in the
 * other modes it takes im2col with the dense tuner's pinned variant, without timing (on PoCL
 * im2col was the faster at 10 and at 9 of W4's and W5's 12 layer passes in two runs, docs/gpu.md).
 */
final class ConvTuner {
    private static final Logger LOG = Logger.getLogger(ConvTuner.class.getName());
    private static final int ROUNDS = 3;
    private static final long ROUND_NANOS = 2_000_000;
    private static final int MAX_REPS = 20;

    /** How one pass runs: direct, or im2col with the dense variant {@code dense}. */
    record Choice(boolean im2col, Variant dense) {
        static final Choice DIRECT = new Choice(false, null);

        /** "direct" or "im2col": the cache's value (the dense variant has its own entry). */
        @Override
        public String toString() {
            return im2col ? "im2col " + dense : "direct";
        }
    }

    private final ClContext ctx;
    private final ConvLayer conv;
    private final DenseLayer dense;
    private final KernelTuner denseTuner;
    private final TuningCache cache;

    ConvTuner(ClContext ctx, ConvLayer conv, DenseLayer dense, KernelTuner denseTuner, TuningCache cache) {
        this.ctx = ctx;
        this.conv = conv;
        this.dense = dense;
        this.denseTuner = denseTuner;
        this.cache = cache;
    }

    /** How {@code pass} runs for a block of {@code rows} of {@code g}. */
    Choice choose(Product pass, int rows, ConvGeometry g) {
        Choice im2col = new Choice(true, denseTuner.choose(pass, rows * g.outHeight() * g.outWidth(), g.filters(),
                g.channels() * g.kernel() * g.kernel()));
        if (denseTuner.mode() != KernelTuner.Mode.TUNE) {
            return im2col;
        }
        String key = key(pass, rows, g);
        synchronized (cache) {
            String known = cache.get(key);
            if ("direct".equals(known)) {
                return Choice.DIRECT;
            }
            if ("im2col".equals(known)) {
                return im2col;
            }
            Choice best = time(pass, rows, g, im2col);
            cache.put(key, best.im2col() ? "im2col" : "direct");
            return best;
        }
    }

    /** What a cache entry is for: the device and driver, the dense build options, the pass and the shape. */
    String key(Product pass, int rows, ConvGeometry g) {
        DeviceInfo d = ctx.info();
        return (d.name() + "|" + d.driverVersion() + "|" + dense.buildOptions() + "|conv " + pass + "|" + rows + "x" + g)
                .replace(' ', '_');
    }

    private Choice time(Product pass, int rows, ConvGeometry g, Choice im2col) {
        List<Choice> candidates = List.of(Choice.DIRECT, im2col);
        try (Scratch s = new Scratch(ctx, rows, g)) {
            conv.im2col(s.im2col.cols, s.x, rows, g);   // the forward's patches, which the backward's dense product reads
            int[] reps = new int[candidates.size()];
            for (int c = 0; c < candidates.size(); c++) {
                long once = timed(s, pass, candidates.get(c), rows, g, 1);   // also the warm-up
                reps[c] = (int) Math.max(1, Math.min(MAX_REPS, ROUND_NANOS / Math.max(1, once)));
            }
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
            for (int round = 0; round < ROUNDS; round++) {
                for (int c = 0; c < candidates.size(); c++) {
                    best[c] = Math.min(best[c], (double) timed(s, pass, candidates.get(c), rows, g, reps[c]) / reps[c]);
                }
            }
            Choice chosen = best[1] < best[0] ? im2col : Choice.DIRECT;
            LOG.fine(() -> String.format(Locale.ROOT, "conv %s rows %d %s on %s: %s (direct %.1f us, im2col %.1f us)", pass, rows, g,
                    ctx.deviceName(), chosen, best[0] / 1e3, best[1] / 1e3));
            return chosen;
        }
    }

    /** Nanoseconds for {@code reps} runs of {@code pass} as {@code c}, queue drained before and after. */
    private long timed(Scratch s, Product pass, Choice c, int rows, ConvGeometry g, int reps) {
        Activation act = Activation.RELU;
        ctx.finish();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            switch (pass) {
                case FORWARD -> {
                    if (c.im2col()) {
                        conv.forwardIm2col(s.z, s.a, s.x, s.w, s.b, rows, g, act, dense, c.dense(), s.im2col);
                    } else {
                        conv.forward(s.z, s.a, s.x, s.w, s.b, rows, g, act);
                    }
                }
                case BACKWARD -> {
                    if (c.im2col()) {
                        conv.backwardIm2col(s.xOut, s.z, s.w, s.x, s.x, rows, g, act, dense, c.dense(), s.im2col);
                    } else {
                        conv.backward(s.xOut, s.z, s.w, s.x, s.x, rows, g, act);
                    }
                }
                case GRADIENTS -> {
                    if (c.im2col()) {
                        conv.gradientsIm2col(s.gw, s.gb, s.w, s.b, s.z, s.x, rows, g, dense, c.dense(), s.im2col);
                    } else {
                        conv.weightGradients(s.gw, s.z, s.x, rows, g);
                        conv.biasGradients(s.gb, s.z, rows, g);
                    }
                }
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
        final ConvLayer.Im2colScratch im2col;
        private final TuningBuffers all;

        Scratch(ClContext ctx, int rows, ConvGeometry g) {
            all = new TuningBuffers(ctx);
            try {
                x = all.filled((long) rows * g.inputs(), "conv tuning x");
                xOut = all.filled((long) rows * g.inputs(), "conv tuning delta_prev");
                w = all.filled(g.weights(), "conv tuning W");
                b = all.filled(g.filters(), "conv tuning b");
                z = all.filled((long) rows * g.outputs(), "conv tuning z");
                a = all.filled((long) rows * g.outputs(), "conv tuning a");
                gw = all.filled(g.weights(), "conv tuning gradW");
                gb = all.filled(g.filters(), "conv tuning gradB");
                im2col = ConvLayer.Im2colScratch.of(ctx, g, rows, "conv tuning");
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (im2col != null) {
                im2col.close();
            }
            all.close();
        }
    }
}
