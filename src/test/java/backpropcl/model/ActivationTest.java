package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationTest {
    private static final double EPS = 1e-12;

    @Test
    void knownValues() {
        assertEquals(0.5, Activation.SIGMOID.value(0), EPS);
        assertEquals(1 / (1 + Math.exp(-2)), Activation.SIGMOID.value(2), EPS);
        assertEquals(Math.tanh(-0.7), Activation.TANH.value(-0.7), EPS);
        assertEquals(0.0, Activation.RELU.value(-3), EPS);
        assertEquals(3.0, Activation.RELU.value(3), EPS);
        assertEquals(-0.03, Activation.LEAKY_RELU.value(-3), EPS);
        assertEquals(2.5, Activation.IDENTITY.value(2.5), EPS);
    }

    @Test
    void knownDerivatives() {
        double a = Activation.SIGMOID.value(1.3);
        assertEquals(a * (1 - a), Activation.SIGMOID.derivative(1.3, a), EPS);
        double t = Math.tanh(0.4);
        assertEquals(1 - t * t, Activation.TANH.derivative(0.4, t), EPS);
        assertEquals(0.0, Activation.RELU.derivative(0, 0), EPS, "ReLU'(0) is 0, as in PyTorch");
        assertEquals(1.0, Activation.RELU.derivative(0.1, 0.1), EPS);
        assertEquals(0.01, Activation.LEAKY_RELU.derivative(-2, -0.02), EPS);
        assertEquals(1.0, Activation.IDENTITY.derivative(-5, -5), EPS);
    }

    @Test
    void derivativesMatchFiniteDifferences() {
        Random rnd = new Random(7);
        for (Activation f : Activation.values()) {
            if (!f.isElementwise()) {
                continue;
            }
            for (int i = 0; i < 50; i++) {
                double z = rnd.nextGaussian() * 3;
                if (Math.abs(z) < 1e-3) {
                    continue; // the kink of the ReLUs
                }
                double h = 1e-6;
                double numeric = (f.value(z + h) - f.value(z - h)) / (2 * h);
                assertEquals(numeric, f.derivative(z, f.value(z)), 1e-7, f + " at " + z);
            }
        }
    }

    @Test
    void softmaxIsStableAndSumsToOne() {
        double[] z = {1000, 1001, 1002, -5, 0, 5};
        double[] a = new double[6];
        Activation.SOFTMAX.apply(z, a, 2, 3);
        double e = Math.exp(1) + Math.exp(2) + 1;
        assertEquals(1 / e, a[0], EPS);
        assertEquals(Math.exp(1) / e, a[1], EPS);
        assertEquals(Math.exp(2) / e, a[2], EPS);
        assertEquals(1.0, a[3] + a[4] + a[5], EPS);
        assertEquals(Math.exp(5) / (Math.exp(-5) + 1 + Math.exp(5)), a[5], EPS);
    }

    @Test
    void softmaxBackwardIsTheJacobianProduct() {
        Random rnd = new Random(3);
        int n = 5;
        double[] z = new double[n];
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = rnd.nextGaussian();
            g[i] = rnd.nextGaussian();
        }
        double[] a = new double[n];
        Activation.SOFTMAX.apply(z, a, 1, n);
        double[] delta = new double[n];
        Activation.SOFTMAX.backward(z, a, g, delta, 1, n);
        for (int j = 0; j < n; j++) {
            double expected = 0;
            for (int i = 0; i < n; i++) {
                double jacobian = a[i] * ((i == j ? 1 : 0) - a[j]); // da_i/dz_j
                expected += g[i] * jacobian;
            }
            assertEquals(expected, delta[j], 1e-14);
        }
    }

    @Test
    void parsesCliNames() {
        assertEquals(Activation.LEAKY_RELU, Activation.parse("leaky-relu"));
        assertEquals(Activation.LEAKY_RELU, Activation.parse("LEAKY_RELU"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
        assertEquals("unknown activation 'swish' (expected sigmoid, tanh, relu, leaky-relu, softmax or identity)", e.getMessage());
    }
}
