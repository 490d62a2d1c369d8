package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.data.CsvOptions;
import backpropcl.data.CsvReader;
import backpropcl.data.DataException;
import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.LabelOutOfRangeException;
import backpropcl.model.Network;
import backpropcl.model.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Where the data comes from, and how much of it to use. */
public final class DataOptions {
    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = "mnist-10k",
            description = "Data set: mnist-10k (bundled, 8,000 train / 2,000 test), mnist (full 60,000 / 10,000, "
                    + "downloaded once into the cache folder), fashion-mnist (/usr/share/datasets/fashion-mnist, "
                    + "else downloaded likewise), points:moons|circles|xor|spiral[:TRAIN[:SEED]] (generated 2-D "
                    + "points of 2 classes, 1,000 train / 500 test by default), a directory of IDX files "
                    + "(train-* and t10k-*), a directory of one folder of PNG/JPEG images per class (classes the sorted "
                    + "folder names; train/ and test/ folders inside, else a stratified 20%% of each class, seeded; each "
                    + "image prepared as predict prepares it, to 28x28), or a CSV file (a label column and features; its "
                    + "test set is X-test.csv beside X.csv or X-train.csv, else a stratified 20%% of each class, seeded) "
                    + "(default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--label-column", paramLabel = "COLUMN",
            description = "CSV: the label's column: first, last, a column number from 1, or a name in the header row "
                    + "(default: first). Labels that are words (setosa) are class names, numbered in sorted order; labels "
                    + "that are numbers are the class.")
    String labelColumn;

    @Option(names = "--separator", paramLabel = "SEP",
            description = "CSV: the field separator: , or ; or tab (default: detected from the first line: tab when it holds "
                    + "one, else ; when it holds one, else ,). With ; or tab a number may have a decimal comma (3,5).")
    String separator;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Folder for downloaded data sets (default: $BACKPROP_CL_CACHE, else "
                    + "$XDG_CACHE_HOME/backprop-cl, else ~/.cache/backprop-cl).")
    Path cacheDir;

    @Option(names = "--train-samples", paramLabel = "N", converter = OptionValues.Count.class,
            description = "Use only the first N training samples (default: all).")
    Integer trainSamples;

    @Option(names = "--test-samples", paramLabel = "N", converter = OptionValues.Count.class,
            description = "Use only the first N test samples (default: all).")
    Integer testSamples;

    /** {@code source} as a path when it names an existing file or directory, else null (a data set's name). */
    static Path asPath(String source) {
        try {
            Path p = Path.of(source);
            return java.nio.file.Files.exists(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /**
     * Where {@link #data} came from when the user did not give it, for messages ("the checkpoint's
     * data"); null: the --data option (given, or its default).
     */
    String origin;

    /** The seed of a CSV file's stratified test split: train's --seed, or the one a model records. */
    long seed = 1;

    /** A CSV file without X-test.csv is split in file order, for a checkpoint or model of an older backprop-cl. */
    boolean fileOrderSplit;

    /** How a CSV file's labels are read: as its first row says, or as a model's classes are. */
    CsvReader.Labels labels = CsvReader.Labels.detect();

    /** The data as read, its classes counted from its labels; kept for {@link #load}. */
    private DataSplit peeked;

    /** What the last load found: the CSV format, how it was split, the input shape. */
    private DataSources.Loaded loaded;

    /** The data set before any network is chosen: what the default architecture is made from. */
    DataSplit peek() {
        if (peeked == null) {
            loaded = csvOnly(DataSources.load(request(0)));
            peeked = loaded.split();
        }
        return peeked;
    }

    /** Refuses --label-column and --separator for data that is not a CSV file: they would be ignored. */
    private DataSources.Loaded csvOnly(DataSources.Loaded l) {
        if (l.format() == null && (labelColumn != null || separator != null)) {
            throw new UserError((labelColumn != null ? "--label-column" : "--separator") + " is for a CSV file, and "
                    + (origin == null ? "--data " + data : origin + ", " + data + ",") + " is not one; drop it");
        }
        return l;
    }

    /** The CSV options as given (a bad value is a DataException naming the option). */
    CsvOptions csvOptions() {
        return new CsvOptions(labelColumn, separator);
    }

    /** What is asked of {@link DataSources} for {@code classes} classes. */
    private DataSources.Request request(int classes) {
        return DataSources.Request.of(data).withClasses(classes).withCacheDir(cacheDir).withOrigin(origin)
                .withCsv(csvOptions()).withSeed(seed).withLabels(labels)
                .withFileOrderSplit(fileOrderSplit);
    }

    /**
     * The shape of one sample of the data ({@link #peek}ed first): 1x28x28 for IDX images, 1xHxW
     * for an image folder, N values flat for a CSV file or points.
     */
    Shape sampleShape() {
        int width = peek().train().width();
        try {
            Shape s = Shape.parse(loaded.inputShape());
            return s.size() == width ? s : Shape.flat(width);
        } catch (IllegalArgumentException | NullPointerException e) {
            return Shape.flat(width);
        }
    }

    /** What the last {@link #peek} or {@link #load} found; null before either. */
    DataSources.Loaded loaded() {
        return loaded;
    }

    /** The CSV options with the separator as found, for a record of how the data was read; null when it is not CSV. */
    CsvOptions csvAsRead() {
        return loaded == null || loaded.format() == null ? null : csvOptions().withSeparator(loaded.format().separator());
    }

    /**
     * The number of classes the training labels make, the output width of a network made from the
     * data (train without --arch): the largest training label + 1, when the labels look like
     * classes. Refused, naming the file and the record of the largest label: labels with a class
     * between 0 and the largest that never occurs (a corrupt label 42 in MNIST would make 43
     * outputs), and at least {@link #INDEX_LIKE} labels that each occur once (a row index, as
     * pandas' {@code to_csv} writes in the first column). --classes N or --arch insist.
     */
    int classesFromLabels() {
        DataSplit d = peek();
        int[] labels = d.train().labels();
        int max = 0;
        for (int label : labels) {
            max = Math.max(max, label);
        }
        int[] counts = new int[max + 1];
        for (int label : labels) {
            counts[label]++;
        }
        List<int[]> gaps = new ArrayList<>();
        int missing = 0;
        boolean eachOnce = true;
        for (int c = 0; c <= max; c++) {
            eachOnce &= counts[c] == 1;
            if (counts[c] == 0) {
                missing++;
                if (!gaps.isEmpty() && gaps.get(gaps.size() - 1)[1] == c - 1) {
                    gaps.get(gaps.size() - 1)[1] = c;
                } else {
                    gaps.add(new int[] {c, c});
                }
            }
        }
        int k = max + 1;
        if (missing == 0 && !(eachOnce && k >= INDEX_LIKE)) {
            return k;
        }
        String[] at = whereIsLabel(max);
        String problem = missing > 0
                ? String.format(Locale.ROOT, "the training labels run 0..%d but %s never occur%s (%,d of %,d classes)", max,
                        ranges(gaps), missing == 1 ? "s" : "", missing, k)
                : String.format(Locale.ROOT, "each of the %,d training labels 0..%d occurs exactly once", k, max);
        throw new UserError(String.format(Locale.ROOT, "%s: %s; the largest, %d, is %s; without --arch that makes a %,d-wide "
                        + "output layer: %s give --classes %d (or --arch) to insist", at[0], problem, max, at[1], k,
                missing > 0 ? "is " + max + " a corrupt label, or is a column a row index?" : "is the first column a row index (pandas' to_csv writes one unless index=False)?",
                k));
    }

    /** Labels that each occur once, at least this many, look like a row index rather than classes. */
    static final int INDEX_LIKE = 10;

    /**
     * The file and the record of the first training sample of {@code label}, the largest: reading
     * the data again for {@code label} classes makes its reader stop there and say where.
     */
    private String[] whereIsLabel(int label) {
        try {
            DataSources.load(request(label));
        } catch (LabelOutOfRangeException e) {
            return new String[] {e.file(), e.record()};
        } catch (DataException e) {
            // reported below, by the data set's name
        }
        int[] labels = peek().train().labels();
        int i = 0;
        while (labels[i] != label) {
            i++;
        }
        return new String[] {peek().train().name(), "record " + i};
    }

    /** "3, 10..41, 50" */
    private static String ranges(List<int[]> gaps) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(gaps.size(), 6);
        for (int i = 0; i < shown; i++) {
            int[] g = gaps.get(i);
            sb.append(i == 0 ? "" : ", ").append(g[0]).append(g[1] > g[0] ? ".." + g[1] : "");
        }
        if (gaps.size() > shown) {
            sb.append(" and ").append(gaps.size() - shown).append(" more ranges");
        }
        return sb.toString();
    }

    /** Loads the data and checks that it fits the network: input width and label range. */
    DataSplit load(Network net) {
        return load(net, null);
    }

    /**
     * As {@link #load(Network)}; a label beyond the network's outputs gets the reader's message
     * followed by {@code why}'s words on where the output width came from and what to do.
     */
    DataSplit load(Network net, java.util.function.Function<LabelOutOfRangeException, String> why) {
        try {
            return loadChecked(net);
        } catch (LabelOutOfRangeException e) {
            if (why == null) {
                throw e;
            }
            throw new UserError(e.getMessage() + ", " + why.apply(e), e);
        }
    }

    private DataSplit loadChecked(Network net) {
        DataSplit split;
        if (peeked != null && peeked.train().classes() <= net.outputSize() && peeked.test().classes() <= net.outputSize()) {
            split = new DataSplit(peeked.name(), peeked.train().withClasses(net.outputSize()), peeked.test().withClasses(net.outputSize()));
        } else {
            loaded = csvOnly(DataSources.load(request(net.outputSize())));
            split = loaded.split();
        }
        Dataset train = trainSamples == null ? split.train() : split.train().head(trainSamples);
        Dataset test = testSamples == null ? split.test() : split.test().head(testSamples);
        if (train.width() != net.inputSize()) {
            throw new UserError("the network " + net.name()
                    + " takes " + Plural.of(net.inputSize(), "input") + ", but "
                    + (origin == null ? "--data " + data : origin + ", " + data + ",") + " has " + Plural.of(train.width(), "feature")
                    + " per sample" + (origin == null ? "" : "; give --data with the data it was trained on"));
        }
        if (train.count() == 0) {
            throw new DataException(split.name() + ": the training set is empty");
        }
        return new DataSplit(split.name(), train, test);
    }
}
