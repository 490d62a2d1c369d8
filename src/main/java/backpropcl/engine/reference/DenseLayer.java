package backpropcl.engine.reference;

import java.util.Arrays;

/**
 * A fully connected layer:
 * <pre>
 *   forward:   z = x W^T + b                      x (rows, m), W (n, m), b (n), z (rows, n)
 *   backward:  gradW = 1/B delta^T x,  gradB = 1/B sum over rows of delta   (delta = dC/dz)
 *              dC/dx = delta W
 * </pre>
 * W, b and their gradients are views into the engine's flat buffers ({@link TensorView}).
 */
final class DenseLayer implements ReferenceLayer {
    private final int inputs;
    private final int outputs;
    /** W (outputs, inputs) row-major and b (outputs), with dC/dW and dC/db of the last backward. */
    final TensorView weight;
    final TensorView bias;

    DenseLayer(int inputs, int outputs, TensorView weight, TensorView bias) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = weight;
        this.bias = bias;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public void forward(double[] x, double[] z, int rows, Mode mode) {
        int m = inputs;
        int n = outputs;
        double[] p = weight.values();
        int w0 = weight.at(0);
        int b0 = bias.at(0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double s = p[b0 + j];
                for (int k = 0; k < m; k++) {
                    s += x[r * m + k] * p[w0 + j * m + k];
                }
                z[r * n + j] = s;
            }
        }
    }

    /** gradW and gradB from delta = gradOut and the input x; then dx = delta W where asked for. */
    @Override
    public void backward(double[] x, double[] z, double[] delta, double[] dx, int rows, Mode mode) {
        int m = inputs;
        int n = outputs;
        double[] p = weight.values();
        double[] g = weight.gradients();
        int w0 = weight.at(0);
        int b0 = bias.at(0);
        weight.clearGradients();
        bias.clearGradients();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double d = delta[r * n + j];
                g[b0 + j] += d;
                for (int k = 0; k < m; k++) {
                    g[w0 + j * m + k] += d * x[r * m + k];
                }
            }
        }
        weight.divideGradients(rows);
        bias.divideGradients(rows);
        if (dx == null) {
            return;
        }
        Arrays.fill(dx, 0, rows * m, 0.0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double d = delta[r * n + j];
                for (int k = 0; k < m; k++) {
                    dx[r * m + k] += d * p[w0 + j * m + k];
                }
            }
        }
    }
}
