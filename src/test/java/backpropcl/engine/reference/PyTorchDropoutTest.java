package backpropcl.engine.reference;

import static backpropcl.engine.reference.PyTorchFixture.doubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.model.Cost;
import backpropcl.model.DropoutMask;
import backpropcl.model.Gradients;
import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.TrainingState;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The reference engine's dropout against PyTorch's autograd: src/test/resources/pytorch/dropout.json
 * was computed in float64 by bench/torch_dropout.py (which says how to make it again) for
 * nn.Sequential(dropout, Linear, ReLU, dropout, Linear, Softmax) with cross-entropy, each dropout
 * being nn.Dropout's x * mask / (1-p) on the mask of {@link DropoutMask} computed there by a Python
 * Philox. Three SGD steps: the masks, the loss, every gradient and the final parameters must agree.
 */
class PyTorchDropoutTest {
    private static final double TOLERANCE = 1e-10;

    @Test
    void threeDropoutStepsAgreeWithPyTorch() {
        JsonObject fixture = PyTorchFixture.load("dropout.json");
        int inputs = fixture.get("inputs").getAsInt();
        Network net = Network.parse(inputs, fixture.get("spec").getAsString(), Cost.CROSS_ENTROPY);
        int[] labels = PyTorchFixture.ints(fixture.getAsJsonArray("labels"));
        Dataset data = new Dataset("pytorch dropout fixture", PyTorchFixture.floats(fixture.getAsJsonArray("x")), labels,
                labels.length, inputs, net.outputSize());
        long seed = fixture.get("seed").getAsLong();
        int batch = fixture.get("batch").getAsInt();
        double lr = fixture.get("lr").getAsDouble();
        int steps = 0;
        try (ReferenceEngine ref = new ReferenceEngine(net, PyTorchFixture.parameters(net, fixture.getAsJsonArray("initial")))) {
            ref.setTrainingData(data);
            ref.setSeed(seed);
            for (JsonElement e : fixture.getAsJsonArray("steps")) {
                JsonObject step = e.getAsJsonObject();
                long t = step.get("step").getAsLong();
                int start = step.get("start").getAsInt();
                String at = "step " + t;
                assertMasks(net, seed, t, batch, step.getAsJsonObject("masks"), at);
                assertClose(at + " loss", step.get("loss").getAsDouble(), ref.trainingCost(start, batch));
                ref.computeGradients(start, batch);
                Gradients g = ref.gradients();
                JsonArray want = step.getAsJsonArray("gradients");
                for (int l = 0; l < net.denseLayers(); l++) {
                    assertAllClose(at + " dC/dW[" + l + "]", doubles(want.get(2 * l).getAsJsonArray()), g.weights(l));
                    assertAllClose(at + " dC/db[" + l + "]", doubles(want.get(2 * l + 1).getAsJsonArray()), g.biases(l));
                }
                ref.applyGradients(lr);
                steps++;
            }
            TrainingState s = ref.state();
            JsonArray fin = fixture.getAsJsonArray("final");
            for (int l = 0; l < net.denseLayers(); l++) {
                assertAllClose("final W[" + l + "]", doubles(fin.get(2 * l).getAsJsonArray()), s.copyWeights(l));
                assertAllClose("final b[" + l + "]", doubles(fin.get(2 * l + 1).getAsJsonArray()), s.copyBiases(l));
            }
        }
        assertEquals(3, steps, "the fixture's steps");
    }

    /** The Python Philox drew the masks DropoutMask draws, element by element, and some elements are dropped. */
    private static void assertMasks(Network net, long seed, long t, int batch, JsonObject masks, String at) {
        int dropped = 0;
        for (int l = 0; l < net.denseLayers(); l++) {
            if (net.dropoutBefore(l) == 0) {
                continue;
            }
            int k = net.dropoutIndex(l);
            assertTrue(net.layers().get(k) instanceof Layer.Dropout);
            double[] mask = doubles(masks.getAsJsonArray(Integer.toString(k)));
            assertEquals(batch * net.size(l), mask.length, at + " mask of layer " + k);
            for (int e = 0; e < mask.length; e++) {
                boolean keeps = DropoutMask.keeps(seed, t, k, e, net.dropoutBefore(l));
                assertEquals(keeps ? 1.0 : 0.0, mask[e], at + " layer " + k + " element " + e);
                dropped += keeps ? 0 : 1;
            }
        }
        assertTrue(dropped > 0, at + ": no element dropped, the step checks no dropout");
    }

    private static void assertAllClose(String what, double[] want, double[] got) {
        PyTorchFixture.assertAllClose(what, want, got, TOLERANCE);
    }

    private static void assertClose(String what, double want, double got) {
        PyTorchFixture.assertClose(what, want, got, TOLERANCE);
    }
}
