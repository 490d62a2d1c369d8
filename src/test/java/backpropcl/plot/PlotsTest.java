package backpropcl.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.io.OutputFileException;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.train.EpochMetrics;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pictures: valid PNGs of the expected size, and pixels where the meaning says they should be. */
class PlotsTest {
    @TempDir
    Path dir;

    static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            assertNotNull(image, file + " is not an image");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Color pixel(BufferedImage image, int x, int y) {
        return new Color(image.getRGB(x, y));
    }

    static double distance(Color a, Color b) {
        int dr = a.getRed() - b.getRed();
        int dg = a.getGreen() - b.getGreen();
        int db = a.getBlue() - b.getBlue();
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** True when image holds a pixel within 12 of c in every channel (anti-aliasing blurs lines). */
    static boolean contains(BufferedImage image, Color c) {
        int[] rgb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int v : rgb) {
            if (Math.abs(((v >> 16) & 0xff) - c.getRed()) < 12 && Math.abs(((v >> 8) & 0xff) - c.getGreen()) < 12
                    && Math.abs((v & 0xff) - c.getBlue()) < 12) {
                return true;
            }
        }
        return false;
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temporary file was left behind");
        }
    }

    private static List<EpochMetrics> run(int epochs, double start, boolean withTrain) {
        EpochMetrics[] rows = new EpochMetrics[epochs];
        for (int e = 1; e <= epochs; e++) {
            double cost = start / e;
            rows[e - 1] = new EpochMetrics(e, 0.1, withTrain ? cost * 0.9 : Double.NaN, withTrain ? 1 - cost * 0.9 : Double.NaN,
                    cost, 1 - cost, 1000, 1.5);
        }
        return List.of(rows);
    }

    // ---- curves

    @Test
    void curvesWriteLossAndAccuracyPngsOfTheChartSize() throws IOException {
        Path out = dir.resolve("new/sub");   // created on the way
        List<Path> written = Plots.curves(run(5, 0.5, false), "run.csv", out);
        assertEquals(List.of(out.resolve("loss.png"), out.resolve("accuracy.png")), written);
        for (Path p : written) {
            BufferedImage image = read(p);
            assertEquals(CurveCharts.WIDTH, image.getWidth());
            assertEquals(CurveCharts.HEIGHT, image.getHeight());
            // The test line is drawn; the train line, all NaN, is not.
            assertTrue(contains(image, CurveCharts.runColour(0)), p + " lacks the test line");
            assertFalse(contains(image, Palette.classColour(4)), p + " draws a train line of NaN values");
        }
        assertNoTemporaryFiles();
    }

    @Test
    void curvesOfASingleRunDrawTheTrainLineWhenItWasMeasured() {
        List<Path> written = Plots.curves(run(3, 0.5, true), "t", dir);
        assertTrue(contains(read(written.get(0)), Palette.classColour(4)), "no train line");
    }

    @Test
    void curvesOverlaySeveralRunsInTheirOwnColours() {
        Map<String, List<EpochMetrics>> runs = new LinkedHashMap<>();
        runs.put("sgd.csv", run(6, 0.6, false));
        runs.put("adam.csv", run(4, 0.3, true));
        List<Path> written = Plots.curves(runs, null, dir);
        for (Path p : written) {
            BufferedImage image = read(p);
            assertTrue(contains(image, CurveCharts.runColour(0)), p + " lacks the first run");
            assertTrue(contains(image, CurveCharts.runColour(1)), p + " lacks the second run");
        }
    }

    private static List<EpochMetrics> validated(int epochs) {
        EpochMetrics[] rows = new EpochMetrics[epochs];
        for (int e = 1; e <= epochs; e++) {
            double cost = 0.5 / e;
            rows[e - 1] = new EpochMetrics(e, 0.1, cost * 0.9, 1 - cost * 0.9, Double.NaN, Double.NaN, 1000, 1.5, cost, 1 - cost);
        }
        return List.of(rows);
    }

    /** With a validation split the validation line is drawn (dotted, green for a single run); without one it is not. */
    @Test
    void curvesDrawTheValidationLineWhenThereIsOne() {
        for (Path p : Plots.curves(validated(5), "cross-entropy", "v", dir)) {
            BufferedImage image = read(p);
            assertTrue(contains(image, CurveCharts.SINGLE_VALIDATION), p + " lacks the validation line");
            assertTrue(contains(image, CurveCharts.SINGLE_TRAIN), p + " lacks the train line");
            assertFalse(contains(image, CurveCharts.runColour(0)), p + " draws a test line of NaN values");
        }
        for (Path p : Plots.curves(run(5, 0.5, true), "t", dir)) {
            assertFalse(contains(read(p), CurveCharts.SINGLE_VALIDATION), p + " draws a validation line of NaN values");
        }
    }

    /**
     * Runs of two costs are not drawn on one axis: loss.png holds one chart per cost, one above
     * the other, each run in its own colour in its cost's chart; accuracy stays one chart.
     */
    @Test
    void runsOfDifferentCostsGetOneLossChartEach() {
        Map<String, List<EpochMetrics>> runs = new LinkedHashMap<>();
        runs.put("quadratic.csv", run(6, 0.6, false));
        runs.put("cross-entropy.csv", run(4, 2.3, false));
        runs.put("old.csv", run(3, 0.4, false));
        Map<String, String> costs = new LinkedHashMap<>();
        costs.put("quadratic.csv", "quadratic");
        costs.put("cross-entropy.csv", "cross-entropy");
        List<Path> written = Plots.curves(runs, costs, null, dir);
        BufferedImage loss = read(written.get(0));
        assertEquals(CurveCharts.WIDTH, loss.getWidth());
        assertEquals(3 * CurveCharts.HEIGHT, loss.getHeight(), "quadratic, cross-entropy, and a cost not recorded");
        for (int panel = 0; panel < 3; panel++) {
            BufferedImage chart = loss.getSubimage(0, panel * CurveCharts.HEIGHT, CurveCharts.WIDTH, CurveCharts.HEIGHT);
            for (int run = 0; run < 3; run++) {
                assertEquals(run == panel, contains(chart, CurveCharts.runColour(run)), "chart " + panel + ", run " + run);
            }
        }
        BufferedImage accuracy = read(written.get(1));
        assertEquals(CurveCharts.HEIGHT, accuracy.getHeight());
        // One cost: one chart, its axis named after it.
        costs.put("old.csv", "quadratic");
        costs.put("cross-entropy.csv", "quadratic");
        assertEquals(CurveCharts.HEIGHT, read(Plots.curves(runs, costs, null, dir).get(0)).getHeight());
        assertEquals("mean cross-entropy cost", Plots.costAxis("cross-entropy"));
        assertEquals("mean cost", Plots.costAxis(null));
    }

    @Test
    void curvesOfOnlyNaNStillMakeAChart() {
        List<EpochMetrics> rows = List.of(new EpochMetrics(1, 0.1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1, 1));
        for (Path p : Plots.curves(rows, "diverged", dir)) {
            assertEquals(CurveCharts.WIDTH, read(p).getWidth());
        }
        assertThrows(IllegalArgumentException.class, () -> Plots.curves(List.of(), "none", dir));
    }

    // ---- confusion matrix

    @Test
    void confusionCellsAreShadedByTheirShareOfTheRow() {
        // Class 0: 9 right, 1 wrong. Class 1: 2 of 2 right (a small row shaded as dark as a big one).
        int[] labels = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        int[] predicted = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
        ConfusionMatrix m = ConfusionMatrix.of(predicted, labels, 2);
        Path file = Plots.confusion(m, "hand-made", dir.resolve("confusion.png"));
        BufferedImage image = read(file);
        ConfusionImage.Layout at = ConfusionImage.layout(2, ConfusionImage.heading(m, "hand-made"));
        assertEquals(at.width(), image.getWidth());
        assertEquals(at.height(), image.getHeight());
        // Sample near a cell's corner, away from the number in its middle.
        Color right0 = pixel(image, at.cellX(0) + 4, at.cellY(0) + 4);
        Color wrong0 = pixel(image, at.cellX(1) + 4, at.cellY(0) + 4);
        Color right1 = pixel(image, at.cellX(1) + 4, at.cellY(1) + 4);
        Color none1 = pixel(image, at.cellX(0) + 4, at.cellY(1) + 4);
        assertTrue(distance(right0, new Color(Palette.sequential(Palette.CONFUSION, 0.9))) < 3, right0.toString());
        assertTrue(distance(wrong0, new Color(Palette.sequential(Palette.CONFUSION, 0.1))) < 3, wrong0.toString());
        assertTrue(distance(right1, Palette.CONFUSION) < 3, right1.toString());
        assertEquals(Color.WHITE, none1);
        assertTrue(ConfusionImage.heading(m, "hand-made").contains("accuracy 0.9167 (11/12)"));
    }

    @Test
    void confusionOfManyClassesStillFits() {
        int k = 47;
        int[] labels = new int[k * 3];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % k;
        }
        BufferedImage image = read(Plots.confusion(ConfusionMatrix.of(labels, labels, k), "", dir.resolve("c.png")));
        assertEquals(ConfusionImage.layout(k, "").height(), image.getHeight());
    }

    // ---- weights and gradients

    /** A 784-3-10 network: neuron 0 all positive weights, neuron 1 all negative, neuron 2 zero. */
    private static Parameters signedWeights() {
        Network net = Network.of("784-3-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        float[] w = new float[p.layout().weight(0).length()];
        for (int k = 0; k < 784; k++) {
            w[k] = 0.01f + k / 784f;          // largest at the last pixel, bottom right
            w[784 + k] = -0.5f - (k % 28) / 28f;  // most negative in the rightmost column
        }
        p.setWeights(0, w);
        return p;
    }

    @Test
    void weightTilesAreBlueWherePositiveRedWhereNegativeWhiteAtZero() {
        Parameters p = signedWeights();
        BufferedImage image = read(Plots.weights(p, dir.resolve("weights.png")));
        // The image is widened to fit its caption: the layout at that width is the image's.
        TileGrid at = TileGrid.of(3, 784, image.getWidth());
        assertEquals(28, at.side());
        assertEquals(4, at.scale());
        assertEquals(2, at.columns());
        assertEquals(2, at.rows());
        assertEquals(at.width(), image.getWidth());
        assertEquals(at.height(), image.getHeight());

        // One scale for all tiles (issue 13): neuron 1's |w| up to 1.46 sets it, so neuron 0's largest, 1.01, is not full blue.
        double scale = ColourScale.symmetric(p.copyWeights(0));
        assertEquals(-p.copyWeights(0)[784 + 27], scale, 1e-6, "the 99th percentile of |w|: neuron 1's rightmost column");
        Color maxPositive = pixel(image, at.pixelX(0, 783), at.pixelY(0, 783));
        assertEquals(new Color(Palette.diverging(p.copyWeights(0)[783] / scale)), maxPositive);
        assertTrue(maxPositive.getBlue() > maxPositive.getRed() + 80, "blue-ish: " + maxPositive);
        Color smallPositive = pixel(image, at.pixelX(0, 0), at.pixelY(0, 0));
        assertTrue(smallPositive.getRed() > 240 && smallPositive.getBlue() >= smallPositive.getRed(), "near white: " + smallPositive);

        Color maxNegative = pixel(image, at.pixelX(1, 27), at.pixelY(1, 27));
        assertEquals(Palette.NEGATIVE, maxNegative);
        assertTrue(maxNegative.getRed() > maxNegative.getBlue() + 100, "red-ish: " + maxNegative);
        Color lessNegative = pixel(image, at.pixelX(1, 28), at.pixelY(1, 28));   // first column: w = -0.5 of -1.46
        assertTrue(lessNegative.getRed() > lessNegative.getBlue() && lessNegative.getBlue() > maxNegative.getBlue(),
                lessNegative.toString());

        assertEquals(Color.WHITE, pixel(image, at.pixelX(2, 400), at.pixelY(2, 400)));
        // The gap between tiles 0 and 1 is grey, not a weight.
        assertEquals(Palette.GAP, pixel(image, at.tileLeft(1) - 1, at.tileTop(1) + 10));
    }

    /**
     * A conv network on 3x8x8 images whose first layer, 5 filters of 3x3x3, holds a known bank
     * (index i of (F, C, K, K)): filter 0 all +1, filter 1 all -1, filter 2 all 0, filter 3 +0.5
     * in channel 0, 0 in channel 1, -0.5 in channel 2, filter 4 +1 at its centre only.
     */
    private static Parameters filterBank() {
        Network net = Network.parse(Shape.parse("3x8x8"), "conv:5x3x3,relu,maxpool:2,flatten,dense:2,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Parameters.zeros(net);
        float[] w = new float[5 * 27];
        for (int i = 0; i < w.length; i++) {
            int f = i / 27;
            int c = i % 27 / 9;
            w[i] = switch (f) {
                case 0 -> 1;
                case 1 -> -1;
                case 3 -> 0.5f * (1 - c);
                case 4 -> i % 9 == 4 ? 1 : 0;
                default -> 0;
            };
        }
        p.set("layers.0.weight", w);
        float[] dense = new float[2 * 45];
        java.util.Arrays.fill(dense, 9);
        p.set("layers.4.weight", dense);   // the dense layer's weights are not drawn, nor do they set the scale
        return p;
    }

    @Test
    void convFiltersAreOneTileEachTheirChannelsSideBySideOnTheSignColours() {
        Parameters p = filterBank();
        assertEquals("layers.0.weight", Plots.drawnTensor(p.network()));
        BufferedImage image = read(Plots.weights(p, dir.resolve("filters.png")));
        TileGrid at = TileGrid.filters(5, 3, 3, image.getWidth());
        assertEquals(at.width(), image.getWidth());
        assertEquals(at.height(), image.getHeight());
        // 5 tiles three panels wide: 2 columns, 3 rows; 3x3 weights at 37 px each (about 112 px a panel).
        assertEquals(2, at.columns());
        assertEquals(3, at.rows());
        assertEquals(37, at.scale());
        assertEquals(3 * 111 + 2 * TileGrid.GAP, at.tileWidth());
        assertEquals(at.tileLeft(0) + at.tileWidth() + TileGrid.FILTER_GAP, at.tileLeft(1));
        assertEquals(at.tileTop(0) + 111 + TileGrid.FILTER_GAP, at.tileTop(2));

        // The scale is the 99th percentile of |w| over the conv layer: 1 (the dense layer's 9 would pale it). Every pixel of every block is its weight's colour.
        Color blue = new Color(Palette.diverging(1));
        Color red = new Color(Palette.diverging(-1));
        assertEquals(Palette.POSITIVE, blue);
        assertEquals(Palette.NEGATIVE, red);
        for (int k = 0; k < 27; k++) {
            assertEquals(blue, pixel(image, at.pixelX(0, k), at.pixelY(0, k)), "filter 0, weight " + k);
            assertEquals(blue, pixel(image, at.blockLeft(0, k), at.blockTop(0, k)), "filter 0, weight " + k + "'s corner");
            assertEquals(blue, pixel(image, at.blockLeft(0, k) + 36, at.blockTop(0, k) + 36), "filter 0, weight " + k + "'s corner");
            assertEquals(red, pixel(image, at.pixelX(1, k), at.pixelY(1, k)), "filter 1, weight " + k);
            assertEquals(Color.WHITE, pixel(image, at.pixelX(2, k), at.pixelY(2, k)), "filter 2 (all 0), weight " + k);
            int c = k / 9;
            assertEquals(new Color(Palette.diverging(0.5 * (1 - c))), pixel(image, at.pixelX(3, k), at.pixelY(3, k)),
                    "filter 3, channel " + c);
            assertEquals(k % 9 == 4 ? blue : Color.WHITE, pixel(image, at.pixelX(4, k), at.pixelY(4, k)), "filter 4, weight " + k);
        }
        // Channels side by side: channel 1 of filter 0 starts a panel and a gap right of channel 0, on its row 0.
        assertEquals(at.tileLeft(0) + 111 + TileGrid.GAP, at.blockLeft(0, 9));
        assertEquals(at.tileTop(0), at.blockTop(0, 9));
        assertEquals(at.tileTop(0) + 2 * 37, at.blockTop(0, 8));
        // Grey between a filter's channels and around each tile, white between filters and in the sixth (empty) place.
        assertEquals(Palette.GAP, pixel(image, at.tileLeft(0) + 111, at.tileTop(0) + 50));
        assertEquals(Palette.GAP, pixel(image, at.tileLeft(0) - 1, at.tileTop(0) + 50));
        assertEquals(Color.WHITE, pixel(image, at.tileLeft(1) - TileGrid.FILTER_GAP / 2, at.tileTop(1) + 50));
        for (int k = 0; k < 27; k++) {
            assertEquals(Color.WHITE, pixel(image, at.pixelX(5, k), at.pixelY(5, k)), "no sixth filter, weight " + k);
        }
        assertEquals(Color.WHITE, pixel(image, at.tileLeft(5) - 1, at.tileTop(5) + 50), "no border of a sixth tile");
        assertEquals("5 filters of 3x3x3, one tile per filter (its 3 input channels side by side)",
                FirstLayer.of(p.network()).layout());
    }

    @Test
    void aSingleChannelFilterIsOneSquareTileAndGradientsDrawTheSameTensor() {
        Network net = Network.parse(Shape.parse("1x12x12"), "conv:6x5x5:p2,relu,maxpool:2,flatten,dense:3,softmax",
                Cost.CROSS_ENTROPY);
        FirstLayer layer = FirstLayer.of(net);
        assertEquals("6 filters of 1x5x5, one tile per filter", layer.layout());
        TileGrid at = TileGrid.filters(6, 1, 5, TileGrid.MIN_WIDTH);
        assertEquals(22, at.scale(), "5 weights of 22 px: a 110 px square");
        assertEquals(110, at.tileWidth());
        assertEquals(110, at.tileHeight());
        assertEquals(3, at.columns());
        assertEquals(TileGrid.FILTER_GAP, at.gap(), "filters stand apart from their 22 px blocks");
        double[] g = new double[150];
        g[149] = -2;     // filter 5's bottom-right weight
        BufferedImage image = read(Plots.gradientMagnitudes(g, net, "a note", dir.resolve("g.png")));
        TileGrid drawn = TileGrid.filters(6, 1, 5, image.getWidth());
        assertEquals(new Color(Palette.sequential(Palette.MAGNITUDE, 1)), pixel(image, drawn.pixelX(5, 24), drawn.pixelY(5, 24)));
        assertEquals(Color.WHITE, pixel(image, drawn.pixelX(5, 23), drawn.pixelY(5, 23)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plots.gradientMagnitudes(new double[10], net, dir.resolve("x.png")));
        assertTrue(e.getMessage().startsWith("layers.0.weight of "), e.getMessage());
        IllegalArgumentException pooled = assertThrows(IllegalArgumentException.class,
                () -> FirstLayer.of(Network.parse(Shape.parse("1x4x4"), "maxpool:2,flatten,dense:2,softmax", Cost.CROSS_ENTROPY)));
        assertTrue(pooled.getMessage().startsWith("no conv layer to draw"), pooled.getMessage());
    }

    /** A ReLU network of {@code arch} whose first layer's weights are weight(0), weight(1), ... (row-major), the rest 0. */
    private static Parameters firstLayer(String arch, java.util.function.IntToDoubleFunction weight) {
        Parameters p = Parameters.zeros(Network.of(arch, Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY));
        float[] w = new float[p.layout().weight(0).length()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) weight.applyAsDouble(i);
        }
        p.setWeights(0, w);
        return p;
    }

    /** A 784-4 layer: neuron 0 trained-looking noise, 1 dead (all 0), 2 constant, 3 decayed to almost 0. */
    private static Parameters deadUnits() {
        java.util.Random random = new java.util.Random(3);
        return firstLayer("784-4-10", i -> switch (i / 784) {
            case 0 -> 0.1 * random.nextGaussian();
            case 2 -> 0.05;
            case 3 -> 1e-6 * random.nextGaussian();
            default -> 0;
        });
    }

    @Test
    void deadAndConstantUnitsAreNotDrawnAsNoise() {
        Parameters p = deadUnits();
        BufferedImage image = read(Plots.weights(p, dir.resolve("dead.png")));
        TileGrid at = TileGrid.of(4, 784, image.getWidth());
        double scale = ColourScale.symmetric(p.copyWeights(0));
        Color constant = new Color(Palette.diverging(0.05 / scale));
        assertTrue(distance(constant, Color.WHITE) > 60, "0.05 of a scale of " + scale + " shows: " + constant);
        for (int k = 0; k < 784; k++) {
            assertEquals(Color.WHITE, pixel(image, at.pixelX(1, k), at.pixelY(1, k)), "the dead unit is white, pixel " + k);
            assertEquals(constant, pixel(image, at.pixelX(2, k), at.pixelY(2, k)), "the constant unit is one colour, pixel " + k);
            Color almost = pixel(image, at.pixelX(3, k), at.pixelY(3, k));
            assertTrue(almost.getRed() >= 254 && almost.getGreen() >= 254 && almost.getBlue() >= 254,
                    "weights of 1e-6 are white, not noise stretched to full colour: pixel " + k + " " + almost);
        }
        long loud = java.util.stream.IntStream.range(0, 784)
                .filter(k -> distance(pixel(image, at.pixelX(0, k), at.pixelY(0, k)), Color.WHITE) > 100).count();
        assertTrue(loud > 100, "the live unit still shows its weights: " + loud + " strong pixels");
    }

    @Test
    void theSharedScaleIsThe99thPercentileOfAbsoluteWeights() {
        float[] w = new float[200];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 2 == 0 ? 1 : -1) * (i + 1);   // |w| = 1..200
        }
        assertEquals(198, ColourScale.symmetric(w), "the 198th of 200 sorted |w|");
        assertEquals(0, ColourScale.symmetric(new float[10]));
        float[] sparse = new float[1000];
        sparse[7] = -0.5f;
        assertEquals(0.5, ColourScale.symmetric(sparse), "more than 99% zeros: the largest |w|");
        assertEquals(List.of("first-layer weights: one 28x28 tile per neuron (256)",
                        "one scale for all tiles: red -0.152, white 0, blue +0.152 (the 99th percentile of |w|; beyond it full colour)"),
                List.of(Plots.weightsCaption(28, 256, 0.15249)));
        assertEquals("every weight is 0", Plots.weightsCaption(28, 3, 0)[1]);
        BufferedImage zeros = read(Plots.weights(Parameters.zeros(Network.of("4-2-2", Activation.SIGMOID, Activation.SIGMOID,
                Cost.QUADRATIC)), dir.resolve("zeros.png")));
        TileGrid at = TileGrid.of(2, 4, zeros.getWidth());
        assertEquals(Color.WHITE, pixel(zeros, at.pixelX(1, 3), at.pixelY(1, 3)));
    }

    /** The height in pixels of the caption's first line: the first run of rows with dark pixels below the grid. */
    private static int firstCaptionLineHeight(BufferedImage image, TileGrid at) {
        int first = -1;
        for (int y = at.captionTop(); y < image.getHeight(); y++) {
            boolean ink = false;
            for (int x = 0; x < image.getWidth() && !ink; x++) {
                Color c = pixel(image, x, y);
                ink = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue() < 128;
            }
            if (ink && first < 0) {
                first = y;
            } else if (!ink && first >= 0) {
                return y - first;
            }
        }
        throw new AssertionError("no caption under the grid");
    }

    @Test
    void theCaptionGrowsWithTheGridSoThat256TilesStayLegible() {
        java.util.Random random = new java.util.Random(5);
        Parameters p = firstLayer("784-256-10", i -> 0.05 * random.nextGaussian());
        BufferedImage image = read(Plots.weights(p, dir.resolve("w256.png")));
        TileGrid at = TileGrid.of(256, 784, image.getWidth());
        assertEquals(at.height(), image.getHeight());
        assertEquals(30, at.text(), "16 columns of 114 px: a 1,822 px grid, a sixtieth of it");
        int line = firstCaptionLineHeight(image, at);
        // Shown whole on a screen 1,000 px wide, the first line is still at least 10 px tall (12 px text made 6).
        assertTrue(line * 1000.0 / image.getWidth() >= 10, "caption line " + line + " px high in an image " + image.getWidth()
                + " px wide");

        BufferedImage lesson = read(Plots.weights(signedWeights(), dir.resolve("w3.png")));
        TileGrid small = TileGrid.of(3, 784, lesson.getWidth());
        assertEquals(TileGrid.TEXT, small.text(), "a small grid keeps the 12 px caption");
        int smallLine = firstCaptionLineHeight(lesson, small);
        assertTrue(smallLine >= 9 && smallLine <= 16, "12 px text: " + smallLine + " px of ink");
    }

    @Test
    void weightsOfANonSquareInputAreRefused() {
        Network net = Network.of("10-4-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plots.weights(Parameters.zeros(net), dir.resolve("w.png")));
        assertTrue(e.getMessage().contains("10 inputs"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("w.png")));
        assertEquals(0, TileGrid.squareSide(10));
        assertEquals(28, TileGrid.squareSide(784));
        assertEquals(1, TileGrid.squareSide(1));
    }

    @Test
    void gradientMagnitudesGoFromWhiteToDarkOnOneScale() {
        Network net = Network.of("4-2-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        double[] g = {0, -0.5, 0.25, 0, /* neuron 1 */ 0, 0, 0, -1.0};
        BufferedImage image = read(Plots.gradientMagnitudes(g, net, "hand-made", dir.resolve("g.png")));
        TileGrid at = TileGrid.of(2, 4, image.getWidth());
        assertEquals(at.width(), image.getWidth());
        assertEquals(at.height(), image.getHeight());
        assertEquals(56, at.scale());   // a 2x2 tile is scaled up to about 112 pixels
        assertEquals(Palette.MAGNITUDE, pixel(image, at.pixelX(1, 3), at.pixelY(1, 3)));   // |-1| is the max
        assertEquals(Color.WHITE, pixel(image, at.pixelX(0, 0), at.pixelY(0, 0)));
        // One scale for all tiles: 0.5 is half-way to dark although it is tile 0's own max.
        assertEquals(new Color(Palette.sequential(Palette.MAGNITUDE, 0.5)), pixel(image, at.pixelX(0, 1), at.pixelY(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> Plots.gradientMagnitudes(new double[3], net, dir.resolve("x.png")));
    }

    // ---- decision boundary

    /** Four points at the corners of [-1, 1]^2, labelled 1 on the right. */
    private static Dataset corners() {
        return new Dataset("corners", new float[] {-1, -1, -1, 1, 1, -1, 1, 1}, new int[] {0, 0, 1, 1}, 4, 2, 2);
    }

    private void assertLeftIsClass0AndRightIsClass1(Parameters p, String name) {
        Dataset points = corners();
        BufferedImage image = read(Plots.boundary(p, points, dir.resolve(name)));
        assertEquals(BoundaryImage.WIDTH, image.getWidth());
        assertEquals(BoundaryImage.HEIGHT, image.getHeight());
        BoundaryImage.Frame f = BoundaryImage.frame(points);
        Color class0 = new Color(Palette.background(new double[] {1, 0}, 0, 2));
        Color class1 = new Color(Palette.background(new double[] {0, 1}, 0, 2));
        for (double y : new double[] {-0.5, 0, 0.5}) {
            int py = (int) f.py(y);
            Color left = pixel(image, (int) f.px(-0.6), py);
            Color right = pixel(image, (int) f.px(0.6), py);
            assertTrue(distance(left, class0) < 4, "left of the boundary at y=" + y + ": " + left + ", class 0 is " + class0);
            assertTrue(distance(right, class1) < 4, "right of the boundary at y=" + y + ": " + right + ", class 1 is " + class1);
            assertTrue(left.getRed() > left.getBlue() && right.getBlue() > right.getRed());
            // The P = 0.5 line runs down the middle.
            boolean line = false;
            for (int px = (int) f.px(0) - 2; px <= (int) f.px(0) + 2; px++) {
                line |= distance(pixel(image, px, py), Palette.INK) < 4;
            }
            assertTrue(line, "no boundary line near x = 0 at y=" + y);
        }
        // Close to the boundary the shade is a mixture, not either class: a gradient, not a step.
        Color near = pixel(image, (int) f.px(0.05), (int) f.py(0));
        assertTrue(distance(near, class0) > 10 && distance(near, class1) > 10, "no gradient near the boundary: " + near);
        // The points are drawn in their labels' colours.
        assertEquals(Palette.classColour(1), pixel(image, (int) Math.round(f.px(1)), (int) Math.round(f.py(1))));
        assertEquals(Palette.classColour(0), pixel(image, (int) Math.round(f.px(-1)), (int) Math.round(f.py(-1))));
    }

    @Test
    void boundaryOfASigmoidOutputOf10xSplitsThePlaneDownTheMiddle() {
        Network net = Network.of("2-1", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        p.setWeight(0, 0, 10);   // a = sigmoid(10 x1): P(class 1) rises from left to right
        assertLeftIsClass0AndRightIsClass1(p, "one-output.png");
    }

    @Test
    void boundaryOfATwoClassSoftmaxNetworkWithAHiddenLayer() {
        // 2-2-2: hidden h = identity(x1, x2), output z = (-5 x1, 5 x1): P(class 1) = sigmoid(10 x1).
        Network net = new Network(new int[] {2, 2, 2}, new Activation[] {Activation.IDENTITY, Activation.SOFTMAX},
                Cost.CROSS_ENTROPY);
        Parameters p = Parameters.zeros(net);
        p.setWeight(0, 0, 1);
        p.setWeight(0, 3, 1);
        p.setWeight(1, 0, -5);
        p.setWeight(1, 2, 5);
        assertLeftIsClass0AndRightIsClass1(p, "softmax.png");
    }

    @Test
    void boundaryNeedsTwoInputs() {
        Network net = Network.of("3-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Dataset points = new Dataset("p", new float[3], new int[1], 1, 3, 2);
        assertThrows(IllegalArgumentException.class, () -> Plots.boundary(Parameters.zeros(net), points, dir.resolve("b.png")));
        assertFalse(Files.exists(dir.resolve("b.png")));
    }

    @Test
    void niceTickSteps() {
        assertEquals(0.5, BoundaryImage.niceStep(0.43), 1e-12);
        assertEquals(1, BoundaryImage.niceStep(1), 1e-12);
        assertEquals(2, BoundaryImage.niceStep(1.2), 1e-12);
        assertEquals(10, BoundaryImage.niceStep(6), 1e-12);
    }

    // ---- writing

    @Test
    void aFailedWriteLeavesNothingBehind() throws IOException {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        OutputFileException e = assertThrows(OutputFileException.class,
                () -> Plots.curves(run(2, 0.5, false), "t", notADir.resolve("sub")));
        assertTrue(e.getMessage().contains("could not write"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertNoTemporaryFiles();
    }
}
