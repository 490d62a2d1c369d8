package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NetworkTest {

    @Test
    void parsesTheLessonNetwork() {
        Network n = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        assertArrayEquals(new int[] {784, 16, 16, 10}, n.sizes());
        assertEquals(3, n.denseLayers());
        assertEquals(784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10, n.parameterCount());
        assertEquals("784-16-16-10 [sigmoid,sigmoid,sigmoid] quadratic", n.toString());
    }

    @Test
    void rejectsBadArchitectures() {
        assertEquals("--arch '784--10': '' is not a layer width (expected positive integers joined by '-', e.g. 784-16-16-10)",
                assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784--10")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784-0-10")).getMessage()
                .contains("width 0 is out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784-1000000000-10")).getMessage()
                .contains("out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784")).getMessage()
                .contains("at least two widths"));
        assertThrows(IllegalArgumentException.class, () -> Network.parseArch("a-b"));
    }

    @Test
    void crossEntropyNeedsSigmoidOrSoftmaxOutput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.of("4-3", Activation.RELU, Activation.IDENTITY, Cost.CROSS_ENTROPY));
        assertEquals("cross-entropy cost needs a sigmoid or softmax output, not identity", e.getMessage());
    }

    @Test
    void softmaxOnlyOnTheOutput() {
        assertThrows(IllegalArgumentException.class, () -> Network.of("4-3-2", Activation.SOFTMAX, Activation.SOFTMAX, Cost.QUADRATIC));
    }

    @Test
    void initialisationIsDeterministicAndScaled() {
        Network n = Network.of("300-200-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters a = Init.HE.initialise(n, 42);
        assertTrue(a.bitwiseEquals(Init.HE.initialise(n, 42)));
        assertFalse(a.bitwiseEquals(Init.HE.initialise(n, 43)));
        assertEquals(Math.sqrt(2.0 / 300), std(a.weights(0)), 0.01 * Math.sqrt(2.0 / 300) * 3);
        assertEquals(Math.sqrt(2.0 / 210), std(Init.XAVIER.initialise(n, 1).weights(1)), 0.1 * Math.sqrt(2.0 / 210));
        assertEquals(0.0, std(a.biases(0)), 0.0, "He biases are zero");
        Parameters normal = Init.NORMAL.initialise(n, 1);
        assertEquals(1.0, std(normal.weights(0)), 0.01);
        assertEquals(1.0, std(normal.biases(0)), 0.2);
    }

    private static double std(float[] v) {
        double s = 0;
        double s2 = 0;
        for (float x : v) {
            s += x;
            s2 += (double) x * x;
        }
        double mean = s / v.length;
        return Math.sqrt(Math.max(0, s2 / v.length - mean * mean));
    }
}
