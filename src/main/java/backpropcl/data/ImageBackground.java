package backpropcl.data;

import java.util.Arrays;

/**
 * The paper of a picture: a smooth surface of grey levels under the ink, the noise on it, and
 * whether the ink is darker or lighter than it.
 *
 * <p>Photographs are lit unevenly (brighter at one side, darker in a corner), so one paper level,
 * such as the median of the border, leaves part of the paper as ink or part of the ink as paper.
 * The surface here is a quadratic in x and y, {@code b0 + b1 x + b2 y + b3 x^2 + b4 xy + b5 y^2},
 * fitted by least squares to the paper only: it starts as the median of all pixels (the paper is
 * most of a picture of one digit), and then, a few times, the pixels within 2.5 noise deviations of
 * the surface are refitted, the noise deviation being 1.4826 times the median absolute residual of
 * those pixels (the median absolute deviation's estimate of a Gaussian's sigma). Ink lies far from
 * the paper and drops out after the first round. This is the flat-field or "rolling background"
 * correction of scanned pages, with a polynomial in place of a large smoothing window; a quadratic
 * follows a light gradient and a vignette, and a stroke cannot bend it.
 *
 * <p>A clean synthetic image (MNIST's black, a drawing's white) has no noise: its paper pixels
 * are all equal, and the surface is exactly that level.
 *
 * @param level     (height, width) the paper's grey level under every pixel, 0 black, 1 white
 * @param noise     the standard deviation of the paper's pixels around the surface
 * @param darkInk   whether the ink is darker than the paper (dark ink on light paper)
 */
record ImageBackground(float[] level, double noise, boolean darkInk) {

    /** Pixels within this many noise deviations of the surface are paper. */
    static final double PAPER_DEVIATIONS = 2.5;

    /** The smallest distance from the surface that counts as ink for the polarity, in noise deviations. */
    static final double INK_DEVIATIONS = 3;

    /** Below any real noise: with no noise at all only pixels at the paper's level are paper. */
    private static final double LEVEL_TOLERANCE = 1e-3;

    /** At most this many pixels along each side are used for the fit (every k-th row and column). */
    private static final int SAMPLES_PER_SIDE = 256;

    /** Rounds of refitting; the paper set stops changing after two or three. */
    private static final int ROUNDS = 8;

    /** Terms of the quadratic: 1, x, y, x^2, xy, y^2. */
    private static final int TERMS = 6;

    /** Fits the paper of {@code g}. */
    static ImageBackground of(ImageInput.Grey g) {
        int w = g.width();
        int h = g.height();
        float[] p = g.pixels();
        int step = Math.max(1, (int) Math.ceil(Math.max(w, h) / (double) SAMPLES_PER_SIDE));
        int nx = (w + step - 1) / step;
        int ny = (h + step - 1) / step;
        int n = nx * ny;
        double[] xs = new double[n];
        double[] ys = new double[n];
        double[] vs = new double[n];
        int k = 0;
        for (int y = 0; y < h; y += step) {
            for (int x = 0; x < w; x += step) {
                xs[k] = coordinate(x, w);
                ys[k] = coordinate(y, h);
                vs[k++] = p[y * w + x];
            }
        }
        // The fit is of v - start, so that a constant paper comes out as exactly that constant.
        double start = median(vs.clone());
        double[] coef = new double[TERMS];
        double[] residual = new double[n];
        for (int i = 0; i < n; i++) {
            residual[i] = vs[i] - start;
        }
        double sigma = deviation(residual, null);
        boolean[] paper = new boolean[n];
        for (int round = 0; round < ROUNDS; round++) {
            double tolerance = Math.max(PAPER_DEVIATIONS * sigma, LEVEL_TOLERANCE);
            boolean changed = false;
            int count = 0;
            for (int i = 0; i < n; i++) {
                boolean isPaper = Math.abs(residual[i]) <= tolerance;
                changed |= isPaper != paper[i];
                paper[i] = isPaper;
                count += isPaper ? 1 : 0;
            }
            if (!changed || count < 4 * TERMS) {
                break;
            }
            double[] fitted = fit(xs, ys, vs, start, paper);
            if (fitted == null) {
                break;
            }
            coef = fitted;
            for (int i = 0; i < n; i++) {
                residual[i] = vs[i] - start - surface(coef, xs[i], ys[i]);
            }
            sigma = deviation(residual, paper);
        }
        float[] level = new float[w * h];
        double darker = 0;
        double lighter = 0;
        double ink = Math.max(INK_DEVIATIONS * sigma, LEVEL_TOLERANCE);
        for (int y = 0; y < h; y++) {
            double cy = coordinate(y, h);
            for (int x = 0; x < w; x++) {
                double b = start + surface(coef, coordinate(x, w), cy);
                level[y * w + x] = (float) Math.min(1, Math.max(0, b));
                double r = p[y * w + x] - b;
                darker += Math.max(0, -r - ink);
                lighter += Math.max(0, r - ink);
            }
        }
        // Ink is what stands out of the paper: the side with more of it. A blank page has neither;
        // then light paper is taken to carry dark ink, as on a page.
        boolean darkInk = darker != lighter ? darker > lighter : mean(level) > 0.5;
        return new ImageBackground(level, sigma, darkInk);
    }

