package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertLinesMatch;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.Safetensors;
import backpropcl.testing.Launcher;
import backpropcl.train.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Silently wrong results (issue 12, family 7), through the real launcher: output widths from
 * labels, batch counts that overflowed, resuming on other data, --epochs 0 and its checkpoint, and
 * compare's tolerances. A refused command exits 2 with one line on stderr, prints nothing on
 * stdout and leaves every file in its folder as it was.
 */
class LabelsAndCountsIT {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------
    // Output width from labels

    @Test
    void aLabelGapIsRefusedNamingTheLargestLabelsRecord() throws IOException {
        int[] train = cycle(40, 10);
        train[7] = 42;
        idx("digits", train, cycle(20, 10));
        refused(List.of("backprop-cl: digits/train-labels-idx1-ubyte: the training labels run 0..42 but 10..41 never occur "
                        + "(32 of 43 classes); the largest, 42, is record 7; without --arch that makes a 43-wide output layer: "
                        + "is 42 a corrupt label, or is a column a row index? give --classes 43 (or --arch) to insist"),
                train("--data", "digits"));
    }

    @Test
    void oneMissingClassIsRefusedToo() throws IOException {
        int[] train = cycle(40, 4);
        for (int i = 0; i < train.length; i++) {
            train[i] = train[i] == 2 ? 3 : train[i];
        }
        csv("gap.csv", train, 2);
        refused(List.of("backprop-cl: gap.csv: the training labels run 0..3 but 2 never occurs (1 of 4 classes); the largest, 3, "
                        + "is line 3; without --arch that makes a 4-wide output layer: is 3 a corrupt label, or is a column a row "
                        + "index? give --classes 4 (or --arch) to insist"),
                train("--data", "gap.csv"));
    }

    @Test
    void classesInsistsOnAWidthWithGaps() throws IOException {
        int[] train = cycle(40, 10);
        train[7] = 42;
        idx("digits", train, cycle(20, 10));
        Launcher.Run run = Launcher.of("train", "--data", "digits", "--classes", "43", "--epochs", "1", "--engine", "cpu",
                "--no-progress").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        assertTrue(run.out().startsWith("training 4-16-16-43 "), run.describe());

        refused(List.of("backprop-cl: --classes 43 disagrees with --arch 4-8-10, whose output layer is 10 wide; give one of them"),
                train("--data", "digits", "--classes", "43", "--arch", "4-8-10"));
        refused(List.of("backprop-cl: --classes must be in 1..1048576, got 0"), train("--data", "digits", "--classes", "0"));
    }

    @Test
    void aRowIndexInTheFirstColumnIsRefused() throws IOException {
        // pandas' df.to_csv("pts.csv"): a header whose first field is empty, then the index 0..49 first.
        Files.writeString(dir.resolve("pts.csv"), indexCsv(50));
        refused(List.of("backprop-cl: pts.csv: each of the 40 training labels 0..39 occurs exactly once; the largest, 39, is line "
                        + "41; without --arch that makes a 40-wide output layer: is the first column a row index (pandas' to_csv "
                        + "writes one unless index=False)? give --classes 40 (or --arch) to insist"),
                train("--data", "pts.csv"));
        // A train/test pair written the same way: each file's index starts at 0.
        Files.writeString(dir.resolve("pair-train.csv"), indexCsv(40));
        Files.writeString(dir.resolve("pair-test.csv"), indexCsv(10));
        refused(List.of("backprop-cl: pair-train.csv: each of the 40 training labels 0..39 occurs exactly once; the largest, 39, "
                        + "is line 41; without --arch that makes a 40-wide output layer: is the first column a row index (pandas' "
                        + "to_csv writes one unless index=False)? give --classes 40 (or --arch) to insist"),
                train("--data", "pair-train.csv"));
    }

