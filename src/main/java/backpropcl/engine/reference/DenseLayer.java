package backpropcl.engine.reference;

import java.util.Arrays;

/**
 * A fully connected layer, with its parameters and their gradients:
 * <pre>
 *   forward:   z = x W^T + b                      x (rows, m), W (n, m), b (n), z (rows, n)
 *   backward:  gradW = 1/B delta^T x,  gradB = 1/B sum over rows of delta   (delta = dC/dz)
 *              dC/dx = delta W
 * </pre>
 */
final class DenseLayer implements ReferenceLayer {
    private final int inputs;
    private final int outputs;
    /** W (outputs, inputs) row-major, and b (outputs): the live parameters. */
    final double[] weights;
    final double[] biases;
    /** dC/dW and dC/db of the last backward, shaped as W and b. */
    final double[] gradW;
    final double[] gradB;

    DenseLayer(int inputs, int outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weights = new double[Math.multiplyExact(outputs, inputs)];
        this.biases = new double[outputs];
        this.gradW = new double[weights.length];
        this.gradB = new double[outputs];
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public void forward(double[] x, double[] z, int rows, Mode mode) {
        int m = inputs;
        int n = outputs;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double s = biases[j];
                for (int k = 0; k < m; k++) {
                    s += x[r * m + k] * weights[j * m + k];
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
        Arrays.fill(gradW, 0.0);
        Arrays.fill(gradB, 0.0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double d = delta[r * n + j];
                gradB[j] += d;
                for (int k = 0; k < m; k++) {
                    gradW[j * m + k] += d * x[r * m + k];
                }
            }
        }
        for (int i = 0; i < gradW.length; i++) {
            gradW[i] /= rows;
        }
        for (int j = 0; j < n; j++) {
            gradB[j] /= rows;
        }
        if (dx == null) {
            return;
        }
        Arrays.fill(dx, 0, rows * m, 0.0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double d = delta[r * n + j];
                for (int k = 0; k < m; k++) {
                    dx[r * m + k] += d * weights[j * m + k];
                }
            }
        }
    }
}
