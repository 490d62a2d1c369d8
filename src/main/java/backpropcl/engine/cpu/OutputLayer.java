package backpropcl.engine.cpu;

import backpropcl.model.Activation;
import backpropcl.model.Cost;

/**
 * What the cpu engine does with the output layer: the output error of a training batch and the
 * cost and prediction of a sample. The target of a row is the one-hot vector of its label, never
 * stored. Formulas as {@link Cost}: cross-entropy with its matching output gives a - y; every
 * other pairing takes g = dC/da = a - y back through the output activation (softmax by its
 * Jacobian product delta_j = a_j (g_j - sum_k g_k a_k)).
 */
final class OutputLayer {
    private final Activation output;
    private final Cost cost;
    private final int n;

    OutputLayer(Activation output, Cost cost, int n) {
        this.output = output;
        this.cost = cost;
        this.n = n;
    }

    /**
     * delta = dC_x/dz of rows [r0, r1) (per sample, not divided by the batch size), where
     * labels[r] is the label of batch row r.
     */
    void error(float[] z, float[] a, int[] labels, float[] delta, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            int target = o + labels[r];
            for (int i = o; i < o + n; i++) {
                delta[i] = a[i];
            }
            delta[target] -= 1f;   // g = a - y
            if (cost == Cost.CROSS_ENTROPY) {
                continue;
            }
            if (output == Activation.SOFTMAX) {
                float dot = 0f;
                for (int i = o; i < o + n; i++) {
                    dot += delta[i] * a[i];
                }
                for (int i = o; i < o + n; i++) {
                    delta[i] = a[i] * (delta[i] - dot);
                }
            }
        }
        if (cost == Cost.QUADRATIC && output != Activation.SOFTMAX) {
            FloatActivations.multiplyByDerivative(output, z, a, delta, n, r0, r1);
        }
    }

    /**
     * The cost of the sample in row r, summed over its outputs, in double from the float z and a:
     * cross-entropy from z (log-softmax, softplus) so that it stays finite for saturated outputs.
     */
    double sampleCost(float[] z, float[] a, int label, int r) {
        int o = r * n;
        double c = 0;
        if (cost == Cost.QUADRATIC) {
            for (int j = 0; j < n; j++) {
                double d = a[o + j] - (j == label ? 1.0 : 0.0);
                c += 0.5 * d * d;
            }
            return c;
        }
        if (output == Activation.SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(z[o + j] - max);
            }
            return -(z[o + label] - (max + Math.log(sum)));
        }
        // Sigmoid output, binary cross-entropy: -ln a = softplus(-z), -ln(1 - a) = softplus(z).
        for (int j = 0; j < n; j++) {
            double zj = z[o + j];
            c += j == label ? softplus(-zj) : softplus(zj);
        }
        return c;
    }

    /** ln(1 + e^x) without overflow. */
    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** The index of the largest output of row r, the lowest on ties. */
    int predicted(float[] a, int r) {
        int o = r * n;
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (a[o + j] > a[o + best]) {
                best = j;
            }
        }
        return best;
    }
}
