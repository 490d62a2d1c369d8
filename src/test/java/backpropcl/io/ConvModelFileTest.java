package backpropcl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.Safetensors.Contents;
import backpropcl.io.Safetensors.Tensor;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files of conv networks: PyTorch's names and shapes, num_batches_tracked as int64, the input shape, exact round trips. */
class ConvModelFileTest {
    private static final Network NET = Network.parse(new Shape(3, 8, 8), "conv:4x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:5,"
            + "batchnorm,dense:2,softmax", Cost.CROSS_ENTROPY);

    @TempDir
    Path dir;

    @Test
    void aConvModelHasPyTorchsTensorsAndReadsBack() {
        Parameters p = Init.HE.initialise(NET, 4);
        p.set("layers.1.running_mean", new float[] {0.5f, -1, 2, 0.25f});
        p.set("layers.1.num_batches_tracked", new float[] {7});
        Path f = dir.resolve("conv.safetensors");
        ModelFile.save(f, NET, p);
        Contents c = Safetensors.read(f);
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
                "layers.1.running_var", "layers.1.num_batches_tracked", "layers.5.weight", "layers.5.bias", "layers.6.weight",
                "layers.6.bias", "layers.6.running_mean", "layers.6.running_var", "layers.6.num_batches_tracked", "layers.7.weight",
                "layers.7.bias"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new long[] {4, 3, 3, 3}, c.tensors().get("layers.0.weight").shape());
        assertArrayEquals(new long[] {5, 64}, c.tensors().get("layers.5.weight").shape());
        Tensor count = c.tensors().get("layers.1.num_batches_tracked");
        assertEquals("I64", count.dtype());
        assertArrayEquals(new long[0], count.shape());
        assertArrayEquals(new double[] {7}, count.doubles());
        assertEquals("F32", c.tensors().get("layers.1.running_var").dtype());
        assertEquals("3x8x8", c.metadata().get(ModelFile.INPUT_SHAPE));
        ModelFile.Saved s = ModelFile.load(f);
        assertEquals(NET, s.network());
        assertTrue(p.bitwiseEquals(s.parameters()));
    }

    @Test
    void aCheckpointOfAConvNetworkKeepsEveryValueAndOnlyTheTrainedTensorsHaveOptimizerState() {
        TrainingState state = TrainingState.fresh(Init.XAVIER.initialise(NET, 2), Optimizer.of(Optimizer.Kind.ADAM));
        for (int s = 0; s < 2; s++) {
            for (var t : state.layout().tensors()) {
                for (int i = 0; t.trainable() && i < t.length(); i++) {
                    state.slot(s)[t.index(i)] = Math.PI * (t.index(i) + 1) * (s + 1);
                }
            }
        }
        state.set("layers.6.running_var", new double[] {1.0 / 3, 2, 3, 4, 5});
        state.set("layers.6.num_batches_tracked", new double[] {12});
        state.setSteps(12);
        Path f = dir.resolve("ck.safetensors");
        ModelFile.save(f, state, Map.of(), true);
        Contents c = Safetensors.read(f);
        assertTrue(c.tensors().containsKey("optimizer.layers.6.weight.exp_avg"));
        assertTrue(c.tensors().keySet().stream().noneMatch(n -> n.startsWith("optimizer.") && (n.contains("running_")
                || n.contains("num_batches"))), c.tensors().keySet().toString());
        assertTrue(state.bitwiseEquals(ModelFile.load(f).optimizerState()));
    }

    @Test
    void aConvModelWithoutItsInputShapeOrWithAWrongOneIsRefused() {
        Path f = dir.resolve("conv.safetensors");
        ModelFile.save(f, NET, Parameters.zeros(NET));
        Contents c = Safetensors.read(f);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put(ModelFile.INPUT_SHAPE, "12x4x4");
        Path g = dir.resolve("wrong.safetensors");
        Safetensors.write(g, new LinkedHashMap<>(c.tensors()), meta);
        String wrong = assertThrows(ModelFileException.class, () -> ModelFile.load(g)).getMessage();
        // The dense view the metadata records (arch 64-5-2) tells a changed input shape first.
        assertTrue(wrong.endsWith("metadata arch '64-5-2' disagrees with its layers 'conv:4x3x3:p1,batchnorm,relu,maxpool:2,flatten,"
                + "dense:5,batchnorm,dense:2,softmax', which make 16-5-2"), wrong);
        meta.remove(ModelFile.INPUT_SHAPE);
        Path h = dir.resolve("none.safetensors");
        Safetensors.write(h, new LinkedHashMap<>(c.tensors()), meta);
        String none = assertThrows(ModelFileException.class, () -> ModelFile.load(h)).getMessage();
        assertTrue(none.contains("conv needs images (CxHxW); the data gives rows of 192 values"), none);
        meta.put(ModelFile.INPUT_SHAPE, "3x8x9");
        Path i = dir.resolve("size.safetensors");
        Safetensors.write(i, new LinkedHashMap<>(c.tensors()), meta);
        String size = assertThrows(ModelFileException.class, () -> ModelFile.load(i)).getMessage();
        assertTrue(size.endsWith("metadata input_shape 3x8x9 holds 216 values, but input_width is 192"), size);
    }

    @Test
    void int64TensorsHoldWholeNumbersOnly() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.i64(new long[0], new double[] {0.5}));
        Path f = dir.resolve("i64.safetensors");
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("n", Tensor.i64(new long[] {2}, new double[] {-3, 1L << 40}));
        Safetensors.write(f, t, Map.of());
        Tensor back = Safetensors.read(f).tensors().get("n");
        assertEquals("I64", back.dtype());
        assertArrayEquals(new double[] {-3, 1L << 40}, back.doubles());
    }
}
