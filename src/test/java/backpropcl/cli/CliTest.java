package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.ModelFile;
import backpropcl.testing.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, one-line errors, and real training on a slice. */
class CliTest {
    @TempDir
    Path dir;


    private static double finalAccuracy(String out) {
        Matcher m = Pattern.compile("done: test accuracy ([0-9.]+)").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainsOnASliceAboveChanceAndSavesAModelThatEvaluates() {
        Path model = dir.resolve("m.safetensors");
        CommandRun r = run("train", "--engine", "reference", "--arch", "784-16-10", "--epochs", "3", "--train-samples", "1000",
                "--test-samples", "300", "--save", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch   1"), r.out());
        assertTrue(r.out().contains("engine: reference"), r.out());
        double acc = finalAccuracy(r.out());
        assertTrue(acc > 0.5, "accuracy " + acc + " should be well above chance (0.1)");
        assertTrue(Files.exists(model));

        CommandRun e = run("evaluate", "--engine", "reference", "--model", model.toString(), "--test-samples", "300", "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("\"accuracy\":" + acc) || e.out().contains("\"accuracy\":"), e.out());
        assertTrue(e.out().contains("\"samples\":300"), e.out());
        assertEquals(ModelFile.load(model).network().archString(), "784-16-10");
    }

    @Test
    void initFromContinuesFromSavedParameters() {
        Path model = dir.resolve("m.safetensors");
        CommandRun first = run("train", "--engine", "reference", "--arch", "784-10", "--epochs", "1",
                "--train-samples", "500", "--test-samples", "100", "--save", model.toString());
        assertEquals(0, first.code(), first.err());
        CommandRun zero = run("train", "--engine", "reference", "--init-from", model.toString(), "--epochs", "0", "--test-samples", "100");
        CommandRun eval = run("evaluate", "--engine", "reference", "--model", model.toString(), "--test-samples", "100");
        assertEquals(0, zero.code(), zero.err());
        assertTrue(zero.out().contains("parameters from"), zero.out());
        Matcher m = Pattern.compile("accuracy ([0-9.]+)").matcher(eval.out());
        assertTrue(m.find(), eval.out());
        assertEquals(Double.parseDouble(m.group(1)), finalAccuracy(zero.out()), 1e-4);

        CommandRun clash = run("train", "--init-from", model.toString(), "--arch", "784-30-10", "--epochs", "0");
        assertEquals(2, clash.code());
        assertTrue(clash.err().contains("differs from the network"), clash.err());
    }

    @Test
    void userErrorsExitTwoWithOneLine() {
        String[][] bad = {
            {"train", "--arch", "784--10"},
            {"train", "--batch", "0"},
            {"train", "--lr", "-1"},
            {"train", "--lr", "NaN"},
            {"train", "--epochs", "-1"},
            {"train", "--arch", "10-10"},
            {"train", "--activation", "swish"},
            {"train", "--cost", "cross-entropy", "--output", "identity"},
            {"train", "--data", dir.resolve("nope").toString()},
            {"train", "--batch", "ten"},
            {"train", "--bogus"},
            {"train", "--engine", "quantum"},
            {"evaluate", "--model", dir.resolve("missing.safetensors").toString()},
            {"gradcheck", "--batch", "0"},
        };
        for (String[] args : bad) {
            CommandRun r = run(args);
            String what = String.join(" ", args);
            assertEquals(2, r.code(), what + " -> " + r.err() + r.out());
            String err = r.err().strip();
            assertFalse(err.isEmpty(), what);
            assertEquals(1, err.lines().count(), what + " printed more than one line:\n" + err);
            assertTrue(err.startsWith("backprop-cl: "), err);
            assertFalse(err.contains("Exception"), what + ": " + err);
        }
    }

    @Test
    void architectureThatDoesNotFitTheDataIsNamed() {
        CommandRun r = run("train", "--arch", "10-10");
        assertEquals("backprop-cl: the network 10-10 takes 10 inputs, but --data mnist-10k has 784 features per sample", r.err().strip());
    }

    @Test
    void helpExplainsEveryOption() {
        CommandRun r = run("train", "--help");
        assertEquals(0, r.code());
        for (String opt : new String[] {"--arch", "--activation", "--output", "--cost", "--init", "--epochs", "--batch", "--lr",
            "--seed", "--data", "--save", "--init-from", "--no-shuffle", "--engine", "--device", "--optimizer", "--weight-decay",
            "--l2", "--lr-schedule", "--warmup-epochs", "--checkpoint-dir", "--resume", "--metrics", "--plot", "--expand", "--classes"}) {
            assertTrue(r.out().contains(opt), "train --help lacks " + opt);
        }
        assertTrue(r.out().contains("784-16-16-10 on MNIST"), r.out());
    }

    @Test
    void gradcheckPasses() {
        CommandRun r = run("gradcheck");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("gradcheck: PASS"), r.out());
        assertFalse(r.out().contains("FAIL"), r.out());
    }

    @Test
    void devicesNeverFails() {
        CommandRun r = run("devices");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().isBlank());
    }

    @Test
    void missingOpenClDeviceIndexIsAUserError() {
        CommandRun r = run("train", "--engine", "opencl", "--device", "99", "--epochs", "0");
        assertEquals(2, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void compareTwoReferenceEnginesAgreesExactly() {
        CommandRun r = run("compare", "--engines", "reference,reference", "--steps", "3", "--arch", "784-8-10", "--train-samples", "100");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("compare: PASS"), r.out());
    }
}