    @Test
    void aTestLabelBeyondTheTrainingLabelsIsRefusedWithAndWithoutArch() throws IOException {
        int[] test = cycle(20, 10);
        test[3] = 12;
        idx("digits", cycle(40, 10), test);
        refused(List.of("backprop-cl: digits/t10k-labels-idx1-ubyte: record 3 has label 12; expected 0..9 (10 classes), as the "
                        + "training labels run; a label the training set never has cannot be learnt: fix it (is a column a row "
                        + "index?), or give --classes 13 (or --arch) to insist"),
                train("--data", "digits"));
        refused(List.of("backprop-cl: digits/t10k-labels-idx1-ubyte: record 3 has label 12; expected 0..9 (10 classes), the "
                        + "outputs of --arch 4-8-10; fix the label, or give an --arch whose last width is 13 or more"),
                train("--data", "digits", "--arch", "4-8-10"));
        refused(List.of("backprop-cl: digits/t10k-labels-idx1-ubyte: record 3 has label 12; expected 0..9 (10 classes), as "
                        + "--classes 10 says; fix the label, or give --classes 13 or more"),
                train("--data", "digits", "--classes", "10"));
    }

    // ---------------------------------------------------------------------------------------------
    // Counts that overflowed

    @Test
    void aBatchOfIntMaxIsOneBatchOfTheWholeSet() throws IOException {
        // (n + batch - 1) / batch overflowed: zero batches, nothing trained, exit 0.
        Launcher.Run huge = small("--batch", "2147483647", "--save", "huge.safetensors");
        assertEquals(0, huge.code(), huge.describe());
        assertTrue(huge.out().contains("1 epoch of mini-batches of 2147483647 (one batch of all 100 samples), "), huge.describe());
        Launcher.Run whole = small("--batch", "100", "--save", "whole.safetensors");
        assertEquals(0, whole.code(), whole.describe());
        Launcher.Run none = small("--epochs", "0", "--save", "init.safetensors");
        assertEquals(0, none.code(), none.describe());
        assertEquals(tensors("whole.safetensors"), tensors("huge.safetensors"), "one batch of all 100 samples, as --batch 100");
        assertNotEquals(tensors("init.safetensors"), tensors("huge.safetensors"), "--batch 2147483647 trained nothing");
    }

    @Test
    void aBatchTooLargeForOneArrayIsRefused() {
        // 8,000 rows (all of mnist-10k's) through a layer of 300,000 units is 2.4e9 values: more than an int counts.
        refused(List.of("backprop-cl: --batch 2147483647: a batch of 8,000 samples through a layer 300,000 wide is 2,400,000,000 "
                        + "values, more than one array holds (2,147,483,639); give --batch 7158 or less"),
                List.of("train", "--arch", "784-1-300000-10", "--batch", "2147483647", "--engine", "cpu", "--epochs", "1", "--save",
                        "m.safetensors"));
    }

    // ---------------------------------------------------------------------------------------------
    // Resuming on other data

