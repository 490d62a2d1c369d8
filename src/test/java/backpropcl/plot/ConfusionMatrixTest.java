package backpropcl.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    @Test
    void countsAHandMadeCase() {
        //                 sample: 0  1  2  3  4  5  6  7
        int[] labels = /*      */ {0, 0, 0, 1, 1, 2, 2, 2};
        int[] predicted = /*   */ {0, 0, 1, 1, 1, 2, 0, 2};
        ConfusionMatrix m = ConfusionMatrix.of(predicted, labels, 3);
        assertEquals(3, m.classes());
        assertArrayEquals(new long[] {2, 1, 0}, m.counts()[0]);
        assertArrayEquals(new long[] {0, 2, 0}, m.counts()[1]);
        assertArrayEquals(new long[] {1, 0, 2}, m.counts()[2]);
        assertEquals(1, m.count(2, 0));
        assertEquals(8, m.total());
        assertEquals(6, m.correct());
        assertEquals(0.75, m.accuracy(), 0);
        assertEquals(2.0 / 3, m.recall(0), 1e-15);
        assertEquals(1.0, m.recall(1), 0);
        assertEquals(2.0 / 3, m.recall(2), 1e-15);
        assertEquals(2.0 / 3, m.precision(0), 1e-15);   // column 0: two of class 0, one of class 2
        assertEquals(2.0 / 3, m.precision(1), 1e-15);
        assertEquals(1.0 / 3, m.rowFraction(0, 1), 1e-15);
        // counts() is a copy
        m.counts()[0][0] = 99;
        assertEquals(2, m.count(0, 0));
    }

    @Test
    void emptyClassesHaveNoRecallAndNoSamplesNoAccuracy() {
        ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 0}, new int[] {0, 0}, 2);
        assertTrue(Double.isNaN(m.recall(1)));
        assertTrue(Double.isNaN(m.precision(1)));
        assertEquals(0, m.rowFraction(1, 1));
        assertTrue(Double.isNaN(ConfusionMatrix.of(new int[0], new int[0], 3).accuracy()));
    }

    @Test
    void refusesMismatchedOrOutOfRangeInput() {
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {0}, new int[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {2}, new int[] {0}, 2));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {0}, new int[] {-1}, 2));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[0], new int[0], 0));
    }
}
