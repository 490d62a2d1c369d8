package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.CheckBuffers.compare;

import backpropcl.model.Activation;
import java.util.Locale;
import java.util.Random;

/**
 * kernels/conv.cl's four kernels (ConvLayer) against plain double loops written here from
 * nn.Conv2d's definition (zero padding, the floor rule): random inputs from a seed, every output
 * between poisoned guards (CheckBuffers), relative error per tensor at most {@link #TOLERANCE}.
 * ConvKernelTest runs it on the test device, OclgrindSuite under Oclgrind; so it reports a
 * problem as text.
 */
final class ConvCheck implements AutoCloseable {
    /** float32 against double on O(1) values, per tensor. */
    static final double TOLERANCE = 1e-5;

    /**
     * The kernels checked: the direct ones by their names in conv.cl, and the im2col variant's
     * three passes (conv_im2col, conv_transpose, conv_col2im, conv_scale
     * around the dense products), with the tiled dense kernels on even seeds and the blocked ones
     * (4 work-items) on odd ones.
     */
    enum Kernel { CONV_FORWARD, CONV_BACKWARD, CONV_WEIGHT_GRADIENTS, CONV_BIAS_GRADIENTS, IM2COL_FORWARD, IM2COL_BACKWARD,
        IM2COL_GRADIENTS }

    private final ConvLayer routine;
    private final DenseLayer dense;
    private final CheckBuffers buffers;

    /** On the context of {@code buffers}, which it closes. */
    ConvCheck(CheckBuffers buffers) {
        this.buffers = buffers;
        ClContext ctx = buffers.context();
        this.routine = new ConvLayer(ctx);
        this.dense = new DenseLayer(ctx, LaunchSizes.TILES[0], BlockedShape.forDevice(ctx.preferredFloatWidth()));
    }

    /** The dense variant an im2col case runs its products with. */
    private Variant variant(long seed) {
        return seed % 2 == 0 ? dense.tiled() : Variant.blocked(4);
    }

    /** The im2col scratch for rows of g, from the check's slots. */
    private ConvLayer.Im2colScratch scratch(int rows, ConvGeometry g) {
        int positions = rows * g.outHeight() * g.outWidth();
        int patch = positions * g.channels() * g.kernel() * g.kernel();
        return new ConvLayer.Im2colScratch(buffers.slot("cols", patch), buffers.slot("dcols", patch), buffers.slot("zt", positions * g.filters()),
                buffers.slot("at", positions * g.filters()), buffers.slot("dt", positions * g.filters()));
    }

    /** The first difference or guard written by {@code kernel} on a block of {@code rows} of {@code g}, or null when there is none. */
    String problem(Kernel kernel, int rows, ConvGeometry g, Activation act, long seed) {
        String what = String.format(Locale.ROOT, "%s rows %d %s %s seed %d%s", kernel.name().toLowerCase(Locale.ROOT), rows, g,
                act.cliName(), seed, kernel.name().startsWith("IM2COL") ? " dense " + variant(seed) : "");
        try {
            switch (kernel) {
                case CONV_FORWARD, IM2COL_FORWARD -> forward(kernel == Kernel.IM2COL_FORWARD, rows, g, act, seed);
                case CONV_BACKWARD, IM2COL_BACKWARD -> backward(kernel == Kernel.IM2COL_BACKWARD, rows, g, act, seed);
                default -> gradients(kernel, rows, g, seed);
            }
            return null;
        } catch (CheckBuffers.Mismatch e) {
            return what + ": " + e.getMessage();
        }
    }

    /** One term of the convolution's sum: output element {@code out} reads input element {@code in} times weight {@code weight}. */
    @FunctionalInterface
    private interface Tap {
        void add(int out, int in, int weight);
    }

