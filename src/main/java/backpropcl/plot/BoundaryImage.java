package backpropcl.plot;

import backpropcl.data.Dataset;
import backpropcl.model.Activation;
import backpropcl.model.Inference;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * The decision boundary of a network with two inputs, drawn with Graphics2D: every pixel of the
 * plane shaded by the class probabilities the network gives it (mixed class colours, paled), a
 * dark line where the predicted class changes (the 0.5 contour with two classes), and the points
 * on top in their labels' colours. x and y use the same scale, so circles stay round.
 */
final class BoundaryImage {
    /** Side of the square plot area in pixels; one forward pass per pixel. */
    static final int PLOT = 480;
    static final int LEFT = 64;
    static final int TOP = 44;
    static final int RIGHT = 24;
    static final int BOTTOM = 50;
    static final int WIDTH = LEFT + PLOT + RIGHT;
    static final int HEIGHT = TOP + PLOT + BOTTOM;
    /** Space around the points, as a fraction of their larger extent. */
    static final double PAD = 0.1;
    static final double POINT_RADIUS = 3.5;

    /**
     * The data window shown in the plot area: x from xMin to xMin + span, y from yMin to
     * yMin + span (upwards).
     */
    record Frame(double xMin, double yMin, double span) {
        /** Image x of data x. */
        double px(double x) {
            return LEFT + (x - xMin) / span * PLOT;
        }

        /** Image y of data y. */
        double py(double y) {
            return TOP + PLOT - (y - yMin) / span * PLOT;
        }

        /** Data x at the centre of plot column i. */
        double x(int i) {
            return xMin + (i + 0.5) / PLOT * span;
        }

        /** Data y at the centre of plot row j (row 0 at the top). */
        double y(int j) {
            return yMin + span - (j + 0.5) / PLOT * span;
        }
    }

    private BoundaryImage() {
    }

