package backpropcl.engine.reference;

import backpropcl.model.Layer;
import backpropcl.model.Shape;
import java.util.Arrays;

/**
 * A 2-D convolution with bias, as PyTorch's {@code nn.Conv2d}, written as the definition reads:
 * the direct seven nested loops (row, filter, output y, output x, channel, kernel y, kernel x),
 * no im2col. x (rows, C, H, W), W (F, C, K, K), b (F), z (rows, F, H', W'); input pixel
 * (oy S - P + ky, ox S - P + kx), zero outside the image:
 * <pre>
 *   forward:   z[r,f,oy,ox] = b[f] + sum over c, ky, kx of W[f,c,ky,kx] x[r,c,oy S - P + ky, ox S - P + kx]
 *   backward:  gradW[f,c,ky,kx] = 1/B sum over r, oy, ox of delta[r,f,oy,ox] x[r,c,iy,ix]
 *              gradB[f] = 1/B sum over r, oy, ox of delta[r,f,oy,ox]
 *              dC/dx[r,c,iy,ix] = sum over the (f, oy, ox, ky, kx) that read it of delta[r,f,oy,ox] W[f,c,ky,kx]
 * </pre>
 * The parameters and gradients are views into the engine's flat buffers at the offsets of
 * {@code layers.{k}.weight} and {@code .bias}.
 */
final class ConvLayer implements ReferenceLayer {
    private final Shape in;
    private final Shape out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final TensorView weight;
    private final TensorView bias;

    ConvLayer(Layer.Conv spec, Shape in, Shape out, TensorView weight, TensorView bias) {
        this.in = in;
        this.out = out;
        this.kernel = spec.kernel();
        this.stride = spec.stride();
        this.padding = spec.padding();
        this.weight = weight;
        this.bias = bias;
    }

    @Override
    public int outputs() {
        return out.size();
    }

    /** conv_forward. */
    @Override
    public void forward(double[] x, double[] z, int rows, Mode mode) {
        double[] p = weight.values();
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < out.channels(); f++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        double s = p[bias.at(f)];
                        for (int c = 0; c < in.channels(); c++) {
                            for (int ky = 0; ky < kernel; ky++) {
                                for (int kx = 0; kx < kernel; kx++) {
                                    int i = inputIndex(r, c, oy * stride - padding + ky, ox * stride - padding + kx);
                                    if (i >= 0) {   // outside: zero padding
                                        s += p[weight.at(weightIndex(f, c, ky, kx))] * x[i];
                                    }
                                }
                            }
                        }
                        z[outputIndex(r, f, oy, ox)] = s;
                    }
                }
            }
        }
    }

    /** conv_weight_gradients and conv_bias_gradients from delta = gradOut, then conv_backward into dx where asked for. */
    @Override
    public void backward(double[] x, double[] z, double[] delta, double[] dx, int rows, Mode mode) {
        double[] p = weight.values();
        double[] g = weight.gradients();
        weight.clearGradients();
        bias.clearGradients();
        if (dx != null) {
            Arrays.fill(dx, 0, rows * in.size(), 0.0);
        }
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < out.channels(); f++) {
                for (int oy = 0; oy < out.height(); oy++) {
                    for (int ox = 0; ox < out.width(); ox++) {
                        double d = delta[outputIndex(r, f, oy, ox)];
                        g[bias.at(f)] += d;
                        for (int c = 0; c < in.channels(); c++) {
                            for (int ky = 0; ky < kernel; ky++) {
                                for (int kx = 0; kx < kernel; kx++) {
                                    int i = inputIndex(r, c, oy * stride - padding + ky, ox * stride - padding + kx);
                                    if (i < 0) {
                                        continue;   // zero padding: no input, no gradient
                                    }
                                    int w = weight.at(weightIndex(f, c, ky, kx));
                                    g[w] += d * x[i];
                                    if (dx != null) {
                                        dx[i] += d * p[w];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        weight.divideGradients(rows);
        bias.divideGradients(rows);
    }

    private int weightIndex(int f, int c, int ky, int kx) {
        return ((f * in.channels() + c) * kernel + ky) * kernel + kx;
    }

    /** The index of input pixel (y, x) of channel c in row r, or -1 in the zero padding outside the image. */
    private int inputIndex(int r, int c, int y, int x) {
        if (y < 0 || y >= in.height() || x < 0 || x >= in.width()) {
            return -1;
        }
        return ((r * in.channels() + c) * in.height() + y) * in.width() + x;
    }

    private int outputIndex(int r, int f, int y, int x) {
        return ((r * out.channels() + f) * out.height() + y) * out.width() + x;
    }
}
