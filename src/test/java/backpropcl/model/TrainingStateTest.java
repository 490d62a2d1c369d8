package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainingStateTest {
    private static final Network NET = Network.of("3-2-4", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
    private static final int SIZE = Math.toIntExact(NET.parameterCount());

    @Test
    void theParametersAndEachSlotAreFlatBuffersOfOneLayout() {
        TrainingState s = TrainingState.zeros(NET, Optimizer.of(Optimizer.Kind.ADAM));
        assertEquals(NET.parameterCount(), s.values().length);
        assertEquals(NET.parameterCount(), s.slot(0).length);
        assertEquals(NET.parameterCount(), s.slot(1).length);
        s.setSlotWeights(1, 1, new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        s.setSlotBiases(0, 0, new float[] {0.5f, 0.25f});
        s.setBiases(1, new double[] {9, 8, 7, 6});
        assertEquals(5, s.slot(1)[8 + 4], "dense layer 1's weight starts at 8");
        assertEquals(0.25, s.slot(0)[7], "dense layer 0's bias starts at 6");
        assertEquals(7, s.values()[18]);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, s.copySlotWeights(1, 1));
        assertArrayEquals(new double[] {0.5, 0.25}, s.copySlotBiases(0, 0));
        assertArrayEquals(new double[] {9, 8, 7, 6}, s.copyBiases(1));
    }

    @Test
    void tensorReadsAreCopies() {
        TrainingState s = TrainingState.zeros(NET, Optimizer.of(Optimizer.Kind.MOMENTUM));
        s.copyWeights(0)[0] = 1;
        s.copySlotWeights(0, 0)[0] = 1;
        assertArrayEquals(new double[SIZE], s.values());
        assertArrayEquals(new double[SIZE], s.slot(0));
        s.setWeight(0, 1, Math.PI);
        s.setBias(1, 3, 2);
        s.setSlotWeight(0, 1, 7, -1);
        s.setSlotBias(0, 0, 1, 3);
        assertEquals(Math.PI, s.values()[1]);
        assertEquals(Math.PI, s.weight(0, 1));
        assertEquals(2, s.bias(1, 3));
        assertEquals(-1, s.slot(0)[15]);
        assertEquals(3, s.slot(0)[7]);
        assertThrows(IndexOutOfBoundsException.class, () -> s.setSlotBias(0, 1, 4, 0));
        assertEquals("layers.0.weight needs 6 values, got 5",
                assertThrows(IllegalArgumentException.class, () -> s.setSlotWeights(0, 0, new float[5])).getMessage());
    }

    @Test
    void freshHoldsTheParametersExactlyAndParametersRoundsToFloat() {
        Parameters p = Init.NORMAL.initialise(NET, 11);
        TrainingState s = TrainingState.fresh(p, Optimizer.of(Optimizer.Kind.ADAM));
        for (int i = 0; i < p.values().length; i++) {
            assertEquals(p.values()[i], s.values()[i]);
        }
        assertArrayEquals(new double[SIZE], s.slot(0));
        assertEquals(0, s.steps());
        assertTrue(s.parameters().bitwiseEquals(p));
        s.setWeight(1, 0, Math.PI);
        assertEquals((float) Math.PI, s.parameters().weight(1, 0));
    }

    @Test
    void bitwiseEqualsComparesEveryBufferAndTheSteps() {
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        TrainingState a = TrainingState.fresh(Init.XAVIER.initialise(NET, 2), adam);
        TrainingState b = TrainingState.fresh(Init.XAVIER.initialise(NET, 2), adam);
        assertTrue(a.bitwiseEquals(b));
        b.setSlotBias(1, 1, 0, 1e-300);
        assertFalse(a.bitwiseEquals(b), "a slot differs");
        a.setSlotBias(1, 1, 0, 1e-300);
        assertTrue(a.bitwiseEquals(b));
        b.setSteps(1);
        assertFalse(a.bitwiseEquals(b), "the steps differ");
        a.setSteps(1);
        a.setBias(0, 0, -0.0);
        assertFalse(a.bitwiseEquals(b), "-0 is not +0 bit for bit");
    }
}
