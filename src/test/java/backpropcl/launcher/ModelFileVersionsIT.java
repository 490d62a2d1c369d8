package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.Safetensors;
import backpropcl.testing.Launcher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files of version 1 (before layer lists) through the real launcher, and {@code --layers} networks (with dropout)
 * saved, evaluated, predicted and resumed.
 *
 * <p>The fixtures in src/test/resources/v1/ were written by the build before issue 14 (commit
 * c17a707, /work/before) in a folder holding a copy of src/test/resources/uci/iris.csv:
 * <pre>
 * C="--data iris.csv --label-column last --engine cpu --arch 4-8-3 --optimizer momentum --lr 0.5 --validation 0.2 --no-progress --seed 3"
 * backprop-cl train $C --epochs 5 --save model-5-epochs.safetensors
 *   done: test accuracy 0.9000 (27/30), test cost 0.1008 with epoch 5's parameters, 5 epochs in 0.0 s
 * backprop-cl train $C --epochs 3 --checkpoint-dir ck        (ck/checkpoint.safetensors: checkpoint-3-epochs)
 *   done: test accuracy 0.8667 (26/30), test cost 0.1283 with epoch 3's parameters, 3 epochs in 0.0 s
 * </pre>
 * That build's resume of ck to 5 epochs saved the same tensor bytes as its 5-epoch run (SHA-256
 * 67b29868...7123 of both); the outputs of evaluate and predict below are that build's, verbatim.
 */
class ModelFileVersionsIT {
    @TempDir
    Path dir;

    private static final String NET = "[4-8-3 [sigmoid,sigmoid] quadratic]";

    private Path fixture(String name, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        return Files.copy(Launcher.projectRoot().resolve("src/test/resources/v1").resolve(name), to);
    }

    private void iris() throws IOException {
        Files.copy(Launcher.projectRoot().resolve("src/test/resources/uci/iris.csv"), dir.resolve("iris.csv"));
    }

    @Test
    void aVersion1ModelEvaluatesAndPredictsAsTheBuildThatWroteIt() throws IOException {
        iris();
        fixture("model-5-epochs.safetensors", dir.resolve("model-5-epochs.safetensors"));
        Launcher.Run eval = Launcher.of("evaluate", "--model", "model-5-epochs.safetensors", "--engine", "cpu", "--data", "iris.csv")
                .in(dir).run();
        assertEquals(0, eval.code(), eval.describe());
        assertEquals("model-5-epochs.safetensors on iris test: accuracy 0.9000 (27/30), cost 0.1008 " + NET + "\n", eval.out());

        Launcher.Run predict = Launcher.of("predict", "--model", "model-5-epochs.safetensors", "5.1,3.5,1.4,0.2", "6.7,3.0,5.2,2.3",
                "5.9,3.0,4.2,1.5").in(dir).run();
        assertEquals(0, predict.code(), predict.describe());
        assertEquals(List.of("5.1,3.5,1.4,0.2: setosa (score 0.87), versicolor (score 0.12), virginica (score 0.02)",
                "6.7,3.0,5.2,2.3: virginica (score 0.76), versicolor (score 0.22), setosa (score 0.01)",
                "5.9,3.0,4.2,1.5: virginica (score 0.53), versicolor (score 0.40), setosa (score 0.07); low confidence"),
                predict.out().lines().toList(), predict.describe());
        assertEquals("", predict.err(), predict.describe());
    }