    @Test
    void resumeRefusesOtherTrainSamplesAndTakesTheCheckpointsOwn() throws IOException {
        Launcher.Run first = small("--checkpoint-dir", "run1");
        assertEquals(0, first.code(), first.describe());
        refused(List.of("backprop-cl: --resume run1: the checkpoint was trained on 100 samples of mnist-10k (--train-samples 100), "
                        + "this data has 200 (--train-samples 200); give --train-samples 100 (or leave the option out: a resumed "
                        + "run takes it from the checkpoint)"),
                List.of("train", "--resume", "run1", "--epochs", "2", "--train-samples", "200", "--save", "m.safetensors"));
        refused(List.of("backprop-cl: --resume run1: the checkpoint was trained on 100 samples of mnist-10k (--train-samples 100), "
                        + "this data has 500 (--train-samples 100 --expand); drop --expand"),
                List.of("train", "--resume", "run1", "--epochs", "2", "--expand"));
        refused(List.of("backprop-cl: --resume takes the network, optimizer, schedule, batch size and seed from the checkpoint; "
                        + "drop --classes"),
                List.of("train", "--resume", "run1", "--epochs", "2", "--classes", "10"));

        // Without the data options the resumed run takes the checkpoint's, and ends bitwise where one run ends.
        Launcher.Run resumed = Launcher.of("train", "--resume", "run1", "--epochs", "2", "--no-progress").in(dir).run();
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("\ndata options from the checkpoint: --train-samples 100 --test-samples 50\n"),
                resumed.describe());
        assertTrue(resumed.out().contains("(100 train / 50 test)"), resumed.describe());
        Launcher.Run straight = small("--epochs", "2", "--checkpoint-dir", "straight");
        assertEquals(0, straight.code(), straight.describe());
        assertTrue(Checkpoint.load(dir.resolve("run1")).state().bitwiseEquals(Checkpoint.load(dir.resolve("straight")).state()),
                "resumed with the checkpoint's --train-samples: not where the uninterrupted run ends");
    }

    @Test
    void resumeRefusesAChangedFileOfTheSameSize() throws IOException {
        csv("pts.csv", cycle(30, 3), 2);
        Launcher.Run first = Launcher.of("train", "--data", "pts.csv", "--epochs", "1", "--engine", "cpu", "--checkpoint-dir",
                "run2", "--no-progress").in(dir).run();
        assertEquals(0, first.code(), first.describe());
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("pts.csv")));
        lines.set(4, "1,0.5,0.5");   // one row of the 24 training rows: other features and label
        Files.write(dir.resolve("pts.csv"), lines);
        refused(List.of("backprop-cl: --resume run2: the checkpoint was trained on 24 samples of pts, this data has as many samples "
                        + "but other values or labels \\(data hash [0-9a-f]{16}, this data's [0-9a-f]{16}\\); resume it on the "
                        + "data it was trained on, or start a new run"),
                List.of("train", "--resume", "run2", "--epochs", "2"));
    }

    @Test
    void aCheckpointWithoutAFingerprintResumesWithAWarning() throws IOException {
        Launcher.Run first = small("--checkpoint-dir", "old");
        assertEquals(0, first.code(), first.describe());
        // As an older backprop-cl wrote it: no data_* metadata.
        Path file = dir.resolve("old").resolve(Checkpoint.FILE_NAME);
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        assertTrue(meta.containsKey("data_hash"), meta.toString());
        meta.keySet().removeIf(k -> k.startsWith("data_"));
        Safetensors.write(file, new LinkedHashMap<>(c.tensors()), meta);

        Launcher.Run resumed = Launcher.of("train", "--resume", "old", "--epochs", "2", "--train-samples", "100", "--no-progress")
                .in(dir).run();
        assertEquals(0, resumed.code(), resumed.describe());
        assertEquals("", resumed.err(), resumed.describe());
        assertTrue(resumed.out().contains("\nwarning: old/checkpoint.safetensors has no fingerprint of its training data (an older "
                + "backprop-cl wrote it), so this data cannot be checked against it; give the --data, --train-samples and "
                + "--expand it was trained with\n"), resumed.describe());
    }

    // ---------------------------------------------------------------------------------------------
    // --epochs 0

    @Test
    void zeroEpochsSavesTheInitialModelAndClaimsNoCheckpoint() {
        Launcher.Run run = small("--epochs", "0", "--checkpoint-dir", "run0", "--save", "init.safetensors");
        assertEquals(0, run.code(), run.describe());
        assertFalse(run.out().contains("checkpoint"), run.describe());
        assertTrue(run.out().contains("\nsaved init.safetensors\n"), run.describe());
        assertFalse(Files.exists(dir.resolve("run0")), "no checkpoint was written, and none is claimed");
        assertTrue(Files.isRegularFile(dir.resolve("init.safetensors")));
    }

    // ---------------------------------------------------------------------------------------------
    // Tolerances

    @Test
    void aToleranceThatIsNotAFiniteNumberOfZeroOrMoreIsAUserError() {
        String[][] cases = {
            {"compare", "--step-tolerance", "-1", "--", "-1.0"},
            {"compare", "--step-tolerance", "NaN", "--", "NaN"},
            {"compare", "--drift-tolerance", "-0.5", "--", "-0.5"},
            {"compare", "--drift-tolerance", "Infinity", "--", "Infinity"},
            {"gradcheck", "--tolerance", "NaN", "--", "NaN"},
            {"gradcheck", "--tolerance", "-1e-6", "--", "-1.0E-6"},
        };
        for (String[] c : cases) {
            refused(List.of("backprop-cl: " + c[1] + " must be a finite number >= 0, got " + c[2]),
                    List.of(c[0], c[1], c[2]));
        }
        refused(List.of("backprop-cl: --batch must be in 1..10000 (a finite-difference check needs no more), got 2147483647"),
                List.of("gradcheck", "--batch", "2147483647"));
    }

    // ---------------------------------------------------------------------------------------------

    /** Runs args in the folder: exit 2, exactly these stderr lines (regular expressions as assertLinesMatch takes them), nothing on stdout or on disk. */
    private void refused(List<String> expected, List<String> args) {
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run run = Launcher.of(args.toArray(new String[0])).in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertLinesMatch(expected, run.errLines(), run.describe());
        assertEquals("", run.out(), run.describe());
        assertEquals(before, Launcher.hashes(dir), "files changed: " + run.describe());
    }

    /** train with every output in the folder, one epoch on the cpu engine. */
    private static List<String> train(String... options) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(List.of(options));
        a.addAll(List.of("--epochs", "1", "--engine", "cpu", "--save", "m.safetensors", "--metrics", "m.csv", "--checkpoint-dir",
                "run", "--plot", "plots"));
        return a;
    }

    /** A short run on the first 100 / 50 bundled digits. */
    private Launcher.Run small(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--train-samples", "100", "--test-samples", "50", "--arch", "784-4-10",
                "--engine", "cpu", "--no-progress"));
        if (!List.of(more).contains("--epochs")) {
            a.addAll(List.of("--epochs", "1"));
        }
        a.addAll(List.of(more));
        return Launcher.of(a.toArray(new String[0])).in(dir).run();
    }

    /** The tensors of a model file, each as text of its floats, to compare two files' parameters. */
    private Map<String, String> tensors(String file) {
        Map<String, String> m = new LinkedHashMap<>();
        Safetensors.read(dir.resolve(file)).tensors().forEach((k, v) -> m.put(k,
                v.data() != null ? java.util.Arrays.toString(v.data()) : java.util.Arrays.toString(v.doubles())));
        return m;
    }

    private static int[] cycle(int n, int classes) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = i % classes;
        }
        return l;
    }

    /** An IDX directory of 2x2 images with these labels, plain (not gzip). */
    private void idx(String name, int[] trainLabels, int[] testLabels) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Random rnd = new Random(7);
        for (String set : new String[] {"train", "t10k"}) {
            int[] labels = set.equals("train") ? trainLabels : testLabels;
            int n = labels.length;
            ByteBuffer img = ByteBuffer.allocate(16 + 4 * n).putInt(0x803).putInt(n).putInt(2).putInt(2);
            for (int i = 0; i < 4 * n; i++) {
                img.put((byte) rnd.nextInt(256));
            }
            ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int label : labels) {
                lab.put((byte) label);
            }
            Files.write(d.resolve(set + "-images-idx3-ubyte"), img.array());
            Files.write(d.resolve(set + "-labels-idx1-ubyte"), lab.array());
        }
    }

    /** A CSV of rows label,f1..fw (no header), the last 20% of which are its test set. */
    private void csv(String name, int[] labels, int width) throws IOException {
        Random rnd = new Random(3);
        StringBuilder sb = new StringBuilder();
        for (int label : labels) {
            sb.append(label);
            for (int j = 0; j < width; j++) {
                sb.append(String.format(Locale.ROOT, ",%.3f", rnd.nextDouble()));
            }
            sb.append('\n');
        }
        Files.writeString(dir.resolve(name), sb, StandardCharsets.UTF_8);
    }

    /** What pandas' to_csv writes for a frame of two columns: a header with an empty first field, then index,x,y. */
    private static String indexCsv(int rows) {
        Random rnd = new Random(5);
        StringBuilder sb = new StringBuilder(",x,y\n");
        for (int i = 0; i < rows; i++) {
            sb.append(String.format(Locale.ROOT, "%d,%.3f,%.3f%n", i, rnd.nextDouble(), rnd.nextDouble()));
        }
        return sb.toString();
    }
}
