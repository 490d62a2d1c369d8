package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSources;
import backpropcl.io.ModelFile;
import backpropcl.io.Safetensors;
import backpropcl.testing.Launcher;
import backpropcl.train.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV files as people have them and models that know their data (issue 13, parts 2 and 3), through
 * the real launcher: the UCI tables as bench/uci_tables.py writes them (a header of names, the label
 * last as a word, rows sorted by class) train with --label-column last --normalize standard and
 * otherwise default options to 0.90 or more, every class in the test split; evaluate without --data
 * scores the model's own data; other data that does not fit is refused.
 */
class CsvTablesIT {
    @TempDir
    Path dir;

    private static final Pattern DONE = Pattern.compile("\ndone: test accuracy ([0-9.]+) \\((\\d+)/(\\d+)\\)");

    @Test
    void theUciTablesTrainToNinetyPercentWithEveryClassInTheTestSplit() throws IOException {
        String[][] tables = {
            {"iris", "header of 5 columns (sepal length (cm), sepal width (cm), petal length (cm), petal width (cm), species), "
                    + "separator ',', label: column 5 (species)", "3 classes named in the file, in sorted order: setosa, "
                    + "versicolor, virginica", "120 train / 30 test, per class train/test: setosa 40/10, versicolor 40/10, "
                    + "virginica 40/10"},
            {"wine", "label: column 14 (cultivar)", "3 classes named in the file, in sorted order: class_0, class_1, class_2",
                "142 train / 36 test, per class train/test: class_0 47/12, class_1 57/14, class_2 38/10"},
            {"breast_cancer", "label: column 31 (diagnosis)", "2 classes named in the file, in sorted order: benign, malignant",
                "456 train / 113 test, per class train/test: benign 286/71, malignant 170/42"},
        };
        for (String[] t : tables) {
            String file = resource(t[0] + ".csv");
            Launcher.Run run = Launcher.of("train", "--data", file, "--label-column", "last", "--normalize", "standard",
                    "--engine", "cpu", "--no-progress", "--save", t[0] + ".safetensors").in(dir).run();
            assertEquals(0, run.code(), run.describe());
            assertTrue(run.out().contains("\ndata: " + file + ": "), run.describe());
            assertTrue(run.out().contains(t[1]), run.describe());
            assertTrue(run.out().contains("\nclasses: " + t[2] + "\n"), run.describe());
            assertTrue(run.out().contains("\nsplit: stratified 20% test split, seed 1: " + t[3] + "\n"), run.describe());
            assertTrue(run.out().contains("\nnormalize: standard (each feature's mean and standard deviation over the "),
                    run.describe());
            double accuracy = accuracy(run);
            assertTrue(accuracy >= 0.90, t[0] + ": test accuracy " + accuracy + " < 0.90\n" + run.describe());

            // The model knows its data: evaluate without --data scores the same test split, normalised alike.
            Launcher.Run eval = Launcher.of("evaluate", "--model", t[0] + ".safetensors", "--engine", "cpu").in(dir).run();
            assertEquals(0, eval.code(), eval.describe());
            assertTrue(eval.out().startsWith(t[0] + ".safetensors on " + t[0] + " test: accuracy "
                    + String.format(java.util.Locale.ROOT, "%.4f", accuracy)), eval.describe() + "\n" + run.describe());
            assertEquals("", eval.err(), eval.describe());
        }
        Map<String, String> meta = Safetensors.read(dir.resolve("iris.safetensors")).metadata();
        assertEquals(List.of("setosa", "versicolor", "virginica"), ModelFile.classNames(meta));
        assertEquals("4", meta.get(ModelFile.INPUT_SHAPE));
        assertEquals("standard", meta.get("normalize"));
        assertEquals("last", meta.get("csv_label_column"));
        assertEquals("1", meta.get(ModelFile.SPLIT_SEED));
        assertEquals(resource("iris.csv"), meta.get(ModelFile.DATA_SOURCE));
    }

