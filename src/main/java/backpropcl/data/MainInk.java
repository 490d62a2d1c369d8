package backpropcl.data;

import java.util.Arrays;

/**
 * Keeps the digit of a light-ink-on-black picture and clears everything else, so that noise, dust
 * and JPEG artefacts neither stretch the ink's bounding box nor reach the network. The steps:
 * <ol>
 * <li>A noise floor: {@link #NOISE_MULTIPLE} times the 90th percentile of the pixels away from the
 *     ink (farther than {@link #AWAY} of the picture's longer side, at least 2 pixels, from a pixel
 *     above Otsu's threshold). The paper is black by now, its noise cut at 0 on one side, so that
 *     percentile is 1.28 noise deviations whether the camera cut its noise at white or not. A
 *     clean image (MNIST, a drawing) has a floor of 0.
 * <li>Two thresholds, as in a hysteresis threshold: the weak one is the floor plus
 *     {@link ImageInput#INK_THRESHOLD} (Gaussian noise above it is rarer than one pixel in a
 *     million), the strong one Otsu's, the level that best splits the grey-level histogram into
 *     two classes (the largest between-class variance), and at least the weak one.
 * <li>Connected components (8-neighbours) of the pixels above the weak threshold. A component is
 *     ink when it holds strong pixels. The main one holds the most; another is kept when it has at
 *     least {@link #KEEP_FRACTION} as many (a digit broken in two), or when it lies within the
 *     main one's box grown by {@link #NEAR} of the box's longer side on every side (a detached
 *     stroke end, a dot). Every other component is cleared.
 * <li>The kept components keep their levels. The pixels next to them (within about one pixel of
 *     the final 20-pixel box) are their anti-aliased rim and keep theirs up to
 *     {@link ImageInput#INK_THRESHOLD}, so that they never widen the ink's box; everything farther
 *     away (the faint rest of the noise) is cleared.
 * <li>The ink's level: when the 90th percentile of the strong pixels is below {@link #INK_LEVEL}
 *     (grey ink on grey paper, a blurred stroke) every level is multiplied so that it is that.
 *     MNIST's strokes are brighter (the lowest such percentile among the bundled 10,000 records is
 *     0.87) and are not changed.
 * </ol>
 * A record of MNIST passes unchanged: it has no noise, its ink is bright, and its specks lie next
 * to the digit, but for 20 of the bundled 10,000, whose specks lie farther away and are cleared
 * (ImageInputTest checks all of them).
 */
final class MainInk {

    /** The noise floor, in 90th percentiles of the pixels away from the ink. */
    static final double NOISE_MULTIPLE = 2;

    /** Pixels this far from the ink, in the picture's longer side, show the noise. */
    static final double AWAY = 0.02;

    /** A component with at least this fraction of the main one's strong pixels is part of the digit. */
    static final double KEEP_FRACTION = 0.1;

    /** How far around the main component's box, in its longer side, other components are kept. */
    static final double NEAR = 0.4;

    /** The least 90th percentile of the strong pixels; fainter ink is scaled up to it. */
    static final float INK_LEVEL = 0.85f;

    /** Bins of the histogram that Otsu's threshold is chosen from. */
    private static final int BINS = 256;

    private MainInk() {
    }

