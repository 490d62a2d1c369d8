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
 */
final class MaxPoolLayer implements ReferenceLayer {
    private final Shape in;
    private final Shape out;
    private final int kernel;
    private final int stride;

    MaxPoolLayer(Layer.MaxPool spec, Shape in, Shape out) {
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
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < in.channels(); c++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        y[((r * out.channels() + c) * out.height() + oy) * out.width() + ox] = x[argmax(x, r, c, oy, ox)];
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
                        gradIn[argmax(x, r, c, oy, ox)] += gradOut[((r * out.channels() + c) * out.height() + oy) * out.width() + ox];
                    }
                }
            }
        }
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
