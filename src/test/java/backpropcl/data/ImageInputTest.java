package backpropcl.data;

import static backpropcl.data.DigitImages.SIDE;
import static backpropcl.data.DigitImages.grey;
import static backpropcl.data.DigitImages.meanAbsDiff;
import static backpropcl.data.DigitImages.photo;
import static backpropcl.data.DigitImages.record;
import static backpropcl.data.DigitImages.write;
import static backpropcl.testing.Assertions2.assertClose;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MNIST-style preprocessing of images: MNIST's own records pass unchanged in every encoding,
 * other images come out with MNIST's geometry (ink box of 20, centre of mass at the centre), and
 * photographs of records (grey or dark paper, uneven light, noise, specks) come out close to the
 * records.
 */
class ImageInputTest {
    /** Records checked in the round trips: the first 200 of the bundled test split. */
    private static final int RECORDS = 200;

    /** Exact round trips still go through float arithmetic (1 - (1 - v), 16 * v / 16). */
    private static final double EXACT = 1e-6;

    @TempDir
    Path dir;

    private float[] features(BufferedImage img, String format) {
        return ImageInput.features(write(img, format, dir.resolve("digit." + (format.equals("jpeg") ? "jpg" : format))), SIDE);
    }

    @Test
    void mnistRecordsAsPngComeBackUnchanged() {
        // Every record's ink box is exactly 20 pixels and its centre of mass rounds to (14, 14),
        // so the full pipeline (grey, inversion test, box, scale 1, centring) changes nothing.
        for (int i = 0; i < RECORDS; i++) {
            assertClose("record " + i + " as PNG", toDouble(record(i)), toDouble(features(grey(record(i), 1, 0, false), "png")),
                    EXACT, 0, i);
        }
    }

    @Test
    void darkOnLightIsInvertedBackToTheRecord() {
        for (int i = 0; i < RECORDS; i++) {
            BufferedImage inverted = grey(record(i), 1, 0, true);
            assertTrue(ImageInput.isDarkOnLight(ImageInput.grey(inverted)), "record " + i);
            assertClose("record " + i + " inverted", toDouble(record(i)), toDouble(features(inverted, "png")), EXACT, 0, i);
        }
    }

