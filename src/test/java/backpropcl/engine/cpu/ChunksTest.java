package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChunksTest {

    @Test
    void chunksCoverTheUnitsWithoutGapsOrOverlap() {
        for (int units = 1; units < 300; units += 7) {
            for (long flops : new long[] {1, 1000, 1L << 16, 1L << 20, 1L << 26}) {
                int chunks = Chunks.count(units, flops);
                assertTrue(chunks >= 1 && chunks <= Math.min(Chunks.MAX, units), units + " x " + flops + ": " + chunks);
                assertEquals(0, Chunks.start(0, chunks, units));
                assertEquals(units, Chunks.start(chunks, chunks, units));
                for (int c = 0; c < chunks; c++) {
                    assertTrue(Chunks.start(c + 1, chunks, units) > Chunks.start(c, chunks, units), "chunk " + c + " is empty");
                }
                if ((long) units * flops >= Chunks.MIN_FLOPS * 2 && units >= 2) {
                    assertTrue(chunks >= 2, units + " x " + flops + " is worth cutting");
                }
            }
        }
    }

    /** Cuts fall on multiples of the kernels' row block when the chunks are that long: 100 rows in 8 give 12 or 16 each. */
    @Test
    void cutsAreAlignedToTheRowBlockWhenChunksAreLongEnough() {
        assertEquals(4, Chunks.ALIGN);
        for (int units = 4; units < 300; units++) {
            for (int chunks = 1; chunks <= Math.min(Chunks.MAX, units / Chunks.ALIGN); chunks++) {
                for (int c = 0; c < chunks; c++) {
                    assertEquals(0, Chunks.start(c, chunks, units) % Chunks.ALIGN, units + " in " + chunks + ", chunk " + c);
                }
            }
        }
        assertEquals(12, Chunks.start(1, 8, 100));
        assertEquals(52, Chunks.start(4, 8, 100));
    }

    /** The default network at batch 10 stays on one thread (a split measured slower); the 784-128-64-10 batch of 100 is cut. */
    @Test
    void smallStepsStayWholeAndLargeOnesAreCut() {
        assertEquals(1, Chunks.count(10, 2L * 784 * 16));
        assertEquals(1, Chunks.count(16, 2L * 10 * 784));
        assertEquals(Chunks.MAX, Chunks.count(100, 2L * 784 * 128));
    }
}