    @Test
    void aVersion1CheckpointEvaluatesAndResumesToTheOldBuildsUninterruptedRun() throws IOException {
        iris();
        Path old = fixture("model-5-epochs.safetensors", dir.resolve("model-5-epochs.safetensors"));
        fixture("checkpoint-3-epochs.safetensors", dir.resolve("ck/checkpoint.safetensors"));
        Launcher.Run eval = Launcher.of("evaluate", "--model", "ck/checkpoint.safetensors", "--engine", "cpu", "--data", "iris.csv")
                .in(dir).run();
        assertEquals(0, eval.code(), eval.describe());
        assertEquals("ck/checkpoint.safetensors on iris test: accuracy 0.8667 (26/30), cost 0.1283 " + NET + "\n", eval.out());

        Launcher.Run resumed = Launcher.of("train", "--resume", "ck", "--data", "iris.csv", "--epochs", "5", "--engine", "cpu",
                "--no-progress", "--save", "resumed.safetensors").in(dir).run();
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("done: test accuracy 0.9000 (27/30), test cost 0.1008 with epoch 5's parameters, 2 epochs in "),
                resumed.describe());
        Path now = dir.resolve("resumed.safetensors");
        assertEquals(tensorBytesSha256(old), tensorBytesSha256(now));
        // Written as version 2: the same bytes under nn.Sequential's names, the network's layers in the metadata.
        Safetensors.Contents c = Safetensors.read(now);
        assertEquals("2", c.metadata().get("version"));
        assertEquals("dense:8,sigmoid,dense:3,sigmoid", c.metadata().get("layers"));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                "optimizer.layers.0.weight.momentum_buffer", "optimizer.layers.0.bias.momentum_buffer",
                "optimizer.layers.2.weight.momentum_buffer", "optimizer.layers.2.bias.momentum_buffer"),
                List.copyOf(c.tensors().keySet()));
        // The checkpoint the resumed run wrote is version 2 and holds its best epoch under the same names.
        Safetensors.Contents ck = Safetensors.read(dir.resolve("ck/checkpoint.safetensors"));
        assertEquals("2", ck.metadata().get("version"));
        assertTrue(ck.tensors().containsKey("best.optimizer.layers.2.bias.momentum_buffer"), ck.tensors().keySet().toString());
    }

    @Test
    void aFileOfALaterVersionIsRefusedWithOneLine() throws IOException {
        Path m = fixture("model-5-epochs.safetensors", dir.resolve("m.safetensors"));
        Safetensors.Contents c = Safetensors.read(m);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("version", "3");
        Safetensors.write(dir.resolve("v3.safetensors"), new java.util.LinkedHashMap<>(c.tensors()), meta);
        Launcher.Run run = Launcher.of("predict", "--model", "v3.safetensors", "5.1,3.5,1.4,0.2").in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: v3.safetensors: version '3' is not supported (this build reads versions 1 and 2)"),
                run.errLines(), run.describe());
    }

    @Test
    void aLayersNetworkWithDropoutTrainsSavesEvaluatesAndPredicts() throws IOException {
        iris();
        String spec = "dense:8,relu,dropout:0.25,dense:3,softmax";
        Launcher.Run train = Launcher.of("train", "--data", "iris.csv", "--label-column", "last", "--engine", "cpu", "--layers", spec,
                "--cost", "cross-entropy", "--epochs", "3", "--no-progress", "--save", "d.safetensors").in(dir).run();
        assertEquals(0, train.code(), train.describe());
        assertTrue(train.out().startsWith("training 4 -> " + spec + " cross-entropy on iris"), train.describe());
        Safetensors.Contents c = Safetensors.read(dir.resolve("d.safetensors"));
        assertEquals(spec, c.metadata().get("layers"));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias"), List.copyOf(c.tensors().keySet()));

        Launcher.Run eval = Launcher.of("evaluate", "--model", "d.safetensors", "--engine", "cpu", "--data", "iris.csv").in(dir).run();
        assertEquals(0, eval.code(), eval.describe());
        assertTrue(eval.out().startsWith("d.safetensors on iris test: accuracy "), eval.describe());
        Launcher.Run predict = Launcher.of("predict", "--model", "d.safetensors", "--top", "1", "5.1,3.5,1.4,0.2").in(dir).run();
        assertEquals(0, predict.code(), predict.describe());
        assertTrue(predict.out().startsWith("5.1,3.5,1.4,0.2: "), predict.describe());
        // Dropout is the identity outside training: the same input predicts the same twice.
        assertEquals(predict.out(), Launcher.of("predict", "--model", "d.safetensors", "--top", "1", "5.1,3.5,1.4,0.2").in(dir).run().out());
    }

    @Test
    void aDropoutCheckpointResumesToTheUninterruptedRun() throws IOException {
        iris();
        String[] common = {"--data", "iris.csv", "--label-column", "last", "--engine", "reference", "--layers",
            "dense:8,relu,dropout:0.25,dense:3,softmax", "--cost", "cross-entropy", "--no-progress"};
        Launcher.Run whole = Launcher.of(concat(common, "--epochs", "3", "--save", "whole.safetensors")).in(dir).run();
        assertEquals(0, whole.code(), whole.describe());
        Launcher.Run first = Launcher.of(concat(common, "--epochs", "2", "--checkpoint-dir", "ck")).in(dir).run();
        assertEquals(0, first.code(), first.describe());
        Launcher.Run rest = Launcher.of("train", "--resume", "ck", "--data", "iris.csv", "--epochs", "3", "--engine", "reference",
                "--no-progress", "--save", "resumed.safetensors").in(dir).run();
        assertEquals(0, rest.code(), rest.describe());
        assertEquals(tensorBytesSha256(dir.resolve("whole.safetensors")), tensorBytesSha256(dir.resolve("resumed.safetensors")));
    }

    private static String[] concat(String[] common, String... more) {
        String[] all = new String[common.length + more.length + 1];
        all[0] = "train";
        System.arraycopy(common, 0, all, 1, common.length);
        System.arraycopy(more, 0, all, 1 + common.length, more.length);
        return all;
    }

    @Test
    void aBadLayersSpecOrOneBesideArchIsOneLineAndExit2() throws IOException {
        iris();
        Launcher.Run bad = Launcher.of("train", "--data", "iris.csv", "--label-column", "last", "--layers", "dense:8,conv,dense:3",
                "--epochs", "1").in(dir).run();
        assertEquals(2, bad.code(), bad.describe());
        assertEquals(List.of("backprop-cl: --layers 'dense:8,conv,dense:3', layer 2 'conv': conv needs its filters and kernel, e.g. "
                + "conv:6x5x5"), bad.errLines());
        Launcher.Run both = Launcher.of("train", "--data", "iris.csv", "--label-column", "last", "--layers", "dense:3,sigmoid",
                "--activation", "relu", "--epochs", "1").in(dir).run();
        assertEquals(2, both.code(), both.describe());
        assertEquals(List.of("backprop-cl: --layers and --activation cannot be given together: --layers lists every layer "
                + "(dense:N per width, each activation after its dense layer); drop --activation"), both.errLines());
        assertEquals("", bad.out() + both.out());
    }

    /** The SHA-256 of a safetensors file's tensor bytes in the order of their offsets (what bench/arch-identity.sh hashes). */
    private static String tensorBytesSha256(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // Our files write the tensors back to back in their header's order, so the data section is in offset order.
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(all, (int) (8 + n), (int) (all.length - 8 - n));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
