package backpropcl.model;

import java.util.Locale;

/**
 * The cost a network is trained to lower, averaged over the samples of a batch.
 *
 * <ul>
 *   <li>quadratic: C = 1/(2B) sum ||a - y||^2, the classic lesson's cost;
 *   <li>cross-entropy: with a softmax output C = -1/B sum y . ln a; with a sigmoid output the
 *       binary cross-entropy C = -1/B sum [y ln a + (1 - y) ln(1 - a)]. Either way the output
 *       error dC/dz is a - y per sample.
 * </ul>
 */
public enum Cost {
    QUADRATIC("quadratic"),
    CROSS_ENTROPY("cross-entropy");

    private final String cliName;

    Cost(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Cost parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (wanted.equals("mse")) {
            return QUADRATIC;
        }
        if (wanted.equals("ce") || wanted.equals("crossentropy")) {
            return CROSS_ENTROPY;
        }
        for (Cost c : values()) {
            if (c.cliName.equals(wanted)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cost '" + name + "' (expected quadratic or cross-entropy)");
    }

    /** Whether this cost can follow the given output activation; cross-entropy needs probabilities. */
    public boolean supports(Activation output) {
        return this == QUADRATIC || output == Activation.SIGMOID || output == Activation.SOFTMAX;
    }

    /**
     * The cost of one sample, summed over its outputs, from the output layer's z and a (the z is
     * used for cross-entropy so that ln a never meets ln 0).
     */
    public double sampleCost(Activation output, double[] z, double[] a, double[] y, int offset, int n) {
        double c = 0;
        if (this == QUADRATIC) {
            for (int j = 0; j < n; j++) {
                double d = a[offset + j] - y[offset + j];
                c += 0.5 * d * d;
            }
            return c;
        }
        if (output == Activation.SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[offset + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(z[offset + j] - max);
            }
            double logSum = max + Math.log(sum);
            for (int j = 0; j < n; j++) {
                c -= y[offset + j] * (z[offset + j] - logSum);
            }
            return c;
        }
        // Sigmoid: ln a = -softplus(-z), ln(1 - a) = -softplus(z).
        for (int j = 0; j < n; j++) {
            double zj = z[offset + j];
            double yj = y[offset + j];
            c += yj * softplus(-zj) + (1 - yj) * softplus(zj);
        }
        return c;
    }

    /** ln(1 + e^x) without overflow. */
    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /**
     * The output error delta = dC_x/dz of each sample (not yet divided by the batch size), for a
     * (rows, cols) block. Cross-entropy with its matching output gives a - y directly; otherwise
     * dC/da is taken back through the output activation.
     */
    public void outputError(Activation output, double[] z, double[] a, double[] y, double[] delta, int rows, int cols) {
        int n = rows * cols;
        if (this == CROSS_ENTROPY) {
            for (int i = 0; i < n; i++) {
                delta[i] = a[i] - y[i];
            }
            return;
        }
        double[] gradA = new double[n];
        for (int i = 0; i < n; i++) {
            gradA[i] = a[i] - y[i];
        }
        output.backward(z, a, gradA, delta, rows, cols);
    }
}
