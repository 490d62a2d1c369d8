package backpropcl.engine;

/**
 * How far one engine's tensors are from another's, as the design states it: the relative error
 * ||a - b|| / ||b|| (Euclidean norms) per tensor, b being the tensor compared against. The one
 * measure of {@code compare}, {@code selftest} and the benchmark's correctness check, so they never
 * disagree; an unwritten (NaN) output can never pass.
 */
public final class RelativeError {
    private RelativeError() {
    }

    /** ||a - b|| / ||b||; ||a - b|| itself when b is all zeros; infinite when anything is not finite. */
    public static double of(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("tensor sizes differ: " + a.length + " and " + b.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = a[i] - b[i];
            diff += d * d;
            norm += b[i] * b[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    /** |a - b| / |b| for one number, with the same conventions. */
    public static double of(double a, double b) {
        return of(new double[] {a}, new double[] {b});
    }

    /**
     * The largest relative error over the weights and biases of every layer of {@code a}, against
     * {@code b}, as both engines' {@link Engine#trace} report them after their last step.
     */
    public static double ofParameters(Engine a, Engine b) {
        double worst = 0;
        for (int l = 0; l < a.network().denseLayers(); l++) {
            LayerTrace ta = a.trace(l);
            LayerTrace tb = b.trace(l);
            worst = Math.max(worst, of(ta.weights(), tb.weights()));
            worst = Math.max(worst, of(ta.biases(), tb.biases()));
        }
        return worst;
    }
}
