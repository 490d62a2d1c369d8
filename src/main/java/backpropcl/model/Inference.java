package backpropcl.model;

/**
 * The forward pass on the host, in double, for a handful of inputs: what {@code predict},
 * {@code plot} and {@code visualize} need from a saved model without opening an engine. Same
 * formulas as the reference engine: z = a_prev W^T + b, a = activation(z), row by row; a network
 * with conv, maxpool or batchnorm layers goes through the reference engine's layers in evaluation
 * mode ({@link backpropcl.engine.reference.ReferenceEngine#outputs}).
 */
public final class Inference {
    private Inference() {
    }

    /**
     * The output layer's activations for {@code rows} inputs.
     *
     * @param x    (rows, inputSize) row-major features
     * @return (rows, outputSize) row-major
     */
    public static double[] outputs(Parameters p, float[] x, int rows) {
        Network net = p.network();
        if ((long) rows * net.inputSize() > x.length) {
            throw new IllegalArgumentException(rows + " rows of " + net.inputSize() + " features need " + (long) rows * net.inputSize()
                    + " values, got " + x.length);
        }
        if (net.isConvolutional()) {
            // Conv, maxpool and batchnorm are computed once, by the reference engine's layers.
            return backpropcl.engine.reference.ReferenceEngine.outputs(p, x, rows);
        }
        double[] in = new double[rows * net.inputSize()];
        for (int i = 0; i < in.length; i++) {
            in[i] = x[i];
        }
        for (int l = 0; l < net.denseLayers(); l++) {
            int m = net.size(l);
            int n = net.size(l + 1);
            float[] w = p.copyWeights(l);
            float[] b = p.copyBiases(l);
            double[] z = new double[rows * n];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    double s = b[j];
                    for (int k = 0; k < m; k++) {
                        s += in[r * m + k] * w[j * m + k];
                    }
                    z[r * n + j] = s;
                }
            }
            double[] a = new double[z.length];
            net.activation(l).apply(z, a, rows, n);
            in = a;
        }
        return in;
    }

    /**
     * Class probabilities for each input: the softmax output as it is; any other output layer's
     * activations shifted to be non-negative and divided by their sum (sigmoid outputs are scores,
     * not probabilities, so this is only a normalisation for display).
     */
    public static double[] probabilities(Parameters p, float[] x, int rows) {
        double[] out = outputs(p, x, rows);
        Network net = p.network();
        if (net.outputActivation() == Activation.SOFTMAX) {
            return out;
        }
        int n = net.outputSize();
        for (int r = 0; r < rows; r++) {
            double min = 0;
            for (int j = 0; j < n; j++) {
                min = Math.min(min, out[r * n + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += out[r * n + j] - min;
            }
            for (int j = 0; j < n; j++) {
                out[r * n + j] = sum > 0 ? (out[r * n + j] - min) / sum : 1.0 / n;
            }
        }
        return out;
    }

    /** The index of the largest of v[offset .. offset+n), the first on ties. */
    public static int argmax(double[] v, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[offset + j] > v[offset + best]) {
                best = j;
            }
        }
        return best;
    }

    /** predictions[r] = argmax of row r of the outputs, for rows inputs. */
    public static int[] predictions(Parameters p, float[] x, int rows) {
        double[] out = outputs(p, x, rows);
        int n = p.network().outputSize();
        int[] pred = new int[rows];
        for (int r = 0; r < rows; r++) {
            pred[r] = argmax(out, r * n, n);
        }
        return pred;
    }
}
