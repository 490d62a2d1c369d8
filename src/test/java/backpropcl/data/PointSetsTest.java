package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PointSetsTest {

    @ParameterizedTest
    @ValueSource(strings = {"moons", "circles", "xor", "spiral"})
    void shapesBalanceAndRange(String name) {
        DataSplit s = DataSources.resolve("points:" + name, 2);
        assertEquals(name, s.name());
        assertEquals(name + "/train", s.train().name());
        for (Dataset d : new Dataset[] {s.train(), s.test()}) {
            assertEquals(2, d.width());
            assertEquals(2, d.classes());
            int ones = Arrays.stream(d.labels()).sum();
            assertEquals(d.count() / 2, ones, d.name() + " is balanced");
            for (float f : d.features()) {
                assertTrue(Float.isFinite(f) && Math.abs(f) < 1.5f, d.name() + ": feature " + f);
            }
        }
        assertEquals(1000, s.train().count());
        assertEquals(500, s.test().count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"moons", "circles", "xor", "spiral"})
    void sameSeedSamePoints(String name) {
        DataSplit a = DataSources.resolve("points:" + name, 0);
        DataSplit b = DataSources.resolve("points:" + name + ":1000:" + PointSets.DEFAULT_SEED, 0);
        assertArrayEquals(a.train().features(), b.train().features());
        assertArrayEquals(a.test().features(), b.test().features());
        assertArrayEquals(a.train().labels(), b.train().labels());
        // Training and test points come from different streams, another seed from others again.
        assertFalse(Arrays.equals(Arrays.copyOf(a.train().features(), 1000), a.test().features()));
        DataSplit c = DataSources.resolve("points:" + name + ":1000:7", 0);
        assertFalse(Arrays.equals(a.train().features(), c.train().features()));
    }

    @ParameterizedTest
    @CsvSource({
        "moons,   0.1683142,    0.37146705,  -0.15678127, -0.24774997, -0.8422548,   0.29002026",
        "circles, -0.082385264, 1.0199516,   0.11396922,  0.50804615,  -0.080382325, -1.0250142",
        "xor,     -0.7127083,   -0.9671476,  -0.2606172,  0.1343215,   0.77365917,   0.093118794",
        "spiral,  -0.29710388,  -0.10320229, 0.2903692,   -0.098309524, -0.7897112,  0.032905173"})
    void defaultPointsArePinned(String name, float x0, float y0, float x1, float y1, float testX0, float testY0) {
        // A change here changes every user's data set: the first points, exactly, and their labels.
        DataSplit s = DataSources.resolve("points:" + name, 2);
        assertArrayEquals(new float[] {x0, y0, x1, y1}, Arrays.copyOf(s.train().features(), 4), name);
        assertArrayEquals(new float[] {testX0, testY0}, Arrays.copyOf(s.test().features(), 2), name);
        assertArrayEquals(new int[] {0, 1, 0, 1}, Arrays.copyOf(s.train().labels(), 4), name);
    }

    @Test
    void countAndSeedFromTheSpec() {
        DataSplit s = DataSources.resolve("points:spiral:2000:7", 0);
        assertEquals(2000, s.train().count());
        assertEquals(1000, s.test().count());
        assertEquals(2, s.train().classes());
        DataSplit wide = DataSources.resolve("points:xor:10", 5);
        assertEquals(5, wide.train().classes());
        assertEquals(5, wide.test().count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"xor", "circles", "spiral"})
    void notLinearlySeparable(String name) {
        assertTrue(linearAccuracy(DataSources.resolve("points:" + name, 2).train()) < 0.75);
    }

    @Test
    void moonsAreMostlyButNotQuiteLinear() {
        double acc = linearAccuracy(DataSources.resolve("points:moons", 2).train());
        assertTrue(acc > 0.75 && acc < 0.95, "least-squares accuracy on moons " + acc);
    }

    /** Accuracy of the least-squares fit of w . (x, y, 1) to the targets -1 / +1. */
    private static double linearAccuracy(Dataset d) {
        RealMatrix a = new Array2DRowRealMatrix(d.count(), 3);
        RealVector t = new ArrayRealVector(d.count());
        for (int i = 0; i < d.count(); i++) {
            a.setRow(i, new double[] {d.features()[2 * i], d.features()[2 * i + 1], 1});
            t.setEntry(i, d.labels()[i] == 1 ? 1 : -1);
        }
        RealVector w = new LUDecomposition(a.transpose().multiply(a)).getSolver().solve(a.transpose().operate(t));
        int right = 0;
        for (int i = 0; i < d.count(); i++) {
            boolean one = w.dotProduct(a.getRowVector(i)) > 0;
            right += one == (d.labels()[i] == 1) ? 1 : 0;
        }
        return right / (double) d.count();
    }

    @Test
    void badSpecsSayWhatIsAccepted() {
        DataException unknown = assertThrows(DataException.class, () -> DataSources.resolve("points:blobs", 2));
        assertEquals("--data 'points:blobs': unknown point set 'blobs' (expected points:moons, points:circles, "
                + "points:xor or points:spiral)", unknown.getMessage());
        for (String bad : new String[] {"points:", "points:moons:many", "points:moons:10:x", "points:moons:1:2:3"}) {
            DataException e = assertThrows(DataException.class, () -> DataSources.resolve(bad, 2), bad);
            assertTrue(e.getMessage().startsWith("--data '" + bad + "': "), e.getMessage());
        }
        DataException tiny = assertThrows(DataException.class, () -> DataSources.resolve("points:xor:1", 2));
        assertTrue(tiny.getMessage().contains("expected 2 to"), tiny.getMessage());
        DataException one = assertThrows(DataException.class, () -> DataSources.resolve("points:xor", 1));
        assertTrue(one.getMessage().contains("2 classes"), one.getMessage());
    }
}
