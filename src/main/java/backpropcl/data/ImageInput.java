package backpropcl.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a picture of a digit (PNG or JPEG; anything javax.imageio decodes) into the features of a
 * square-input model, the way MNIST was made, so that a photo or a drawing looks to the network
 * like the records it was trained on. MNIST's digits were scanned as black and white, their ink
 * scaled (anti-aliased) to fit a 20 x 20 box keeping the aspect ratio, and placed in 28 x 28 with
 * their centre of mass at the centre; a photograph adds paper that is grey and unevenly lit,
 * noise, blur and JPEG artefacts, which the first steps take away.
 *
 * <p>The steps, each a method below ({@link #prepare} runs them all, on pictures shrunk first by a
 * whole factor to at most {@link #WORK_SIDE} pixels a side):
 * <ol>
 * <li>{@link #grey}: grey levels in [0, 1], 0 black. Grey images keep their stored levels (the
 *     same numbers as MNIST's bytes / 255); colour images become luminance 0.299 R + 0.587 G +
 *     0.114 B of their sRGB values. Transparent pixels are composited over white paper.
 * <li>{@link #inkOnBlack}: the paper is estimated as a smooth surface under the ink (a quadratic
 *     fitted to the pixels that are not ink, so uneven light is followed; see
 *     {@link ImageBackground}), with its noise. When the ink is darker than the paper (more of the
 *     picture lies well below the surface than above it) the image is inverted, so that ink is
 *     bright as in MNIST. The paper is then subtracted pixel by pixel, v' = max(0, v - b) / (1 - b)
 *     with b the paper's level there: grey paper in a photo becomes black. An image whose paper is
 *     black (MNIST) is left as it is.
 * <li>{@link #mainInk}: the ink is found by two thresholds above the paper's noise floor (the
 *     weak one {@link #INK_THRESHOLD} above it, the strong one Otsu's automatic threshold) and its
 *     connected components, and only the digit is kept: specks of noise or dust away from it are
 *     cleared, and faint ink is brought up to a stroke's level (see {@link MainInk}).
 * <li>{@link #normalise}: the bounding box of the pixels above {@link #INK_THRESHOLD} is scaled
 *     so that its longer side is {@code round(side * 20 / 28)} pixels (20 for 28x28), keeping the
 *     aspect ratio: by area averaging when shrinking, bilinear when enlarging, in float. The result
 *     is placed in a side x side frame by a whole-pixel shift that puts its centre of mass at
 *     pixel (side / 2, side / 2). MNIST's own records, measured on the bundled mnist-10k, have
 *     an ink box of exactly 20 pixels and their centre of mass within half a pixel of (14, 14), so
 *     a record written as an image comes back unchanged.
 * </ol>
 * Features are floats in [0, 1], row-major, as {@link IdxReader} makes them (byte / 255).
 *
 * <p>Every error is a {@link DataException} whose message starts with the file name.
 */
public final class ImageInput {

    /**
     * Grey level, after inversion and background removal, above which a pixel counts as ink: the
     * pixels that make the ink's box, and, above the noise floor, the weak threshold of
     * {@link MainInk}'s components.
     */
    public static final float INK_THRESHOLD = 0.1f;

    /** Images with more pixels than this are refused before they are decoded. */
    public static final long MAX_PIXELS = 1L << 26;

    /** Luminance weights of ITU-R BT.601, the ones PIL's "L" mode uses. */
    private static final double RED = 0.299;
    private static final double GREEN = 0.587;
    private static final double BLUE = 0.114;

    private ImageInput() {
    }

    /**
     * A grey image.
     *
     * @param pixels (height, width) row-major, 0 black, 1 white
     */
    public record Grey(float[] pixels, int width, int height) {
        public Grey {
            if (width < 1 || height < 1 || pixels.length != (long) width * height) {
                throw new IllegalArgumentException(width + "x" + height + " image with " + pixels.length + " pixels");
            }
        }
    }

    /**
     * Reads {@code file} and makes the features of a model whose input is a side x side image.
     *
     * @return (side * side) features in [0, 1], row-major
     */
    public static float[] features(Path file, int side) {
        float[] out = prepare(grey(read(file)), side);
        if (out == null) {
            throw new DataException(file + ": blank image (no pixel differs from the background by more than "
                    + INK_THRESHOLD + "); expected a digit");
        }
        return out;
    }

    /**
     * Every step from grey levels to features: {@link #inkOnBlack}, {@link #mainInk},
     * {@link #normalise}.
     *
     * @return (side * side) features in [0, 1], or null when the picture holds no ink
     */
    public static float[] prepare(Grey g, int side) {
        return normalise(mainInk(inkOnBlack(shrink(g, WORK_SIDE))), side);
    }

    /**
     * The longest side a picture is prepared at: larger ones (a phone's 4000 x 3000) are first
     * shrunk by a whole factor, which changes nothing that a 20-pixel box can show and keeps the
     * work and the memory of a 12-megapixel photo to those of a quarter megapixel.
     */
    static final int WORK_SIDE = 512;

    /**
     * g shrunk by the smallest whole factor f that brings its longer side to at most maxSide, each
     * pixel the mean of an f x f block (of the part of it inside g, at the right and bottom edges);
     * g itself when it is small enough.
     */
    static Grey shrink(Grey g, int maxSide) {
        int w = g.width();
        int h = g.height();
        int f = (Math.max(w, h) + maxSide - 1) / maxSide;
        if (f <= 1) {
            return g;
        }
        int nw = (w + f - 1) / f;
        int nh = (h + f - 1) / f;
        float[] p = g.pixels();
        double[] sum = new double[nw * nh];
        for (int y = 0; y < h; y++) {
            int row = (y / f) * nw;
            for (int x = 0; x < w; x++) {
                sum[row + x / f] += p[y * w + x];
            }
        }
        float[] out = new float[nw * nh];
        for (int by = 0; by < nh; by++) {
            int rows = Math.min(f, h - by * f);
            for (int bx = 0; bx < nw; bx++) {
                out[by * nw + bx] = (float) (sum[by * nw + bx] / (rows * Math.min(f, w - bx * f)));
            }
        }
        return new Grey(out, nw, nh);
    }

    /** Decodes an image file; a file that is not an image is a DataException. */
    public static BufferedImage read(Path file) {
        if (!Files.exists(file)) {
            throw new DataException(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory, not a PNG or JPEG image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DataException(file + ": could not open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataException(file + ": not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new DataException(file + ": " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels is more than the " + MAX_PIXELS + " this reads; scale the image down first");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            // A truncated or corrupt file: the decoder's own words say what it tripped on.
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new DataException(file + ": not a PNG or JPEG image, or a corrupt one (" + detail + ")", e);
        }
    }

    /**
     * Grey levels of an image: the stored levels of a grey image (scaled by its bit depth),
     * luminance of the sRGB values otherwise; alpha composites over white.
     */
    public static Grey grey(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] px = new float[Math.multiplyExact(w, h)];
        Raster r = img.getRaster();
        boolean greyModel = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        int bands = r.getNumBands();
        if (greyModel && (bands == 1 || bands == 2)) {
            // Read the samples, not getRGB: Java's grey colour space is linear, and getRGB would
            // gamma-encode the levels (128 would come back as 187).
            double max = (1L << r.getSampleModel().getSampleSize(0)) - 1;
            double maxAlpha = bands == 2 ? (1L << r.getSampleModel().getSampleSize(1)) - 1 : 1;
            double[] v = new double[w];
            double[] a = new double[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, v);
                if (bands == 2) {
                    r.getSamples(0, y, w, 1, 1, a);
                }
                for (int x = 0; x < w; x++) {
                    double g = v[x] / max;
                    if (bands == 2) {
                        double alpha = a[x] / maxAlpha;
                        g = g * alpha + (1 - alpha);
                    }
                    px[y * w + x] = (float) g;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int argb = row[x];
                    double alpha = (argb >>> 24) / 255.0;
                    double lum = (RED * ((argb >> 16) & 0xFF) + GREEN * ((argb >> 8) & 0xFF) + BLUE * (argb & 0xFF)) / 255.0;
                    px[y * w + x] = (float) Math.min(1.0, lum * alpha + (1 - alpha));
                }
            }
        }
        return new Grey(px, w, h);
    }

    /** The paper's level, after the inversion, up to which it is removed; brighter paper leaves too little room for ink. */
    static final float MAX_PAPER = 0.95f;

    /**
     * Light ink on black: inverts an image whose ink is darker than its paper, then subtracts the
     * paper, v' = max(0, v - b) / (1 - b) with b the paper's level at that pixel after the
     * inversion (at most {@link #MAX_PAPER}). A new image; the input is not changed.
     */
    public static Grey inkOnBlack(Grey g) {
        ImageBackground paper = ImageBackground.of(g);
        boolean invert = paper.darkInk();
        float[] px = g.pixels().clone();
        float[] level = paper.level();
        for (int i = 0; i < px.length; i++) {
            float v = invert ? 1f - px[i] : px[i];
            float bg = Math.min(MAX_PAPER, invert ? 1f - level[i] : level[i]);
            px[i] = bg > 0 ? Math.max(0f, v - bg) / (1f - bg) : v;
        }
        return new Grey(px, g.width(), g.height());
    }

    /** True when {@link #inkOnBlack} would invert g: its ink is darker than its paper. */
    public static boolean isDarkOnLight(Grey g) {
        return ImageBackground.of(g).darkInk();
    }

    /**
     * The digit of a light-ink-on-black image with everything else black, its faint ink brought
     * up (see {@link MainInk}). A new image; the input is not changed.
     */
    public static Grey mainInk(Grey g) {
        return MainInk.isolate(g);
    }

    /**
     * The features of a side x side model as an 8-bit grey image, round(v * 255) per pixel: what
     * the network sees, as {@code predict --show-input} writes it.
     */
    public static BufferedImage toImage(float[] features, int side) {
        if (features.length != side * side) {
            throw new IllegalArgumentException(features.length + " features for a " + side + "x" + side + " image");
        }
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < features.length; i++) {
            img.getRaster().setSample(i % side, i / side, 0, Math.round(Math.min(1f, Math.max(0f, features[i])) * 255));
        }
        return img;
    }

    /**
     * MNIST's normalisation of light ink on black: the ink's bounding box scaled to a longer side of
     * round(side * 20 / 28) pixels, then shifted by whole pixels to put the centre of mass at
     * (side / 2, side / 2) of a side x side frame.
     *
     * @return (side * side) features in [0, 1], or null when no pixel is above {@link #INK_THRESHOLD}
     */
    public static float[] normalise(Grey g, int side) {
        if (side < 1) {
            throw new IllegalArgumentException("side " + side);
        }
        int w = g.width();
        int h = g.height();
        float[] p = g.pixels();
        int x0 = w;
        int x1 = -1;
        int y0 = h;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (p[y * w + x] > INK_THRESHOLD) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return null;
        }
        int box = Math.max(1, (int) Math.round(side * 20.0 / 28.0));
        double s = (double) box / Math.max(x1 - x0 + 1, y1 - y0 + 1);
        // The canvas: the scaled box with side / 2 + 1 output pixels of margin on every side, which
        // is all that can reach the frame (the centre of mass lies inside the box).
        int margin = side / 2 + 1;
        int cw = (int) Math.ceil((x1 - x0 + 1) * s) + 2 * margin;
        int ch = (int) Math.ceil((y1 - y0 + 1) * s) + 2 * margin;
        double ox = x0 - margin / s;
        double oy = y0 - margin / s;
        Taps tx = taps(ox, s, cw, w);
        Taps ty = taps(oy, s, ch, h);
        // Rows first (only the source rows that some canvas row reads), then columns.
        float[] rowsScaled = new float[h * cw];
        for (int y = ty.first(); y <= ty.last(); y++) {
            for (int c = 0; c < cw; c++) {
                double v = 0;
                for (int k = tx.start[c]; k < tx.start[c + 1]; k++) {
                    v += tx.weight[k] * p[y * w + tx.index[k]];
                }
                rowsScaled[y * cw + c] = (float) v;
            }
        }
        float[] canvas = new float[ch * cw];
        double mass = 0;
        double mx = 0;
        double my = 0;
        for (int r = 0; r < ch; r++) {
            for (int c = 0; c < cw; c++) {
                double v = 0;
                for (int k = ty.start[r]; k < ty.start[r + 1]; k++) {
                    v += ty.weight[k] * rowsScaled[ty.index[k] * cw + c];
                }
                float f = (float) Math.min(1.0, Math.max(0.0, v));
                canvas[r * cw + c] = f;
                mass += f;
                mx += f * c;
                my += f * r;
            }
        }
        // mass > 0: the box holds a pixel above the threshold, and every scaling keeps some of it.
        long dx = Math.round(side / 2.0 - mx / mass);
        long dy = Math.round(side / 2.0 - my / mass);
        float[] out = new float[side * side];
        for (int v = 0; v < side; v++) {
            long r = v - dy;
            if (r < 0 || r >= ch) {
                continue;
            }
            for (int u = 0; u < side; u++) {
                long c = u - dx;
                if (c >= 0 && c < cw) {
                    out[v * side + u] = canvas[(int) (r * cw + c)];
                }
            }
        }
        return out;
    }

    /**
     * The source pixels and weights that make each of n output pixels along one axis, where output
     * pixel i covers source coordinates [origin + i / s, origin + (i + 1) / s). Shrinking (s <= 1):
     * the average over that interval, each source pixel weighted by its overlap times s. Enlarging:
     * bilinear interpolation at the interval's centre. Pixels outside [0, size) are black and get
     * no tap. Output i's taps are index/weight[start[i] .. start[i + 1]).
     */
    private record Taps(int[] start, int[] index, double[] weight) {
        int first() {
            int m = Integer.MAX_VALUE;
            for (int k = 0; k < start[start.length - 1]; k++) {
                m = Math.min(m, index[k]);
            }
            return m == Integer.MAX_VALUE ? 0 : m;
        }

        int last() {
            int m = -1;
            for (int k = 0; k < start[start.length - 1]; k++) {
                m = Math.max(m, index[k]);
            }
            return m;
        }
    }

    private static Taps taps(double origin, double s, int n, int size) {
        int[] start = new int[n + 1];
        int per = s <= 1 ? (int) Math.ceil(1 / s) + 2 : 2;
        int[] index = new int[n * per];
        double[] weight = new double[n * per];
        int k = 0;
        for (int i = 0; i < n; i++) {
            start[i] = k;
            if (s <= 1) {
                double a = origin + i / s;
                double b = origin + (i + 1) / s;
                int lo = Math.max(0, (int) Math.floor(a));
                int hi = Math.min(size - 1, (int) Math.ceil(b) - 1);
                for (int x = lo; x <= hi; x++) {
                    double overlap = Math.min(b, x + 1) - Math.max(a, x);
                    if (overlap > 0) {
                        index[k] = x;
                        weight[k++] = overlap * s;
                    }
                }
            } else {
                double centre = origin + (i + 0.5) / s - 0.5;
                int x = (int) Math.floor(centre);
                double f = centre - x;
                if (x >= 0 && x < size && f < 1) {
                    index[k] = x;
                    weight[k++] = 1 - f;
                }
                if (x + 1 >= 0 && x + 1 < size && f > 0) {
                    index[k] = x + 1;
                    weight[k++] = f;
                }
            }
        }
        start[n] = k;
        return new Taps(start, index, weight);
    }
}
