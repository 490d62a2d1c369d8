package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.reliability.OpenClGate;
import backpropcl.testing.Launcher;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, family 7, through the real launcher: a cost that explodes without becoming NaN is a
 * divergence (exit 3, nothing saved); a run stuck at chance warns; models holding NaN or an
 * infinity are refused by every command that reads one (exit 2, one line, nothing written); and
 * every --json output is strict JSON (non-finite numbers are null). Runs use --train-samples 1000
 * and the reference engine, whose numbers are the same on every machine.
 */
class DivergenceAndBrokenModelsIT {
    private static final String BROKEN = "; the model is broken (was it saved from a diverged run?)";
    private static final Network LESSON = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);

    @TempDir
    Path dir;

    // ---- divergence that is not NaN ----

    @Test
    void aCostExplosionExitsThreeAndSavesNothing() throws IOException {
        Path target = goodModel("m.safetensors");
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run run = Launcher.of("train", "--activation", "relu", "--cost", "cross-entropy", "--init", "he", "--lr", "1000",
                "--epochs", "3", "--train-samples", "1000", "--engine", "reference", "--save", "m.safetensors",
                "--checkpoint-dir", "cp").in(dir).run();
        assertEquals(3, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: training diverged in epoch 1 at batch 100: the test cost after it is 70345901.5357 "
                + "(accuracy 0.0955), more than 10 times the 2.3610 before training; try a lower learning rate than --lr 1000.0"),
                run.errLines(), run.describe());
        assertFalse(run.out().contains("epoch   1"), run.describe());
        assertFalse(run.out().contains("saved"), run.describe());
        assertEquals(before, Launcher.hashes(dir), "the --save target is the same bytes, and no checkpoint was written");
        assertTrue(Files.exists(target));
    }

    @Test
    void aCostExplosionAfterAGoodCheckpointKeepsIt() throws java.io.IOException {
        Launcher.Run good = Launcher.of("train", "--activation", "relu", "--cost", "cross-entropy", "--init", "he", "--epochs", "1",
                "--train-samples", "1000", "--engine", "reference", "--checkpoint-dir", "cp").in(dir).run();
        assertEquals(0, good.code(), good.describe());
        // The run starts from a copy: an output (the checkpoint directory) never replaces the model it reads.
        Files.copy(dir.resolve("cp/checkpoint.safetensors"), dir.resolve("start.safetensors"));
        Map<Path, String> before = Launcher.hashes(dir);
        // From the trained checkpoint (test cost 1.0004) the reference is the cost of knowing nothing, ln 10.
        Launcher.Run run = Launcher.of("train", "--init-from", "start.safetensors", "--lr", "1000", "--epochs", "3",
                "--train-samples", "1000", "--engine", "reference", "--checkpoint-dir", "cp", "--overwrite-checkpoint",
                "--save", "out.safetensors").in(dir).run();
        assertEquals(3, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: training diverged in epoch 1 at batch 100: the test cost after it is 805.4312 "
                + "(accuracy 0.0955), more than 10 times the 2.3026 of a network that knows nothing (output z = 0 for every input); "
                + "try a lower learning rate than --lr 1000.0 (the last checkpoint, cp/checkpoint.safetensors, is kept)"),
                run.errLines(), run.describe());
        assertEquals(before, Launcher.hashes(dir), "the checkpoint is the same bytes; no out.safetensors");
    }

    @Test
    void aRunAtChanceAfterTwoEpochsWarns() {
        Launcher.Run run = Launcher.of("train", "--activation", "relu", "--lr", "3", "--epochs", "2", "--train-samples", "1000",
                "--engine", "reference").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        assertEquals("", run.err(), run.describe());
        List<String> warnings = run.out().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(List.of("warning: test accuracy 0.1055 after 2 epochs is chance level (always answering the most common class "
                + "scores 0.1100); likely cause: --lr 3.0 is too high for this network (a relu unit that a large step pushes below 0 "
                + "for every input stops learning); try --lr 0.1 --init he"), warnings, run.describe());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(lines.indexOf(warnings.get(0)) - 1).startsWith("epoch   2 "), run.describe());

        // The default for relu is now 0.1; the default run (lesson network) still 3.0, and neither warns.
        Launcher.Run relu = Launcher.of("train", "--activation", "relu", "--init", "he", "--epochs", "2", "--train-samples", "1000",
                "--engine", "reference").in(dir).run();
        assertEquals(0, relu.code(), relu.describe());
        assertTrue(relu.out().contains("2 epochs of mini-batches of 10, sgd, lr 0.1, shuffled, he init, seed 1"), relu.describe());
        assertFalse(relu.out().contains("warning: "), relu.describe());
        Launcher.Run lesson = Launcher.of("train", "--epochs", "2", "--train-samples", "1000", "--engine", "reference").in(dir).run();
        assertEquals(0, lesson.code(), lesson.describe());
        assertTrue(lesson.out().contains("2 epochs of mini-batches of 10, sgd, lr 3.0, shuffled, normal init, seed 1"), lesson.describe());
        assertFalse(lesson.out().contains("warning: "), lesson.describe());
    }

    // ---- models with NaN or Inf ----

    @Test
    void modelsHoldingNaNOrInfinityAreRefusedEverywhere() throws IOException {
        // The second and third dense layers of 784-16-16-10 are nn.Sequential's layers.2 and layers.4 (model file version 2).
        goodModel("nan.safetensors");
        putFloat(dir.resolve("nan.safetensors"), "layers.2.weight", 3 * 16 + 5, Float.NaN);
        goodModel("inf.safetensors");
        putFloat(dir.resolve("inf.safetensors"), "layers.4.bias", 7, Float.POSITIVE_INFINITY);
        goodModel("out.safetensors");   // an existing --save target
        digit("digit.png");
        String nan = "backprop-cl: nan.safetensors: tensor layers.2.weight holds NaN at [3, 5]" + BROKEN;
        String inf = "backprop-cl: inf.safetensors: tensor layers.4.bias holds Infinity at [7]" + BROKEN;
        refused(nan, "evaluate", "--model", "nan.safetensors");
        refused(nan, "evaluate", "--model", "nan.safetensors", "--json");
        refused(inf, "predict", "--model", "inf.safetensors", "digit.png");
        refused(nan, "predict", "--model", "nan.safetensors", "--json", "digit.png");
        refused(inf, "visualize", "--model", "inf.safetensors", "--out", "w.png");
        refused(nan, "plot", "--confusion", "--model", "nan.safetensors", "--out", "plots");
        refused(nan, "train", "--init-from", "nan.safetensors", "--epochs", "1", "--train-samples", "1000", "--save", "out.safetensors");
    }

    @Test
    void aCheckpointHoldingNaNIsRefusedByResume() throws IOException {
        Launcher.Run good = Launcher.of("train", "--epochs", "1", "--train-samples", "1000", "--engine", "reference",
                "--checkpoint-dir", "cp").in(dir).run();
        assertEquals(0, good.code(), good.describe());
        putFloat(dir.resolve("cp/checkpoint.safetensors"), "layers.0.bias", 2, Float.NaN);
        refused("backprop-cl: cp/checkpoint.safetensors: tensor layers.0.bias holds NaN at [2]; the checkpoint is broken "
                + "(was it saved from a diverged run?)", "train", "--resume", "cp", "--epochs", "2", "--train-samples", "1000");
    }

    private void refused(String line, String... args) {
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run run = Launcher.of(args).in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of(line), run.errLines(), run.describe());
        assertEquals("", run.out(), run.describe());
        assertEquals(before, Launcher.hashes(dir), "nothing written: " + run.describe());
    }

    // ---- --json is strict JSON ----

    @Test
    void everyJsonOutputIsStrictJson() throws IOException {
        assertThrows(Exception.class, () -> strict("{\"a\": NaN}"), "the parser is strict");
        assertThrows(Exception.class, () -> strict("{\"a\": Infinity}"), "the parser is strict");
        goodModel("m.safetensors");
        overflowingModel("big.safetensors");
        digit("digit.png");

        JsonObject e = strict(json(0, "evaluate", "--model", "m.safetensors", "--test-samples", "200", "--json")).getAsJsonObject();
        assertTrue(e.get("cost").getAsDouble() > 0, e.toString());
        // Finite parameters whose outputs overflow a double: the cost is infinite, printed as null.
        JsonObject big = strict(json(0, "evaluate", "--model", "big.safetensors", "--engine", "reference", "--test-samples", "200",
                "--json")).getAsJsonObject();
        assertTrue(big.get("cost").isJsonNull(), big.toString());
        assertEquals(200, big.get("samples").getAsInt(), big.toString());

        strict(json(0, "predict", "--model", "m.safetensors", "--json", "digit.png"));
        JsonArray p = strict(json(0, "predict", "--model", "big.safetensors", "--json", "digit.png")).getAsJsonArray();
        assertTrue(p.get(0).getAsJsonObject().getAsJsonArray("top").get(0).getAsJsonObject().get("score").isJsonNull(), p.toString());

        // Weights that become infinite: their relative errors are null (the rows fail), not 1.8e308.
        JsonObject c = strict(json(1, "compare", "--engines", "cpu,reference", "--activation", "relu", "--output", "identity",
                "--lr", "1e30", "--steps", "3", "--train-samples", "100", "--json")).getAsJsonObject();
        long nulls = 0;
        for (JsonElement row : c.getAsJsonArray("rows")) {
            JsonObject r = row.getAsJsonObject();
            if (r.get("rel_error").isJsonNull()) {
                nulls++;
                assertFalse(r.get("pass").getAsBoolean(), r.toString());
            }
        }
        assertEquals(6, nulls, c.toString());
        assertFalse(c.get("pass").getAsBoolean());

        JsonObject b = strict(json(0, "bench", "--workloads", "W1", "--engines", "cpu", "--epochs", "2", "--train-samples", "200",
                "--test-samples", "50", "--data", "mnist-10k", "--json")).getAsJsonObject();
        assertTrue(b.getAsJsonArray("results").get(0).getAsJsonObject().get("outside_kernels").isJsonNull(), b.toString());

        // train --metrics FILE.jsonl: one strict object per line; the unmeasured columns are null.
        Launcher.Run t = Launcher.of("train", "--epochs", "2", "--train-samples", "200", "--engine", "reference",
                "--metrics", "m.jsonl").in(dir).run();
        assertEquals(0, t.code(), t.describe());
        List<String> rows = Files.readAllLines(dir.resolve("m.jsonl"));
        assertEquals(2, rows.size());
        for (String row : rows) {
            strict(row);
        }
    }

    @Test
    void selftestJsonIsStrictJson() {
        OpenClGate.requireDevice();
        JsonObject s = strict(json(0, "selftest", "--json")).getAsJsonObject();
        assertTrue(s.get("pass").getAsBoolean(), s.toString());
    }

    /** Runs a command, checks its exit code and empty stderr, and returns stdout. */
    private String json(int code, String... args) {
        Launcher.Run run = Launcher.of(args).in(dir).run();
        assertEquals(code, run.code(), run.describe());
        assertNotEquals("", run.out(), run.describe());
        return run.out();
    }

    /** Parses one JSON text strictly (no NaN, Infinity, comments or trailing data), or throws. */
    static JsonElement strict(String text) {
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("trailing data after the JSON value");
            }
            return e;
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    // ---- files ----

    /** A good lesson-network model (N(0,1) init, seed 1). */
    private Path goodModel(String name) {
        Path f = dir.resolve(name);
        ModelFile.save(f, LESSON, Init.NORMAL.initialise(LESSON, 1));
        return f;
    }

    /** Finite parameters (every weight and bias 3e38) whose outputs overflow: 9 relu layers, identity output. */
    private void overflowingModel(String name) {
        Network net = Network.of("784-16-16-16-16-16-16-16-16-10", Activation.RELU, Activation.IDENTITY, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        Arrays.fill(p.values(), 3e38f);
        ModelFile.save(dir.resolve(name), net, p);
    }

    /** A 28x28 PNG of a dark stroke on white. */
    private void digit(String name) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 28, 28);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(3));
        g.drawLine(14, 4, 14, 24);
        g.dispose();
        ImageIO.write(img, "png", dir.resolve(name).toFile());
    }

    /**
     * Writes {@code v} over value {@code index} of a tensor, in place: safetensors is an 8-byte
     * little-endian header length, the JSON header (each tensor's dtype and data_offsets into the
     * data section), then the data, little-endian. An F64 tensor gets v as a double.
     */
    static void putFloat(Path file, String tensor, int index, float v) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject t = header.getAsJsonObject(tensor);
        boolean f64 = t.get("dtype").getAsString().equals("F64");
        long at = 8 + n + t.getAsJsonArray("data_offsets").get(0).getAsLong() + (long) index * (f64 ? 8 : 4);
        ByteBuffer value = ByteBuffer.allocate(f64 ? 8 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (f64) {
            value.putDouble(v);
        } else {
            value.putFloat(v);
        }
        value.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(value, at);
        }
    }
}
