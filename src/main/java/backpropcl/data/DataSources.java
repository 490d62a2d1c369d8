package backpropcl.data;

import backpropcl.text.Plural;
import backpropcl.io.CacheFolder;
import backpropcl.io.PathNames;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
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
 *   <li>a directory: its four IDX files, see {@link IdxDirectory}; or, when it holds no IDX files
 *       but folders, one folder of images per class, see {@link ImageFolder} (its test set held
 *       out from the seed, as a CSV file's, when it has no train/ and test/ folders).
 *   <li>a file ending in {@code .csv}: a label column and features, see {@link CsvReader} and
 *       {@link CsvOptions}. The test set comes from a sibling file when there is one: for
 *       {@code X.csv} or {@code X-train.csv}, the file {@code X-test.csv} in the same directory, read
 *       the same way, its class names those of the training file. Otherwise the file is split
 *       {@link #TEST_FRACTION} per class, seeded ({@link StratifiedSplit}): every class with two
 *       rows or more is in both parts however the rows are sorted, and the same seed gives the same
 *       split. A checkpoint or model file of a backprop-cl from before these splits gets its own:
 *       the last 20% of rows in file order ({@link Request#fileOrderSplit()}).
 * </ul>
 * The known sets know their class names: the digits "0".."9", Fashion-MNIST's "T-shirt/top" ..
 * "Ankle boot"; a CSV file's word labels are its class names.
 * Everything else is a {@link DataException} saying what is accepted.
 */
public final class DataSources {

    /** The default data set. */
    public static final String DEFAULT = "mnist-10k";

    /** Where the Debian package dataset-fashion-mnist puts its files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The part of a CSV file held out as its test set when there is no X-test.csv. */
    public static final double TEST_FRACTION = 0.2;

    /** The class names of the MNIST digits. */
    public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** The class names of Fashion-MNIST, in label order (zalandoresearch/fashion-mnist's README). */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private DataSources() {
    }

    /**
     * What to load and how: the --data spec, and what says how it is read and split.
     *
     * @param spec     the --data value (null or blank: {@link #DEFAULT})
     * @param classes  the number of classes; 0 or less: as the labels make
     * @param cacheDir where downloads go; null: {@link CacheFolder#defaultFolder()}
     * @param origin   what the spec is in messages; null: the --data option
     * @param csv      how a CSV file is read
     * @param seed     seeds the split of a CSV file that has no X-test.csv
     * @param labels   how a CSV file's labels are read (a model's class names, for evaluate)
     * @param fileOrderSplit a CSV file without X-test.csv is split as before stratified splits: its
     *                 last {@link #TEST_FRACTION} of rows in file order are the test set, its labels
     *                 class numbers (for a checkpoint or model file of an older backprop-cl)
     */
    public record Request(String spec, int classes, Path cacheDir, String origin, CsvOptions csv, long seed,
                          CsvReader.Labels labels, boolean fileOrderSplit) {

        /** {@code spec} with the defaults: classes from the labels, the default cache, CSV label first, seed 1. */
        public static Request of(String spec) {
            return new Request(spec, 0, null, null, CsvOptions.DEFAULT, 1, CsvReader.Labels.detect(), false);
        }

        public Request withClasses(int k) {
            return new Request(spec, k, cacheDir, origin, csv, seed, labels, fileOrderSplit);
        }

        public Request withCacheDir(Path dir) {
            return new Request(spec, classes, dir, origin, csv, seed, labels, fileOrderSplit);
        }

        public Request withOrigin(String o) {
            return new Request(spec, classes, cacheDir, o, csv, seed, labels, fileOrderSplit);
        }

        public Request withCsv(CsvOptions o) {
            return new Request(spec, classes, cacheDir, origin, o, seed, labels, fileOrderSplit);
        }

        public Request withSeed(long s) {
            return new Request(spec, classes, cacheDir, origin, csv, s, labels, fileOrderSplit);
        }

        public Request withLabels(CsvReader.Labels l) {
            return new Request(spec, classes, cacheDir, origin, csv, seed, l, fileOrderSplit);
        }

        public Request withFileOrderSplit(boolean f) {
            return new Request(spec, classes, cacheDir, origin, csv, seed, labels, f);
        }
    }

    /**
     * A data set as loaded, with what was found on the way.
     *
     * @param split      the training and the test set
     * @param format     how the CSV file was written (its separator as found); null for other sources
     * @param howSplit   how the test set was made, e.g. "stratified, seed 1: 120 train / 30 test, ...";
     *                   null when the source comes split (IDX files, points)
     * @param inputShape the shape of one sample: "1x28x28" for MNIST images, "4" for 4 features
     */
    public record Loaded(DataSplit split, CsvFormat format, String howSplit, String inputShape) {

        /** Whether the test set is a CSV file's last rows, as {@link Request#fileOrderSplit()} asks. */
        public boolean fileOrderSplit() {
            return howSplit != null && howSplit.startsWith(FILE_ORDER_SPLIT);
        }
    }

    /** How {@link Loaded#howSplit()} starts for the split of {@link Request#fileOrderSplit()}. */
    public static final String FILE_ORDER_SPLIT = "file order, the last 20% of rows";

    /** The line that says that {@code file}, a checkpoint or model, gets the split of {@link Request#fileOrderSplit()}. */
    public static String fileOrderNote(Path file) {
        return "note: " + file + " was made before stratified CSV splits; using its file-order split (the last 20% of rows)";
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
        return load(Request.of(spec).withClasses(classes).withCacheDir(cacheDir).withOrigin(origin)).split();
    }

    /** Loads what {@code r} asks for. */
    public static Loaded load(Request r) {
        return load(r, r.cacheDir() == null ? CacheFolder.defaultFolder() : r.cacheDir(), FASHION_MNIST_DIR,
                RemoteIdxSet.MNIST, RemoteIdxSet.FASHION_MNIST, new Downloader(System.err));
    }

    /** The whole of it, with where things are found and fetched from given (for tests). */
    static DataSplit resolve(String spec, int classes, Path cacheDir, Path fashionDir,
                             RemoteIdxSet mnist, RemoteIdxSet fashion, Downloader downloader) {
        return load(Request.of(spec).withClasses(classes), cacheDir, fashionDir, mnist, fashion, downloader).split();
    }

    static Loaded load(Request r, Path cacheDir, Path fashionDir, RemoteIdxSet mnist, RemoteIdxSet fashion, Downloader downloader) {
        String s = r.spec() == null || r.spec().isBlank() ? DEFAULT : r.spec().trim();
        int classes = r.classes();
        String origin = r.origin();
        switch (s) {
            case "mnist-10k":
                return images(named(IdxDirectory.loadResource("/datasets/mnist-10k/", classes), DIGITS));
            case "mnist":
                try {
                    return images(named(mnist.load(cacheDir, downloader, classes), DIGITS));
                } catch (DataException e) {
                    throw new DataException(loading("mnist", origin) + e.getMessage(), e);
                }
            case "fashion-mnist":
                if (Files.isDirectory(fashionDir)) {
                    DataSplit local = IdxDirectory.load(fashionDir, classes);
                    return images(named(new DataSplit("fashion-mnist", local.train(), local.test()), FASHION_MNIST_CLASSES));
                }
                try {
                    return images(named(fashion.load(cacheDir, downloader, classes), FASHION_MNIST_CLASSES));
                } catch (DataException e) {
                    throw new DataException(loading("fashion-mnist", origin) + e.getMessage() + "; or install the Debian "
                            + "package dataset-fashion-mnist, which puts the files in " + fashionDir, e);
                }
            default:
                break;
        }
        if (s.startsWith("points:")) {
            DataSplit points = PointSets.generate(s, classes);
            return new Loaded(points, null, null, Integer.toString(points.train().width()));
        }
        Path path;
        try {
            path = Path.of(s);
        } catch (InvalidPathException e) {
            throw new DataException(subject(PathNames.shown(s), origin) + " " + PathNames.why(s, e), e);
        }
        if (s.toLowerCase(Locale.ROOT).endsWith(".csv") && Files.isRegularFile(path)) {
            return loadCsv(path, r);
        }
        if (Files.isDirectory(path) && ImageFolder.isImageFolder(path)) {
            return ImageFolder.load(path, classes, r.seed());
        }
        if (Files.isDirectory(path)) {
            DataSplit dir = IdxDirectory.load(path, classes);
            // The Debian package's folder given as a path is Fashion-MNIST too.
            return images(sameFile(path, fashionDir) ? named(dir, FASHION_MNIST_CLASSES) : dir);
        }
        if (Files.exists(path)) {
            throw notData(s, path, origin);
        }
        throw notFound(s, origin);
    }

    /** Both parts of {@code split} with these class names (as many as they have classes). */
    static DataSplit named(DataSplit split, List<String> names) {
        return new DataSplit(split.name(), withNames(split.train(), names), withNames(split.test(), names));
    }

    private static Dataset withNames(Dataset d, List<String> names) {
        return new Dataset(d.name(), d.features(), d.labels(), d.count(), d.width(), d.classes(),
                names.subList(0, Math.min(names.size(), d.classes())));
    }

    /** An image set as loaded: its input shape 1xSxS when its width is a square, else its width. */
    private static Loaded images(DataSplit split) {
        int w = split.train().width();
        int side = (int) Math.round(Math.sqrt(w));
        return new Loaded(split, null, null, side * side == w ? "1x" + side + "x" + side : Integer.toString(w));
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isDirectory(b) && Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
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
            + "a directory of IDX files or of one folder of images per class, or a .csv file";

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
            what = "a file, but not a .csv file (" + EXPECTED + "); if it holds CSV rows (a label column and features), "
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

    /** A CSV file and its test set: a sibling X-test.csv read the same way, else a stratified split of the file. */
    static DataSplit loadCsv(Path file, int classes) {
        return loadCsv(file, Request.of(file.toString()).withClasses(classes)).split();
    }

    private static Loaded loadCsv(Path file, Request r) {
        String base = csvBase(file);
        Path testFile = csvTestFile(file);
        if (Files.isRegularFile(testFile) && !testFile.equals(file)) {
            CsvReader.Table train = CsvReader.read(file, r.classes(), r.csv(), r.labels());
            CsvReader.Labels like = r.labels().names() != null ? r.labels()
                    : CsvReader.Labels.like(train.format(), "the training file " + file);
            CsvReader.Table test = CsvReader.read(testFile, r.classes(), r.csv(), like);
            DataSplit split = IdxDirectory.combine(base, train.data().named(base + "/train"), test.data().named(base + "/test"),
                    testFile.toString(), r.classes());
            String how = String.format(Locale.ROOT, "test set from %s (beside %s): %s", testFile.getFileName(), file.getFileName(),
                    new StratifiedSplit(split.train(), split.test()).describe("train", "test"));
            return new Loaded(split, train.format(), how, Integer.toString(split.train().width()));
        }
        // Before stratified splits a file's labels were class numbers (the reader had no other kind).
        CsvReader.Labels labels = r.fileOrderSplit() && r.labels().names() == null
                ? CsvReader.Labels.numbers("a file split in file order") : r.labels();
        CsvReader.Table table = CsvReader.read(file, r.classes(), r.csv(), labels);
        Dataset all = table.data();
        if (all.count() < 2) {
            throw new DataException(file + ": " + Plural.of(all.count(), "record") + (all.count() == 1 ? " is" : " are")
                    + " too few to split into a training and a "
                    + "test set (need at least 2, or a sibling " + base + "-test.csv)");
        }
        if (r.fileOrderSplit()) {
            int test = Math.max(1, all.count() / 5);
            Dataset train = all.select(java.util.stream.IntStream.range(0, all.count() - test).toArray(), base + "/train");
            Dataset held = all.select(java.util.stream.IntStream.range(all.count() - test, all.count()).toArray(), base + "/test");
            String how = FILE_ORDER_SPLIT + ": " + new StratifiedSplit(train, held).describe("train", "test");
            return new Loaded(new DataSplit(base, train, held), table.format(), how, Integer.toString(all.width()));
        }
        StratifiedSplit split = testSplit(all, base, r.seed());
        if (split.held().count() == 0) {
            throw new DataException(file + ": no class has two rows, so none can be held out for a test set (" + all.count()
                    + " rows, each of its own class): is the label column a row index or an ID (pandas' to_csv writes an index "
                    + "first unless index=False)? choose the label with --label-column, or give a sibling " + base + "-test.csv");
        }
        return new Loaded(new DataSplit(base, split.kept(), split.held()), table.format(), testSplitWords(split, r.seed()),
                Integer.toString(all.width()));
    }

    /**
     * The test set the program makes when none is given (a CSV file without X-test.csv, an image
     * folder without train/ and test/): {@link #TEST_FRACTION} of each class, seeded.
     */
    static StratifiedSplit testSplit(Dataset all, String base, long seed) {
        return StratifiedSplit.of(all, TEST_FRACTION, seed, base + "/train", base + "/test");
    }

    /** How {@link #testSplit} split, for {@link Loaded#howSplit()}: "stratified 20% test split, seed 1: ...". */
    static String testSplitWords(StratifiedSplit split, long seed) {
        return String.format(Locale.ROOT, "stratified %.0f%% test split, seed %d: %s", TEST_FRACTION * 100, seed,
                split.describe("train", "test"));
    }
}
