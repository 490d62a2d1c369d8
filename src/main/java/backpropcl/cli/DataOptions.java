package backpropcl.cli;

import backpropcl.data.DataException;
import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.model.Network;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data comes from, and how much of it to use. */
public final class DataOptions {
    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = "mnist-10k",
            description = "Data set: mnist-10k (bundled, 8,000 train / 2,000 test), mnist (full 60,000 / 10,000, "
                    + "downloaded once into the cache folder), fashion-mnist (/usr/share/datasets/fashion-mnist, "
                    + "else downloaded likewise), points:moons|circles|xor|spiral[:TRAIN[:SEED]] (generated 2-D "
                    + "points of 2 classes, 1,000 train / 500 test by default), a directory of IDX files "
                    + "(train-* and t10k-*), or a CSV file (label, then features) (default: ${DEFAULT-VALUE}).")
    String data;

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

    /** The data as read, its classes counted from its labels; kept for {@link #load}. */
    private DataSplit peeked;

    /** The data set before any network is chosen: what the default architecture is made from. */
    DataSplit peek() {
        if (peeked == null) {
            peeked = DataSources.resolve(data, 0, cacheDir);
        }
        return peeked;
    }

    /** Loads the data and checks that it fits the network: input width and label range. */
    DataSplit load(Network net) {
        DataSplit split = peeked != null && peeked.train().classes() <= net.outputSize() && peeked.test().classes() <= net.outputSize()
                ? new DataSplit(peeked.name(), withClasses(peeked.train(), net.outputSize()), withClasses(peeked.test(), net.outputSize()))
                : DataSources.resolve(data, net.outputSize(), cacheDir, origin);
        Dataset train = trainSamples == null ? split.train() : split.train().head(trainSamples);
        Dataset test = testSamples == null ? split.test() : split.test().head(testSamples);
        if (train.width() != net.inputSize()) {
            throw new UserError("the network " + net.archString() + " takes " + net.inputSize() + " inputs, but "
                    + (origin == null ? "--data " + data : origin + ", " + data + ",") + " has " + train.width()
                    + " features per sample" + (origin == null ? "" : "; give --data with the data it was trained on"));
        }
        if (train.count() == 0) {
            throw new DataException(split.name() + ": the training set is empty");
        }
        return new DataSplit(split.name(), train, test);
    }

    private static Dataset withClasses(Dataset d, int classes) {
        return new Dataset(d.name(), d.features(), d.labels(), d.count(), d.width(), classes);
    }
}
