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
    private final double[] zRow;
    private final double[] aRow;
    private final double[] yRow;

    OutputLayer(Activation output, Cost cost, int n) {
        this.output = output;
        this.cost = cost;
        this.n = n;
        this.zRow = new double[n];
        this.aRow = new double[n];
        this.yRow = new double[n];
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
     * The cost of the sample in row r, summed over its outputs: {@link Cost#sampleCost} (in
     * double, cross-entropy from z so it stays finite for saturated outputs) on the row's float z
     * and a. Uses scratch rows of this object: call it from one thread at a time (evaluate does).
     */
    double sampleCost(float[] z, float[] a, int label, int r) {
        int o = r * n;
        for (int j = 0; j < n; j++) {
            zRow[j] = z[o + j];
            aRow[j] = a[o + j];
            yRow[j] = j == label ? 1.0 : 0.0;
        }
        return cost.sampleCost(output, zRow, aRow, yRow, 0, n);
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