    /** A square window around the points with {@link #PAD} to spare; a unit window around a single point. */
    static Frame frame(Dataset points) {
        float[] f = points.features();
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < points.count(); i++) {
            double x = f[2 * i];
            double y = f[2 * i + 1];
            if (Double.isFinite(x) && Double.isFinite(y)) {
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
            }
        }
        if (x0 > x1) {   // no finite point
            x0 = -1;
            x1 = 1;
            y0 = -1;
            y1 = 1;
        }
        double extent = Math.max(x1 - x0, y1 - y0);
        if (!(extent > 0)) {
            extent = 2;
        }
        double span = extent * (1 + 2 * PAD);
        return new Frame((x0 + x1) / 2 - span / 2, (y0 + y1) / 2 - span / 2, span);
    }

    /**
     * The class probabilities at each plot pixel, (PLOT * PLOT, classes) with row j, column i at
     * index (j * PLOT + i) * classes. A network with one output is read as P(class 1) = its
     * activation (clamped to [0, 1]), so it has two classes.
     */
    static double[] probabilities(Parameters p, Frame frame) {
        int outputs = p.network().outputSize();
        int classes = Math.max(2, outputs);
        double[] prob = new double[PLOT * PLOT * classes];
        float[] x = new float[2 * PLOT];
        for (int j = 0; j < PLOT; j++) {
            for (int i = 0; i < PLOT; i++) {
                x[2 * i] = (float) frame.x(i);
                x[2 * i + 1] = (float) frame.y(j);
            }
            int base = j * PLOT * classes;
            if (outputs == 1) {
                double[] a = Inference.outputs(p, x, PLOT);
                for (int i = 0; i < PLOT; i++) {
                    double p1 = Double.isNaN(a[i]) ? 0.5 : Math.max(0, Math.min(1, a[i]));
                    prob[base + 2 * i] = 1 - p1;
                    prob[base + 2 * i + 1] = p1;
                }
            } else {
                double[] pr = Inference.probabilities(p, x, PLOT);
                System.arraycopy(pr, 0, prob, base, pr.length);
            }
        }
        return prob;
    }

    static BufferedImage draw(Parameters p, Dataset points, String title) {
        Frame frame = frame(points);
        int classes = Math.max(2, p.network().outputSize());
        double[] prob = probabilities(p, frame);
        BufferedImage image = Png.blank(WIDTH, HEIGHT);
        int[] predicted = new int[PLOT * PLOT];
        for (int j = 0; j < PLOT; j++) {
            for (int i = 0; i < PLOT; i++) {
                int at = j * PLOT + i;
                image.setRGB(LEFT + i, TOP + j, Palette.background(prob, at * classes, classes));
                predicted[at] = Inference.argmax(prob, at * classes, classes);
            }
        }
        // The boundary, two pixels wide: both pixels of every horizontally or vertically adjacent
        // pair predicted as different classes.
        int ink = Palette.INK.getRGB();
        for (int j = 0; j < PLOT; j++) {
            for (int i = 0; i < PLOT; i++) {
                int c = predicted[j * PLOT + i];
                if (i + 1 < PLOT && predicted[j * PLOT + i + 1] != c) {
                    image.setRGB(LEFT + i, TOP + j, ink);
                    image.setRGB(LEFT + i + 1, TOP + j, ink);
                }
                if (j + 1 < PLOT && predicted[(j + 1) * PLOT + i] != c) {
                    image.setRGB(LEFT + i, TOP + j, ink);
                    image.setRGB(LEFT + i, TOP + j + 1, ink);
                }
            }
        }
        Graphics2D g = Png.graphics(image);
        try {
            drawPoints(g, points, frame);
            drawAxes(g, frame);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Png.FONT, Font.BOLD, 14));
            Png.centred(g, title, WIDTH / 2.0, 18);
            g.setFont(new Font(Png.FONT, Font.PLAIN, 11));
            Png.centred(g, subtitle(p.network()), WIDTH / 2.0, 34);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** What the shade and the line mean for this network's output layer. */
    static String subtitle(Network net) {
        if (net.outputSize() > 2) {
            return "shade: the class probabilities' colours mixed; line: where the predicted class changes";
        }
        if (net.outputSize() == 1) {
            return "shade: the output a, red (0, class 0) to blue (1, class 1); line: a = 0.5";
        }
        if (net.outputActivation() == Activation.SOFTMAX) {
            return "shade: P(class 1), red (class 0) to blue (class 1); line: P(class 1) = 0.5";
        }
        return "shade: a1 / (a0 + a1), red (class 0) to blue (class 1); line: a1 = a0";
    }

    private static void drawPoints(Graphics2D g, Dataset points, Frame frame) {
        float[] f = points.features();
        g.setClip(LEFT, TOP, PLOT, PLOT);
        g.setStroke(new BasicStroke(0.8f));
        for (int n = 0; n < points.count(); n++) {
            double x = frame.px(f[2 * n]);
            double y = frame.py(f[2 * n + 1]);
            Ellipse2D dot = new Ellipse2D.Double(x - POINT_RADIUS, y - POINT_RADIUS, 2 * POINT_RADIUS, 2 * POINT_RADIUS);
            g.setColor(Palette.classColour(points.labels()[n]));
            g.fill(dot);
            g.setColor(Color.WHITE);
            g.draw(dot);
        }
        g.setClip(null);
    }

    private static void drawAxes(Graphics2D g, Frame frame) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, PLOT, PLOT);
        g.setFont(new Font(Png.FONT, Font.PLAIN, 11));
        double step = niceStep(frame.span() / 6);
        for (long n = (long) Math.ceil(frame.xMin() / step); n * step <= frame.xMin() + frame.span(); n++) {
            double v = n * step;
            int x = (int) Math.round(frame.px(v));
            g.drawLine(x, TOP + PLOT, x, TOP + PLOT + 5);
            Png.centred(g, tick(v, step), x, TOP + PLOT + 18);
        }
        for (long n = (long) Math.ceil(frame.yMin() / step); n * step <= frame.yMin() + frame.span(); n++) {
            double v = n * step;
            int y = (int) Math.round(frame.py(v));
            g.drawLine(LEFT - 5, y, LEFT, y);
            String s = tick(v, step);
            g.drawString(s, LEFT - 8 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        g.setFont(new Font(Png.FONT, Font.BOLD, 12));
        Png.centred(g, "x1 (feature 0)", LEFT + PLOT / 2.0, TOP + PLOT + 38);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, 16, TOP + PLOT / 2.0);
        Png.centred(g, "x2 (feature 1)", 16, TOP + PLOT / 2.0 + 4);
        g.setTransform(saved);
    }

    /** 1, 2 or 5 times a power of ten, the nearest at or above {@code rough}. */
    static double niceStep(double rough) {
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        double m = rough / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    private static String tick(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        double r = Math.abs(v) < step * 1e-6 ? 0 : v;
        return String.format(Locale.ROOT, "%." + decimals + "f", r);
    }
}