    /**
     * The main ink of {@code g} (light ink on black, as {@link ImageInput#inkOnBlack} makes it),
     * everything else black. A new image; the input is not changed.
     */
    static ImageInput.Grey isolate(ImageInput.Grey g) {
        int w = g.width();
        int h = g.height();
        float[] p = g.pixels();
        float weak = (float) Math.min(0.5, NOISE_MULTIPLE * noise(p, w, h)) + ImageInput.INK_THRESHOLD;
        float strong = Math.max(otsu(p), weak);
        Components c = Components.of(p, w, h, weak, strong);
        float[] out = new float[p.length];
        int main = c.main();
        if (main < 0) {
            return new ImageInput.Grey(out, w, h);
        }
        boolean[] kept = c.kept(main, KEEP_FRACTION, NEAR);
        boolean[] ink = new boolean[p.length];
        int x0 = w;
        int x1 = -1;
        int y0 = h;
        int y1 = -1;
        float[] strongInk = new float[p.length];
        int n = 0;
        for (int i = 0; i < p.length; i++) {
            int label = c.label()[i];
            if (label >= 0 && kept[label]) {
                ink[i] = true;
                x0 = Math.min(x0, i % w);
                x1 = Math.max(x1, i % w);
                y0 = Math.min(y0, i / w);
                y1 = Math.max(y1, i / w);
                if (p[i] >= strong) {
                    strongInk[n++] = p[i];
                }
            }
        }
        float level = percentile(Arrays.copyOf(strongInk, n), 0.9);
        float gain = level > 0 && level < INK_LEVEL ? INK_LEVEL / level : 1f;
        // About one pixel of the 20-pixel box that the digit is scaled to.
        int radius = Math.max(2, (int) Math.ceil(Math.max(x1 - x0 + 1, y1 - y0 + 1) / 20.0));
        boolean[] near = dilate(ink, w, h, radius);
        for (int i = 0; i < p.length; i++) {
            int label = c.label()[i];
            if (ink[i]) {
                out[i] = Math.min(1f, p[i] * gain);
            } else if (near[i] && label < 0) {
                out[i] = Math.min(ImageInput.INK_THRESHOLD, p[i] * gain);
            }
        }
        return new ImageInput.Grey(out, w, h);
    }

    /** The 90th percentile of the pixels away from the pixels above Otsu's threshold; 0 when there are none. */
    private static float noise(float[] p, int w, int h) {
        boolean[] ink = new boolean[p.length];
        float t = Math.max(otsu(p), ImageInput.INK_THRESHOLD);
        for (int i = 0; i < p.length; i++) {
            ink[i] = p[i] >= t;
        }
        boolean[] near = dilate(ink, w, h, Math.max(2, (int) Math.round(AWAY * Math.max(w, h))));
        float[] away = new float[p.length];
        int n = 0;
        for (int i = 0; i < p.length; i++) {
            if (!near[i]) {
                away[n++] = p[i];
            }
        }
        return percentile(Arrays.copyOf(away, n), 0.9);
    }

    /**
     * Otsu's threshold of levels in [0, 1]: the lower edge of the first bin above the split that
     * maximises the between-class variance w0 w1 (m0 - m1)^2 of a {@value #BINS}-bin histogram; 1
     * when every pixel is in one bin.
     */
    static float otsu(float[] p) {
        long[] hist = new long[BINS];
        for (float v : p) {
            hist[Math.min(BINS - 1, Math.max(0, (int) (v * BINS)))]++;
        }
        double total = p.length;
        double sumAll = 0;
        for (int b = 0; b < BINS; b++) {
            sumAll += hist[b] * (b + 0.5);
        }
        double w0 = 0;
        double sum0 = 0;
        double best = -1;
        int split = BINS - 1;
        for (int b = 0; b < BINS - 1; b++) {
            w0 += hist[b];
            sum0 += hist[b] * (b + 0.5);
            double w1 = total - w0;
            if (w0 == 0 || w1 == 0) {
                continue;
            }
            double m0 = sum0 / w0;
            double m1 = (sumAll - sum0) / w1;
            double between = w0 * w1 * (m0 - m1) * (m0 - m1);
            if (between > best) {
                best = between;
                split = b;
            }
        }
        return (split + 1) / (float) BINS;
    }

    /** The q-quantile of v (sorted in place), the nearest rank; 0 for none. */
    private static float percentile(float[] v, double q) {
        if (v.length == 0) {
            return 0;
        }
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
    }

    /** Pixels within Chebyshev distance r of a set one: a square dilation, rows then columns. */
    static boolean[] dilate(boolean[] set, int w, int h, int r) {
        boolean[] rows = new boolean[set.length];
        for (int y = 0; y < h; y++) {
            spread(set, rows, y * w, 1, w, r);
        }
        boolean[] out = new boolean[set.length];
        for (int x = 0; x < w; x++) {
            spread(rows, out, x, w, h, r);
        }
        return out;
    }

