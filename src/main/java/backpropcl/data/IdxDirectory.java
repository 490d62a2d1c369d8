package backpropcl.data;

import backpropcl.text.Plural;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads a training and a test set from the four IDX files of an MNIST-style directory:
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 * and {@code t10k-labels-idx1-ubyte}, each plain or gzip-compressed ({@code .gz}).
 *
 * <p>Files are found by prefix ({@code train-images}, {@code train-labels}, {@code t10k-images},
 * {@code t10k-labels}), so the variants that some mirrors use ({@code train-images.idx3-ubyte})
 * work too. When several files share a prefix, the standard names win, plain before gzip; any
 * other tie is an error that lists the candidates.
 */
public final class IdxDirectory {

    /** The four file prefixes, in the order train images, train labels, test images, test labels. */
    static final String[] PREFIXES = {"train-images", "train-labels", "t10k-images", "t10k-labels"};

    /** The standard file names (without .gz) of the four prefixes. */
    static final String[] STANDARD = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private IdxDirectory() {
    }

    /**
     * Loads {@code dir}; the split is named after the directory, its sets "NAME/train" and "NAME/test".
     *
     * @param classes the number of classes; 0 or less: the largest label + 1, over both sets
     */
    public static DataSplit load(Path dir, int classes) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": no such directory (expected a directory holding "
                    + String.join(", ", STANDARD) + ", plain or .gz)");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir)) {
            listing.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new DataException(dir + ": could not list the directory (" + e.getMessage() + ")", e);
        }
        names.sort(null);
        if (names.stream().noneMatch(n -> java.util.Arrays.stream(PREFIXES).anyMatch(n::startsWith))) {
            boolean csv = names.stream().anyMatch(n -> n.toLowerCase(java.util.Locale.ROOT).endsWith(".csv"));
            throw new DataException(dir + ": " + (names.isEmpty() ? "an empty directory" : "a directory without IDX files")
                    + " (found " + (names.isEmpty() ? "no files" : String.join(", ", names)) + "; expected "
                    + String.join(", ", STANDARD) + ", plain or .gz)" + (csv ? "; a CSV file is given as --data FILE.csv" : ""));
        }
        Path[] files = new Path[4];
        for (int i = 0; i < 4; i++) {
            files[i] = dir.resolve(pick(dir, names, i));
        }
        String name = dir.toAbsolutePath().normalize().getFileName() == null ? dir.toString()
                : dir.toAbsolutePath().normalize().getFileName().toString();
        Dataset train = readPair(name + "/train", files[0], files[1], classes);
        Dataset test = readPair(name + "/test", files[2], files[3], classes);
        return combine(name, train, test, files[2].toString(), classes);
    }

    /**
     * Loads the four files from the classpath, e.g. {@code loadResource("/datasets/mnist-10k/", 10)};
     * each is looked up under its standard name, gzip first, then plain, then the dotted variant.
     *
     * @param resourceDir an absolute resource folder, with or without the trailing '/'
     * @param classes     the number of classes; 0 or less: the largest label + 1, over both sets
     */
    public static DataSplit loadResource(String resourceDir, int classes) {
        String base = resourceDir.endsWith("/") ? resourceDir : resourceDir + "/";
        String trimmed = base.substring(0, base.length() - 1);
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        String[] found = new String[4];
        for (int i = 0; i < 4; i++) {
            String dotted = STANDARD[i].replaceFirst("-idx", ".idx");
            for (String candidate : new String[] {STANDARD[i] + ".gz", STANDARD[i], dotted + ".gz", dotted}) {
                if (IdxDirectory.class.getResource(base + candidate) != null) {
                    found[i] = base + candidate;
                    break;
                }
            }
            if (found[i] == null) {
                throw new DataException(base + ": bundled resource " + STANDARD[i] + "[.gz] is missing (expected "
                        + String.join(", ", STANDARD) + ", plain or .gz); the jar is incomplete");
            }
        }
        Dataset train = readResourcePair(name + "/train", found[0], found[1], classes);
        Dataset test = readResourcePair(name + "/test", found[2], found[3], classes);
        return combine(name, train, test, found[2], classes);
    }

    /** The file of prefix i in a directory listing, or a DataException saying what is missing. */
    private static String pick(Path dir, List<String> names, int i) {
        List<String> candidates = new ArrayList<>();
        for (String n : names) {
            if (n.startsWith(PREFIXES[i])) {
                candidates.add(n);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        String dotted = STANDARD[i].replaceFirst("-idx", ".idx");
        for (String preferred : new String[] {STANDARD[i], STANDARD[i] + ".gz", dotted, dotted + ".gz"}) {
            if (candidates.contains(preferred)) {
                return preferred;
            }
        }
        if (candidates.isEmpty()) {
            throw new DataException(dir + ": no " + PREFIXES[i] + "* file (found "
                    + (names.isEmpty() ? "no files" : String.join(", ", names)) + "; expected "
                    + String.join(", ", STANDARD) + ", plain or .gz)");
        }
        throw new DataException(dir + ": several " + PREFIXES[i] + "* files (" + String.join(", ", candidates)
                + "); expected one, e.g. " + STANDARD[i] + "[.gz]");
    }

    private static Dataset readPair(String name, Path images, Path labels, int classes) {
        // Each file is opened on its own so that a message names the one that could not be read.
        try (InputStream img = open(images); InputStream lab = open(labels)) {
            return IdxReader.readImagesAndLabels(name, img, images.toString(), lab, labels.toString(), classes);
        } catch (IOException e) {
            // Closing failed: the streams are read through by then, so blame neither file's contents.
            throw new DataException(images + ", " + labels + ": could not close (" + e.getMessage() + ")", e);
        }
    }

    /** Opens one IDX file of a directory; one that cannot be opened is named in the message, with the reason. */
    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new DataException(file + ": could not read (permission denied); expected a file this user can read", e);
        } catch (java.nio.file.FileSystemException e) {
            throw new DataException(file + ": could not read (" + (e.getReason() != null ? e.getReason() : "no reason given")
                    + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": could not read (" + e.getMessage() + ")", e);
        }
    }

    private static Dataset readResourcePair(String name, String images, String labels, int classes) {
        try (InputStream img = IdxDirectory.class.getResourceAsStream(images);
             InputStream lab = IdxDirectory.class.getResourceAsStream(labels)) {
            if (img == null || lab == null) {
                throw new DataException((img == null ? images : labels) + ": bundled resource could not be opened");
            }
            return IdxReader.readImagesAndLabels(name, img, images.substring(1), lab, labels.substring(1), classes);
        } catch (IOException e) {
            throw new DataException(images + ": could not read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks that the test set fits the training set (same width) and, when the number of classes
     * was inferred, gives both sets the larger of the two counts.
     */
    static DataSplit combine(String name, Dataset train, Dataset test, String testFile, int classes) {
        if (train.width() != test.width()) {
            throw new DataException(testFile + ": records have " + Plural.of(test.width(), "feature") + " but the training set's have "
                    + train.width() + "; expected the same width");
        }
        if (classes <= 0 && train.classes() != test.classes()) {
            int k = Math.max(train.classes(), test.classes());
            train = train.withClasses(k);   // the class names, when they have them, are kept
            test = test.withClasses(k);
        }
        return new DataSplit(name, train, test);
    }
}
