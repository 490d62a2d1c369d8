package backpropcl.engine.cpu;

import backpropcl.model.Activation;

/**
 * The activation functions of {@link Activation} in float32, on rows [r0, r1) of a (rows, n)
 * row-major block. Same formulas as the double versions: exp and tanh are taken in double and
 * rounded once, so a float result is the correctly rounded double one (softmax up to its sum).
 */
final class FloatActivations {
    private static final float LEAKY_SLOPE = (float) Activation.LEAKY_SLOPE;

    private FloatActivations() {
    }

    /** a = f(z) on rows [r0, r1); softmax per row, shifted by the row maximum. */
    static void apply(Activation f, float[] z, float[] a, int n, int r0, int r1) {
        int from = r0 * n;
        int to = r1 * n;
        switch (f) {
            case SIGMOID:
                for (int i = from; i < to; i++) {
                    a[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
                }
                break;
            case TANH:
                for (int i = from; i < to; i++) {
                    a[i] = (float) Math.tanh(z[i]);
                }
                break;
            // max, not a branch: C2 vectorizes it, and a branch on a random sign mispredicts half the time (8x slower).
            case RELU:
                for (int i = from; i < to; i++) {
                    a[i] = Math.max(z[i], 0f);
                }
                break;
            case LEAKY_RELU:
                for (int i = from; i < to; i++) {
                    a[i] = Math.max(z[i], LEAKY_SLOPE * z[i]);
                }
                break;
            case IDENTITY:
                System.arraycopy(z, from, a, from, to - from);
                break;
            case SOFTMAX:
                for (int r = r0; r < r1; r++) {
                    softmaxRow(z, a, r * n, n);
                }
                break;
            default:
                throw new IllegalStateException("no float form of " + f);
        }
    }

    private static void softmaxRow(float[] z, float[] a, int o, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, z[o + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            double e = Math.exp((double) z[o + j] - max);
            a[o + j] = (float) e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) {
            a[o + j] *= inv;
        }
    }

    /**
     * delta *= f'(z) on rows [r0, r1), in place: delta holds dC/da on entry and dC/dz on return.
     * For element-wise functions only (softmax is taken back by {@link OutputError}).
     */
    static void multiplyByDerivative(Activation f, float[] z, float[] a, float[] delta, int n, int r0, int r1) {
        int from = r0 * n;
        int to = r1 * n;
        switch (f) {
            case SIGMOID:
                for (int i = from; i < to; i++) {
                    delta[i] *= a[i] * (1f - a[i]);
                }
                break;
            case TANH:
                // (1 - a)(1 + a), not 1 - a^2: near |a| = 1 the factor that nears 0 is exact (Sterbenz),
                // where 1 - a*a would lose most of its digits to the rounding of a*a.
                for (int i = from; i < to; i++) {
                    delta[i] *= (1f - a[i]) * (1f + a[i]);
                }
                break;
            case RELU:
                // f'(z) = 1 where a = max(z, 0) > 0, else 0, without a branch (see apply): two scalings by
                // 2^126 take even the smallest positive a to at least 1, and min caps it there.
                for (int i = from; i < to; i++) {
                    delta[i] *= Math.min(a[i] * 0x1p126f * 0x1p126f, 1f);
                }
                break;
            case LEAKY_RELU:
                for (int i = from; i < to; i++) {
                    delta[i] = z[i] > 0 ? delta[i] : LEAKY_SLOPE * delta[i];
                }
                break;
            case IDENTITY:
                break;
            default:
                throw new IllegalStateException(f + " is not element-wise");
        }
    }
}
