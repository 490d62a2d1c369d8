package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.CheckBuffers.compare;
import static backpropcl.engine.opencl.CheckBuffers.compareExactly;

import backpropcl.model.Activation;
import java.util.Locale;
import java.util.Random;

/**
 * kernels/maxpool.cl (MaxPoolLayer) against plain loops written here from nn.MaxPool2d's
 * definition and the project's tie rule (the FIRST maximum of a window in row-major order gets
 * the gradient): the maxima and the argmax exactly, the input delta within {@link #TOLERANCE} per
 * tensor, every output between poisoned guards (CheckBuffers). Inputs are random from a seed;
 * with {@code ties} they are drawn from four values, so that most windows hold several maxima.
 * MaxPoolKernelTest runs it on the test device, OclgrindSuite under Oclgrind.
 */
final class MaxPoolCheck implements AutoCloseable {
    static final double TOLERANCE = 1e-5;

    private final MaxPoolLayer routine;
    private final CheckBuffers buffers;

    /** On the context of {@code buffers}, which it closes. */
    MaxPoolCheck(CheckBuffers buffers) {
        this.buffers = buffers;
        this.routine = new MaxPoolLayer(buffers.context());
    }

    /** The first difference or guard written by maxpool_forward or (when {@code backward}) maxpool_backward, or null when there is none. */
    String problem(boolean backward, int rows, PoolGeometry g, Activation prevAct, boolean ties, long seed) {
        String what = String.format(Locale.ROOT, "maxpool_%s rows %d %s %s%s seed %d", backward ? "backward" : "forward", rows, g,
                prevAct.cliName(), ties ? " with ties" : "", seed);
        Random rnd = new Random(seed);
        float[] in = new float[rows * g.inputs()];
        for (int i = 0; i < in.length; i++) {
            in[i] = ties ? rnd.nextInt(4) - 1.5f : (float) rnd.nextGaussian();
        }
        int oh = g.outHeight();
        int ow = g.outWidth();
        int planes = rows * g.channels();
        int hw = g.height() * g.width();
        double[] max = new double[planes * oh * ow];
        int[] argmax = new int[max.length];
        for (int plane = 0; plane < planes; plane++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    for (int dy = 0; dy < g.kernel(); dy++) {
                        for (int dx = 0; dx < g.kernel(); dx++) {
                            int at = (oy * g.stride() + dy) * g.width() + ox * g.stride() + dx;
                            if (best < 0 || in[plane * hw + at] > in[plane * hw + best]) {
                                best = at;
                            }
                        }
                    }
                    int o = (plane * oh + oy) * ow + ox;
                    argmax[o] = best;
                    max[o] = in[plane * hw + best];
                }
            }
        }
        try {
            if (backward) {
                backward(rows, g, prevAct, argmax, rnd);
            } else {
                try (CheckBuffers.Output out = buffers.output("out", max.length); CheckBuffers.Output idx = buffers.output("argmax", max.length)) {
                    routine.forward(out.buf, idx.buf, buffers.input("in", in), rows, g);
                    compare("out", max, out.floats(), 0);
                    compareExactly("argmax", argmax, idx.ints());
                }
            }
            return null;
        } catch (CheckBuffers.Mismatch e) {
            return what + ": " + e.getMessage();
        }
    }

    /** The delta of each output goes to its window's first maximum (the reference's argmax), the sums times f'(z_prev). */
    private void backward(int rows, PoolGeometry g, Activation prevAct, int[] argmax, Random rnd) {
        float[] delta = OpenClTestSupport.gaussian(rnd, argmax.length, 0.5);
        float[] zPrev = OpenClTestSupport.gaussian(rnd, rows * g.inputs(), 1.5);
        float[] aPrev = CheckBuffers.activations(prevAct, zPrev);
        int hw = g.height() * g.width();
        int perPlane = g.outHeight() * g.outWidth();
        double[] want = new double[zPrev.length];
        for (int o = 0; o < argmax.length; o++) {
            want[o / perPlane * hw + argmax[o]] += delta[o];
        }
        CheckBuffers.timesDerivative(want, prevAct, zPrev, aPrev);
        try (CheckBuffers.Output out = buffers.output("delta_prev", want.length)) {
            routine.backward(out.buf, buffers.input("delta", delta), buffers.input("argmax", argmax), buffers.input("z_prev", zPrev),
                    buffers.input("a_prev", aPrev), rows, g, prevAct);
            compare("delta_prev", want, out.floats(), TOLERANCE);
        }
    }

    @Override
    public void close() {
        routine.close();
        buffers.close();
    }
}
