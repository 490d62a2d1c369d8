package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ParametersTest {
    private static final Network NET = Network.of("3-2-4", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
    private static final int SIZE = Math.toIntExact(NET.parameterCount());

    @Test
    void oneFlatBufferLaidOutByTheLayout() {
        Parameters p = Parameters.zeros(NET);
        assertEquals(NET.parameterCount(), p.values().length);
        assertEquals(p.layout().size(), p.values().length);
        p.setWeights(1, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        p.setBiases(0, new float[] {-1, -2});
        // layers.0.weight (2, 3) at 0, layers.0.bias (2) at 6, layers.2.weight (4, 2) at 8, layers.2.bias (4) at 16 (k counts the Act layers too)
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, -1, -2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0}, p.values());
        assertEquals(7, p.weight(1, 6));
        assertEquals(-2, p.bias(0, 1));
    }

    @Test
    void tensorReadsAreCopiesAndWritesGoThroughTheSetters() {
        Parameters p = Parameters.zeros(NET);
        float[] w = p.copyWeights(0);
        w[0] = 9;
        p.copyBiases(1)[2] = 9;
        assertArrayEquals(new float[SIZE], p.values(), "a copy's writes do not reach the parameters");
        p.setWeight(0, 5, 3);
        p.setBias(1, 3, 4);
        assertEquals(3, p.values()[5]);
        assertEquals(4, p.values()[19]);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 3}, p.copyWeights(0));
        assertArrayEquals(new float[] {0, 0, 0, 4}, p.copyBiases(1));
        p.values()[16] = 2;
        assertEquals(2, p.bias(1, 0), "values() is live");
    }

    @Test
    void checksLengthsAndIndices() {
        Parameters p = Parameters.zeros(NET);
        assertEquals("layers.2.weight needs 8 values, got 7",
                assertThrows(IllegalArgumentException.class, () -> p.setWeights(1, new float[7])).getMessage());
        assertEquals("layers.0.bias has 2 values, no index 2",
                assertThrows(IndexOutOfBoundsException.class, () -> p.setBias(0, 2, 1)).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> p.weight(0, -1));
    }

    @Test
    void copyIsDeepAndBitwiseEqualsComparesBits() {
        Parameters p = Init.NORMAL.initialise(NET, 5);
        Parameters q = p.copy();
        assertTrue(p.bitwiseEquals(q));
        q.setBias(1, 0, -q.bias(1, 0));
        assertFalse(p.bitwiseEquals(q));
        Parameters z = Parameters.zeros(NET);
        Parameters negativeZero = Parameters.zeros(NET);
        negativeZero.setWeight(0, 0, -0.0f);
        assertFalse(z.bitwiseEquals(negativeZero), "-0 is not +0 bit for bit");
        assertFalse(z.bitwiseEquals(Parameters.zeros(Network.of("3-2-4", Activation.TANH, Activation.SIGMOID, Cost.QUADRATIC))));
    }

    /** The documented draw order: per layer its weights row-major, then (normal only) its biases, from one generator. */
    @ParameterizedTest
    @EnumSource(Init.class)
    void initDrawsLayerByLayerWeightsThenBiases(Init init) {
        Network net = Network.of("5-4-3-2", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        long seed = 0x1234_5678_9abcL;
        RandomGenerator rng = new Well19937c(new int[] {(int) (seed >>> 32), (int) seed, 0x1417});
        float[] want = new float[Math.toIntExact(net.parameterCount())];
        int at = 0;
        for (int l = 0; l < net.denseLayers(); l++) {
            int in = net.size(l);
            int out = net.size(l + 1);
            double std = switch (init) {
                case NORMAL -> 1.0;
                case XAVIER -> Math.sqrt(2.0 / (in + out));
                case HE -> Math.sqrt(2.0 / in);
            };
            for (int i = 0; i < in * out; i++) {
                want[at++] = (float) (std * rng.nextGaussian());
            }
            for (int j = 0; j < out; j++) {
                want[at++] = init == Init.NORMAL ? (float) rng.nextGaussian() : 0f;
            }
        }
        assertArrayEquals(want, init.initialise(net, seed).values());
    }
}
