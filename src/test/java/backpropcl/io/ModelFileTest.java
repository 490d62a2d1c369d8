package backpropcl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.ModelFile.Saved;
import backpropcl.io.Safetensors.Contents;
import backpropcl.io.Safetensors.Tensor;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

    @TempDir
    Path dir;

    private static Parameters random(Network net, long seed) {
        Random r = new Random(seed);
        Parameters p = Parameters.zeros(net);
        float[] a = p.values();  // every layer's weights then biases, in layer order
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.intBitsToFloat(r.nextInt()); // any bit pattern, NaN payloads aside
            if (Float.isNaN(a[i])) {
                a[i] = (float) r.nextGaussian();
            }
        }
        return p;
    }

    @Test
    void roundTripIsBitwise() {
        Network net = new Network(new int[] {784, 16, 16, 10},
                new Activation[] {Activation.RELU, Activation.TANH, Activation.SOFTMAX}, Cost.CROSS_ENTROPY);
        Parameters p = random(net, 7);
        Path f = dir.resolve("model.safetensors");
        ModelFile.save(f, net, p);
        Saved s = ModelFile.load(f);
        assertEquals(net, s.network());
        assertTrue(p.bitwiseEquals(s.parameters()));
        for (int l = 0; l < net.denseLayers(); l++) {
            for (int i = 0; i < p.layout().weight(l).length(); i++) {
                assertEquals(Float.floatToRawIntBits(p.weight(l, i)), Float.floatToRawIntBits(s.parameters().weight(l, i)));
            }
        }
        assertTrue(ModelFile.loadFor(f, net).bitwiseEquals(p));
    }

    @Test
    void fileHoldsPyTorchNamesShapesAndMetadata() {
        Network net = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Path f = dir.resolve("model.safetensors");
        ModelFile.save(f, net, random(net, 1));
        Contents c = Safetensors.read(f);
        // Version 2: the names of nn.Sequential(Linear, Sigmoid, Linear, Sigmoid, Linear, Sigmoid) held as `layers`.
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                "layers.4.weight", "layers.4.bias"), new ArrayList<>(c.tensors().keySet()));
        assertArrayEquals(new long[] {16, 784}, c.tensors().get("layers.0.weight").shape());
        assertArrayEquals(new long[] {10}, c.tensors().get("layers.4.bias").shape());
        assertEquals(Map.of("format", "backprop-cl", "version", "2", "input_width", "784",
                "layers", "dense:16,sigmoid,dense:16,sigmoid,dense:10,sigmoid", "arch", "784-16-16-10",
                "activations", "sigmoid,sigmoid,sigmoid", "cost", "quadratic"), c.metadata());
    }

    @Test
    void aNetworkWithDropoutRoundTripsUnderItsSequentialNames() {
        Network net = Network.parse(4, "dropout:0.2,dense:8,relu,dropout:0.5,dense:3,softmax", Cost.CROSS_ENTROPY);
        Path f = dir.resolve("dropout.safetensors");
        Parameters p = random(net, 4);
        ModelFile.save(f, net, p);
        Contents c = Safetensors.read(f);
        assertEquals(List.of("layers.1.weight", "layers.1.bias", "layers.4.weight", "layers.4.bias"),
                new ArrayList<>(c.tensors().keySet()));
        assertEquals("dropout:0.2,dense:8,relu,dropout:0.5,dense:3,softmax", c.metadata().get("layers"));
        assertEquals("4-8-3", c.metadata().get("arch"));
        assertEquals("relu,softmax", c.metadata().get("activations"));
        Saved s = ModelFile.load(f);
        assertEquals(net, s.network());
        assertTrue(p.bitwiseEquals(s.parameters()));
    }

    @Test
    void version2MetadataIsCheckedAgainstItsLayers() {
        Network net = Network.parse(4, "dense:8,relu,dense:3,softmax", Cost.CROSS_ENTROPY);
        Path f = dir.resolve("v2.safetensors");
        ModelFile.save(f, net, random(net, 5));
        Contents c = Safetensors.read(f);

        Map<String, String> arch = new LinkedHashMap<>(c.metadata());
        arch.put("arch", "4-9-3");
        Path a = withTensors(arch, new LinkedHashMap<>(c.tensors()));
        assertEquals(a + ": metadata arch '4-9-3' disagrees with its layers 'dense:8,relu,dense:3,softmax', which make 4-8-3",
                assertThrows(ModelFileException.class, () -> ModelFile.load(a)).getMessage());

        Map<String, String> noLayers = new LinkedHashMap<>(c.metadata());
        noLayers.remove("layers");
        Path n = withTensors(noLayers, new LinkedHashMap<>(c.tensors()));
        assertEquals(n + ": no 'layers' in __metadata__ (a version 2 model file has input_width, layers and cost)",
                assertThrows(ModelFileException.class, () -> ModelFile.load(n)).getMessage());

        Map<String, String> bad = new LinkedHashMap<>(c.metadata());
        bad.put("layers", "dense:8,conv,dense:3");
        Path b = withTensors(bad, new LinkedHashMap<>(c.tensors()));
        assertTrue(assertThrows(ModelFileException.class, () -> ModelFile.load(b)).getMessage()
                .startsWith(b + ": metadata input_width 4, layers 'dense:8,conv,dense:3', cost 'cross-entropy' is not a network: "));

        // Tensors under version 1's dense numbering in a version 2 file are not its tensors.
        LinkedHashMap<String, Tensor> renamed = new LinkedHashMap<>();
        c.tensors().forEach((name, t) -> renamed.put(name.replace("layers.2.", "layers.1."), t));
        Path r = withTensors(c.metadata(), renamed);
        assertEquals(r + ": tensor 'layers.2.weight' is missing; expected shape [3, 8] for 4-8-3",
                assertThrows(ModelFileException.class, () -> ModelFile.load(r)).getMessage());
    }

    @Test
    void aVersion1FileLoadsUnderItsDenseNumberingAndNamesItsOwnTensors() {
        LinkedHashMap<String, Tensor> t = tensors2x3();
        t.put("layers.1.weight", new Tensor(new long[] {1, 3}, new float[] {1, 2, 3}));
        t.put("layers.1.bias", new Tensor(new long[] {1}, new float[] {Float.NaN}));
        Path f = withTensors(meta("2-3-1", "relu,sigmoid"), t);
        assertEquals(f + ": tensor layers.1.bias holds NaN at [0]; the model is broken (was it saved from a diverged run?)",
                assertThrows(ModelFileException.class, () -> ModelFile.load(f)).getMessage());
        t.put("layers.1.bias", new Tensor(new long[] {1}, new float[] {0.5f}));
        Path g = withTensors(meta("2-3-1", "relu,sigmoid"), t);
        Saved s = ModelFile.load(g);
        assertEquals(Network.parse(2, "dense:3,relu,dense:1,sigmoid", Cost.QUADRATIC), s.network());
        assertArrayEquals(new float[] {1, 2, 3}, s.parameters().copyWeights(1));
        assertEquals(0.5f, s.parameters().copyBiases(1)[0]);
        t.put("layers.2.weight", new Tensor(new long[] {1}, new float[1]));
        Path h = withTensors(meta("2-3-1", "relu,sigmoid"), t);
        assertEquals(h + ": unexpected tensor 'layers.2.weight'; a 2-3-1 network has layers.0.weight/bias to layers.1.weight/bias only",
                assertThrows(ModelFileException.class, () -> ModelFile.load(h)).getMessage());
    }

    @Test
    void wrongArchitecture() {
        Network saved = Network.of("784-30-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Network wanted = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Path f = dir.resolve("model.safetensors");
        ModelFile.save(f, saved, random(saved, 2));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.loadFor(f, wanted));
        assertEquals(f + " was made for 784-30-10 [sigmoid,sigmoid] quadratic, not "
                + "784-16-16-10 [sigmoid,sigmoid,sigmoid] quadratic", e.getMessage());
    }

    private Path withTensors(Map<String, String> meta, LinkedHashMap<String, Tensor> t) {
        Path f = dir.resolve("edited.safetensors");
        Safetensors.write(f, t, meta);
        return f;
    }

    private static Map<String, String> meta(String arch, String acts) {
        return Map.of("format", "backprop-cl", "version", "1", "arch", arch, "activations", acts, "cost", "quadratic");
    }

    private static LinkedHashMap<String, Tensor> tensors2x3() {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("layers.0.weight", new Tensor(new long[] {3, 2}, new float[6]));
        t.put("layers.0.bias", new Tensor(new long[] {3}, new float[3]));
        return t;
    }

    @Test
    void missingExtraAndMisshapenTensors() {
        LinkedHashMap<String, Tensor> missing = tensors2x3();
        missing.remove("layers.0.bias");
        Path f1 = withTensors(meta("2-3", "sigmoid"), missing);
        ModelFileException e1 = assertThrows(ModelFileException.class, () -> ModelFile.load(f1));
        assertEquals(f1 + ": tensor 'layers.0.bias' is missing; expected shape [3] for 2-3", e1.getMessage());

        LinkedHashMap<String, Tensor> extra = tensors2x3();
        extra.put("layers.1.weight", new Tensor(new long[] {1}, new float[1]));
        Path f2 = withTensors(meta("2-3", "sigmoid"), extra);
        ModelFileException e2 = assertThrows(ModelFileException.class, () -> ModelFile.load(f2));
        assertTrue(e2.getMessage().startsWith(f2 + ": unexpected tensor 'layers.1.weight'"), e2.getMessage());

        LinkedHashMap<String, Tensor> transposed = tensors2x3();
        transposed.put("layers.0.weight", new Tensor(new long[] {2, 3}, new float[6]));
        Path f3 = withTensors(meta("2-3", "sigmoid"), transposed);
        ModelFileException e3 = assertThrows(ModelFileException.class, () -> ModelFile.load(f3));
        assertEquals(f3 + ": tensor 'layers.0.weight' has shape [2, 3]; expected [3, 2] for 2-3", e3.getMessage());
    }

    @Test
    void badMetadata() {
        Path plain = withTensors(Map.of(), tensors2x3());
        ModelFileException e1 = assertThrows(ModelFileException.class, () -> ModelFile.load(plain));
        assertTrue(e1.getMessage().startsWith(plain + ": no 'format' in __metadata__"), e1.getMessage());

        Path badActs = withTensors(meta("2-3", "sigmoid,sigmoid"), tensors2x3());
        ModelFileException e2 = assertThrows(ModelFileException.class, () -> ModelFile.load(badActs));
        assertTrue(e2.getMessage().contains("need one activation per dense layer"), e2.getMessage());

        Map<String, String> v3 = new LinkedHashMap<>(meta("2-3", "sigmoid"));
        v3.put("version", "3");
        Path future = withTensors(v3, tensors2x3());
        ModelFileException e3 = assertThrows(ModelFileException.class, () -> ModelFile.load(future));
        assertEquals(future + ": version '3' is not supported (this build reads versions 1 and 2)", e3.getMessage());
    }

    /** NaN or an infinity anywhere, parameters or optimizer state, is refused at load with the tensor and the index (issue 12, family 7). */
    @Test
    void nonFiniteValuesAreRefusedNamingTheTensorAndIndex() {
        Network net = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = random(net, 3);
        p.setWeight(1, 3 * 16 + 5, Float.NaN);
        Path nan = dir.resolve("nan.safetensors");
        ModelFile.save(nan, net, p);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(nan));
        assertEquals(nan + ": tensor layers.2.weight holds NaN at [3, 5]; the model is broken (was it saved from a diverged run?)",
                e.getMessage());

        Parameters q = random(net, 3);
        q.setBias(2, 7, Float.NEGATIVE_INFINITY);
        Path inf = dir.resolve("inf.safetensors");
        ModelFile.save(inf, net, q);
        assertEquals(inf + ": tensor layers.4.bias holds -Infinity at [7]; the model is broken (was it saved from a diverged run?)",
                assertThrows(ModelFileException.class, () -> ModelFile.load(inf)).getMessage());

        // The optimizer's state too, in a float64 checkpoint-like file.
        backpropcl.model.TrainingState s = backpropcl.model.TrainingState.fresh(random(net, 3), backpropcl.model.Optimizer.of(backpropcl.model.Optimizer.Kind.ADAM));
        s.setSlotWeight(1, 0, 2 * 784 + 10, Double.POSITIVE_INFINITY);
        Path state = dir.resolve("state.safetensors");
        ModelFile.save(state, s, Map.of("checkpoint", "1"), true);
        assertEquals(state + ": tensor optimizer.layers.0.weight.exp_avg_sq holds Infinity at [2, 10]; the checkpoint is broken "
                + "(was it saved from a diverged run?)", assertThrows(ModelFileException.class, () -> ModelFile.load(state)).getMessage());
        assertEquals("tensor optimizer.layers.0.weight.exp_avg_sq holds Infinity at [2, 10]", ModelFile.nonFinite(s));
        s.setSlotWeight(1, 0, 2 * 784 + 10, 0);
        assertEquals(null, ModelFile.nonFinite(s));
    }

    @Test
    void whatAModelWasTrainedOnIsMetadataBesideItsNetwork() {
        Network net = new Network(new int[] {4, 3}, new Activation[] {Activation.SIGMOID}, Cost.QUADRATIC);
        Path file = dir.resolve("iris.safetensors");
        Map<String, String> trainedOn = new LinkedHashMap<>(ModelFile.dataMetadata("iris.csv", Path.of("iris.csv"), "4", 7));
        trainedOn.putAll(ModelFile.classNamesMetadata(List.of("setosa", "versicolor", "virginica")));
        ModelFile.save(file, backpropcl.model.TrainingState.zeros(net, backpropcl.model.Optimizer.sgd()), trainedOn, false);
        Saved s = ModelFile.load(file);
        assertEquals("iris.csv", s.metadata().get(ModelFile.DATA_SOURCE));
        assertEquals(Path.of("iris.csv").toAbsolutePath().toString(), s.metadata().get(ModelFile.DATA_SOURCE_PATH));
        assertEquals("4", s.metadata().get(ModelFile.INPUT_SHAPE));
        assertEquals("7", s.metadata().get(ModelFile.SPLIT_SEED));
        assertEquals(List.of("setosa", "versicolor", "virginica"), s.classNames());
        assertEquals(net, s.network());
        assertTrue(!ModelFile.dataMetadata("mnist-10k", null, "1x28x28", 1).containsKey(ModelFile.DATA_SOURCE_PATH),
                "a named data set has no path");
    }
}
