package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CostTest {
    private static final double EPS = 1e-12;

    @Test
    void quadraticIsHalfTheSquaredDistance() {
        double[] a = {0.2, 0.9, 0.1};
        double[] y = {0, 1, 0};
        double expected = 0.5 * (0.04 + 0.01 + 0.01);
        assertEquals(expected, Cost.QUADRATIC.sampleCost(Activation.SIGMOID, null, a, y, 0, 3), EPS);
    }

    @Test
    void softmaxCrossEntropyIsMinusLogOfTheTrueClass() {
        double[] z = {1, 2, 3};
        double[] a = new double[3];
        Activation.SOFTMAX.apply(z, a, 1, 3);
        double[] y = {0, 1, 0};
        assertEquals(-Math.log(a[1]), Cost.CROSS_ENTROPY.sampleCost(Activation.SOFTMAX, z, a, y, 0, 3), EPS);
    }

    @Test
    void softmaxCrossEntropyStaysFiniteForHugeLogits() {
        double[] z = {-1000, 1000};
        double[] a = new double[2];
        Activation.SOFTMAX.apply(z, a, 1, 2);
        assertEquals(2000, Cost.CROSS_ENTROPY.sampleCost(Activation.SOFTMAX, z, a, new double[] {1, 0}, 0, 2), 1e-9);
    }

    @Test
    void binaryCrossEntropyWithSigmoid() {
        double[] z = {0.3, -1.2};
        double[] a = {Activation.SIGMOID.value(0.3), Activation.SIGMOID.value(-1.2)};
        double[] y = {1, 0};
        double expected = -Math.log(a[0]) - Math.log(1 - a[1]);
        assertEquals(expected, Cost.CROSS_ENTROPY.sampleCost(Activation.SIGMOID, z, a, y, 0, 2), 1e-12);
    }

    @Test
    void outputErrors() {
        double[] z = {0.5, -0.25};
        double[] a = {Activation.SIGMOID.value(0.5), Activation.SIGMOID.value(-0.25)};
        double[] y = {1, 0};
        double[] delta = new double[2];
        Cost.CROSS_ENTROPY.outputError(Activation.SIGMOID, z, a, y, delta, 1, 2);
        assertArrayEquals(new double[] {a[0] - 1, a[1]}, delta, EPS);
        Cost.QUADRATIC.outputError(Activation.SIGMOID, z, a, y, delta, 1, 2);
        assertArrayEquals(new double[] {(a[0] - 1) * a[0] * (1 - a[0]), a[1] * a[1] * (1 - a[1])}, delta, EPS);
    }

    @Test
    void crossEntropyNeedsProbabilities() {
        assertTrue(Cost.CROSS_ENTROPY.supports(Activation.SOFTMAX));
        assertTrue(Cost.CROSS_ENTROPY.supports(Activation.SIGMOID));
        assertFalse(Cost.CROSS_ENTROPY.supports(Activation.IDENTITY));
        assertTrue(Cost.QUADRATIC.supports(Activation.IDENTITY));
    }
}
