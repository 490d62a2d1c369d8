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
     * values is (tiles, channels * side * side) row-major, as a layer's weights are (a dense layer's
     * (out, in), a conv layer's (F, C, K, K)); {@code colour} maps a value of a tile to packed RGB,
     * {@code bar} a fraction 0..1 along the colour bar.
     */
    static BufferedImage draw(TileGrid at, double[] values, TileColour colour, String[] caption, DoubleToIntFunction bar,
                              String barLeft, String barMiddle, String barRight) {
        BufferedImage image = Png.blank(at.width(), at.height());
        int perTile = at.valuesPerTile();
        Graphics2D g = Png.graphics(image);
        try {
            // Each tile on grey, a pixel beyond its edge (so the gaps of dense tiles are grey and white (zero) tiles still
            // show their edges); a filter's channels are apart by grey too, its neighbours by white.
            g.setColor(Palette.GAP);
            for (int t = 0; t < at.tiles(); t++) {
                g.fillRect(at.tileLeft(t) - 1, at.tileTop(t) - 1, at.tileWidth() + 2, at.tileHeight() + 2);
            }
            for (int t = 0; t < at.tiles(); t++) {
                for (int k = 0; k < perTile; k++) {
                    g.setColor(new Color(colour.rgb(t, values[t * perTile + k])));
                    g.fillRect(at.blockLeft(t, k), at.blockTop(t, k), at.scale(), at.scale());
                }
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
