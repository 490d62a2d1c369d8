package backpropcl.plot;

/**
 * The layout of a picture of a layer's weights: one square tile per neuron, showing its weight
 * from each input at that input's place in the image (input k = row * side + column, the row-major
 * order of MNIST's 28x28 pixels). Tiles fill a near-square grid, row by row, with a gap between
 * them; each input becomes a {@code scale} x {@code scale} block of pixels; a caption band lies
 * under the grid. The caption's text grows with the grid (a picture of 256 tiles is about 1,800
 * pixels wide and is looked at scaled down to a screen), so that it stays as legible as the tiles.
 *
 * @param tiles   the number of tiles (neurons)
 * @param side    pixels per tile side, before scaling (28 for MNIST)
 * @param scale   image pixels per input pixel
 * @param columns tiles per grid row
 * @param rows    grid rows
 * @param left    x of the grid's left edge
 * @param top     y of the grid's top edge
 * @param width   of the whole image
 * @param height  of the whole image
 * @param text    the caption's font size in pixels: {@link #TEXT} for grids up to {@link #GRID_PER_TEXT}
 *                x 12 pixels wide, growing with the grid beyond
 */
public record TileGrid(int tiles, int side, int scale, int columns, int rows, int left, int top, int width, int height,
                       int text) {
    /** Image pixels between neighbouring tiles. */
    public static final int GAP = 2;
    /** Image pixels around the grid. */
    public static final int MARGIN = 10;
    /** The height of the caption band under the grid at {@link #TEXT}: two lines of text and a colour bar. */
    public static final int CAPTION = 76;
    /** The caption's smallest font size, in pixels. */
    public static final int TEXT = 12;
    /** Grid pixels per pixel of font size: the caption is a sixtieth of the grid's width high, at least {@link #TEXT}. */
    public static final int GRID_PER_TEXT = 60;
    /** The caption's largest font size. */
    static final int MAX_TEXT = 72;
    /** The narrowest image, so that the caption fits. */
    public static final int MIN_WIDTH = 460;
    /** A tile is scaled up to about this many image pixels a side (28 x 4 for MNIST). */
    static final int TILE_PIXELS = 112;
    /** Above this width or height the scale shrinks (down to 1) to keep wide layers' images in memory. */
    static final int MAX_PIXELS = 4096;

    /**
     * The side of the square image that {@code inputs} values make, or 0 when {@code inputs} is not
     * a perfect square.
     */
    public static int squareSide(int inputs) {
        int s = (int) Math.round(Math.sqrt(inputs));
        return inputs > 0 && s * s == inputs ? s : 0;
    }

    /**
     * The layout for {@code tiles} neurons of {@code inputs} inputs each.
     *
     * @throws IllegalArgumentException when {@code inputs} is not a perfect square
     */
    public static TileGrid of(int tiles, int inputs) {
        return of(tiles, inputs, MIN_WIDTH);
    }

    /** As {@link #of(int, int)}, at least {@code minWidth} wide (to fit a caption); {@link #widenedTo} of that. */
    public static TileGrid of(int tiles, int inputs, int minWidth) {
        int side = squareSide(inputs);
        if (side == 0) {
            throw new IllegalArgumentException("the first layer has " + inputs + " inputs, which is not a square number, so "
                    + "its weights do not make square images (784 inputs make 28x28)");
        }
        if (tiles < 1) {
            throw new IllegalArgumentException("no neurons to draw");
        }
        int columns = (int) Math.ceil(Math.sqrt(tiles));
        int rows = (tiles + columns - 1) / columns;
        int scale = Math.max(1, Math.round((float) TILE_PIXELS / side));
        while (scale > 1 && (long) Math.max(columns, rows) * (side * scale + GAP) > MAX_PIXELS) {
            scale--;
        }
        int text = Math.max(TEXT, Math.min(MAX_TEXT, Math.round((float) extent(columns, side, scale) / GRID_PER_TEXT)));
        int height = MARGIN + extent(rows, side, scale) + captionHeight(text);
        return new TileGrid(tiles, side, scale, columns, rows, 0, MARGIN, 0, height, text).widenedTo(minWidth);
    }

    /** This layout at least {@code minWidth} wide (and {@link #MIN_WIDTH}), the grid centred. */
    public TileGrid widenedTo(int minWidth) {
        int w = Math.max(Math.max(MIN_WIDTH, minWidth), Math.max(width, gridWidth() + 2 * MARGIN));
        return new TileGrid(tiles, side, scale, columns, rows, (w - gridWidth()) / 2, top, w, height, text);
    }

    /** The width of the tiles and the gaps between them. */
    public int gridWidth() {
        return extent(columns, side, scale);
    }

    /** The height of the tiles and the gaps between them. */
    public int gridHeight() {
        return extent(rows, side, scale);
    }

    /** n tiles of side x scale pixels in a line, with the gaps between them. */
    private static int extent(int n, int side, int scale) {
        return n * side * scale + (n - 1) * GAP;
    }

    /** The caption band's height for a font of {@code text} pixels: {@link #CAPTION} at {@link #TEXT}, in proportion above. */
    static int captionHeight(int text) {
        return Math.round((float) CAPTION * text / TEXT);
    }

    /** x of tile t's left edge. */
    public int tileLeft(int t) {
        return left + (t % columns) * (side * scale + GAP);
    }

    /** y of tile t's top edge. */
    public int tileTop(int t) {
        return top + (t / columns) * (side * scale + GAP);
    }

    /** x of the centre of input k's block in tile t. */
    public int pixelX(int t, int k) {
        return tileLeft(t) + (k % side) * scale + scale / 2;
    }

    /** y of the centre of input k's block in tile t. */
    public int pixelY(int t, int k) {
        return tileTop(t) + (k / side) * scale + scale / 2;
    }

    /** y of the top of the caption band. */
    public int captionTop() {
        return height - captionHeight(text);
    }
}
