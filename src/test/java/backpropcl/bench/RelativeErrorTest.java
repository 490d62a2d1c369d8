package backpropcl.bench;

import backpropcl.engine.RelativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RelativeErrorTest {

    @Test
    void knownAnswers() {
        // The second argument is the truth: ||(0,0) - (3,4)|| / ||(3,4)|| = 5 / 5; ||(0.6,0.8)|| / 5 = 0.2.
        assertEquals(1.0, RelativeError.of(new double[] {0, 0}, new double[] {3, 4}));
        assertEquals(0.2, RelativeError.of(new double[] {3.6, 4.8}, new double[] {3, 4}), 1e-15);
        assertEquals(0.0, RelativeError.of(new double[] {1, 2}, new double[] {1, 2}));
    }

    @Test
    void zeroTruthGivesTheAbsoluteNorm() {
        assertEquals(5.0, RelativeError.of(new double[] {3, 4}, new double[] {0, 0}));
    }

    @Test
    void anythingNotFiniteIsInfinitelyFar() {
        assertEquals(Double.POSITIVE_INFINITY, RelativeError.of(new double[] {Double.NaN}, new double[] {1}));
        assertEquals(Double.POSITIVE_INFINITY, RelativeError.of(new double[] {1}, new double[] {Double.POSITIVE_INFINITY}));
    }

    @Test
    void sizesMustMatch() {
        assertThrows(IllegalStateException.class, () -> RelativeError.of(new double[2], new double[3]));
    }
}
