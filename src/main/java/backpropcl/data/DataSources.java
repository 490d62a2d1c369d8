package backpropcl.data;

import backpropcl.cli.Plural;
import backpropcl.io.CacheFolder;
import backpropcl.io.PathNames;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns the {@code --data} option into a training and a test set.
 *
 * <ul>
 *   <li>{@code mnist-10k} (the default, also for null or blank): the 8,000 / 2,000 MNIST digits
 *       bundled in the jar.
 *   <li>{@code mnist}: the full MNIST, 60,000 / 10,000, downloaded on first use into
 *       {@code <cache>/mnist/} and checked against its known SHA-256, see {@link RemoteIdxSet} and
 *       {@link Downloader}; {@code <cache>} is {@link CacheFolder#defaultFolder()} unless given.
 *   <li>{@code fashion-mnist}: the IDX files of the Debian package {@code dataset-fashion-mnist}
 *       in /usr/share/datasets/fashion-mnist when that folder exists, else downloaded likewise into
 *       {@code <cache>/fashion-mnist/}.
 *   <li>{@code points:NAME[:TRAIN[:SEED]]}, NAME one of moons, circles, xor, spiral: generated 2-D
 *       points of two classes, see {@link PointSets}.
 *   <li>a directory: its four IDX files, see {@link IdxDirectory}.
 *   <li>a file ending in {@code .csv}: rows {@code label,f1,f2,...}, see {@link CsvReader}. The test
 *       set comes from a sibling file when there is one: for {@code X.csv} or {@code X-train.csv},
 *       the file {@code X-test.csv} in the same directory. Otherwise the file is split in order:
 *       the last 20% of its rows (count / 5, rounded down, at least 1) are the test set and the
 *       rest the training set; shuffle the file first if its rows are sorted by class.
 * </ul>
 * Everything else is a {@link DataException} saying what is accepted.
 */
public final class DataSources {

    /** The default data set. */
    public static final String DEFAULT = "mnist-10k";

    /** Where the Debian package dataset-fashion-mnist puts its files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private DataSources() {
    }

    /**
     * Loads the data set named by {@code spec}; downloads go to the default cache folder.
     *
     * @param classes the number of classes; 0 or less: the largest label + 1
     */
    public static DataSplit resolve(String spec, int classes) {
        return resolve(spec, classes, null);
    }

    /**
     * As {@link #resolve(String, int)}, with downloads (mnist, fashion-mnist) in {@code cacheDir}
     * ({@code <cacheDir>/mnist/} and so on); null: {@link CacheFolder#defaultFolder()}.
     */
    public static DataSplit resolve(String spec, int classes, Path cacheDir) {
        return resolve(spec, classes, cacheDir, null);
    }

    /**
     * As {@link #resolve(String, int, Path)}, for a spec that the user did not give as --data:
     * messages name it as {@code origin}, e.g. "the checkpoint's data, DIR, is not there any more".
     *
     * @param origin what the spec is in messages; null: the --data option
     */
    public static DataSplit resolve(String spec, int classes, Path cacheDir, String origin) {
        return resolve(spec, classes, cacheDir == null ? CacheFolder.defaultFolder() : cacheDir, FASHION_MNIST_DIR,
                RemoteIdxSet.MNIST, RemoteIdxSet.FASHION_MNIST, new Downloader(System.err), origin);
    }

    /** The whole of it, with where things are found and fetched from given (for tests). */
    static DataSplit resolve(String spec, int classes, Path cacheDir, Path fashionDir,
                             RemoteIdxSet mnist, RemoteIdxSet fashion, Downloader downloader) {
        return resolve(spec, classes, cacheDir, fashionDir, mnist, fashion, downloader, null);
    }

    private static DataSplit resolve(String spec, int classes, Path cacheDir, Path fashionDir,
                                     RemoteIdxSet mnist, RemoteIdxSet fashion, Downloader downloader, String origin) {
        String s = spec == null || spec.isBlank() ? DEFAULT : spec.trim();
        switch (s) {
            case "mnist-10k":
                return IdxDirectory.loadResource("/datasets/mnist-10k/", classes);
            case "mnist":
                try {
                    return mnist.load(cacheDir, downloader, classes);
                } catch (DataException e) {
                    throw new DataException(loading("mnist", origin) + e.getMessage(), e);
                }
            case "fashion-mnist":
                if (Files.isDirectory(fashionDir)) {
                    DataSplit local = IdxDirectory.load(fashionDir, classes);
                    return new DataSplit("fashion-mnist", local.train(), local.test());
                }
                try {
                    return fashion.load(cacheDir, downloader, classes);
                } catch (DataException e) {
                    throw new DataException(loading("fashion-mnist", origin) + e.getMessage() + "; or install the Debian "
                            + "package dataset-fashion-mnist, which puts the files in " + fashionDir, e);
                }
            default:
                break;
        }
        if (s.startsWith("points:")) {
            return PointSets.generate(s, classes);
        }
        Path path;
        try {
            path = Path.of(s);
        } catch (InvalidPathException e) {
            throw new DataException(subject(PathNames.shown(s), origin) + " " + PathNames.why(s, e), e);
        }
        if (s.toLowerCase(Locale.ROOT).endsWith(".csv") && Files.isRegularFile(path)) {
            return loadCsv(path, classes);
        }
        if (Files.isDirectory(path)) {
            return IdxDirectory.load(path, classes);
        }
        if (Files.exists(path)) {
            throw notData(s, path, origin);
        }
        throw notFound(s, origin);
    }

    /**
     * How a message starts that is about the data spec itself: "--data 'X':" for the option, or,
     * for a spec from elsewhere, "ORIGIN, X," (the checkpoint's data, DIR,) so that a resumed run
     * does not blame an option the user never gave.
     */
    private static String subject(String spec, String origin) {
        return origin == null ? "--data '" + spec + "':" : origin + ", " + spec + ",";
    }

    /** How a message starts about a named set that failed to load (its reason follows). */
    private static String loading(String name, String origin) {
        return origin == null ? "--data " + name + ": " : origin + ", " + name + ", could not be loaded: ";
    }

    /** What --data takes, for messages. */
    private static final String EXPECTED = "expected mnist-10k, mnist, fashion-mnist, points:moons|circles|xor|spiral, "
            + "a directory of IDX files or a .csv file";

    private static DataException notFound(String spec, String origin) {
        if (origin != null) {
            return new DataException(subject(spec, origin) + " is not there any more: no such data set or directory ("
                    + EXPECTED + "); give --data with where it is now");
        }
        return new DataException(subject(spec, null) + " no such data set or directory (" + EXPECTED + ")");
    }

    /** An existing file that is not a data set: says what it looks like and where such a file goes. */
    private static DataException notData(String spec, Path path, String origin) {
        String name = path.getFileName() == null ? spec : path.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] head = new byte[8];
        int n = 0;
        try (java.io.InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (java.io.IOException e) {
            // Unreadable: told apart by its name only.
        }
        boolean png = n >= 4 && (head[0] & 0xFF) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
        boolean jpeg = n >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF;
        boolean idx = n >= 4 && head[0] == 0 && head[1] == 0 && head[2] == IdxReader.UNSIGNED_BYTE
                || name.contains("idx") && name.contains("ubyte");
        String what;
        if (name.endsWith(".safetensors")) {
            what = "a model file, not a data set (" + EXPECTED + "); a model goes to --model (evaluate, predict, visualize) "
                    + "or --init-from (train)";
        } else if (png || jpeg || name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            what = "an image, not a data set (" + EXPECTED + "); to classify an image: backprop-cl predict --model FILE " + spec;
        } else if (idx) {
            Path parent = path.getParent();
            what = "one IDX file, not a data set (" + EXPECTED + "); give the directory that holds it and the other three: "
                    + "--data " + (parent == null ? "." : parent);
        } else if (!Files.isRegularFile(path)) {
            what = "not a regular file or a directory (" + EXPECTED + ")";
        } else {
            what = "a file, but not a .csv file (" + EXPECTED + "); if it holds CSV rows (label, then features), "
                    + "give it a name that ends in .csv";
        }
        return new DataException(subject(spec, origin) + (origin == null ? " " : " is now ") + what);
    }

    /**
     * The test set's file of a CSV data set: {@code X-test.csv} beside {@code X.csv} or
     * {@code X-train.csv} (it may not exist), or null when {@code source} is not such a file. Also
     * what train protects from being overwritten by an output.
     */
    public static Path csvTestFile(Path source) {
        Path name = source.getFileName();
        if (name == null || !name.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return null;
        }
        return source.resolveSibling(csvBase(source) + "-test.csv");
    }

    /** X for X.csv and X-train.csv. */
    private static String csvBase(Path file) {
        String fileName = file.getFileName().toString();
        String stem = fileName.substring(0, fileName.length() - ".csv".length());
        return stem.endsWith("-train") ? stem.substring(0, stem.length() - "-train".length()) : stem;
    }

    /** A CSV file and its test set: a sibling X-test.csv, else its last 20% of rows. */
    static DataSplit loadCsv(Path file, int classes) {
        String base = csvBase(file);
        Path testFile = csvTestFile(file);
        if (Files.isRegularFile(testFile) && !testFile.equals(file)) {
            Dataset train = CsvReader.read(file, classes);
            Dataset test = CsvReader.read(testFile, classes);
            return IdxDirectory.combine(base,
                    new Dataset(base + "/train", train.features(), train.labels(), train.count(), train.width(), train.classes()),
                    new Dataset(base + "/test", test.features(), test.labels(), test.count(), test.width(), test.classes()),
                    testFile.toString(), classes);
        }
        Dataset all = CsvReader.read(file, classes);
        if (all.count() < 2) {
            throw new DataException(file + ": " + Plural.of(all.count(), "record") + (all.count() == 1 ? " is" : " are")
                    + " too few to split into a training and a "
                    + "test set (need at least 2, or a sibling " + base + "-test.csv)");
        }
        int testCount = Math.max(1, all.count() / 5);
        int trainCount = all.count() - testCount;
        int w = all.width();
        float[] trainX = new float[trainCount * w];
        float[] testX = new float[testCount * w];
        System.arraycopy(all.features(), 0, trainX, 0, trainX.length);
        System.arraycopy(all.features(), trainX.length, testX, 0, testX.length);
        int[] trainY = java.util.Arrays.copyOfRange(all.labels(), 0, trainCount);
        int[] testY = java.util.Arrays.copyOfRange(all.labels(), trainCount, all.count());
        return new DataSplit(base,
                new Dataset(base + "/train", trainX, trainY, trainCount, w, all.classes()),
                new Dataset(base + "/test", testX, testY, testCount, w, all.classes()));
    }
}
