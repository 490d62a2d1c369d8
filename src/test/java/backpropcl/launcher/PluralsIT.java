package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "1 epoch", not "1 epochs" (issue 13, part 6), in what a person reads from ./backprop-cl. */
class PluralsIT {
    /** "1 epochs", "1 classes", ...: the count 1 before a plural noun. */
    private static final Pattern ONE_PLURAL = Pattern.compile("\\b1 (epochs|steps|checks|samples|classes|batches|fields|features|inputs)\\b");

    @TempDir
    Path dir;

    private static void noOnePlural(Launcher.Run run) {
        assertFalse(ONE_PLURAL.matcher(run.out() + run.err()).find(), run.describe());
    }

    @Test
    void oneEpochOfTrainingAndItsCheckpoint() {
        Launcher.Run one = Launcher.of("train", "--data", "points:moons:40", "--arch", "2-3-2", "--epochs", "1", "--engine",
                "reference", "--checkpoint-dir", "run").in(dir).run();
        assertEquals(0, one.code(), one.describe());
        assertTrue(one.out().contains("\n1 epoch of mini-batches of 10, "), one.describe());
        assertTrue(Pattern.compile("done: .*, 1 epoch in [0-9.]+ s").matcher(one.out()).find(), one.describe());
        noOnePlural(one);

        Launcher.Run again = Launcher.of("train", "--resume", "run", "--epochs", "1").in(dir).run();
        assertEquals(2, again.code(), again.describe());
        assertEquals(List.of("backprop-cl: --resume run: the run has finished 1 epoch; give --epochs N with N above 1 to train "
                + "it further"), again.errLines(), again.describe());

        Launcher.Run held = Launcher.of("train", "--data", "points:moons:40", "--arch", "2-3-2", "--epochs", "1", "--engine",
                "reference", "--checkpoint-dir", "run").in(dir).run();
        assertEquals(2, held.code(), held.describe());
        assertTrue(held.err().contains("a run of 2-3-2 after 1 of 1 epoch;"), held.describe());
    }

    @Test
    void oneStepOfCompare() {
        Launcher.Run run = Launcher.of("compare", "--engines", "reference,reference", "--data", "points:moons:40", "--arch", "2-3-2",
                "--steps", "1").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        assertTrue(run.out().contains(", 1 step of 10, "), run.describe());
        noOnePlural(run);
    }

    @Test
    void aCsvRowOfOneField() throws IOException {
        Files.writeString(dir.resolve("x.csv"), "0,0.1\n1,0.9\n0\n1,0.8\n0,0.2\n");
        Launcher.Run run = Launcher.of("train", "--data", "x.csv", "--arch", "1-2-2", "--epochs", "1").in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: x.csv: line 3: has 1 field; expected 2 (a label and 1 feature, as in the first row)"),
                run.errLines(), run.describe());
    }
}
