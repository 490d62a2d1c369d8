package backpropcl.plot;

import java.util.Arrays;

/**
 * The one colour scale for all tiles of a weights picture: symmetric around 0, from -s (full red)
 * to +s (full blue), where s is the {@link #PERCENTILE}th percentile of |w| over the whole layer.
 * One scale makes neurons comparable: a dead unit whose weights are all 0, or decayed to almost 0,
 * is white, not a tile of noise stretched to full colour as a per-tile scale draws it. The
 * percentile rather than the largest |w| keeps a few large weights from paling everything else;
 * the few beyond it are drawn at full colour.
 */
final class ColourScale {
    /** Which percentile of |w| is full colour. */
    static final double PERCENTILE = 99;

    private ColourScale() {
    }

    /** s for {@code w}: its 99th percentile of |w| over the finite values, the largest |w| when that is 0, 0 when all are. */
    static double symmetric(float[] w) {
        double[] a = new double[w.length];
        int n = 0;
        double max = 0;
        for (float v : w) {
            if (Float.isFinite(v)) {
                a[n++] = Math.abs(v);
                max = Math.max(max, Math.abs(v));
            }
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(a, 0, n);
        double p = a[Math.max(0, (int) Math.ceil(PERCENTILE / 100 * n) - 1)];
        return p > 0 ? p : max;
    }
}
