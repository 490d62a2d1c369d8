package backpropcl.cli;

import backpropcl.data.CsvReader;
import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.Preprocessing;
import backpropcl.io.ModelFile;
import backpropcl.io.ModelFileException;
import backpropcl.model.Network;
import backpropcl.train.DataFingerprint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The data a saved model is scored on (evaluate, plot --confusion): without --data the data it
 * records it was trained on, read, split and normalised as in training; with --data that data,
 * refused when it does not fit the model (other width, other classes), with a note when it is
 * another data set of the same classes (mnist-10k's model on the full mnist) and a warning when it
 * is the same data set changed since training. A model file without these records (an older
 * backprop-cl) is scored as before: --data, default mnist-10k, features as they are, a CSV file
 * without X-test.csv split in file order (its last 20% of rows), as that backprop-cl split it.
 */
final class ModelData {

    private ModelData() {
    }

    /** The model's data, prepared as in training; notes and warnings go to {@code err}. */
    static DataSplit load(ModelFile.Saved saved, Path model, DataOptions options, CommandSpec spec, PrintWriter err) {
        Map<String, String> meta = saved.metadata();
        var parsed = spec.commandLine().getParseResult();
        DataFingerprint trained = DataFingerprint.fromMetadata(model, meta);
        // A checkpoint, which evaluate reads too, records its source as "data" and its seed as "seed".
        String source = meta.getOrDefault(ModelFile.DATA_SOURCE, meta.get("data"));
        boolean given = parsed.hasMatchedOption("--data");
        if (!given && source != null && !source.isEmpty()) {
            options.data = findable(source, meta.get(ModelFile.DATA_SOURCE_PATH));
            options.origin = "the model's data";
            if (!parsed.hasMatchedOption("--separator") && trained != null && trained.csv() != null
                    && source.toLowerCase(Locale.ROOT).endsWith(".csv")) {
                options.separator = trained.csv().separator();
            }
        }
        boolean csv = options.data != null && options.data.toLowerCase(Locale.ROOT).endsWith(".csv");
        if (csv && !parsed.hasMatchedOption("--label-column") && trained != null && trained.csv() != null) {
            options.labelColumn = trained.csv().labelColumn();
        }
        options.seed = seed(model, meta);
        // Every later train records a split seed (a model) or CSV options or class names (a checkpoint).
        options.fileOrderSplit = !meta.containsKey(ModelFile.SPLIT_SEED) && (trained == null || trained.beforeStratifiedSplits());
        List<String> names = saved.classNames();
        if (names != null) {
            // A CSV file's word labels are the model's classes, numbered as in training; a number is a class number.
            options.labels = labels(model, names);
        }
        Preprocessing preprocessing = preprocessing(model, meta);
        Network net = saved.network();
        String subject = options.origin != null ? options.origin + ", " + options.data + "," : "--data " + options.data;
        DataSplit all = options.peek();
        refuseMisfit(model, net, trained, names, all, subject);
        if (given && trained != null && !trained.name().isEmpty()) {
            if (!trained.name().equals(all.name())) {
                err.printf("note: %s was trained on %s; scoring it on %s%n", model, trained.name(), all.name());
            } else if (!trained.expand() && !sameTrainingSet(trained, all.train().withClasses(net.outputSize()), preprocessing)) {
                err.printf("warning: %s is not the %s that %s was trained on (its training part differs from the fingerprint the "
                        + "model records): its test set may hold samples the model was trained on%n", subject, all.name(), model);
            }
        }
        DataSplit loaded = options.load(net);
        if (options.loaded().fileOrderSplit()) {
            err.println(DataSources.fileOrderNote(model));
        }
        return preprocessing.apply(loaded);
    }

    /** Refuses data whose samples or classes are not the model's. */
    private static void refuseMisfit(Path model, Network net, DataFingerprint trained, List<String> names, DataSplit all,
                                     String subject) {
        String was = trained == null || trained.name().isEmpty() ? "" : " (it was trained on " + trained.name() + ")";
        int width = all.train().width();
        if (width != net.inputSize()) {
            throw new UserError(String.format(Locale.ROOT, "%s takes %d inputs%s, but %s has %d features per sample: a model "
                    + "scores only data of its own shape%s", model, net.inputSize(), was, subject, width,
                    subject.startsWith("--data") ? "" : "; give --data with the data it was trained on"));
        }
        int classes = Math.max(all.train().classes(), all.test().classes());
        if (classes > net.outputSize()) {
            throw new UserError(String.format(Locale.ROOT, "%s has %d outputs%s, but %s has %d classes: a model scores only data "
                    + "of its own classes", model, net.outputSize(), was, subject, classes));
        }
        if (names == null) {
            return;
        }
        Dataset d = all.train().withClasses(net.outputSize());
        List<String> theirs = d.allClassNames();
        List<String> ours = names.subList(0, Math.min(names.size(), theirs.size()));
        if (!ours.equals(theirs.subList(0, ours.size()))) {
            throw new UserError(String.format(Locale.ROOT, "%s was trained on %s, whose %d classes are %s; %s's are %s: a model "
                    + "scores only data of its own classes", model, trained == null ? "data" : trained.name(), names.size(),
                    shortList(names), subject, shortList(theirs)));
        }
    }

    /** Whether {@code train}, as the model's training would have prepared it, is the set it records. */
    private static boolean sameTrainingSet(DataFingerprint trained, Dataset train, Preprocessing preprocessing) {
        Dataset asTrained = trained.trainSamples() == null ? train : train.head(trained.trainSamples());
        if (preprocessing.width() != 0 && preprocessing.width() != asTrained.width()) {
            return false;
        }
        Dataset prepared = preprocessing.apply(asTrained);
        return trained.sameData(DataFingerprint.of(prepared, trained.name(), null, false, null));
    }

    /** How a table's labels are read for a model of these class names (null: it records none, so class numbers). */
    static CsvReader.Labels labels(Path model, List<String> names) {
        return names == null || isNumbering(names) ? CsvReader.Labels.numbers("the model " + model)
                : CsvReader.Labels.names(names, "the model " + model);
    }

    /** Whether the names are the numbers 0, 1, 2, ... (the digits, or a CSV file's class numbers). */
    static boolean isNumbering(List<String> names) {
        for (int c = 0; c < names.size(); c++) {
            if (!names.get(c).equals(Integer.toString(c))) {
                return false;
            }
        }
        return true;
    }

    /** The source as recorded when it is found from here, else its absolute path when that is. */
    private static String findable(String source, String absolute) {
        Path here = DataOptions.asPath(source);
        if (here != null || absolute == null) {
            return source;
        }
        try {
            return Files.exists(Path.of(absolute)) ? absolute : source;
        } catch (java.nio.file.InvalidPathException e) {
            return source;
        }
    }

    /** The seed of the split the model was trained on: its split_seed, a checkpoint's seed, else train's default 1. */
    private static long seed(Path model, Map<String, String> meta) {
        String key = meta.containsKey(ModelFile.SPLIT_SEED) ? ModelFile.SPLIT_SEED : meta.containsKey("seed") ? "seed" : null;
        if (key == null) {
            return 1;
        }
        try {
            return Long.parseLong(meta.get(key));
        } catch (NumberFormatException e) {
            throw new ModelFileException(model + ": metadata '" + key + "' is '" + meta.get(key) + "'; expected a whole number", e);
        }
    }

    private static String shortList(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 11)) + ", ... (" + names.size() + ")";
    }

    /** The normalisation a model file records (none when it records none); a malformed record is the file's error. */
    static Preprocessing preprocessing(Path model, Map<String, String> meta) {
        try {
            return Preprocessing.fromMetadata(meta);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(model + ": the normalisation in __metadata__ is not valid: " + e.getMessage(), e);
        }
    }
}