    /** A pixel index's coordinate in [-1, 1] across a side of n pixels (0 for one pixel). */
    private static double coordinate(int i, int n) {
        return n == 1 ? 0 : 2.0 * i / (n - 1) - 1;
    }

    private static double surface(double[] c, double x, double y) {
        return c[0] + c[1] * x + c[2] * y + c[3] * x * x + c[4] * x * y + c[5] * y * y;
    }

    /**
     * Least squares of the quadratic to v - start over the paper pixels, by the normal equations
     * (six unknowns, coordinates in [-1, 1]: well conditioned); null when they are singular (the
     * paper pixels lie on a line).
     */
    private static double[] fit(double[] xs, double[] ys, double[] vs, double start, boolean[] paper) {
        double[][] a = new double[TERMS][TERMS + 1];
        double[] t = new double[TERMS];
        for (int i = 0; i < xs.length; i++) {
            if (!paper[i]) {
                continue;
            }
            double x = xs[i];
            double y = ys[i];
            t[0] = 1;
            t[1] = x;
            t[2] = y;
            t[3] = x * x;
            t[4] = x * y;
            t[5] = y * y;
            double r = vs[i] - start;
            for (int j = 0; j < TERMS; j++) {
                for (int m = 0; m < TERMS; m++) {
                    a[j][m] += t[j] * t[m];
                }
                a[j][TERMS] += t[j] * r;
            }
        }
        return solve(a);
    }

    /** Gaussian elimination with partial pivoting of the augmented (n, n + 1) system; null when singular. */
    private static double[] solve(double[][] a) {
        int n = a.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(a[pivot][col]) < 1e-9 * Math.max(1, Math.abs(a[0][0]))) {
                return null;
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int r = col + 1; r < n; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c <= n; c++) {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r][n];
            for (int c = r + 1; c < n; c++) {
                s -= a[r][c] * x[c];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }

    /** 1.4826 times the median of |r| over the pixels in {@code which} (all when null). */
    private static double deviation(double[] r, boolean[] which) {
        double[] abs = new double[r.length];
        int n = 0;
        for (int i = 0; i < r.length; i++) {
            if (which == null || which[i]) {
                abs[n++] = Math.abs(r[i]);
            }
        }
        return n == 0 ? 0 : 1.4826 * median(Arrays.copyOf(abs, n));
    }

    /** The median of v (sorted in place); the lower middle one of an even count. */
    private static double median(double[] v) {
        Arrays.sort(v);
        return v[(v.length - 1) / 2];
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }
}
