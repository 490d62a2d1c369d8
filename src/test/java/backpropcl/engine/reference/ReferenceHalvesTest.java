package backpropcl.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.DropoutMask;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import org.junit.jupiter.api.Test;

/** The reference engine's half-steps and dropout, checked against its own whole step and the mask rule. */
class ReferenceHalvesTest {

    @Test
    void halvesAreTrainBatchBitForBit() {
        Network net = Network.of("20-7-3", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.XAVIER.initialise(net, 3);
        Dataset data = SyntheticData.random("r", 3, 40, 20, 3, true);
        try (ReferenceEngine whole = new ReferenceEngine(net, p); ReferenceEngine halves = new ReferenceEngine(net, p)) {
            whole.setTrainingData(data);
            halves.setTrainingData(data);
            for (int i = 0; i < 5; i++) {
                whole.trainBatch(i * 8, 8, 0.3);
                halves.computeGradients(i * 8, 8);
                Gradients g = halves.gradients();
                assertEquals(8, g.rows());
                assertArrayEquals(halves.gradW(1), g.weights(1));
                halves.applyGradients(0.3);
            }
            assertTrue(whole.state().bitwiseEquals(halves.state()));
        }
    }

    @Test
    void dropoutZeroesTheMaskedInputsAndScalesTheRest() {
        // One dense layer on a dropped input: z = (x * mask / (1-p)) W^T with W the identity.
        int n = 64;
        double drop = 0.25;
        Network net = Network.parse(n, "dropout:0.25,dense:64,identity", Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        for (int j = 0; j < n; j++) {
            p.setWeight(0, j * n + j, 1);
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1 + i;
        }
        Dataset data = new Dataset("one", x, new int[] {0}, 1, n, n);
        try (ReferenceEngine ref = new ReferenceEngine(net, p)) {
            ref.setTrainingData(data);
            ref.setSeed(9);
            ref.computeGradients(0, 1);
            double[] z = ref.trace(0).z();
            int dropped = 0;
            for (int e = 0; e < n; e++) {
                boolean keep = DropoutMask.keeps(9, 1, 0, e, drop);
                assertEquals(keep ? x[e] / (1 - drop) : 0, z[e], 1e-12, "element " + e);
                dropped += keep ? 0 : 1;
            }
            assertTrue(dropped > 5 && dropped < 30, "about a quarter dropped, got " + dropped);
            // The next step draws another mask.
            ref.applyGradients(0);
            ref.computeGradients(0, 1);
            assertNotEquals(java.util.Arrays.toString(z), java.util.Arrays.toString(ref.trace(0).z()));
            // Evaluation has no dropout: the output is x itself.
            assertEquals(data.count(), ref.evaluate(data).count());
        }
    }
}
