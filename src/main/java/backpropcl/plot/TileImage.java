package backpropcl.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.function.DoubleToIntFunction;

/**
 * Draws a {@link TileGrid}: each tile's values through a colour map, then a caption and a colour
 * bar, laid out for the grid's font size ({@link TileGrid#text()}; the distances below are those
 * at {@link TileGrid#TEXT} pixels, in proportion above).
 */
final class TileImage {
    static final int BAR_WIDTH = 200;

    private TileImage() {
    }

    /**
     * values is (tiles, side * side) row-major, as a layer's weights are; {@code colour} maps a
     * value of a tile to packed RGB, {@code bar} a fraction 0..1 along the colour bar.
     */
    static BufferedImage draw(TileGrid at, double[] values, TileColour colour, String[] caption, DoubleToIntFunction bar,
                              String barLeft, String barMiddle, String barRight) {
        BufferedImage image = Png.blank(at.width(), at.height());
        int inputs = at.side() * at.side();
        Graphics2D g = Png.graphics(image);
        try {
            // Gaps in grey, so that white (zero) tiles still show their edges.
            g.setColor(Palette.GAP);
            g.fillRect(at.left() - 1, at.top() - 1, at.gridWidth() + 2, at.gridHeight() + 2);
            for (int t = 0; t < at.tiles(); t++) {
                for (int k = 0; k < inputs; k++) {
                    g.setColor(new Color(colour.rgb(t, values[t * inputs + k])));
                    g.fillRect(at.tileLeft(t) + (k % at.side()) * at.scale(), at.tileTop(t) + (k / at.side()) * at.scale(),
                            at.scale(), at.scale());
                }
            }
            // Empty grid places (when tiles does not fill the last row) in white.
            g.setColor(Color.WHITE);
            for (int t = at.tiles(); t < at.columns() * at.rows(); t++) {
                g.fillRect(at.tileLeft(t), at.tileTop(t), at.side() * at.scale() + 1, at.side() * at.scale() + 1);
            }
            int y = at.captionTop();
            double em = (double) at.text() / TileGrid.TEXT;
            g.setColor(Color.BLACK);
            g.setFont(captionFont(at.text()));
            for (int i = 0; i < Math.min(2, caption.length); i++) {
                Png.centred(g, caption[i], at.width() / 2.0, y + em * (18 + 16 * i));
            }
            int barWidth = (int) Math.round(BAR_WIDTH * em);
            int barX = (at.width() - barWidth) / 2;
            int barTop = y + (int) Math.round(43 * em);
            int barHeight = (int) Math.round(12 * em);
            for (int i = 0; i < barWidth; i++) {
                g.setColor(new Color(bar.applyAsInt(i / (barWidth - 1.0))));
                g.fillRect(barX + i, barTop, 1, barHeight);
            }
            g.setColor(Palette.GAP);
            g.drawRect(barX - 1, barTop - 1, barWidth + 1, barHeight + 1);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Png.FONT, Font.PLAIN, (int) Math.round(11 * em)));
            Png.centred(g, barLeft, barX, y + 69 * em);
            Png.centred(g, barMiddle, barX + barWidth / 2.0, y + 69 * em);
            Png.centred(g, barRight, barX + barWidth, y + 69 * em);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The narrowest image in which the caption's lines fit, in a font of {@code text} pixels. */
    static int widthFor(String[] caption, int text) {
        int w = 0;
        for (String line : caption) {
            w = Math.max(w, Png.textWidth(captionFont(text), line));
        }
        return w + 2 * TileGrid.MARGIN;
    }

    static Font captionFont(int text) {
        return new Font(Png.FONT, Font.PLAIN, text);
    }

    /** The colour of value v in tile t. */
    interface TileColour {
        int rgb(int tile, double v);
    }
}
