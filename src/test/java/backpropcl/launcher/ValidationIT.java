package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.Launcher;
import backpropcl.testing.TestBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, part 1, through the real launcher: a run with a validation split and early stopping,
 * stopped by Ctrl-C and resumed, stops at the same epoch and saves the same model file, byte for
 * byte, as the run never stopped; the options' misuse is one line and exit code 2.
 */
class ValidationIT {
    /**
     * 8,000 spiral points on the reference engine: about 0.1 s an epoch here, and the validation
     * cost stops improving near epoch 16, so early stopping (patience 4) ends the run near epoch 20.
     */
    private static final List<String> RUN = List.of("--data", "points:spiral:8000", "--arch", "2-32-32-2", "--activation", "relu",
            "--init", "he", "--output", "softmax", "--cost", "cross-entropy", "--optimizer", "adam", "--lr", "0.01", "--engine",
            "reference", "--epochs", "100", "--validation", "0.2", "--early-stop", "4", "--no-progress");

    private static final Pattern EARLY = Pattern.compile("early stop: the val cost has not improved for 4 epochs since epoch (\\d+); "
            + "stopped after epoch (\\d+) of 100");

    @TempDir
    Path dir;

    /** {@code train BASE... MORE...} */
    private static String[] train(List<String> base, String... more) {
        return java.util.stream.Stream.of(List.of("train"), base, List.of(more)).flatMap(List::stream).toArray(String[]::new);
    }

    private Launcher.Run run(String... args) {
        return Launcher.of(args).in(dir).run();
    }

    private static Matcher early(Launcher.Run r) {
        Matcher m = EARLY.matcher(r.out());
        assertTrue(m.find(), "no early stop: " + r.describe());
        return m;
    }

    private String sha256(String file) throws IOException {
        return TestBytes.sha256(Files.readAllBytes(dir.resolve(file)));
    }

    @Test
    void ctrlCAndResumeStopAtTheSameEpochAndSaveTheSameBytes() throws IOException {
        Launcher.Run whole = run(train(RUN, "--checkpoint-dir", "whole", "--save", "whole.safetensors"));
        assertEquals(0, whole.code(), whole.describe());
        Matcher w = early(whole);
        String best = w.group(1);
        int stop = Integer.parseInt(w.group(2));
        assertTrue(whole.out().contains("saved whole.safetensors (epoch " + best + ", the best by val cost)"), whole.describe());
        assertTrue(whole.out().contains("with epoch " + best + "'s parameters, " + stop + " epochs in "), whole.describe());
        assertTrue(stop > 4, whole.describe());

        Launcher.Started s = Launcher.of(train(RUN, "--checkpoint-dir", "ck", "--save", "part.safetensors")).in(dir).start();
        s.awaitOutput("epoch   2", Duration.ofSeconds(120));
        s.signal("INT");
        Launcher.Run part = s.finish();
        assertEquals(130, part.code(), part.describe());
        Matcher at = Pattern.compile("stopped before epoch (\\d+) batch (\\d+)").matcher(part.out());
        assertTrue(at.find(), part.describe());
        assertTrue(Integer.parseInt(at.group(1)) <= stop, "Ctrl-C came after the run had stopped by itself: " + part.describe());
        assertTrue(part.out().contains("saved part.safetensors (epoch "), "a stopped run saves its best epoch so far: " + part.describe());

        // The engine is this process's choice, not the checkpoint's: the same one, for the same bits.
        Launcher.Run resumed = run("train", "--resume", "ck", "--engine", "reference", "--save", "resumed.safetensors", "--no-progress");
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("validation split: 6,400 train / 1,600 validation"), "the same split: " + resumed.describe());
        Matcher r = early(resumed);
        assertEquals(best, r.group(1), "the same best epoch");
        assertEquals(Integer.toString(stop), r.group(2), "the same stop epoch");
        assertEquals(sha256("whole.safetensors"), sha256("resumed.safetensors"), "the resumed run's model differs: "
                + resumed.describe());

        // The run has stopped by itself: resuming it again is refused, and says why.
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run again = run("train", "--resume", "ck", "--engine", "reference", "--no-progress");
        assertEquals(2, again.code(), again.describe());
        assertEquals(List.of("backprop-cl: --resume ck: the run stopped early after epoch " + stop + " (its val cost had not "
                + "improved for 4 epochs since epoch " + best + "); there is nothing to go on with"), again.errLines());
        assertEquals(before, Launcher.hashes(dir), "nothing changed");
    }

    @Test
    void misusedOptionsAreOneLineAndExitTwo() {
        String[][] cases = {
            {"--early-stop needs --validation FRACTION: it watches a validation split held out of the training set (choosing the "
                    + "epoch by the test set would leak it)", "--early-stop", "3"},
            {"--monitor needs --validation FRACTION: it chooses the best epoch by a validation split held out of the training set "
                    + "(choosing it by the test set would leak it)", "--monitor", "val-accuracy"},
            {"--validation must be a fraction in (0, 1), e.g. 0.1, got 1", "--validation", "1"},
            {"--monitor must be val-cost or val-accuracy, got 'val-loss'", "--validation", "0.1", "--monitor", "val-loss"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--data", "points:moons:300", "--engine", "cpu", "--no-progress", "--epochs",
                    "2"));
            args.addAll(List.of(c).subList(1, c.length));
            Launcher.Run r = run(train(args));
            assertEquals(2, r.code(), r.describe());
            assertEquals(List.of("backprop-cl: " + c[0]), r.errLines(), r.describe());
            assertEquals("", r.out(), r.describe());
        }
    }
}
