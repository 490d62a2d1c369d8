package backpropcl.plot;

import java.awt.Color;

/** The colours of every picture: one place, so that the tests can ask what a pixel should be. */
final class Palette {
    /** Negative weights (ColorBrewer RdBu's red end). */
    static final Color NEGATIVE = new Color(178, 24, 43);
    /** Positive weights (ColorBrewer RdBu's blue end). */
    static final Color POSITIVE = new Color(33, 102, 172);
    /** The largest gradient magnitude (ColorBrewer Purples' dark end). */
    static final Color MAGNITUDE = new Color(63, 0, 125);
    /** A whole row of the confusion matrix in one cell (ColorBrewer Blues' dark end). */
    static final Color CONFUSION = new Color(8, 48, 107);
    /** Between tiles, and the decision boundary line. */
    static final Color GAP = new Color(190, 190, 190);
    static final Color INK = new Color(30, 30, 30);

    /** Class colours, after ColorBrewer Set1: class 0 red, class 1 blue, class 2 green, ... */
    private static final Color[] CLASSES = {
        new Color(228, 26, 28), new Color(55, 126, 184), new Color(77, 175, 74), new Color(152, 78, 163),
        new Color(255, 127, 0), new Color(166, 86, 40), new Color(247, 129, 191), new Color(153, 153, 153),
        new Color(188, 189, 34), new Color(23, 190, 207)};

    /** How much of a class colour is left in the shaded background of a decision boundary plot. */
    static final double BACKGROUND_STRENGTH = 0.45;

    private Palette() {
    }

    /** The colour of class k; after the first ten, hues spread by the golden angle. */
    static Color classColour(int k) {
        if (k < CLASSES.length) {
            return CLASSES[k];
        }
        float hue = (float) ((k * 0.618033988749895) % 1.0);
        return Color.getHSBColor(hue, 0.75f, 0.85f);
    }

    /** t in [-1, 1] (clamped) to red (t = -1) through white (0) to blue (t = 1), as packed RGB. */
    static int diverging(double t) {
        double c = Math.max(-1, Math.min(1, Double.isNaN(t) ? 0 : t));
        return c < 0 ? fromWhite(NEGATIVE, -c) : fromWhite(POSITIVE, c);
    }

    /** t in [0, 1] (clamped) from white to {@code dark}, as packed RGB. */
    static int sequential(Color dark, double t) {
        return fromWhite(dark, Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)));
    }

    /** The colour a fraction {@code t} of the way from white to {@code c}, as packed RGB. */
    static int fromWhite(Color c, double t) {
        int r = (int) Math.round(255 + (c.getRed() - 255) * t);
        int g = (int) Math.round(255 + (c.getGreen() - 255) * t);
        int b = (int) Math.round(255 + (c.getBlue() - 255) * t);
        return (r << 16) | (g << 8) | b;
    }

    /** The shaded background for class probabilities p[offset .. offset+n): the mixed class colours, paled. */
    static int background(double[] p, int offset, int n) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int k = 0; k < n; k++) {
            Color c = classColour(k);
            double w = p[offset + k];
            r += w * c.getRed();
            g += w * c.getGreen();
            b += w * c.getBlue();
        }
        return fromWhite(new Color(clamp(r), clamp(g), clamp(b)), BACKGROUND_STRENGTH);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Black or white, whichever reads better on {@code rgb}. */
    static Color textOn(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return 0.299 * r + 0.587 * g + 0.114 * b < 140 ? Color.WHITE : Color.BLACK;
    }
}
