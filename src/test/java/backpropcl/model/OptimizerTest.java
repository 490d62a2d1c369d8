package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import backpropcl.engine.reference.ReferenceEngine;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference engine's update rules on numbers worked by hand: a 1-1 network whose gradient is
 * set directly, two steps each, so every term of every formula (momentum, Nesterov's look-ahead,
 * Adam's bias corrections, coupled and decoupled decay, undecayed biases) shows in the result.
 */
class OptimizerTest {
    private static final Network NET = Network.of("1-1", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);

    /** Two steps with gradients g1 then g2 on w0 = 0.5 (weight) and b0 = 0.5 (bias); returns {w, b}. */
    private static double[] twoSteps(Optimizer o, double lr, double g1, double g2) {
        Parameters p = Parameters.zeros(NET);
        p.setWeight(0, 0, 0.5f);
        p.setBias(0, 0, 0.5f);
        try (ReferenceEngine e = new ReferenceEngine(NET, p)) {
            e.setOptimizer(o);
            for (double g : new double[] {g1, g2}) {
                Gradients grads = new Gradients(NET);
                grads.setWeights(0, new double[] {g});
                grads.setBiases(0, new double[] {g});
                e.setGradients(grads);
                e.update(lr);
            }
            return new double[] {e.weights(0)[0], e.biases(0)[0]};
        }
    }

    @Test
    void sgdWithNielsenDecay() {
        // w1 = 0.5 - 0.1 (0.2 + 0.01 * 0.5) = 0.4795; w2 = w1 - 0.1 (-0.4 + 0.01 w1)
        double w1 = 0.5 - 0.1 * (0.2 + 0.01 * 0.5);
        double w2 = w1 - 0.1 * (-0.4 + 0.01 * w1);
        double[] r = twoSteps(Optimizer.sgd().withWeightDecay(0.01), 0.1, 0.2, -0.4);
        assertEquals(w2, r[0], 1e-15);
        assertEquals(0.5 - 0.1 * 0.2 + 0.1 * 0.4, r[1], 1e-15, "biases are not decayed");
    }

    @Test
    void momentumAndNesterov() {
        // v1 = 0.2, w1 = 0.5 - 0.1*0.2; v2 = 0.9*0.2 - 0.4 = -0.22, w2 = w1 + 0.022
        double[] m = twoSteps(Optimizer.of(Optimizer.Kind.MOMENTUM), 0.1, 0.2, -0.4);
        assertEquals(0.5 - 0.02 + 0.022, m[0], 1e-15);
        // Nesterov: w1 = 0.5 - 0.1 (0.2 + 0.9*0.2) = 0.462; v2 = -0.22, w2 = w1 - 0.1 (-0.4 + 0.9 * -0.22)
        double[] n = twoSteps(Optimizer.of(Optimizer.Kind.NESTEROV), 0.1, 0.2, -0.4);
        assertEquals(0.462 - 0.1 * (-0.4 - 0.198), n[0], 1e-15);
        assertEquals(n[0], n[1], 1e-15, "no decay: weight and bias move alike");
    }

    @Test
    void adamBiasCorrectionAndDecay() {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double lr = 0.01;
        // Step 1 of Adam moves by lr * g/|g| (bias-corrected m/sqrt(s) = g/|g|).
        double[] one = twoSteps(Optimizer.of(Optimizer.Kind.ADAM), lr, 0.2, 0.2);
        double m1 = 0.1 * 0.2;
        double s1 = 0.001 * 0.04;
        double w1 = 0.5 - (lr / (1 - b1)) * m1 / (Math.sqrt(s1) / Math.sqrt(1 - b2) + eps);
        assertEquals(0.5 - lr, w1, 1e-9);
        double m2 = b1 * m1 + 0.1 * 0.2;
        double s2 = b2 * s1 + 0.001 * 0.04;
        double w2 = w1 - (lr / (1 - b1 * b1)) * m2 / (Math.sqrt(s2) / Math.sqrt(1 - b2 * b2) + eps);
        assertEquals(w2, one[0], 1e-15);

        // AdamW: the weight shrinks by (1 - lr * wd) before each step; Adam with coupled decay adds wd * w to g instead.
        double wd = 0.5;
        double[] adamw = twoSteps(Optimizer.of(Optimizer.Kind.ADAMW).withWeightDecay(wd), lr, 0.2, 0.2);
        double v1 = 0.5 * (1 - lr * wd) - lr * (0.1 * 0.2 / (1 - b1)) / (Math.sqrt(0.001 * 0.04 / (1 - b2)) + eps);
        double v2 = v1 * (1 - lr * wd) - (lr / (1 - b1 * b1)) * m2 / (Math.sqrt(s2) / Math.sqrt(1 - b2 * b2) + eps);
        assertEquals(v2, adamw[0], 1e-15);
        assertEquals(one[1], adamw[1], 1e-15, "biases are not decayed");
        double[] coupled = twoSteps(Optimizer.of(Optimizer.Kind.ADAM).withWeightDecay(wd), lr, 0.2, 0.2);
        double ga = 0.2 + wd * 0.5;
        double c1 = 0.5 - (lr / (1 - b1)) * (0.1 * ga) / (Math.sqrt(0.001 * ga * ga) / Math.sqrt(1 - b2) + eps);
        double gb = 0.2 + wd * c1;
        double cm = b1 * 0.1 * ga + 0.1 * gb;
        double cs = b2 * 0.001 * ga * ga + 0.001 * gb * gb;
        assertEquals(c1 - (lr / (1 - b1 * b1)) * cm / (Math.sqrt(cs) / Math.sqrt(1 - b2 * b2) + eps), coupled[0], 1e-15);
    }

    @Test
    void metadataRoundTripsExactly() {
        Optimizer o = new Optimizer(Optimizer.Kind.NESTEROV, 0.85, 0.8, 0.95, 3e-7, 1.0 / 3);
        assertEquals(o, Optimizer.fromMetadata(o.toMetadata()));
        assertEquals(null, Optimizer.fromMetadata(Map.of()));
    }

    @Test
    void rejectsBadHyperparameters() {
        assertEquals("--momentum must be in [0, 1), got 1.0", assertThrows(IllegalArgumentException.class,
                () -> Optimizer.of(Optimizer.Kind.MOMENTUM).withMomentum(1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd().withWeightDecay(-1));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd().withWeightDecay(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.of(Optimizer.Kind.ADAM).withEpsilon(0));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.of(Optimizer.Kind.ADAM).withBetas(0.9, 1.0));
        assertEquals("unknown optimizer 'rmsprop'; expected sgd, momentum, nesterov, adam or adamw",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.Kind.parse("rmsprop")).getMessage());
    }
}
