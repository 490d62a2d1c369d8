package backpropcl.plot;

import backpropcl.train.EpochMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss and accuracy per epoch as XChart line charts, one line per run and split: test solid,
 * train dashed, validation dotted.
 */
final class CurveCharts {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    private static final BasicStroke SOLID = new BasicStroke(2f);
    private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {7f, 5f}, 0f);
    private static final BasicStroke DOTTED = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
            new float[] {1f, 4f}, 0f);

    /** A single run's validation line: green, apart from its test (blue) and train (orange) lines. */
    static final Color SINGLE_VALIDATION = Palette.classColour(2);
    /** A single run's train line. */
    static final Color SINGLE_TRAIN = Palette.classColour(4);

    /** What a chart draws of each row: the train, test and validation values of one quantity. */
    record Quantity(ToDoubleFunction<EpochMetrics> train, ToDoubleFunction<EpochMetrics> test,
                    ToDoubleFunction<EpochMetrics> validation) {
    }

    private CurveCharts() {
    }

    /**
     * One chart of a quantity against the epoch: for each run its test values (solid) and, where
     * they were measured, its training values (dashed) and validation values (dotted), in the
     * run's colour. With a single run the legend says only "test", "train" and "validation", and
     * they get different colours.
     *
     * @param colours each run's colour index ({@link #runColour}), so that a run keeps its colour
     *                on every chart of a set
     * @param single  whether these are the lines of one run
     */
    static java.awt.image.BufferedImage chart(Map<String, List<EpochMetrics>> runs, Map<String, Integer> colours, boolean single,
                                              String title, String yTitle, Quantity q) {
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle("epoch");
        chart.setYAxisTitle(yTitle);
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendBorderColor(new Color(200, 200, 200));
        styler.setChartTitleFont(new Font(Png.FONT, Font.BOLD, 15));
        styler.setMarkerSize(5);
        styler.setYAxisDecimalPattern("0.####");
        // Epochs are whole numbers: label only the whole ticks.
        chart.setCustomXAxisTickLabelsFormatter(v -> v == Math.rint(v) ? String.format(Locale.ROOT, "%d", v.longValue()) : "");
        boolean any = false;
        for (Map.Entry<String, List<EpochMetrics>> run : runs.entrySet()) {
            String prefix = single ? "" : run.getKey() + " ";
            Color colour = runColour(colours.get(run.getKey()));
            any |= add(chart, prefix + "test", run.getValue(), q.test(), colour, SOLID);
            any |= add(chart, prefix + "train", run.getValue(), q.train(), single ? SINGLE_TRAIN : colour, DASHED);
            any |= add(chart, prefix + "validation", run.getValue(), q.validation(), single ? SINGLE_VALIDATION : colour, DOTTED);
        }
        if (!any) {
            chart.setTitle(title + " (no finite values)");
            XYSeries s = chart.addSeries("(none)", new double[] {1}, new double[] {0});
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(false);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Charts one above the other in one image, each of the chart size. */
    static java.awt.image.BufferedImage stacked(List<java.awt.image.BufferedImage> charts) {
        java.awt.image.BufferedImage all = new java.awt.image.BufferedImage(WIDTH, HEIGHT * charts.size(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = all.createGraphics();
        try {
            for (int i = 0; i < charts.size(); i++) {
                g.drawImage(charts.get(i), 0, i * HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        return all;
    }

    /** Run i's colour: blue, red, green, purple, ... (the class colours with the first two swapped). */
    static Color runColour(int i) {
        return Palette.classColour(i == 0 ? 1 : i == 1 ? 0 : i);
    }

    /** Adds the finite values of one quantity as a line; false (and nothing added) when there are none. */
    private static boolean add(XYChart chart, String name, List<EpochMetrics> rows, ToDoubleFunction<EpochMetrics> value,
                               Color colour, BasicStroke line) {
        List<Integer> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (EpochMetrics r : rows) {
            double v = value.applyAsDouble(r);
            if (Double.isFinite(v)) {
                x.add(r.epoch());
                y.add(v);
            }
        }
        if (x.isEmpty()) {
            return false;
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setLineStyle(line);
        s.setMarker(SeriesMarkers.CIRCLE);
        return true;
    }
}