    /** One line of n elements from {@code start} by {@code stride}: out is set within r of a set element of in. */
    private static void spread(boolean[] in, boolean[] out, int start, int stride, int n, int r) {
        int last = Integer.MIN_VALUE / 2;
        for (int i = 0; i < n; i++) {
            if (in[start + i * stride]) {
                last = i;
            }
            out[start + i * stride] = i - last <= r;
        }
        last = Integer.MAX_VALUE / 2;
        for (int i = n - 1; i >= 0; i--) {
            if (in[start + i * stride]) {
                last = i;
            }
            out[start + i * stride] |= last - i <= r;
        }
    }

    /**
     * The 8-connected components of the pixels above a low threshold, with how many pixels of each
     * are above a high one and each one's bounding box.
     *
     * @param label  per pixel its component, -1 for pixels at or below the low threshold
     * @param strong per component its pixels at or above the high threshold
     * @param box    per component x0, x1, y0, y1 (inclusive), four ints each
     */
    record Components(int[] label, int[] strong, int[] box) {

        static Components of(float[] p, int w, int h, float low, float high) {
            int[] label = new int[p.length];
            Arrays.fill(label, -1);
            int[] stack = new int[p.length];
            int[] strong = new int[16];
            int[] box = new int[64];
            int count = 0;
            for (int seed = 0; seed < p.length; seed++) {
                if (label[seed] >= 0 || p[seed] <= low) {
                    continue;
                }
                if (count == strong.length) {
                    strong = Arrays.copyOf(strong, 2 * count);
                    box = Arrays.copyOf(box, 8 * count);
                }
                int id = count++;
                box[4 * id] = w;
                box[4 * id + 1] = -1;
                box[4 * id + 2] = h;
                box[4 * id + 3] = -1;
                int top = 0;
                stack[top++] = seed;
                label[seed] = id;
                while (top > 0) {
                    int i = stack[--top];
                    int x = i % w;
                    int y = i / w;
                    strong[id] += p[i] >= high ? 1 : 0;
                    box[4 * id] = Math.min(box[4 * id], x);
                    box[4 * id + 1] = Math.max(box[4 * id + 1], x);
                    box[4 * id + 2] = Math.min(box[4 * id + 2], y);
                    box[4 * id + 3] = Math.max(box[4 * id + 3], y);
                    for (int dy = -1; dy <= 1; dy++) {
                        int yy = y + dy;
                        if (yy < 0 || yy >= h) {
                            continue;
                        }
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = x + dx;
                            int j = yy * w + xx;
                            if (xx >= 0 && xx < w && label[j] < 0 && p[j] > low) {
                                label[j] = id;
                                stack[top++] = j;
                            }
                        }
                    }
                }
            }
            return new Components(label, Arrays.copyOf(strong, count), Arrays.copyOf(box, 4 * count));
        }

        /** The component with the most strong pixels (the first of equals), or -1 when none has any. */
        int main() {
            int best = -1;
            for (int c = 0; c < strong.length; c++) {
                if (strong[c] > 0 && (best < 0 || strong[c] > strong[best])) {
                    best = c;
                }
            }
            return best;
        }

        /**
         * Per component whether it is kept with {@code main}: it holds strong pixels and has at
         * least {@code fraction} of main's, or it lies within main's box grown by {@code near}
         * of that box's longer side.
         */
        boolean[] kept(int main, double fraction, double near) {
            int mx0 = box[4 * main];
            int mx1 = box[4 * main + 1];
            int my0 = box[4 * main + 2];
            int my1 = box[4 * main + 3];
            double margin = near * Math.max(mx1 - mx0 + 1, my1 - my0 + 1);
            boolean[] kept = new boolean[strong.length];
            for (int c = 0; c < strong.length; c++) {
                boolean large = strong[c] > 0 && strong[c] >= fraction * strong[main];
                boolean inside = box[4 * c] >= mx0 - margin && box[4 * c + 1] <= mx1 + margin
                        && box[4 * c + 2] >= my0 - margin && box[4 * c + 3] <= my1 + margin;
                kept[c] = large || inside;
            }
            return kept;
        }
    }
}
