package backpropcl.plot;

/**
 * The layout of a picture of a layer's weights: one square tile per neuron, showing its weight
 * from each input at that input's place in the image (input k = row * side + column, the row-major
 * order of MNIST's 28x28 pixels). Tiles fill a near-square grid, row by row, with a gap between
 * them; each input becomes a {@code scale} x {@code scale} block of pixels; a caption band lies
 * under the grid. The caption's text grows with the grid (a picture of 256 tiles is about 1,800
 * pixels wide and is looked at scaled down to a screen), so that it stays as legible as the tiles.
 *
 * <p>A conv filter's tile holds one side x side panel per input channel, side by side with a gap
 * between them (values in (channel, row, column) order, PyTorch's (C, K, K)); filters lie
 * {@link #FILTER_GAP} apart, so that they stand apart from their channels and from their own
 * large blocks (a 5x5 filter's weights are 22 pixels each).
 *
 * @param tiles   the number of tiles (neurons, or conv filters)
 * @param side    pixels per tile side, before scaling (28 for MNIST, K for a KxK filter)
 * @param channels panels per tile, side by side: 1 for a dense layer, C for a filter of C input channels
 * @param gap     image pixels between neighbouring tiles: {@link #GAP}, or {@link #FILTER_GAP} for conv filters
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
public record TileGrid(int tiles, int side, int channels, int gap, int scale, int columns, int rows, int left, int top, int width,
                       int height, int text) {
    /** Image pixels between neighbouring tiles. */
    public static final int GAP = 2;
    /** Image pixels between neighbouring conv filters' tiles (between a filter's channels: {@link #GAP}). */
    public static final int FILTER_GAP = 5 * GAP;
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
        return of(tiles, 1, side, GAP, minWidth);
    }

    /**
     * The layout for {@code filters} conv filters of {@code channels} x {@code kernel} x
     * {@code kernel} weights each, at least {@code minWidth} wide: a tile per filter, its channels'
     * panels side by side, each weight scaled up (nearest neighbour) so that a panel is about
     * {@link #TILE_PIXELS} a side, as a dense layer's tiles are.
     */
    public static TileGrid filters(int filters, int channels, int kernel, int minWidth) {
        if (channels < 1 || kernel < 1) {
            throw new IllegalArgumentException("filters of " + channels + "x" + kernel + "x" + kernel + " have no weights to draw");
        }
        return of(filters, channels, kernel, FILTER_GAP, minWidth);
    }

    private static TileGrid of(int tiles, int channels, int side, int gap, int minWidth) {
        if (tiles < 1) {
            throw new IllegalArgumentException("no neurons to draw");
        }
        // Tiles of several channels are that many times wider: fewer columns keep the grid near square.
        int columns = (int) Math.ceil(Math.sqrt((double) tiles / channels));
        int rows = (tiles + columns - 1) / columns;
        int scale = Math.max(1, Math.round((float) TILE_PIXELS / side));
        while (scale > 1 && (long) Math.max(columns * channels, rows) * (side * scale + GAP) > MAX_PIXELS) {
            scale--;
        }
        TileGrid unplaced = new TileGrid(tiles, side, channels, gap, scale, columns, rows, 0, MARGIN, 0, 0, TEXT);
        int text = Math.max(TEXT, Math.min(MAX_TEXT, Math.round((float) unplaced.gridWidth() / GRID_PER_TEXT)));
        int height = MARGIN + unplaced.gridHeight() + captionHeight(text);
        return new TileGrid(tiles, side, channels, gap, scale, columns, rows, 0, MARGIN, 0, height, text).widenedTo(minWidth);
    }

    /** This layout at least {@code minWidth} wide (and {@link #MIN_WIDTH}), the grid centred. */
    public TileGrid widenedTo(int minWidth) {
        int w = Math.max(Math.max(MIN_WIDTH, minWidth), Math.max(width, gridWidth() + 2 * MARGIN));
        return new TileGrid(tiles, side, channels, gap, scale, columns, rows, (w - gridWidth()) / 2, top, w, height, text);
    }

    /** The width of one tile: its channels' panels and the gaps between them. */
    public int tileWidth() {
        return channels * panel() + (channels - 1) * GAP;
    }

    /** The height of one tile. */
    public int tileHeight() {
        return panel();
    }

    /** The values per tile: {@code channels * side * side}. */
    public int valuesPerTile() {
        return channels * side * side;
    }

    /** The width of the tiles and the gaps between them. */
    public int gridWidth() {
        return columns * tileWidth() + (columns - 1) * gap;
    }

    /** The height of the tiles and the gaps between them. */
    public int gridHeight() {
        return rows * tileHeight() + (rows - 1) * gap;
    }

    /** One channel's panel side in image pixels. */
    private int panel() {
        return side * scale;
    }

    /** The caption band's height for a font of {@code text} pixels: {@link #CAPTION} at {@link #TEXT}, in proportion above. */
    static int captionHeight(int text) {
        return Math.round((float) CAPTION * text / TEXT);
    }

    /** x of tile t's left edge. */
    public int tileLeft(int t) {
        return left + (t % columns) * (tileWidth() + gap);
    }

    /** y of tile t's top edge. */
    public int tileTop(int t) {
        return top + (t / columns) * (tileHeight() + gap);
    }

    /** x of the left edge of value k's block in tile t (k in (channel, row, column) order). */
    public int blockLeft(int t, int k) {
        int channel = k / (side * side);
        return tileLeft(t) + channel * (panel() + GAP) + (k % side) * scale;
    }

    /** y of the top edge of value k's block in tile t. */
    public int blockTop(int t, int k) {
        return tileTop(t) + (k % (side * side)) / side * scale;
    }

    /** x of the centre of value k's block in tile t. */
    public int pixelX(int t, int k) {
        return blockLeft(t, k) + scale / 2;
    }

    /** y of the centre of value k's block in tile t. */
    public int pixelY(int t, int k) {
        return blockTop(t, k) + scale / 2;
    }

    /** y of the top of the caption band. */
    public int captionTop() {
        return height - captionHeight(text);
    }
}
