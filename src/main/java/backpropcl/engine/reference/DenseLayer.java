package backpropcl.engine.reference;

import java.util.Arrays;

/**
 * A fully connected layer, with its parameters and their gradients:
 * <pre>
 *   forward:   z = x W^T + b                      x (rows, m), W (n, m), b (n), z (rows, n)
 *   backward:  nablaW = 1/B delta^T x,  nablaB = 1/B sum over rows of delta   (delta = dC/dz)
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
    final double[] nablaW;
    final double[] nablaB;

    DenseLayer(int inputs, int outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weights = new double[Math.multiplyExact(outputs, inputs)];
        this.biases = new double[outputs];
        this.nablaW = new double[weights.length];
        this.nablaB = new double[outputs];
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

    /** nablaW and nablaB from delta = gradOut and the input x; then dx = delta W where asked for. */
    @Override
    public void backward(double[] x, double[] z, double[] delta, double[] dx, int rows, Mode mode) {
        int m = inputs;
        int n = outputs;
        Arrays.fill(nablaW, 0.0);
        Arrays.fill(nablaB, 0.0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double d = delta[r * n + j];
                nablaB[j] += d;
                for (int k = 0; k < m; k++) {
                    nablaW[j * m + k] += d * x[r * m + k];
                }
            }
        }
        for (int i = 0; i < nablaW.length; i++) {
            nablaW[i] /= rows;
        }
        for (int j = 0; j < n; j++) {
            nablaB[j] /= rows;
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
