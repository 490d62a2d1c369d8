package backpropcl.engine.reference;

import static backpropcl.engine.reference.PyTorchFixture.assertAllClose;
import static backpropcl.engine.reference.PyTorchFixture.assertClose;
import static backpropcl.engine.reference.PyTorchFixture.doubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Inference;
import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The reference engine's conv, max-pool, batch-norm and flatten layers against PyTorch's autograd:
 * src/test/resources/pytorch/conv.json was computed in float64 by bench/torch_conv.py (which says
 * how to make it again) for small networks given as our {@code --layers} specs on an input shape,
 * each the {@code nn.Sequential} whose module k is our layer k. Per network: every layer's output
 * on the first batch in training mode, the loss and every gradient; three SGD steps (lr 0.1); the
 * parameters and batch norm's running statistics after them; the outputs and the mean cost in
 * evaluation mode. Two networks hold tied maxima in their pooling windows on purpose, where the
 * first-maximum rule and the last-maximum rule give different gradients (the script checks that).
 */
class PyTorchConvTest {
    private static final double TOLERANCE = 1e-10;
    private static final JsonObject FIXTURE = PyTorchFixture.load("conv.json");

    @TestFactory
    Stream<DynamicTest> everyNetworkAgreesWithPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : FIXTURE.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString() + ": " + c.get("input_shape").getAsString() + " "
                    + c.get("spec").getAsString(), () -> agrees(c)));
        }
        return tests.stream();
    }

    /** The fixture covers what it claims: the layer kinds, batch 1 and 5, a conv and a max pool with a 1x1 output, ties that matter. */
    @Test
    void theFixtureCoversTheEdgeCases() {
        List<String> specs = new ArrayList<>();
        List<Integer> batches = new ArrayList<>();
        List<String> modules = new ArrayList<>();
        Set<String> onePixel = new HashSet<>();
        int discriminatingTies = 0;
        for (JsonElement e : FIXTURE.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            specs.add(c.get("spec").getAsString());
            batches.add(c.get("batch").getAsInt());
            JsonArray torchModules = c.getAsJsonArray("modules");
            for (int k = 0; k < torchModules.size(); k++) {
                String m = torchModules.get(k).getAsString();
                modules.add(m);
                if ((m.startsWith("Conv2d") || m.startsWith("MaxPool2d")) && !c.getAsJsonArray("shapes").get(k).getAsString().contains("x")) {
                    onePixel.add(m.substring(0, m.indexOf('(')));
                }
            }
            if (c.has("gradients_last_maximum_changes") && c.get("gradients_last_maximum_changes").getAsInt() > 0) {
                discriminatingTies++;
            }
        }
        String all = String.join(",", specs) + "," + String.join(",", modules);
        for (String kind : new String[] {"conv:", ":s2", ":p1", ":p2", "maxpool:", "batchnorm", "flatten", "BatchNorm2d", "BatchNorm1d",
            "sigmoid", "softmax", "relu", "tanh"}) {
            assertTrue(all.contains(kind), "no case has " + kind);
        }
        assertTrue(batches.contains(1) && batches.contains(5), "batches " + batches);
        assertEquals(Set.of("Conv2d", "MaxPool2d"), onePixel, "layers with a 1x1 output");
        assertTrue(discriminatingTies >= 2, "cases whose ties tell the first maximum from the last: " + discriminatingTies);
    }

    private static void agrees(JsonObject c) {
        Shape shape = Shape.parse(c.get("input_shape").getAsString());
        Network net = Network.parse(shape, c.get("spec").getAsString(), Cost.parse(c.get("cost").getAsString()));
        int batch = c.get("batch").getAsInt();
        double lr = FIXTURE.get("lr").getAsDouble();
        int[] labels = PyTorchFixture.ints(c.getAsJsonArray("labels"));
        Dataset data = new Dataset("pytorch conv fixture " + c.get("name").getAsString(), PyTorchFixture.floats(c.getAsJsonArray("x")),
                labels, labels.length, shape.size(), net.outputSize());
        assertModules(net, c.getAsJsonArray("shapes"), c.getAsJsonArray("modules"));
        JsonObject initial = c.getAsJsonObject("initial");
        ParameterLayout layout = ParameterLayout.of(net);
        assertEquals(initial.keySet(), names(layout.tensors()), "the state_dict's tensors are the layout's, in any order");
        Parameters p = Parameters.zeros(net);
        for (Map.Entry<String, JsonElement> t : initial.entrySet()) {
            p.set(t.getKey(), PyTorchFixture.floats(t.getValue().getAsJsonArray()));
        }
        try (ReferenceEngine ref = new ReferenceEngine(net, p)) {
            ref.setTrainingData(data);
            ref.setOrder(null);
            JsonArray steps = c.getAsJsonArray("steps");
            assertEquals(FIXTURE.get("steps").getAsInt(), steps.size(), "steps");
            for (int t = 0; t < steps.size(); t++) {
                JsonObject step = steps.get(t).getAsJsonObject();
                int start = step.get("start").getAsInt();
                String at = "step " + (t + 1);
                assertClose(at + " loss", step.get("loss").getAsDouble(), ref.trainingCost(start, batch), TOLERANCE);
                TrainingState before = ref.state();
                ref.computeGradients(start, batch);
                assertTrue(before.bitwiseEquals(ref.state()), at + ": computeGradients changed a parameter or a running statistic");
                if (step.has("outputs")) {
                    assertOutputs(at, net, step.getAsJsonArray("outputs"), ref.traceLayers());
                }
                if (step.has("gradients")) {
                    assertGradients(at, step.getAsJsonObject("gradients"), ref.gradients());
                }
                ref.applyGradients(lr);
            }
            TrainingState s = ref.state();
            for (Map.Entry<String, JsonElement> t : c.getAsJsonObject("final").entrySet()) {
                assertAllClose("after " + steps.size() + " steps " + t.getKey(), doubles(t.getValue().getAsJsonArray()), s.copy(t.getKey()),
                        TOLERANCE);
            }
            assertEvaluation(ref, data, c.getAsJsonObject("eval"));
        }
    }

    /**
     * Evaluation mode (batch norm on its running statistics): the mean cost and the correct count
     * over all samples, then each sample alone: its cost, and whether PyTorch's output's argmax is
     * its label. The engine gives no evaluation outputs, so they are checked through these.
     */
    private static void assertEvaluation(ReferenceEngine ref, Dataset data, JsonObject eval) {
        Evaluation all = ref.evaluate(data);
        assertClose("evaluation mean cost", eval.get("cost").getAsDouble(), all.meanCost(), TOLERANCE);
        assertEquals(eval.get("correct").getAsLong(), all.correct(), "evaluation: correct");
        double[] costs = doubles(eval.getAsJsonArray("sample_costs"));
        double[] outputs = doubles(eval.getAsJsonArray("outputs"));
        int n = data.classes();
        int w = data.width();
        assertEquals(data.count(), costs.length, "evaluated samples");
        for (int i = 0; i < data.count(); i++) {
            int label = data.labels()[i];
            Dataset one = new Dataset(data.name() + " sample " + i, Arrays.copyOfRange(data.features(), i * w, (i + 1) * w),
                    new int[] {label}, 1, w, n);
            Evaluation e = ref.evaluate(one);
            assertClose("evaluation cost of sample " + i, costs[i], e.meanCost(), TOLERANCE);
            assertEquals(Inference.argmax(outputs, i * n, n) == label ? 1 : 0, e.correct(), "evaluation: sample " + i + " correct");
        }
    }

    /**
     * Every layer's output shape is PyTorch's (Shape's notation: 8 for a flat 8x1x1), and a batchnorm
     * is the same module kind there and here (BatchNorm2d even on a 1x1 image).
     */
    private static void assertModules(Network net, JsonArray shapes, JsonArray modules) {
        assertEquals(net.layers().size(), shapes.size(), "layers");
        for (int k = 0; k < shapes.size(); k++) {
            assertEquals(shapes.get(k).getAsString(), net.shape(k).toString(), "output shape of layer " + k);
            String torch = modules.get(k).getAsString();
            if (torch.startsWith("BatchNorm")) {
                assertEquals("nn." + torch.substring(0, "BatchNormXd".length()), net.torchModule(k).substring(0, "nn.BatchNormXd".length()),
                        "layer " + k + ": " + torch + " in PyTorch, " + net.torchModule(k) + " here");
            }
        }
    }

    /** Every layer's output in the training pass just computed (the "out" tensors of the trace) is the module's. */
    private static void assertOutputs(String at, Network net, JsonArray want, List<LayerTrace.Tensor> trace) {
        assertEquals(net.layers().size(), want.size(), "modules");
        int checked = 0;
        for (LayerTrace.Tensor t : trace) {
            if (t.name().equals("out")) {
                int k = t.layer();
                assertAllClose(at + " output of layer " + k + " '" + net.layers().get(k).spec() + "'",
                        doubles(want.get(k).getAsJsonArray()), t.values(), TOLERANCE);
                checked++;
            }
        }
        assertEquals(want.size(), checked, at + ": layers whose output the trace holds");
    }

    /** PyTorch's gradient of every trainable tensor; the running statistics have none there, zeros here. */
    private static void assertGradients(String at, JsonObject want, Gradients g) {
        for (ParameterLayout.Tensor t : g.layout().tensors()) {
            double[] got = t.copyOut(g.values());
            if (t.trainable()) {
                assertTrue(want.has(t.name()), at + ": PyTorch has no gradient of " + t.name());
                assertAllClose(at + " gradient of " + t.name(), doubles(want.getAsJsonArray(t.name())), got, TOLERANCE);
            } else {
                assertTrue(!want.has(t.name()), at + ": PyTorch trains " + t.name());
                assertAllClose(at + " gradient of " + t.name() + " (not trained)", new double[got.length], got, 0);
            }
        }
    }

    private static Set<String> names(List<ParameterLayout.Tensor> tensors) {
        Set<String> s = new HashSet<>();
        tensors.forEach(t -> s.add(t.name()));
        return s;
    }
}