    @Test
    void dataThatDoesNotFitTheModelIsRefused() throws IOException {
        String iris = resource("iris.csv");
        assertEquals(0, train("--data", iris, "--label-column", "last", "--epochs", "1", "--save", "iris.safetensors").code());
        refused("backprop-cl: iris.safetensors takes 4 inputs (it was trained on iris), but --data mnist-10k has 784 features "
                + "per sample: a model scores only data of its own shape", "evaluate", "--model", "iris.safetensors", "--data",
                "mnist-10k");
        // The same flowers with the classes as numbers: which number is which flower is not known, so it is refused.
        List<String> numbered = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(iris))) {
            numbered.add(line.replace("setosa", "0").replace("versicolor", "1").replace("virginica", "2"));
        }
        Files.write(dir.resolve("numbered.csv"), numbered);
        refused("backprop-cl: numbered.csv: line 2: class '0' is not one of the 3 classes of the model iris.safetensors "
                + "(setosa, versicolor, virginica)", "evaluate", "--model", "iris.safetensors", "--data", "numbered.csv");
        refused("backprop-cl: numbered.csv: line 2: class '0' is not one of the 3 classes of the model iris.safetensors "
                + "(setosa, versicolor, virginica)", "plot", "--confusion", "--model", "iris.safetensors", "--data",
                "numbered.csv", "--out", "plots");

        refused("backprop-cl: --label-column is for a CSV file, and --data mnist-10k is not one; drop it", "train",
                "--label-column", "last", "--epochs", "1");

        // A Fashion-MNIST model on the bundled digits: same width, same 10 classes, other names. (Made from a digits model
        // whose record says Fashion-MNIST, so that the test needs no Fashion-MNIST files.)
        assertEquals(0, train("--train-samples", "100", "--epochs", "1", "--save", "digits.safetensors").code());
        Safetensors.Contents c = Safetensors.read(dir.resolve("digits.safetensors"));
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        assertEquals(DataSources.DIGITS, ModelFile.classNames(meta));
        meta.putAll(ModelFile.classNamesMetadata(DataSources.FASHION_MNIST_CLASSES));
        meta.put("data_name", "fashion-mnist");
        meta.put(ModelFile.DATA_SOURCE, "fashion-mnist");
        Safetensors.write(dir.resolve("fashion.safetensors"), new LinkedHashMap<>(c.tensors()), meta);
        refused("backprop-cl: fashion.safetensors was trained on fashion-mnist, whose 10 classes are T-shirt/top, Trouser, "
                + "Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot; --data mnist-10k's are 0, 1, 2, 3, 4, 5, 6, "
                + "7, 8, 9: a model scores only data of its own classes", "evaluate", "--model", "fashion.safetensors", "--data",
                "mnist-10k");

        // Its own data set given as --data is scored without a word; a model file without the record as before.
        Launcher.Run same = Launcher.of("evaluate", "--model", "digits.safetensors", "--data", "mnist-10k").in(dir).run();
        assertEquals(0, same.code(), same.describe());
        assertEquals("", same.err(), same.describe());
        meta.keySet().removeIf(k -> k.startsWith("data_") || k.startsWith("normalize") || k.startsWith("csv_")
                || k.equals(ModelFile.CLASS_NAMES) || k.equals(ModelFile.SPLIT_SEED) || k.equals(ModelFile.INPUT_SHAPE));
        Safetensors.write(dir.resolve("old.safetensors"), new LinkedHashMap<>(c.tensors()), meta);
        Launcher.Run old = Launcher.of("evaluate", "--model", "old.safetensors").in(dir).run();
        assertEquals(0, old.code(), old.describe());
        assertTrue(old.out().startsWith("old.safetensors on mnist-10k test: accuracy "), old.describe());
    }

    @Test
    void aEuropeanSpreadsheetsFileIsReadAndResumedAlike() throws IOException {
        // iris as a German spreadsheet saves it: ';' between fields, decimal commas, quoted names.
        List<String> eu = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(resource("iris.csv")))) {
            String[] f = line.split(",");
            for (int i = 0; i < f.length; i++) {
                f[i] = i == f.length - 1 || line.startsWith("sepal") ? "\"" + f[i] + "\"" : f[i].replace('.', ',');
            }
            eu.add(String.join(";", f));
        }
        Files.write(dir.resolve("iris-de.csv"), eu);
        Launcher.Run first = train("--data", "iris-de.csv", "--label-column", "species", "--epochs", "2", "--checkpoint-dir",
                "ck");
        assertEquals(0, first.code(), first.describe());
        assertTrue(first.out().contains("\ndata: iris-de.csv: header of 5 columns (sepal length (cm), sepal width (cm), petal "
                + "length (cm), petal width (cm), species), separator ';' with decimal commas, label: column 5 (species)\n"),
                first.describe());
        assertTrue(first.out().contains("\nnormalize: standard "), "standard is the default for CSV: " + first.describe());
        Launcher.Run resumed = Launcher.of("train", "--resume", "ck", "--epochs", "4", "--no-progress").in(dir).run();
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("\ndata options from the checkpoint: --label-column species --normalize standard\n"),
                resumed.describe());
        Launcher.Run straight = train("--data", "iris-de.csv", "--label-column", "species", "--epochs", "4", "--checkpoint-dir",
                "straight");
        assertEquals(0, straight.code(), straight.describe());
        assertTrue(Checkpoint.load(dir.resolve("ck")).state().bitwiseEquals(Checkpoint.load(dir.resolve("straight")).state()),
                "resumed with the checkpoint's label column and normalisation: not where the uninterrupted run ends");
        assertEquals(accuracy(straight), accuracy(resumed));

        // A checkpoint is a model file that knows its data too: its source, label column, separator and normalisation.
        Launcher.Run eval = Launcher.of("evaluate", "--model", "ck/checkpoint.safetensors", "--engine", "cpu").in(dir).run();
        assertEquals(0, eval.code(), eval.describe());
        assertTrue(eval.out().startsWith("ck/checkpoint.safetensors on iris-de test: accuracy "
                + String.format(java.util.Locale.ROOT, "%.4f", accuracy(resumed))), eval.describe() + resumed.describe());
    }

    @Test
    void theSameDataSetChangedSinceTrainingIsScoredWithAWarning() throws IOException {
        String iris = resource("iris.csv");
        assertEquals(0, train("--data", iris, "--label-column", "last", "--epochs", "1", "--save", "iris.safetensors").code());
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve(iris)));
        Files.write(dir.resolve("copy.csv"), lines);
        Launcher.Run copy = Launcher.of("evaluate", "--model", "iris.safetensors", "--data", "copy.csv").in(dir).run();
        assertEquals(0, copy.code(), copy.describe());
        assertEquals(List.of("note: iris.safetensors was trained on iris; scoring it on copy"), copy.errLines(), copy.describe());
        // Every row's first feature changed a little (5.1 -> 5.01): the training part is no longer the one the model records.
        for (int i = 1; i < lines.size(); i++) {
            lines.set(i, lines.get(i).replaceFirst("^(\\d)\\.", "$1.0"));
        }
        Files.write(dir.resolve(iris), lines);
        Launcher.Run changed = Launcher.of("evaluate", "--model", "iris.safetensors", "--data", iris).in(dir).run();
        assertEquals(0, changed.code(), changed.describe());
        assertEquals(List.of("warning: --data iris.csv is not the iris that iris.safetensors was trained on (its training part "
                + "differs from the fingerprint the model records): its test set may hold samples the model was trained on"),
                changed.errLines(), changed.describe());
    }

    /** Copies a test resource of src/test/resources/uci into the folder; its name there. */
    private String resource(String name) throws IOException {
        Path to = dir.resolve(name);
        if (!Files.exists(to)) {
            try (InputStream in = CsvTablesIT.class.getResourceAsStream("/uci/" + name)) {
                Files.copy(in, to);
            }
        }
        return name;
    }

    private Launcher.Run train(String... options) {
        List<String> a = new ArrayList<>(List.of("train", "--engine", "cpu", "--no-progress"));
        a.addAll(List.of(options));
        return Launcher.of(a.toArray(new String[0])).in(dir).run();
    }

    private static double accuracy(Launcher.Run run) {
        Matcher m = DONE.matcher(run.out());
        assertTrue(m.find(), run.describe());
        return Double.parseDouble(m.group(1));
    }

    /** Exit 2, exactly this one line on stderr, nothing on stdout. */
    private void refused(String line, String... args) {
        Launcher.Run run = Launcher.of(args).in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of(line), run.errLines(), run.describe());
        assertEquals("", run.out(), run.describe());
    }
}
