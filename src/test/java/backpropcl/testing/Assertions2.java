package backpropcl.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;

/**
 * Comparisons of computed tensors against a truth, in the llm.c style: a tolerance that scales
 * with the value, |actual - expected| <= atol + rtol |expected| per element, and on failure a
 * message with the number of mismatches, the first few indices, the largest errors and the seed
 * that made the inputs. Any NaN or infinity in either array fails.
 */
public final class Assertions2 {
    /** How many mismatching indices a failure message lists. */
    private static final int SHOWN = 8;

    private Assertions2() {
    }

    /** Per-element check |a - e| <= atol + rtol |e|; fails on NaN/Inf or a length mismatch. */
    public static void assertClose(String name, double[] expected, double[] actual, double atol, double rtol, long seed) {
        checkShapeAndFinite(name, expected, actual, seed);
        int bad = 0;
        StringBuilder first = new StringBuilder();
        double maxAbs = 0;
        double maxRel = 0;
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double err = Math.abs(a - e);
            maxAbs = Math.max(maxAbs, err);
            if (e != 0) {
                maxRel = Math.max(maxRel, err / Math.abs(e));
            }
            double allowed = atol + rtol * Math.abs(e);
            if (err > allowed) {
                if (bad < SHOWN) {
                    first.append(String.format(Locale.ROOT, "%n  [%d] expected %.9g, actual %.9g, |diff| %.3g > %.3g",
                            i, e, a, err, allowed));
                }
                bad++;
                if (err - allowed > worstExcess) {
                    worstExcess = err - allowed;
                    worst = i;
                }
            }
        }
        if (bad > 0) {
            fail(String.format(Locale.ROOT,
                    "%s: %d of %d elements differ beyond atol %.3g + rtol %.3g |expected| (max abs error %.3g, max rel error %.3g, worst at [%d]; seed %d):%s",
                    name, bad, expected.length, atol, rtol, maxAbs, maxRel, worst, seed, first));
        }
    }

    /**
     * Relative norm error ||a - e|| / ||e|| <= tol (both norms Euclidean; when ||e|| is 0 the
     * absolute norm ||a|| must be <= tol); fails on NaN/Inf or a length mismatch.
     */
    public static void assertRelNorm(String name, double[] expected, double[] actual, double tol, long seed) {
        checkShapeAndFinite(name, expected, actual, seed);
        double rel = relNorm(expected, actual);
        if (!(rel <= tol)) {
            int worst = 0;
            double maxAbs = 0;
            for (int i = 0; i < expected.length; i++) {
                double err = Math.abs(actual[i] - expected[i]);
                if (err > maxAbs) {
                    maxAbs = err;
                    worst = i;
                }
            }
            fail(String.format(Locale.ROOT,
                    "%s: relative norm error %.3g > %.3g over %d elements (max abs error %.3g at [%d]: expected %.9g, actual %.9g; seed %d)",
                    name, rel, tol, expected.length, maxAbs, worst, expected.length == 0 ? 0 : expected[worst],
                    expected.length == 0 ? 0 : actual[worst], seed));
        }
    }

    /** Both checks: per element with atol/rtol, and the relative norm error within rtol. */
    public static void assertCloseAndRelNorm(String name, double[] expected, double[] actual, double atol, double rtol, long seed) {
        assertClose(name, expected, actual, atol, rtol, seed);
        assertRelNorm(name, expected, actual, rtol, seed);
    }

    /** ||a - e|| / ||e||, or ||a|| when ||e|| is 0. */
    public static double relNorm(double[] expected, double[] actual) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    /** Float to double, for comparing a float32 result with a double truth. */
    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void checkShapeAndFinite(String name, double[] expected, double[] actual, long seed) {
        if (expected.length != actual.length) {
            fail(name + ": expected " + expected.length + " elements, got " + actual.length + " (seed " + seed + ")");
        }
        checkFinite(name + " (expected)", expected, seed);
        checkFinite(name, actual, seed);
    }

    private static void checkFinite(String name, double[] v, long seed) {
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                if (bad < SHOWN) {
                    first.append(' ').append('[').append(i).append("]=").append(v[i]);
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(name + ": " + bad + " of " + v.length + " elements are NaN or infinite (an unwritten output is NaN):"
                    + first + " (seed " + seed + ")");
        }
    }
}