    /**
     * Every term of nn.Conv2d's sums over a block of {@code rows}: for each output (r, f, oy, ox)
     * and kernel position (c, ky, kx), the input (r, c, oy S - P + ky, ox S - P + kx) unless it is
     * in the zero padding, which adds nothing.
     */
    private static void taps(int rows, ConvGeometry g, Tap tap) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int k = g.kernel();
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < g.filters(); f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int out = ((r * g.filters() + f) * oh + oy) * ow + ox;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int y = oy * g.stride() - g.padding() + ky;
                                    int x = ox * g.stride() - g.padding() + kx;
                                    if (y >= 0 && y < g.height() && x >= 0 && x < g.width()) {
                                        tap.add(out, ((r * g.channels() + c) * g.height() + y) * g.width() + x,
                                                ((f * g.channels() + c) * k + ky) * k + kx);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The filter of output element {@code out} of a (rows, F, OH, OW) block. */
    private static int filterOf(int out, ConvGeometry g) {
        return out / (g.outHeight() * g.outWidth()) % g.filters();
    }

    private void forward(boolean im2col, int rows, ConvGeometry g, Activation act, long seed) {
        Random rnd = new Random(seed);
        float[] x = OpenClTestSupport.uniform(rnd, rows * g.inputs(), -1, 1);
        float[] w = weights(rnd, g);
        float[] b = OpenClTestSupport.gaussian(rnd, g.filters(), 0.3);
        double[] z = new double[rows * g.outputs()];
        taps(rows, g, (out, in, weight) -> z[out] += (double) w[weight] * x[in]);
        double[] a = new double[z.length];
        for (int o = 0; o < z.length; o++) {
            z[o] += b[filterOf(o, g)];
            a[o] = act.value(z[o]);
        }
        try (CheckBuffers.Output zb = buffers.output("z", z.length); CheckBuffers.Output ab = buffers.output("a", z.length)) {
            if (im2col) {
                routine.forwardIm2col(zb.buf, ab.buf, buffers.input("x", x), buffers.input("W", w), buffers.input("b", b), rows, g, act,
                        dense, variant(seed), scratch(rows, g));
            } else {
                routine.forward(zb.buf, ab.buf, buffers.input("x", x), buffers.input("W", w), buffers.input("b", b), rows, g, act);
            }
            compare("z", z, zb.floats(), TOLERANCE);
            compare("a", a, ab.floats(), TOLERANCE);
        }
    }

    private void backward(boolean im2col, int rows, ConvGeometry g, Activation prevAct, long seed) {
        Random rnd = new Random(seed);
        float[] delta = OpenClTestSupport.gaussian(rnd, rows * g.outputs(), 0.5);
        float[] w = weights(rnd, g);
        float[] zPrev = OpenClTestSupport.gaussian(rnd, rows * g.inputs(), 1.5);
        float[] aPrev = CheckBuffers.activations(prevAct, zPrev);
        // dC/d(input): every term of the forward sum hands delta W back to the input it read.
        double[] want = new double[rows * g.inputs()];
        taps(rows, g, (out, in, weight) -> want[in] += (double) delta[out] * w[weight]);
        CheckBuffers.timesDerivative(want, prevAct, zPrev, aPrev);
        try (CheckBuffers.Output out = buffers.output("delta_prev", want.length)) {
            if (im2col) {
                ConvLayer.Im2colScratch s = scratch(rows, g);
                // The dense backward reads cols as its (unused) z and a: as in training, the forward's.
                routine.im2col(s.cols, buffers.input("x", OpenClTestSupport.uniform(rnd, rows * g.inputs(), -1, 1)), rows, g);
                routine.backwardIm2col(out.buf, buffers.input("delta", delta), buffers.input("W", w), buffers.input("z_prev", zPrev),
                        buffers.input("a_prev", aPrev), rows, g, prevAct, dense, variant(seed), s);
            } else {
                routine.backward(out.buf, buffers.input("delta", delta), buffers.input("W", w), buffers.input("z_prev", zPrev),
                        buffers.input("a_prev", aPrev), rows, g, prevAct);
            }
            compare("delta_prev", want, out.floats(), TOLERANCE);
        }
    }

    private void gradients(Kernel kernel, int rows, ConvGeometry g, long seed) {
        Random rnd = new Random(seed);
        float[] delta = OpenClTestSupport.gaussian(rnd, rows * g.outputs(), 0.5);
        float[] x = OpenClTestSupport.uniform(rnd, rows * g.inputs(), -1, 1);
        double[] gw = new double[g.weights()];
        taps(rows, g, (out, in, weight) -> gw[weight] += (double) delta[out] * x[in] / rows);
        double[] gb = new double[g.filters()];
        for (int o = 0; o < delta.length; o++) {
            gb[filterOf(o, g)] += (double) delta[o] / rows;
        }
        ClBuffer db = buffers.input("delta", delta);
        ClBuffer xb = buffers.input("x", x);
        if (kernel == Kernel.IM2COL_GRADIENTS) {
            // Both gradients in one pass; the parameters W and b are arguments that eta 0 leaves alone.
            try (CheckBuffers.Output gwb = buffers.output("grad_w", gw.length); CheckBuffers.Output gbb = buffers.output("grad_b", gb.length)) {
                routine.gradientsIm2col(gwb.buf, gbb.buf, buffers.input("W", weights(rnd, g)), buffers.input("b", new float[g.filters()]), db, xb,
                        rows, g, dense, variant(seed), scratch(rows, g));
                compare("grad_w", gw, gwb.floats(), TOLERANCE);
                compare("grad_b", gb, gbb.floats(), TOLERANCE);
            }
        } else if (kernel == Kernel.CONV_WEIGHT_GRADIENTS) {
            try (CheckBuffers.Output out = buffers.output("grad_w", gw.length)) {
                routine.weightGradients(out.buf, db, xb, rows, g);
                compare("grad_w", gw, out.floats(), TOLERANCE);
            }
        } else {
            try (CheckBuffers.Output out = buffers.output("grad_b", gb.length)) {
                routine.biasGradients(out.buf, db, rows, g);
                compare("grad_b", gb, out.floats(), TOLERANCE);
            }
        }
    }

    /** Weights N(0, 2 / (fan_in + fan_out)), fan_in = C K K, fan_out = F K K. */
    private static float[] weights(Random rnd, ConvGeometry g) {
        int kk = g.kernel() * g.kernel();
        return OpenClTestSupport.gaussian(rnd, g.weights(), Math.sqrt(2.0 / ((g.channels() + g.filters()) * kk)));
    }

    @Override
    public void close() {
        dense.close();
        routine.close();
        buffers.close();
    }
}
