package backpropcl.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Test images made from MNIST records, and the bundled records themselves. */
public final class DigitImages {
    /** MNIST's side. */
    public static final int SIDE = 28;

    private static Dataset test;

    private DigitImages() {
    }

    /** The bundled mnist-10k test split (2,000 records), loaded once. */
    public static synchronized Dataset mnistTest() {
        if (test == null) {
            test = IdxDirectory.loadResource("/datasets/mnist-10k/", 10).test();
        }
        return test;
    }

    /** Record i of the bundled test split, 784 values in [0, 1]. */
    public static float[] record(int i) {
        return Arrays.copyOfRange(mnistTest().features(), i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    }

    /**
     * A record as an 8-bit grey image, each pixel {@code round(v * 255)} (or 255 minus that when
     * {@code darkOnLight}), upscaled by {@code factor} (each pixel a factor x factor block) with
     * {@code margin} background pixels on every side.
     */
    public static BufferedImage grey(float[] record, int factor, int margin, boolean darkOnLight) {
        int n = SIDE * factor + 2 * margin;
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int sx = (x - margin) / factor;
                int sy = (y - margin) / factor;
                boolean inside = x >= margin && y >= margin && sx < SIDE && sy < SIDE;
                int v = inside ? Math.round(record[sy * SIDE + sx] * 255) : 0;
                img.getRaster().setSample(x, y, 0, darkOnLight ? 255 - v : v);
            }
        }
        return img;
    }

    /**
     * A record as a photograph of it: upscaled by {@code factor} (blocks) with {@code margin}
     * pixels of paper around, ink at level {@code ink} on paper at level {@code paper} (mixed by the
     * record's value), lit by a light that falls linearly from 1 at the top left corner to
     * {@code light} at the bottom right one, with Gaussian noise of deviation {@code noise} (seeded),
     * cut to [0, 1].
     */
    public static ImageInput.Grey photo(float[] record, int factor, int margin, float paper, float ink, float light,
                                        double noise, long seed) {
        int n = SIDE * factor + 2 * margin;
        java.util.Random rng = new java.util.Random(seed);
        float[] p = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int sx = (x - margin) / factor;
                int sy = (y - margin) / factor;
                boolean inside = x >= margin && y >= margin && sx < SIDE && sy < SIDE;
                float v = inside ? record[sy * SIDE + sx] : 0f;
                float lit = 1f - (1f - light) * (x + y) / (2f * (n - 1));
                double g = (paper + (ink - paper) * v) * lit + noise * rng.nextGaussian();
                p[y * n + x] = (float) Math.min(1, Math.max(0, g));
            }
        }
        return new ImageInput.Grey(p, n, n);
    }

    /** Writes img as "png" or "jpeg" to file and returns file. */
    public static Path write(BufferedImage img, String format, Path file) {
        try {
            if (!ImageIO.write(img, format, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Mean of |a - b|. */
    public static double meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }
}
