package backpropcl.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TileGridTest {
    @Test
    void mnistTilesAre28PixelsScaledFourTimesInANearSquareGrid() {
        TileGrid at = TileGrid.of(16, 784);
        assertEquals(28, at.side());
        assertEquals(4, at.scale());
        assertEquals(4, at.columns());
        assertEquals(4, at.rows());
        int grid = 4 * 112 + 3 * TileGrid.GAP;
        assertEquals(Math.max(TileGrid.MIN_WIDTH, grid + 2 * TileGrid.MARGIN), at.width());
        assertEquals(TileGrid.MARGIN + grid + TileGrid.CAPTION, at.height());
        // Tile 5 is row 1, column 1; input 28 is its second row's first pixel.
        assertEquals(at.left() + 112 + TileGrid.GAP, at.tileLeft(5));
        assertEquals(at.top() + 112 + TileGrid.GAP, at.tileTop(5));
        assertEquals(at.tileLeft(5) + 2, at.pixelX(5, 28));
        assertEquals(at.tileTop(5) + 4 + 2, at.pixelY(5, 28));
    }

    @Test
    void gridShapesForOddCounts() {
        for (int n : new int[] {1, 2, 3, 5, 10, 17, 30, 100, 101}) {
            TileGrid at = TileGrid.of(n, 784);
            assertTrue(at.columns() * at.rows() >= n, "room for " + n);
            assertTrue(at.columns() * (at.rows() - 1) < n, "no empty row for " + n);
            assertTrue(at.columns() - at.rows() <= 1 && at.columns() >= at.rows(), "near square for " + n);
        }
    }

    @Test
    void wideLayersShrinkTheScaleToKeepTheImageInBounds() {
        TileGrid mid = TileGrid.of(400, 784);     // 20 columns of 112 + 2 px: 2,280 px, fits
        assertEquals(4, mid.scale());
        TileGrid wide = TileGrid.of(4096, 784);   // 64 columns: 4 and 3 are too wide, 2 gives 3,712 px
        assertEquals(2, wide.scale());
        assertTrue(wide.width() <= TileGrid.MAX_PIXELS + 2 * TileGrid.MARGIN, "width " + wide.width());
        assertEquals(1, TileGrid.of(16384, 784).scale());
    }

    @Test
    void theCaptionGrowsWithTheGrid() {
        assertEquals(TileGrid.TEXT, TileGrid.of(16, 784).text(), "454 px of tiles: the smallest text");
        TileGrid wide = TileGrid.of(256, 784);
        assertEquals(1822, wide.gridWidth());
        assertEquals(30, wide.text(), "1,822 / 60");
        assertEquals(TileGrid.MARGIN + wide.gridHeight() + TileGrid.CAPTION * 30 / 12, wide.height(), "the band grows with the text");
        assertEquals(wide.height() - TileGrid.CAPTION * 30 / 12, wide.captionTop());
        assertTrue(TileGrid.of(16384, 784).text() <= TileGrid.MAX_TEXT);
        TileGrid widened = TileGrid.of(2, 784).widenedTo(900);
        assertEquals(900, widened.width());
        assertEquals((900 - widened.gridWidth()) / 2, widened.left(), "the grid stays centred");
    }

    @Test
    void onlySquareInputWidthsMakeTiles() {
        assertEquals(0, TileGrid.squareSide(0));
        assertEquals(0, TileGrid.squareSide(783));
        assertEquals(2, TileGrid.squareSide(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TileGrid.of(3, 785));
        assertTrue(e.getMessage().contains("785 inputs"), e.getMessage());
    }
}
