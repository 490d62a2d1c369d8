package backpropcl.engine.reference;

import backpropcl.model.Layer;
import backpropcl.model.Shape;
import java.util.Arrays;

/**
 * Max pooling per channel over K x K windows moved by S, no padding, as PyTorch's
 * {@code nn.MaxPool2d(K, S)}:
 * <pre>
 *   forward:   out[r,c,oy,ox] = max over ky, kx of x[r,c,oy S + ky, ox S + kx]
 *   backward:  dC/dx[r,c,iy,ix] = sum of dC/dout[r,c,oy,ox] over the windows whose maximum is (iy, ix)
 * </pre>
 * A window's maximum is its FIRST largest element in row-major order (scan ky then kx, replace
 * only on strictly greater): PyTorch's CPU choice on ties. Backward finds it again from the input,
 * so the layer keeps nothing between the passes.
 * <p>
 * For one training step it can be given another engine's choice per window ({@link #prefer}): it
 * takes that position instead where the value there is below the window's maximum by at most
 * {@link ReferenceEngine#TIE_TOLERANCE} of the largest |input| of the step, in its own double
 * numbers (a near-tie that float32 rounding may resolve either way), and keeps its first maximum
 * otherwise.
 */
final class MaxPoolLayer implements ReferenceLayer {
    private final Shape in;
    private final Shape out;
    private final int kernel;
    private final int stride;
    private final int index;
    /** The other engine's choice per output of the step: the window offset ky K + kx, or null when none is set. */
    private int[] preferred;
    /** The largest |x| of the step's input, what a gap is measured against (1 if all are zero). */
    private double scale = 1;
    private TieTally tally;

    MaxPoolLayer(int index, Layer.MaxPool spec, Shape in, Shape out) {
        this.index = index;
        this.in = in;
        this.out = out;
        this.kernel = spec.kernel();
        this.stride = spec.stride();
    }

    @Override
    public int outputs() {
        return out.size();
    }

    /** maxpool_forward. */
    @Override
    public void forward(double[] x, double[] y, int rows, Mode mode) {
        if (preferred != null && mode.training()) {
            if (preferred.length != rows * out.size()) {
                throw new IllegalArgumentException("maxpool layer " + index + ": the preferred choices are for "
                        + preferred.length / out.size() + " rows, the step has " + rows);
            }
            scale = ReferenceEngine.largestMagnitude(x, rows * in.size());
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        int o = ((r * out.channels() + c) * out.height() + oy) * out.width() + ox;
                        y[o] = x[choice(x, r, c, oy, ox, o, mode, true)];
                    }
                }
            }
        }
    }

    /** maxpool_backward: each output's gradient to its window's first maximum. */
    @Override
    public void backward(double[] x, double[] y, double[] gradOut, double[] gradIn, int rows, Mode mode) {
        if (gradIn == null) {
            return;
        }
        Arrays.fill(gradIn, 0, rows * in.size(), 0.0);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        int o = ((r * out.channels() + c) * out.height() + oy) * out.width() + ox;
                        gradIn[choice(x, r, c, oy, ox, o, mode, false)] += gradOut[o];
                    }
                }
            }
        }
    }

    /**
     * For the next training step: the other engine's choice per window, found by the same rule
     * (first maximum) in its own values {@code otherInput} of this layer's input, rows x the input
     * shape.
     */
    void prefer(double[] otherInput, int rows) {
        if (otherInput.length != rows * in.size()) {
            throw new IllegalArgumentException("maxpool layer " + index + ": the other engine's input holds " + otherInput.length
                    + " values, not " + rows + " rows of " + in);
        }
        preferred = new int[rows * out.size()];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        int best = argmax(otherInput, r, c, oy, ox);
                        int iy = best / in.width() % in.height();
                        int ix = best % in.width();
                        preferred[((r * out.channels() + c) * out.height() + oy) * out.width() + ox] =
                                (iy - oy * stride) * kernel + ix - ox * stride;
                    }
                }
            }
        }
        tally = new TieTally();
    }

    /** What the step made of the preference ({@link #prefer}), which it then forgets; null when none was set. */
    NearTies clearPreference(long step, int rows) {
        if (preferred == null) {
            return null;
        }
        preferred = null;
        return tally.report("maxpool", step, index, rows * out.size());
    }

    /**
     * The index in x that output o (window (oy, ox) of channel c, row r) takes: the first maximum,
     * or in a training pass the preferred position where it is a near-tie of it; {@code count}
     * (forward only, so that each window counts once) tallies the windows that differ.
     */
    private int choice(double[] x, int r, int c, int oy, int ox, int o, Mode mode, boolean count) {
        int best = argmax(x, r, c, oy, ox);
        if (preferred == null || !mode.training()) {
            return best;
        }
        int p = preferred[o];
        int i = (((r * in.channels() + c) * in.height()) + oy * stride + p / kernel) * in.width() + ox * stride + p % kernel;
        if (i == best) {
            return best;
        }
        double gap = (x[best] - x[i]) / scale;
        boolean near = count ? tally.near(gap) : gap <= ReferenceEngine.TIE_TOLERANCE;
        return near ? i : best;
    }

    /** The index in x of the first maximum of output (oy, ox)'s window in channel c of row r. */
    private int argmax(double[] x, int r, int c, int oy, int ox) {
        int plane = (r * in.channels() + c) * in.height();
        int best = (plane + oy * stride) * in.width() + ox * stride;
        for (int ky = 0; ky < kernel; ky++) {
            for (int kx = 0; kx < kernel; kx++) {
                int i = (plane + oy * stride + ky) * in.width() + ox * stride + kx;
                if (x[i] > x[best]) {
                    best = i;
                }
            }
        }
        return best;
    }
}
