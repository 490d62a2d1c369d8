package backpropcl.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * A confusion matrix drawn with Graphics2D: true class down the side, predicted class across the
 * top, the count in each cell, the cell shaded by its share of the row (so a class with few samples
 * is as visible as one with many), and each class's recall in a column on the right.
 *
 * <p>Not XChart's HeatMapChart: it writes the shaded value into the cells, and here the shade is
 * the row share while the number is the count; it also puts class 0 at the bottom.
 */
final class ConfusionImage {
    static final int LEFT = 72;
    static final int TOP = 76;
    static final int RIGHT = 76;
    static final int BOTTOM = 44;
    static final int MIN_WIDTH = 480;

    /** Where things are: cells of side {@code cell} from (left, top), row t at y = top + t * cell. */
    record Layout(int cell, int left, int top, int width, int height) {
        int cellX(int p) {
            return left + p * cell;
        }

        int cellY(int t) {
            return top + t * cell;
        }
    }

    private ConfusionImage() {
    }

    static Layout layout(int classes, String heading) {
        int cell = Math.max(14, Math.min(56, 480 / classes));
        int grid = cell * classes;
        int width = Math.max(MIN_WIDTH, LEFT + grid + RIGHT);
        width = Math.max(width, Png.textWidth(new Font(Png.FONT, Font.BOLD, 15), heading) + 24);
        return new Layout(cell, LEFT, TOP, width, TOP + grid + BOTTOM);
    }

    static String heading(ConfusionMatrix m, String title) {
        String acc = m.total() == 0 ? "no samples"
                : String.format(Locale.ROOT, "accuracy %.4f (%d/%d)", m.accuracy(), m.correct(), m.total());
        return title == null || title.isBlank() ? acc : title + ": " + acc;
    }

    static BufferedImage draw(ConfusionMatrix m, String title) {
        int k = m.classes();
        String heading = heading(m, title);
        Layout at = layout(k, heading);
        int cell = at.cell();
        int grid = cell * k;
        BufferedImage image = Png.blank(at.width(), at.height());
        Graphics2D g = Png.graphics(image);
        try {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Png.FONT, Font.BOLD, 15));
            Png.centred(g, heading, at.width() / 2.0, 22);

            // Cells: shade by row share, count in the middle.
            Font countFont = fitting(g, Long.toString(maxCount(m)), cell - 4, Math.max(7, Math.min(14, cell * 0.32f)));
            for (int t = 0; t < k; t++) {
                for (int p = 0; p < k; p++) {
                    int rgb = Palette.sequential(Palette.CONFUSION, m.rowFraction(t, p));
                    g.setColor(new Color(rgb));
                    g.fillRect(at.cellX(p), at.cellY(t), cell, cell);
                    if (countFont != null) {
                        g.setFont(countFont);
                        g.setColor(Palette.textOn(rgb));
                        drawMiddle(g, Long.toString(m.count(t, p)), at.cellX(p) + cell / 2.0, at.cellY(t) + cell / 2.0);
                    }
                }
            }
            g.setColor(Palette.GAP);
            for (int i = 0; i <= k; i++) {
                g.drawLine(at.left(), at.top() + i * cell, at.left() + grid, at.top() + i * cell);
                g.drawLine(at.left() + i * cell, at.top(), at.left() + i * cell, at.top() + grid);
            }
            // Axis names and class labels: predicted across the top, true down the left.
            g.setColor(Color.BLACK);
            g.setFont(new Font(Png.FONT, Font.BOLD, 13));
            Png.centred(g, "predicted", at.left() + grid / 2.0, 48);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2, 22, at.top() + grid / 2.0);
            Png.centred(g, "true", 22, at.top() + grid / 2.0 + 5);
            g.setTransform(saved);
            g.setFont(new Font(Png.FONT, Font.PLAIN, 11));
            int step = labelStep(g, k, cell);
            for (int c = 0; c < k; c += step) {
                Png.centred(g, Integer.toString(c), at.cellX(c) + cell / 2.0, at.top() - 8);
                String s = Integer.toString(c);
                drawRight(g, s, at.left() - 6, at.cellY(c) + cell / 2.0);
            }
            // Recall of each class, to the right of its row.
            g.setFont(new Font(Png.FONT, Font.BOLD, 11));
            g.drawString("recall", at.left() + grid + 10, at.top() - 8);
            g.setFont(new Font(Png.FONT, Font.PLAIN, 11));
            for (int t = 0; t < k; t += step) {
                double r = m.recall(t);
                String s = Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
                drawMiddleLeft(g, s, at.left() + grid + 10, at.cellY(t) + cell / 2.0);
            }
            g.setColor(new Color(90, 90, 90));
            Png.centred(g, "numbers: counts; shade: share of the true class's samples (row-normalised)",
                    at.width() / 2.0, at.top() + grid + 28);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static long maxCount(ConfusionMatrix m) {
        long max = 0;
        for (int t = 0; t < m.classes(); t++) {
            for (int p = 0; p < m.classes(); p++) {
                max = Math.max(max, m.count(t, p));
            }
        }
        return max;
    }

    /** The largest font from {@code size} down to 6 pt in which {@code widest} fits in {@code room} px; null if none. */
    private static Font fitting(Graphics2D g, String widest, int room, float size) {
        for (float s = size; s >= 6; s -= 0.5f) {
            Font f = new Font(Png.FONT, Font.PLAIN, 1).deriveFont(s);
            if (g.getFontMetrics(f).stringWidth(widest) <= room) {
                return f;
            }
        }
        return null;
    }

    /** Label every class, or every n-th when the cells are too narrow for the numbers. */
    private static int labelStep(Graphics2D g, int k, int cell) {
        int w = g.getFontMetrics().stringWidth(Integer.toString(k - 1)) + 4;
        return Math.max(1, (w + cell - 1) / cell);
    }

    private static void drawMiddle(Graphics2D g, String s, double cx, double cy) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) (cx - fm.stringWidth(s) / 2.0), (float) (cy + (fm.getAscent() - fm.getDescent()) / 2.0));
    }

    private static void drawMiddleLeft(Graphics2D g, String s, double x, double cy) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) x, (float) (cy + (fm.getAscent() - fm.getDescent()) / 2.0));
    }

    private static void drawRight(Graphics2D g, String s, double right, double cy) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) (right - fm.stringWidth(s)), (float) (cy + (fm.getAscent() - fm.getDescent()) / 2.0));
    }
}
