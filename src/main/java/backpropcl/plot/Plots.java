package backpropcl.plot;

import backpropcl.data.Dataset;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.train.EpochMetrics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pictures {@code plot}, {@code visualize} and {@code train --plot} write, as PNG files. Each
 * file is written atomically (backpropcl.io.AtomicFile); missing directories are created. Write
 * failures are {@link backpropcl.io.OutputFileException}s naming the file and the reason; bad
 * arguments (a first layer whose inputs do not make a square image, a network without two inputs
 * for a decision boundary) are {@link IllegalArgumentException}s with a message for the user.
 */
public final class Plots {
    /** The file names {@link #curves} writes into its directory. */
    public static final String LOSS_FILE = "loss.png";
    public static final String ACCURACY_FILE = "accuracy.png";

    private Plots() {
    }

    /**
     * Writes {@code dir/loss.png} (the test cost per epoch, and the training and validation costs
     * where they were measured) and {@code dir/accuracy.png} (likewise) for one run.
     *
     * @param cost  the name of the run's cost ("cross-entropy"), for the cost axis; null when unknown
     * @param title names the run in both charts' titles, e.g. the metrics file's name
     * @return the two files written, loss first
     */
    public static List<Path> curves(List<EpochMetrics> rows, String cost, String title, Path dir) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        String label = title == null ? "" : title;
        Map<String, List<EpochMetrics>> one = new LinkedHashMap<>();
        one.put(label, rows);
        Map<String, String> costs = new LinkedHashMap<>();
        costs.put(label, cost);
        return curves(one, costs, title, dir);
    }

    /** As {@link #curves(List, String, String, Path)} for a run whose cost is not known. */
    public static List<Path> curves(List<EpochMetrics> rows, String title, Path dir) {
        return curves(rows, null, title, dir);
    }

    /** As {@link #curves(Map, Map, String, Path)} for runs whose costs are not known. */
    public static List<Path> curves(Map<String, List<EpochMetrics>> runs, String title, Path dir) {
        return curves(runs, Map.of(), title, dir);
    }

    /**
     * As {@link #curves(List, String, String, Path)} with several runs, e.g. one per optimizer:
     * each run's lines in its own colour (test solid, train dashed, validation dotted), the map's
     * keys in the legend. Accuracy is drawn on one axis. The cost axis is named after the runs'
     * cost; runs of different costs (quadratic, cross-entropy, or one not known) are not comparable
     * on one axis, so loss.png then holds one chart per cost, one above the other, each saying so.
     *
     * @param costs each run's cost name by its key; a run missing here, or null, has a cost not known
     */
    public static List<Path> curves(Map<String, List<EpochMetrics>> runs, Map<String, String> costs, String title, Path dir) {
        if (runs.isEmpty() || runs.values().stream().allMatch(List::isEmpty)) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        String name = title == null || title.isBlank() ? "" : title + ": ";
        Map<String, Integer> colours = new LinkedHashMap<>();
        Map<String, Map<String, List<EpochMetrics>>> byCost = new LinkedHashMap<>();
        for (Map.Entry<String, List<EpochMetrics>> run : runs.entrySet()) {
            colours.put(run.getKey(), colours.size());
            String cost = costs.get(run.getKey());
            byCost.computeIfAbsent(cost == null ? "" : cost, c -> new LinkedHashMap<>()).put(run.getKey(), run.getValue());
        }
        boolean single = runs.size() == 1;
        CurveCharts.Quantity cost = new CurveCharts.Quantity(EpochMetrics::trainCost, EpochMetrics::testCost, EpochMetrics::valCost);
        List<java.awt.image.BufferedImage> charts = new java.util.ArrayList<>();
        for (Map.Entry<String, Map<String, List<EpochMetrics>>> group : byCost.entrySet()) {
            String costName = group.getKey().isEmpty() ? null : group.getKey();
            String chartTitle = byCost.size() == 1 ? name + "cost per epoch"
                    : String.format(Locale.ROOT, "%s%s per epoch (%d of %d costs: one chart each, not comparable)", name,
                            costName == null ? "cost not recorded" : costName + " cost", charts.size() + 1, byCost.size());
            charts.add(CurveCharts.chart(group.getValue(), colours, single, chartTitle, costAxis(costName), cost));
        }
        Path loss = dir.resolve(LOSS_FILE);
        Path accuracy = dir.resolve(ACCURACY_FILE);
        Png.write(charts.size() == 1 ? charts.get(0) : CurveCharts.stacked(charts), loss);
        Png.write(CurveCharts.chart(runs, colours, single, name + "accuracy per epoch", "accuracy",
                new CurveCharts.Quantity(EpochMetrics::trainAccuracy, EpochMetrics::testAccuracy, EpochMetrics::valAccuracy)), accuracy);
        return List.of(loss, accuracy);
    }

    /** The cost axis's title: "mean cross-entropy cost", or "mean cost" when the cost is not known. */
    static String costAxis(String cost) {
        return cost == null ? "mean cost" : "mean " + cost + " cost";
    }

    /**
     * Writes a confusion matrix: a grid of counts, true class down, predicted class across, each
     * cell shaded by its share of its row, with each class's recall beside its row and the accuracy
     * in the title. Drawn with Graphics2D rather than XChart's HeatMapChart, which can only write
     * the shaded value into a cell.
     *
     * @param title e.g. "mnist-10k test"; the accuracy is appended
     */
    public static Path confusion(ConfusionMatrix m, String title, Path file) {
        return Png.write(ConfusionImage.draw(m, title), file);
    }

    /**
     * The weight tensor that {@link #weights} and {@link #gradientMagnitudes} draw: the first conv
     * layer's ({@code layers.0.weight} of a LeNet), else the first dense layer's.
     *
     * @throws IllegalArgumentException when its weights make no image (see {@link #weights})
     */
    public static String drawnTensor(Network net) {
        return FirstLayer.of(net).tensor();
    }

    /**
     * Writes the first layer's weights as a grid of images, one tile per neuron of the first
     * hidden layer: its weight from each input pixel at that pixel's place, red for negative,
     * white for 0, blue for positive, on one scale for all tiles ({@link ColourScale}: full colour
     * at the 99th percentile of |w| over the layer, which the colour bar and the caption print).
     * A conv network's first conv layer is drawn instead, one tile per filter: its K x K weights
     * per input channel, the channels side by side, on the same rule.
     *
     * @throws IllegalArgumentException when the input width is not a perfect square (a dense
     *                                  network), or a network without conv layers pools its images
     */
    public static Path weights(Parameters p, Path file) {
        FirstLayer layer = FirstLayer.of(p.network());
        float[] w = p.copy(layer.tensor());
        double scale = ColourScale.symmetric(w);
        String s = String.format(Locale.ROOT, "%.3g", scale);
        String[] caption = {layer.name() + ": " + layer.layout(), scaleCaption(scale)};
        TileGrid at = layer.grid(caption);
        double[] values = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            values[i] = w[i];
        }
        return Png.write(TileImage.draw(at, values, (t, v) -> scale > 0 ? Palette.diverging(v / scale) : 0xffffff,
                caption, f -> Palette.diverging(2 * f - 1), "-" + s, "0", "+" + s), file);
    }

    /** The two caption lines of {@link #weights} for a dense layer: what the tiles are, and the scale they share. */
    static String[] weightsCaption(int side, int neurons, double scale) {
        return new String[] {"first-layer weights: " + FirstLayer.denseLayout(side, neurons), scaleCaption(scale)};
    }

    /** The caption's line on the one colour scale of {@link #weights}. */
    private static String scaleCaption(double scale) {
        String s = String.format(Locale.ROOT, "%.3g", scale);
        return scale > 0 ? String.format(Locale.ROOT, "one scale for all tiles: red -%s, white 0, blue +%s (the %.0fth "
                + "percentile of |w|; beyond it full colour)", s, s, ColourScale.PERCENTILE) : "every weight is 0";
    }

    /**
     * Writes the magnitude of each first-layer weight's gradient, |dC/dw|, in the grid of
     * {@link #weights}: white for 0 to dark purple for the largest magnitude in the layer (one
     * scale for all tiles, so that the neurons can be compared).
     *
     * @param gradW0 dC/dw of the {@link #drawnTensor} in its layout (a dense layer's (size(1),
     *               inputSize()) row-major, a conv layer's (F, C, K, K)), e.g. an engine's
     *               {@code gradients().weights(0)} of a dense network after {@code computeGradients}
     */
    public static Path gradientMagnitudes(double[] gradW0, Network net, Path file) {
        return gradientMagnitudes(gradW0, net, "", file);
    }

    /**
     * As {@link #gradientMagnitudes(double[], Network, Path)}, with {@code note} as the caption's
     * second line, e.g. what C was: "C: the mean cost of the first 100 samples of mnist-10k/train".
     */
    public static Path gradientMagnitudes(double[] gradW0, Network net, String note, Path file) {
        FirstLayer layer = FirstLayer.of(net);
        if (gradW0.length != layer.values()) {
            throw new IllegalArgumentException(layer.tensor() + " of " + net.spec() + " has " + layer.values()
                    + " weights, got " + gradW0.length + " gradients");
        }
        String[] caption = {
            "|dC/dw| of " + layer.subject() + ": "
                    + layer.layout() + ", one scale for all",
            note == null || note.isBlank() ? "white 0 to dark purple at the largest |dC/dw|" : note};
        TileGrid at = layer.grid(caption);
        double[] magnitude = new double[gradW0.length];
        double max = 0;
        for (int i = 0; i < magnitude.length; i++) {
            magnitude[i] = Math.abs(gradW0[i]);
            if (Double.isFinite(magnitude[i])) {
                max = Math.max(max, magnitude[i]);
            }
        }
        double scale = max;
        return Png.write(TileImage.draw(at, magnitude,
                (t, v) -> scale > 0 ? Palette.sequential(Palette.MAGNITUDE, v / scale) : 0xffffff,
                caption, f -> Palette.sequential(Palette.MAGNITUDE, f), "0", "", String.format(Locale.ROOT, "%.3g", max)),
                file);
    }

    /**
     * Writes the decision boundary of a network with two inputs over the plane around
     * {@code points}: each pixel shaded by the predicted class probabilities (with two classes, a
     * smooth gradient from class 0's red to class 1's blue by P(class 1)), a dark line where the
     * predicted class changes (P = 0.5 with two classes), and the points on top in their labels'
     * colours. A network with a single output is read as P(class 1) = its activation.
     *
     * @throws IllegalArgumentException when the network or the points are not two-dimensional
     */
    public static Path boundary(Parameters p, Dataset points, Path file) {
        Network net = p.network();
        if (net.inputSize() != 2) {
            throw new IllegalArgumentException("a decision boundary needs a network with 2 inputs; " + net.name()
                    + " has " + net.inputSize());
        }
        if (points.width() != 2) {
            throw new IllegalArgumentException(points.name() + " has " + points.width() + " features per sample, not 2");
        }
        return Png.write(BoundaryImage.draw(p, points, points.name() + ": " + net), file);
    }
}
