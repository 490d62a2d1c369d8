package backpropcl.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.function.DoubleToIntFunction;

/** Draws a {@link TileGrid}: each tile's values through a colour map, then a caption and a colour bar. */
final class TileImage {
    static final int BAR_WIDTH = 200;
    static final Font CAPTION_FONT = new Font(Png.FONT, Font.PLAIN, 12);

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
            int gridWidth = at.columns() * at.side() * at.scale() + (at.columns() - 1) * TileGrid.GAP;
            int gridHeight = at.rows() * at.side() * at.scale() + (at.rows() - 1) * TileGrid.GAP;
            g.fillRect(at.left() - 1, at.top() - 1, gridWidth + 2, gridHeight + 2);
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
            g.setColor(Color.BLACK);
            g.setFont(CAPTION_FONT);
            for (int i = 0; i < Math.min(2, caption.length); i++) {
                Png.centred(g, caption[i], at.width() / 2.0, y + 18 + 16 * i);
            }
            int barX = (at.width() - BAR_WIDTH) / 2;
            for (int i = 0; i < BAR_WIDTH; i++) {
                g.setColor(new Color(bar.applyAsInt(i / (BAR_WIDTH - 1.0))));
                g.fillRect(barX + i, y + 43, 1, 12);
            }
            g.setColor(Palette.GAP);
            g.drawRect(barX - 1, y + 42, BAR_WIDTH + 1, 13);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Png.FONT, Font.PLAIN, 11));
            Png.centred(g, barLeft, barX, y + 69);
            Png.centred(g, barMiddle, barX + BAR_WIDTH / 2.0, y + 69);
            Png.centred(g, barRight, barX + BAR_WIDTH, y + 69);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The narrowest image in which the caption's lines fit. */
    static int widthFor(String[] caption) {
        int w = 0;
        for (String line : caption) {
            w = Math.max(w, Png.textWidth(CAPTION_FONT, line));
        }
        return w + 2 * TileGrid.MARGIN;
    }

    /** The colour of value v in tile t. */
    interface TileColour {
        int rgb(int tile, double v);
    }
}
