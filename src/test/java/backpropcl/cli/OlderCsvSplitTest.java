package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.CommandRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint and a model file written by backprop-cl before CSV files were split stratified
 * (commit 470cc35, whose test set of a CSV file without X-test.csv was its last 20% of rows) resume
 * and are scored on that split, as that build did.
 *
 * <p>The fixtures in src/test/resources/legacy-csv-split/ were made so: wine_num.csv is the bundled
 * uci/wine.csv with its rows shuffled (Python's {@code random.Random(7).shuffle}), the label
 * (class_N to N) first and each feature divided by its column's maximum (4 decimals). With the jar of
 * 470cc35 ({@code git worktree add /tmp/old470 470cc35}, {@code mvn -B -o -q package -DskipTests}),
 * in the folder of wine_num.csv:
 * <pre>
 * COMMON="--engine cpu --data wine_num.csv --arch 13-16-3 --optimizer adam --lr 0.01"
 * backprop-cl train $COMMON --epochs 6 --save model-6-epochs.safetensors
 *   done: test accuracy 0.9429 (33/35), test cost 0.2047, 6 epochs in 0.1 s
 * backprop-cl train $COMMON --epochs 8
 *   done: test accuracy 1.0000 (35/35), test cost 0.1494, 8 epochs in 0.2 s
 * backprop-cl train $COMMON --epochs 3 --checkpoint-dir ck     (ck/checkpoint.safetensors: checkpoint-3-epochs)
 *   done: test accuracy 0.4857 (17/35), test cost 0.3119, 3 epochs in 0.0 s
 * </pre>
 * (that build's own resume of ck to 6 and 8 epochs ends on the same lines as the runs above).
 * Before the fix this build refused the resume ("trained on 143 samples of wine_num, this data has
 * 142") and scored the model on a stratified test set of 36 rows: 0.9722 (35/36).
 */
class OlderCsvSplitTest {
    @TempDir
    Path dir;

    private static final String NOTE = "was made before stratified CSV splits; using its file-order split (the last 20% of rows)";

    private Path fixture(String name, Path to) throws IOException {
        try (InputStream in = OlderCsvSplitTest.class.getResourceAsStream("/legacy-csv-split/" + name)) {
            Files.createDirectories(to.getParent());
            Files.copy(in, to);
        }
        return to;
    }

    @Test
    void anOlderCheckpointResumesOnItsFileOrderSplitAsTheOlderBuildGoesOn() throws IOException {
        Path data = fixture("wine_num.csv", dir.resolve("wine_num.csv"));
        Path ck = dir.resolve("ck");
        fixture("checkpoint-3-epochs.safetensors", ck.resolve("checkpoint.safetensors"));

        CommandRun six = run("train", "--engine", "cpu", "--no-progress", "--resume", ck.toString(), "--data", data.toString(),
                "--epochs", "6");
        assertEquals(0, six.code(), six.out() + six.err());
        assertTrue(six.out().contains("note: " + ck.resolve("checkpoint.safetensors") + " " + NOTE), six.out());
        assertTrue(six.out().contains("split: file order, the last 20% of rows: 143 train / 35 test"), six.out());
        assertTrue(six.out().contains("normalize: none"), "the older build used the features as they are: " + six.out());
        assertTrue(six.out().contains("done: test accuracy 0.9429 (33/35), test cost 0.2047,"), six.out());

        // The checkpoint this build wrote resumes on the same split again, and its --save is scored on it.
        Path saved = dir.resolve("eight.safetensors");
        CommandRun eight = run("train", "--engine", "cpu", "--no-progress", "--resume", ck.toString(), "--data", data.toString(),
                "--epochs", "8", "--save", saved.toString());
        assertEquals(0, eight.code(), eight.out() + eight.err());
        assertTrue(eight.out().contains("done: test accuracy 1.0000 (35/35), test cost 0.1494,"), eight.out());
        CommandRun scored = run("evaluate", "--engine", "cpu", "--model", saved.toString());
        assertEquals(0, scored.code(), scored.out() + scored.err());
        assertTrue(scored.out().contains("accuracy 1.0000 (35/35), cost 0.1494"), scored.out());
    }

    @Test
    void anOlderModelIsScoredOnItsOwnTestRows() throws IOException {
        Path data = fixture("wine_num.csv", dir.resolve("wine_num.csv"));
        Path model = fixture("model-6-epochs.safetensors", dir.resolve("model.safetensors"));
        CommandRun r = run("evaluate", "--engine", "cpu", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy 0.9429 (33/35), cost 0.2047"), r.out());
        assertTrue(r.err().contains("note: " + model + " " + NOTE), r.err());

        // The older checkpoint is scored on that split too, by the data it records.
        Path ck = fixture("checkpoint-3-epochs.safetensors", dir.resolve("ck").resolve("checkpoint.safetensors"));
        CommandRun c = run("evaluate", "--engine", "cpu", "--model", ck.toString(), "--data", data.toString());
        assertEquals(0, c.code(), c.out() + c.err());
        assertTrue(c.out().contains("accuracy 0.4857 (17/35), cost 0.3119"), c.out());
    }
}
