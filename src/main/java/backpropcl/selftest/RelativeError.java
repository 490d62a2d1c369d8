package backpropcl.selftest;

/** The one error measure every engine check uses: ||actual - expected|| / ||expected||. */
public final class RelativeError {
    private RelativeError() {
    }

    /**
     * ||actual - expected|| / ||expected|| (Euclidean); ||actual - expected|| itself when expected is
     * all zeros; infinite when any element of either is NaN or infinite, so that an unwritten (NaN)
     * output can never pass.
     */
    public static double of(double[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("tensor sizes differ: " + actual.length + " and " + expected.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!Double.isFinite(actual[i]) || !Double.isFinite(expected[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    /** |actual - expected| / |expected| for one number, with the same conventions. */
    public static double of(double actual, double expected) {
        return of(new double[] {actual}, new double[] {expected});
    }
}
