package backpropcl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.cli.Main;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command as a user meets it: arguments refused before any data is loaded, and a short real run. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    private static void assertUserError(String expectedStart, String... args) {
        String[] r = run(args);
        String what = String.join(" ", args);
        assertEquals("2", r[0], what + " -> " + r[2] + r[1]);
        String err = r[2].strip();
        assertEquals(1, err.lines().count(), what + " printed more than one line:\n" + err);
        assertTrue(err.startsWith("backprop-cl: " + expectedStart), what + ": " + err);
    }

    @Test
    void unknownWorkload() {
        assertUserError("unknown workload 'W9' (expected W1, W2, W3, W4, W5)", "bench", "--workloads", "W1,W9");
    }

    @Test
    void unknownEngine() {
        assertUserError("unknown engine 'quantum'", "bench", "--engines", "reference,quantum");
    }

    @Test
    void tooFewEpochs() {
        assertUserError("--epochs must be a whole number >= 2 (the first epoch is warm-up and not counted), got 1", "bench", "--epochs", "1");
    }

    @Test
    void deviceWithoutOpenCl() {
        assertUserError("--device 0 picks an OpenCL device", "bench", "--engines", "reference", "--device", "0");
    }

    @Test
    void replicasWithoutCpu() {
        assertUserError("--replicas times cpu replicas, but --engines does not include cpu", "bench", "--engines", "reference",
                "--replicas", "1,2");
        assertUserError("--replicas must be a whole number >= 1, got 0", "bench", "--replicas", "2,0");
    }

    @Test
    void badSampleCounts() {
        assertUserError("--train-samples must be a whole number >= 1, got 0", "bench", "--train-samples", "0");
        assertUserError("--test-samples must be a whole number >= 1, got -3", "bench", "--test-samples", "-3");
    }

    @Test
    void helpSaysWhatItMeasures() {
        String[] r = run("bench", "--help");
        assertEquals("0", r[0]);
        for (String s : new String[] {"--workloads", "--engines", "--device", "--epochs", "--json", "--out", "--train-samples",
            "median", "GFLOP/s", "outside kernels", "1e-4"}) {
            assertTrue(r[1].contains(s), "bench --help lacks " + s);
        }
    }

    @Test
    void shortRunPrintsJsonAndAppendsMarkdown() throws IOException {
        Path md = dir.resolve("results.md");
        String[] args = {"bench", "--workloads", "W1", "--engines", "reference", "--epochs", "2", "--train-samples", "100",
            "--test-samples", "100", "--json", "--out", md.toString()};
        String[] first = run(args);
        assertEquals("0", first[0], first[2]);
        JsonObject json = JsonParser.parseString(first[1]).getAsJsonObject();
        assertTrue(json.get("pass").getAsBoolean());
        assertEquals(100, json.get("train_samples").getAsInt());
        JsonObject row = json.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("W1", row.get("workload").getAsString());
        assertEquals("PASS", row.get("status").getAsString());
        assertEquals(2, row.getAsJsonArray("epoch_seconds").size());
        assertTrue(row.get("samples_per_second").getAsDouble() > 0);
        assertTrue(first[2].contains("warm-up, not counted"), "progress goes to stderr: " + first[2]);

        assertEquals("0", run(args)[0]);
        String text = Files.readString(md);
        assertEquals(2, text.split("### `backprop-cl bench --workloads W1", -1).length - 1, text);
        assertTrue(text.contains("| W1 | reference | double precision, plain Java |"), text);
    }

    @Test
    void leNet5RunsOnTheReferenceWithItsOwnEpochLength() {
        // No --train-samples: W4's own 2,000. The opencl row passes where it computes conv layers, else is skipped saying why.
        String[] r = run("bench", "--workloads", "W4", "--engines", "reference,opencl", "--epochs", "2", "--test-samples", "50",
                "--json");
        assertEquals("0", r[0], r[2]);
        JsonObject json = JsonParser.parseString(r[1]).getAsJsonObject();
        assertEquals(2_000, json.get("train_samples").getAsInt());
        JsonObject w4 = json.getAsJsonArray("workloads").get(0).getAsJsonObject();
        assertEquals("W4", w4.get("name").getAsString());
        assertEquals(2_263_920, w4.get("flops_per_sample").getAsLong());
        JsonObject ref = json.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("reference", ref.get("engine").getAsString());
        assertEquals("PASS", ref.get("status").getAsString(), ref.get("note").getAsString());
        assertTrue(ref.get("gflops").getAsDouble() > 0);
        for (var e : json.getAsJsonArray("results")) {
            JsonObject row = e.getAsJsonObject();
            String status = row.get("status").getAsString();
            assertTrue(status.equals("PASS") || status.equals("SKIPPED") && !row.get("note").getAsString().isEmpty(),
                    row.get("engine").getAsString() + ": " + status + " " + row.get("note").getAsString());
        }
    }
}
