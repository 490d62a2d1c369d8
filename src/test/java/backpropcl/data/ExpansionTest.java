package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExpansionTest {

    @Test
    void eachImageIsFollowedByItsFourOnePixelShifts() {
        float[] img = {1, 2, 3, 4, 5, 6, 7, 8, 9};   // 3x3, rows 123 / 456 / 789
        Dataset d = new Dataset("t", img, new int[] {2}, 1, 9, 3);
        Dataset e = Expansion.shifted(d);
        assertEquals(5, e.count());
        assertArrayEquals(new int[] {2, 2, 2, 2, 2}, e.labels());
        float[] f = e.features();
        assertArrayEquals(img, Arrays.copyOfRange(f, 0, 9));
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 0, 0, 0}, Arrays.copyOfRange(f, 9, 18), "up");
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3, 4, 5, 6}, Arrays.copyOfRange(f, 18, 27), "down");
        assertArrayEquals(new float[] {2, 3, 0, 5, 6, 0, 8, 9, 0}, Arrays.copyOfRange(f, 27, 36), "left");
        assertArrayEquals(new float[] {0, 1, 2, 0, 4, 5, 0, 7, 8}, Arrays.copyOfRange(f, 36, 45), "right");
    }

    @Test
    void refusesSamplesThatAreNotSquareImages() {
        Dataset d = new Dataset("points", new float[] {0.5f, 0.25f}, new int[] {1}, 1, 2, 2);
        assertEquals("points: --expand shifts square images, but a sample has 2 features, which is not a square",
                assertThrows(DataException.class, () -> Expansion.shifted(d)).getMessage());
    }
}
