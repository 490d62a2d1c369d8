package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    /** 150 rows sorted by class, 50 each, as iris.csv is; feature 0 is the row's index. */
    private static Dataset sortedIris() {
        int n = 150;
        float[] f = new float[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
            l[i] = i / 50;
        }
        return new Dataset("iris", f, l, n, 1, 3, List.of("setosa", "versicolor", "virginica"));
    }

    @Test
    void everyClassIsInBothPartsInProportion() {
        StratifiedSplit s = StratifiedSplit.of(sortedIris(), 0.2, 1, "iris/train", "iris/test");
        assertArrayEquals(new int[] {40, 40, 40}, s.kept().classCounts());
        assertArrayEquals(new int[] {10, 10, 10}, s.held().classCounts());
        assertEquals("iris/test", s.held().name());
        assertEquals(List.of("setosa", "versicolor", "virginica"), s.held().classNames());
        assertEquals("120 train / 30 test, per class train/test: setosa 40/10, versicolor 40/10, virginica 40/10",
                s.describe("train", "test"));
    }

    @Test
    void thePartsAreDisjointAndCoverEveryRowInOrder() {
        Dataset d = sortedIris();
        StratifiedSplit s = StratifiedSplit.of(d, 0.3, 7, "a", "b");
        Set<Float> seen = new HashSet<>();
        for (Dataset part : List.of(s.kept(), s.held())) {
            float[] f = part.features();
            for (int i = 0; i < part.count(); i++) {
                seen.add(f[i]);
                if (i > 0) {
                    assertEquals(true, f[i] > f[i - 1], "rows keep the data set's order");
                }
                assertEquals(((int) f[i]) / 50, part.labels()[i], "a row keeps its label");
            }
        }
        assertEquals(150, seen.size());
        assertEquals(150, s.kept().count() + s.held().count());
    }

    @Test
    void theSeedDecidesTheSplitAndOnlyTheSeed() {
        Dataset d = sortedIris();
        float[] a = StratifiedSplit.of(d, 0.2, 1, "a", "b").held().features();
        float[] again = StratifiedSplit.of(d, 0.2, 1, "a", "b").held().features();
        float[] other = StratifiedSplit.of(d, 0.2, 2, "a", "b").held().features();
        assertArrayEquals(a, again);
        assertNotEquals(Arrays.toString(a), Arrays.toString(other));
    }

    @Test
    void smallClassesStayInBothPartsAndASingleRowStaysInTraining() {
        assertEquals(1, StratifiedSplit.heldCount(2, 0.1));
        assertEquals(1, StratifiedSplit.heldCount(3, 0.01));
        assertEquals(0, StratifiedSplit.heldCount(1, 0.5));
        assertEquals(4, StratifiedSplit.heldCount(5, 0.99));
        assertEquals(13, StratifiedSplit.heldCount(63, 0.2));
    }

    @Test
    void aFractionOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(sortedIris(), 0, 1, "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(sortedIris(), 1, 1, "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.of(sortedIris(), Double.NaN, 1, "a", "b"));
    }

    @Test
    void classNamesBeyondTheClassesAreRefusedAndMissingOnesAreNumbers() {
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("x", new float[1], new int[1], 1, 1, 1, List.of("a", "b")));
        Dataset d = new Dataset("x", new float[2], new int[] {0, 2}, 2, 1, 3, List.of("a"));
        assertEquals(List.of("a", "1", "2"), d.allClassNames());
        assertEquals("0", new Dataset("y", new float[1], new int[1], 1, 1, 1).className(0));
    }
}
