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

    /** The kernels checked, by their names in conv.cl. */
    enum Kernel { CONV_FORWARD, CONV_BACKWARD, CONV_WEIGHT_GRADIENTS, CONV_BIAS_GRADIENTS }

    private final ConvLayer routine;
    private final CheckBuffers buffers;

    /** On the context of {@code buffers}, which it closes. */
    ConvCheck(CheckBuffers buffers) {
        this.buffers = buffers;
        this.routine = new ConvLayer(buffers.context());
    }

    /** The first difference or guard written by {@code kernel} on a block of {@code rows} of {@code g}, or null when there is none. */
    String problem(Kernel kernel, int rows, ConvGeometry g, Activation act, long seed) {
        String what = String.format(Locale.ROOT, "%s rows %d %s %s seed %d", kernel.name().toLowerCase(Locale.ROOT), rows, g,
                act.cliName(), seed);
        try {
            switch (kernel) {
                case CONV_FORWARD -> forward(rows, g, act, seed);
                case CONV_BACKWARD -> backward(rows, g, act, seed);
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

    private void forward(int rows, ConvGeometry g, Activation act, long seed) {
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
            routine.forward(zb.buf, ab.buf, buffers.input("x", x), buffers.input("W", w), buffers.input("b", b), rows, g, act);
            compare("z", z, zb.floats(), TOLERANCE);
            compare("a", a, ab.floats(), TOLERANCE);
        }
    }

    private void backward(int rows, ConvGeometry g, Activation prevAct, long seed) {
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
            routine.backward(out.buf, buffers.input("delta", delta), buffers.input("W", w), buffers.input("z_prev", zPrev),
                    buffers.input("a_prev", aPrev), rows, g, prevAct);
            compare("delta_prev", want, out.floats(), TOLERANCE);
        }
    }

    private void gradients(Kernel kernel, int rows, ConvGeometry g, long seed) {
        Random rnd = new Random(seed);
        float[] delta = OpenClTestSupport.gaussian(rnd, rows * g.outputs(), 0.5);
        float[] x = OpenClTestSupport.uniform(rnd, rows * g.inputs(), -1, 1);
        ClBuffer db = buffers.input("delta", delta);
        if (kernel == Kernel.CONV_WEIGHT_GRADIENTS) {
            double[] gw = new double[g.weights()];
            taps(rows, g, (out, in, weight) -> gw[weight] += (double) delta[out] * x[in] / rows);
            try (CheckBuffers.Output out = buffers.output("grad_w", gw.length)) {
                routine.weightGradients(out.buf, db, buffers.input("x", x), rows, g);
                compare("grad_w", gw, out.floats(), TOLERANCE);
            }
        } else {
            double[] gb = new double[g.filters()];
            for (int o = 0; o < delta.length; o++) {
                gb[filterOf(o, g)] += (double) delta[o] / rows;
            }
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
        routine.close();
        buffers.close();
    }
}
