package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.CommandRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output width train takes from the training labels (no --arch), in process: labels that do
 * not look like classes are refused, --classes insists (issue 12, family 7). LabelsAndCountsIT
 * runs the same cases through the launcher with every message in full.
 */
class OutputWidthTest {
    @TempDir
    Path dir;

    /** A CSV of n rows with these labels in turn and two features; its last 20% are the test set. */
    private Path csv(String name, int n, int... labels) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(labels[i % labels.length]).append(',').append(i % 7 / 7.0).append(',').append(i % 3 / 3.0).append('\n');
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    private static CommandRun train(Path data, String... more) {
        String[] args = new String[6 + more.length];
        System.arraycopy(new String[] {"train", "--data", data.toString(), "--epochs", "1", "--no-progress"}, 0, args, 0, 6);
        System.arraycopy(more, 0, args, 6, more.length);
        return run(args);
    }

    private static void refused(CommandRun r, String... texts) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out());
        for (String t : texts) {
            assertTrue(r.err().contains(t), "no '" + t + "' in " + r.err());
        }
    }

    @Test
    void classesThatNeverOccurAreRefusedAndClassesInsists() throws IOException {
        Path f = csv("gap.csv", 50, 0, 1, 5);
        refused(train(f), f + ": the training labels run 0..5 but 2..4 never occur (3 of 6 classes); the largest, 5, is line 3;",
                "give --classes 6 (or --arch) to insist");
        CommandRun insisted = train(f, "--classes", "6");
        assertEquals(0, insisted.code(), insisted.err());
        assertTrue(insisted.out().startsWith("training 2-16-16-6 "), insisted.out());
        assertEquals(0, train(f, "--arch", "2-4-6").code(), "--arch insists too");
    }

    @Test
    void aRowIndexIsRefused() throws IOException {
        int[] index = new int[60];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        Path f = csv("index-train.csv", 60, index);
        csv("index-test.csv", 10, 0, 1);
        refused(train(f), f + ": each of the 60 training labels 0..59 occurs exactly once; the largest, 59, is line 60;",
                "is the first column a row index");
        Path few = csv("few-train.csv", 3, 0, 1, 2);
        csv("few-test.csv", 3, 0, 1, 2);
        assertEquals(0, train(few).code(), "three distinct labels are a toy, not an index");
    }

    @Test
    void aTestLabelBeyondTheTrainingLabelsIsRefused() throws IOException {
        Path f = csv("pts-train.csv", 30, 0, 1, 2);
        Path t = csv("pts-test.csv", 6, 0, 3);
        refused(train(f), t + ": line 2: label 3 is out of range; expected 0..2 (3 classes), as the training labels run;",
                "give --classes 4 (or --arch) to insist");
        refused(train(f, "--arch", "2-4-3"), t + ": line 2: label 3 is out of range; expected 0..2 (3 classes), the outputs of "
                + "--arch 2-4-3; fix the label, or give an --arch whose last width is 4 or more");
        assertEquals(0, train(f, "--classes", "4").code());
    }
}