    @Test
    void colourSixteenBitAndTransparentImagesGiveTheSameGreyLevels() {
        for (int i = 0; i < 20; i++) {
            float[] r = record(i);
            BufferedImage rgb = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
            BufferedImage grey16 = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_USHORT_GRAY);
            // Black ink on a transparent sheet, the ink's opacity the record's level.
            BufferedImage transparent = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_ARGB);
            for (int p = 0; p < r.length; p++) {
                int v = Math.round(r[p] * 255);
                rgb.setRGB(p % SIDE, p / SIDE, (v << 16) | (v << 8) | v);
                grey16.getRaster().setSample(p % SIDE, p / SIDE, 0, v * 257);
                transparent.setRGB(p % SIDE, p / SIDE, v << 24);
            }
            assertClose("record " + i + " as RGB", toDouble(r), toDouble(features(rgb, "png")), EXACT, 0, i);
            assertClose("record " + i + " as 16-bit grey", toDouble(r), toDouble(features(grey16, "png")), EXACT, 0, i);
            assertClose("record " + i + " as ink on transparent", toDouble(r), toDouble(features(transparent, "png")),
                    EXACT, 0, i);
        }
    }

    @Test
    void largerImagesAreScaledBackToTheRecord() {
        double sumJpeg = 0;
        for (int i = 0; i < 100; i++) {
            float[] r = record(i);
            // 4x: the 80-pixel box shrinks by exactly 1/4, each output pixel the mean of a 4x4 block.
            BufferedImage big = grey(r, 4, 20, false);
            assertClose("record " + i + " at 4x", toDouble(r), toDouble(features(big, "png")), EXACT, 0, i);
            // Dark on light and JPEG-compressed: the artefacts can widen the box by a pixel (then the
            // scale is not exactly 1/4) or move the centre of mass over a rounding boundary.
            sumJpeg += meanAbsDiff(r, features(grey(r, 4, 20, true), "jpeg"));
        }
        // Measured on all 2,000: 0.0017 on average, 2.5% of records above 0.01 (at most 0.094).
        assertTrue(sumJpeg / 100 < 0.005, "mean |jpeg - record| " + sumJpeg / 100);
    }

    @Test
    void inkBoxIsScaledToTwentyKeepingTheAspectRatioAndCentredByMass() {
        // A 10 x 40 white bar on black: shrunk by 1/2 to 5 x 20.
        assertGeometry(bar(100, 80, 30, 20, 10, 40), 5, 20);
        // A 3 x 6 bar: enlarged by 20/6 (bilinear) to about 10 x 20.
        assertGeometry(bar(12, 9, 2, 1, 3, 6), 10, 20);
        // Wide: 40 x 8 becomes 20 x 4.
        assertGeometry(bar(60, 60, 5, 30, 40, 8), 20, 4);
        // An L (a 4 x 40 bar and a 30 x 4 foot): its centre of mass, not its box, goes to the centre.
        ImageInput.Grey l = bar(80, 80, 10, 10, 4, 40);
        for (int y = 46; y < 50; y++) {
            Arrays.fill(l.pixels(), y * 80 + 10, y * 80 + 40, 1f);
        }
        assertGeometry(l, 15, 20);
    }

    /** A w x h black image with a white bw x bh bar whose top left corner is (x, y). */
    private static ImageInput.Grey bar(int w, int h, int x, int y, int bw, int bh) {
        float[] p = new float[w * h];
        for (int r = y; r < y + bh; r++) {
            Arrays.fill(p, r * w + x, r * w + x + bw, 1f);
        }
        return new ImageInput.Grey(p, w, h);
    }

    private static void assertGeometry(ImageInput.Grey g, int width, int height) {
        float[] f = ImageInput.normalise(g, SIDE);
        int x0 = SIDE;
        int x1 = -1;
        int y0 = SIDE;
        int y1 = -1;
        double mass = 0;
        double mx = 0;
        double my = 0;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                float v = f[y * SIDE + x];
                assertTrue(v >= 0 && v <= 1, "value " + v + " at " + x + "," + y);
                if (v > 0.5f) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
                mass += v;
                mx += v * x;
                my += v * y;
            }
        }
        // Pixels half covered or more: the box within a pixel of the scaled size.
        assertEquals(width, x1 - x0 + 1, 1.0, "width");
        assertEquals(height, y1 - y0 + 1, 1.0, "height");
        assertEquals(SIDE / 2.0, mx / mass, 0.5, "centre of mass x");
        assertEquals(SIDE / 2.0, my / mass, 0.5, "centre of mass y");
    }

    @Test
    void photoOfGreyPaperLosesItsBackground() {
        // Dark grey ink (0.1) on light grey paper (0.8): inverted, the paper is 0.2 and is removed.
        float[] p = new float[50 * 50];
        Arrays.fill(p, 0.8f);
        for (int y = 10; y < 40; y++) {
            for (int x = 20; x < 26; x++) {
                p[y * 50 + x] = 0.1f;
            }
        }
        ImageInput.Grey g = ImageInput.inkOnBlack(new ImageInput.Grey(p, 50, 50));
        assertEquals(0f, g.pixels()[0], 1e-6f, "paper");
        assertEquals((0.9f - 0.2f) / 0.8f, g.pixels()[20 * 50 + 22], 1e-6f, "ink");
        float[] f = ImageInput.normalise(g, SIDE);
        assertEquals(0f, f[0], "corner of the frame");
    }

    @Test
    void sideFollowsTheModel() {
        // 16 x 16 inputs: the box is round(16 * 20 / 28) = 11.
        ImageInput.Grey g = ImageInput.grey(grey(record(0), 2, 7, false));
        float[] f = ImageInput.normalise(ImageInput.inkOnBlack(g), 16);
        assertEquals(256, f.length);
        int rows = 0;
        for (int y = 0; y < 16; y++) {
            boolean ink = false;
            for (int x = 0; x < 16; x++) {
                ink |= f[y * 16 + x] > ImageInput.INK_THRESHOLD;
            }
            rows += ink ? 1 : 0;
        }
        assertEquals(11, rows, 1.0, "rows with ink");
    }

    @Test
    void blankImageIsNoDigit() {
        assertNull(ImageInput.normalise(new ImageInput.Grey(new float[100], 10, 10), SIDE));
        BufferedImage white = new BufferedImage(30, 30, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 30; x++) {
                white.getRaster().setSample(x, y, 0, 250);
            }
        }
        Path file = write(white, "png", dir.resolve("white.png"));
        DataException e = assertThrows(DataException.class, () -> ImageInput.features(file, SIDE));
        assertTrue(e.getMessage().startsWith(file + ": blank image"), e.getMessage());
    }

    @Test
    void filesThatAreNotImagesAreNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image\n");
        assertEquals(text + ": not a PNG or JPEG image",
                assertThrows(DataException.class, () -> ImageInput.features(text, SIDE)).getMessage());

        Path png = write(grey(record(0), 4, 0, false), "png", dir.resolve("whole.png"));
        byte[] bytes = Files.readAllBytes(png);
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(bytes, bytes.length / 2));
        String m = assertThrows(DataException.class, () -> ImageInput.features(truncated, SIDE)).getMessage();
        assertTrue(m.startsWith(truncated + ": not a PNG or JPEG image"), m);
        assertFalse(m.contains("\n"), m);

        Path missing = dir.resolve("missing.png");
        assertEquals(missing + ": no such file",
                assertThrows(DataException.class, () -> ImageInput.features(missing, SIDE)).getMessage());
        assertTrue(assertThrows(DataException.class, () -> ImageInput.features(dir, SIDE)).getMessage()
                .contains("is a directory"));
    }
    @Test
    void bundledRecordsAreTheirOwnMainInkButForSpecksFarFromTheDigit() {
        // No noise and bright strokes: the cleaning changes a record only by clearing a speck that
        // lies far from the digit (measured: 20 of the 10,000, none of the 200 the tests above use).
        Dataset train = IdxDirectory.loadResource("/datasets/mnist-10k/", 10).train();
        int changed = 0;
        for (Dataset d : new Dataset[] {train, DigitImages.mnistTest()}) {
            for (int i = 0; i < d.count(); i++) {
                float[] r = Arrays.copyOfRange(d.features(), i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
                float[] cleaned = ImageInput.mainInk(new ImageInput.Grey(r, SIDE, SIDE)).pixels();
                if (Arrays.equals(r, cleaned)) {
                    continue;
                }
                changed++;
                for (int k = 0; k < r.length; k++) {
                    assertTrue(cleaned[k] == r[k] || cleaned[k] == 0f, d.name() + " record " + i + " pixel " + k
                            + ": " + r[k] + " became " + cleaned[k] + "; only specks are cleared");
                }
            }
        }
        assertTrue(changed <= 25, changed + " of 10,000 records changed");
    }

    /** Mean |prepared photo - record| over the first 100 records, photos made by DigitImages.photo at 4x. */
    private static double photoError(float paper, float ink, float light, double noise) {
        double sum = 0;
        for (int i = 0; i < 100; i++) {
            float[] r = record(i);
            sum += meanAbsDiff(r, ImageInput.prepare(photo(r, 4, 20, paper, ink, light, noise, i), SIDE));
        }
        return sum / 100;
    }

    @Test
    void photosOfRecordsComeBackCloseToTheRecords() {
        // Measured, the border-median pipeline before this one (on these photos saved as PNG) ->
        // this one: grey paper 0.017 -> 0.017, light falling to half across the sheet 0.170 ->
        // 0.008, white paper with noise of deviation 0.04 cut at white 0.137 -> 0.005, chalk on a
        // dark board 0.078 -> 0.026, all of it at once 0.141 -> 0.042. Most of what is left is
        // whole-pixel shifts of the centre of mass.
        assertTrue(photoError(0.8f, 0.1f, 1f, 0) < 0.025, "grey paper");
        assertTrue(photoError(0.9f, 0.05f, 0.5f, 0) < 0.015, "uneven light");
        assertTrue(photoError(1f, 0f, 1f, 0.04) < 0.012, "noise on white paper");
        assertTrue(photoError(0.25f, 0.85f, 1f, 0.02) < 0.04, "light ink on dark paper");
        assertTrue(photoError(0.75f, 0.15f, 0.6f, 0.03) < 0.06, "grey paper, uneven light and noise");
    }

    @Test
    void theSurfaceFollowsUnevenLightAndTheInkSideDecidesTheInversion() {
        // Dark ink on paper lit from 1 down to 0.5: after inkOnBlack the paper is black everywhere.
        ImageInput.Grey lit = photo(record(0), 4, 20, 0.9f, 0.05f, 0.5f, 0, 0);
        assertTrue(ImageInput.isDarkOnLight(lit));
        float[] paper = ImageInput.inkOnBlack(lit).pixels();
        assertEquals(0f, paper[0], 1e-3f, "top left corner");
        assertEquals(0f, paper[paper.length - 1], 1e-3f, "bottom right corner, lit half as much");
        // Light ink on paper darker than mid-grey, and dark ink on paper darker than mid-grey: the
        // ink's side decides, not the paper's level (main's border mean above 0.5 missed the second).
        assertFalse(ImageInput.isDarkOnLight(photo(record(0), 1, 4, 0.3f, 0.9f, 1f, 0, 0)));
        assertTrue(ImageInput.isDarkOnLight(photo(record(0), 1, 4, 0.4f, 0.0f, 1f, 0, 0)));
    }

    @Test
    void specksAwayFromTheDigitDoNotStretchItsBox() {
        float[] r = record(0);
        ImageInput.Grey g = photo(r, 4, 40, 0f, 1f, 1f, 0, 0);
        int n = g.width();
        // Four specks of ink, 3 x 3 pixels, in the corners: main's box would have taken them in.
        for (int[] at : new int[][] {{2, 2}, {n - 5, 3}, {4, n - 6}, {n - 4, n - 4}}) {
            for (int y = 0; y < 3; y++) {
                Arrays.fill(g.pixels(), (at[1] + y) * n + at[0], (at[1] + y) * n + at[0] + 3, 1f);
            }
        }
        assertClose("record 0 with specks", toDouble(r), toDouble(ImageInput.prepare(g, SIDE)), EXACT, 0, 0);
    }

    @Test
    void faintInkIsBroughtUpToAStrokesLevel() {
        float[] r = record(0);
        float[] faint = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            faint[i] = 0.3f * r[i];
        }
        float[] f = ImageInput.mainInk(new ImageInput.Grey(faint, SIDE, SIDE)).pixels();
        float max = 0;
        for (float v : f) {
            max = Math.max(max, v);
        }
        assertTrue(max > MainInk.INK_LEVEL && max <= 1f, "brightest " + max);
        // One factor for every pixel of the digit: the stroke's profile is kept.
        int brightest = 0;
        for (int i = 0; i < r.length; i++) {
            brightest = r[i] > r[brightest] ? i : brightest;
        }
        double gain = f[brightest] / faint[brightest];
        for (int i = 0; i < r.length; i++) {
            if (faint[i] > ImageInput.INK_THRESHOLD && f[i] < 1f) {
                assertEquals(gain, f[i] / faint[i], 1e-4, "pixel " + i);
            }
        }
    }

    @Test
    void otsuSplitsTwoLevelsBetweenThem() {
        float[] p = new float[100];
        Arrays.fill(p, 0, 70, 0.2f);
        Arrays.fill(p, 70, 100, 0.7f);
        float t = MainInk.otsu(p);
        assertTrue(t > 0.2f && t <= 0.7f, "threshold " + t);
        assertEquals(1f, MainInk.otsu(new float[10]), "one level: nothing above");
    }
    @Test
    void largePicturesAreShrunkByAWholeFactorFirst() {
        // 1030 x 700: factor 3 (1030 / 3 = 343.3 <= 512), 344 x 234, the last column the mean of one.
        float[] p = new float[1030 * 700];
        for (int i = 0; i < p.length; i++) {
            p[i] = (i % 1030) % 3 == 0 ? 1f : 0f;
        }
        p[1029] = 0.25f;
        ImageInput.Grey s = ImageInput.shrink(new ImageInput.Grey(p, 1030, 700), ImageInput.WORK_SIDE);
        assertEquals(344, s.width());
        assertEquals(234, s.height());
        assertEquals(1f / 3, s.pixels()[0], 1e-6f, "a block of one bright column in three");
        assertEquals((0.25f + 2) / 3, s.pixels()[343], 1e-6f, "the last column's block: one pixel wide, three rows");
        ImageInput.Grey small = new ImageInput.Grey(new float[512 * 100], 512, 100);
        assertTrue(ImageInput.shrink(small, ImageInput.WORK_SIDE) == small, "512 pixels a side is left as it is");
        // A record at 20x (600 pixels with the margin) comes back as the record: shrunk by 2, then by 1/10.
        float[] r = record(0);
        float[] f = ImageInput.prepare(ImageInput.grey(grey(r, 20, 20, true)), SIDE);
        assertClose("record 0 at 20x", toDouble(r), toDouble(f), EXACT, 0, 0);
    }
}
