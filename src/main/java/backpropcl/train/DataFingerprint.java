package backpropcl.train;

import backpropcl.data.CsvOptions;
import backpropcl.text.Plural;
import backpropcl.data.Dataset;
import backpropcl.data.Preprocessing;
import backpropcl.io.ModelFile;
import backpropcl.io.ModelFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a checkpoint was trained on, so that {@code --resume} can refuse other data: the training
 * set's size, width and number of classes, a 64-bit hash of its features (their float bits) and
 * labels in order, as trained (after --train-samples and --expand), the data set's name, and the
 * --train-samples, --expand and --test-samples of the run (so a resumed run can take them again).
 *
 * <p>Two fingerprints are of the same data when count, width, classes and hash agree; the name and
 * the options are for messages. The hash is four interleaved xxHash64-style lanes: 0.1 to 0.25 s for
 * the 235 million values of the full MNIST expanded, not cryptographic.
 *
 * @param name         the data set's name before --expand (e.g. "mnist-10k")
 * @param trainSamples the --train-samples option, null when not given
 * @param expand       whether --expand was given
 * @param csv          how the CSV file was read (--label-column, --separator as found); null for other data
 * @param preprocessing the normalisation fitted on the training set (and applied before this hash)
 * @param classNames   the class names in label order; null when not recorded
 * @param testSamples  the --test-samples option, null when not given (not part of the training data: not compared)
 */
public record DataFingerprint(String name, int count, int width, int classes, long hash, Integer trainSamples, boolean expand,
                              Integer testSamples, CsvOptions csv, Preprocessing preprocessing, List<String> classNames) {

    /** A fingerprint without the CSV options, preprocessing and class names (data that needs none of them). */
    public DataFingerprint(String name, int count, int width, int classes, long hash, Integer trainSamples, boolean expand,
                           Integer testSamples) {
        this(name, count, width, classes, hash, trainSamples, expand, testSamples, null, Preprocessing.NONE, null);
    }

    public DataFingerprint {
        preprocessing = preprocessing == null ? Preprocessing.NONE : preprocessing;
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;

    /** The fingerprint of {@code train}, the training set as it is trained. */
    public static DataFingerprint of(Dataset train, String name, Integer trainSamples, boolean expand, Integer testSamples) {
        return new DataFingerprint(name, train.count(), train.width(), train.classes(), hash(train), trainSamples, expand,
                testSamples);
    }

    /** As {@link #of(Dataset, String, Integer, boolean, Integer)}, with how the data was read and normalised, and its class names. */
    public static DataFingerprint of(Dataset train, String name, Integer trainSamples, boolean expand, Integer testSamples,
                                     CsvOptions csv, Preprocessing preprocessing) {
        return new DataFingerprint(name, train.count(), train.width(), train.classes(), hash(train), trainSamples, expand,
                testSamples, csv, preprocessing, train.allClassNames());
    }

    /** A 64-bit hash of the features' float bits and the labels, in order, with the shape. */
    public static long hash(Dataset d) {
        float[] f = d.features();
        long h0 = P1 + P2;
        long h1 = P2;
        long h2 = 0;
        long h3 = -P1;
        int i = 0;
        for (int end = f.length - 3; i < end; i += 4) {
            h0 = round(h0, Float.floatToRawIntBits(f[i]));
            h1 = round(h1, Float.floatToRawIntBits(f[i + 1]));
            h2 = round(h2, Float.floatToRawIntBits(f[i + 2]));
            h3 = round(h3, Float.floatToRawIntBits(f[i + 3]));
        }
        for (; i < f.length; i++) {
            h0 = round(h0, Float.floatToRawIntBits(f[i]));
        }
        for (int label : d.labels()) {
            h1 = round(h1, label);
        }
        long h = Long.rotateLeft(h0, 1) + Long.rotateLeft(h1, 7) + Long.rotateLeft(h2, 12) + Long.rotateLeft(h3, 18);
        h = round(h, d.count()) ^ round(0, d.width()) ^ round(P3, d.classes());
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ (h >>> 32);
    }

    private static long round(long acc, int value) {
        acc += (value & 0xFFFFFFFFL) * P2;
        return Long.rotateLeft(acc, 31) * P1;
    }

    /** Whether {@code other} describes the same training data (count, width, classes and hash). */
    public boolean sameData(DataFingerprint other) {
        return count == other.count && width == other.width && classes == other.classes && hash == other.hash;
    }

    /**
     * Whether this fingerprint was written before CSV files were split stratified (a backprop-cl
     * whose test set of a CSV file was its last 20% of rows): it records neither CSV options nor
     * class names, one of which every later train records, for any data.
     */
    public boolean beforeStratifiedSplits() {
        return csv == null && classNames == null;
    }

    /** "1,000 samples of mnist-10k (--train-samples 1000)" */
    public String describe() {
        String options = options();
        return String.format(Locale.ROOT, "%s of %s%s", Plural.grouped(count, "sample"), name, options.isEmpty() ? "" : " (" + options + ")");
    }

    /** The data options that made this set, as they are given: "--train-samples 1000 --expand", or "". */
    public String options() {
        List<String> o = new ArrayList<>();
        if (trainSamples != null) {
            o.add("--train-samples " + trainSamples);
        }
        if (expand) {
            o.add("--expand");
        }
        return String.join(" ", o);
    }

    /**
     * Where {@code now}, the data of a resumed run, differs from this checkpoint's data, as a
     * sentence for the user ("the checkpoint was trained on ..., this data has ...; give ..."),
     * or null when it is the same data.
     */
    public String differenceFrom(DataFingerprint now) {
        if (sameData(now)) {
            return null;
        }
        String was = "the checkpoint was trained on " + describe();
        String changed;
        if (count != now.count) {
            changed = String.format(Locale.ROOT, "this data has %,d%s", now.count, now.options().isEmpty() ? "" : " (" + now.options() + ")");
        } else if (width != now.width) {
            changed = String.format(Locale.ROOT, "of %s, this data's have %,d", Plural.grouped(width, "feature"), now.width);
        } else if (classes != now.classes) {
            changed = String.format(Locale.ROOT, "of %s, this data has %,d", Plural.grouped(classes, "class"), now.classes);
        } else {
            changed = String.format(Locale.ROOT, "this data has as many samples but other values or labels (data hash %016x, "
                    + "this data's %016x)", hash, now.hash);
        }
        List<String> fix = new ArrayList<>();
        if (!java.util.Objects.equals(trainSamples, now.trainSamples)) {
            fix.add(trainSamples == null ? "drop --train-samples" : "give --train-samples " + trainSamples);
        }
        if (expand != now.expand) {
            fix.add(expand ? "give --expand" : "drop --expand");
        }
        if (preprocessing.kind() != now.preprocessing.kind()) {
            fix.add("give --normalize " + preprocessing.kind().cliName());
        }
        if (csv != null && now.csv != null && !csv.labelColumn().equals(now.csv.labelColumn())) {
            fix.add("give --label-column " + csv.labelColumn());
        }
        String advice = fix.isEmpty() ? "resume it on the data it was trained on, or start a new run"
                : String.join(" and ", fix) + (fix.stream().anyMatch(f -> f.startsWith("give"))
                        ? " (or leave the option out: a resumed run takes it from the checkpoint)" : "");
        return was + ", " + changed + "; " + advice;
    }

    /** String pairs for a checkpoint's metadata; {@link #fromMetadata} reads them back. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data_name", name);
        m.put("data_count", Integer.toString(count));
        m.put("data_width", Integer.toString(width));
        m.put("data_classes", Integer.toString(classes));
        m.put("data_hash", String.format(Locale.ROOT, "%016x", hash));
        m.put("data_train_samples", trainSamples == null ? "" : Integer.toString(trainSamples));
        m.put("data_expand", Boolean.toString(expand));
        m.put("data_test_samples", testSamples == null ? "" : Integer.toString(testSamples));
        if (csv != null) {
            m.put(LABEL_COLUMN, csv.labelColumn());
            m.put(SEPARATOR, csv.separator() == null ? "" : csv.separator());
        }
        m.putAll(preprocessing.toMetadata());
        if (classNames != null) {
            m.putAll(ModelFile.classNamesMetadata(classNames));
        }
        return m;
    }

    /**
     * The fingerprint in a checkpoint's metadata, or null for a checkpoint written before there
     * were fingerprints (no {@code data_hash}).
     *
     * @throws ModelFileException naming the key whose value is malformed
     */
    public static DataFingerprint fromMetadata(Path file, Map<String, String> m) {
        String hash = m.get("data_hash");
        if (hash == null) {
            return null;
        }
        String where = "checkpoint metadata";
        long h;
        try {
            if (hash.length() != 16) {
                throw new NumberFormatException(hash);
            }
            h = Long.parseUnsignedLong(hash, 16);
        } catch (NumberFormatException e) {
            throw new ModelFileException(file + ": " + where + " 'data_hash' is '"
                    + shown(hash) + "'; expected 16 hexadecimal digits", e);
        }
        int count = (int) ModelFile.wholeNumber(file, m, "data_count", Integer.MAX_VALUE, where);
        int width = (int) ModelFile.wholeNumber(file, m, "data_width", Integer.MAX_VALUE, where);
        int classes = (int) ModelFile.wholeNumber(file, m, "data_classes", Integer.MAX_VALUE, where);
        String samples = m.getOrDefault("data_train_samples", "");
        Integer trainSamples = samples.isEmpty() ? null
                : (int) ModelFile.wholeNumber(file, m, "data_train_samples", Integer.MAX_VALUE, where);
        Integer testSamples = m.getOrDefault("data_test_samples", "").isEmpty() ? null
                : (int) ModelFile.wholeNumber(file, m, "data_test_samples", Integer.MAX_VALUE, where);
        String expand = m.getOrDefault("data_expand", "false");
        if (!expand.equals("true") && !expand.equals("false")) {
            throw new ModelFileException(file + ": " + where + " 'data_expand' is '"
                    + shown(expand) + "'; expected true or false");
        }
        CsvOptions csv = null;
        Preprocessing preprocessing;
        try {
            if (m.containsKey(LABEL_COLUMN)) {
                String separator = m.getOrDefault(SEPARATOR, "");
                csv = new CsvOptions(m.get(LABEL_COLUMN), separator.isEmpty() ? null : separator);
            }
            // A checkpoint written before normalisation was recorded was trained on the features as they are.
            preprocessing = Preprocessing.fromMetadata(m);
        } catch (IllegalArgumentException | backpropcl.data.DataException e) {
            throw new ModelFileException(file + ": " + where + " is not valid: " + e.getMessage(), e);
        }
        return new DataFingerprint(m.getOrDefault("data_name", ""), count, width, classes, h, trainSamples,
                Boolean.parseBoolean(expand), testSamples, csv, preprocessing, ModelFile.classNames(m));
    }

    /** The metadata key of the CSV label column (as --label-column takes it). */
    public static final String LABEL_COLUMN = "csv_label_column";

    /** The metadata key of the CSV separator as found (",", ";" or "tab"). */
    public static final String SEPARATOR = "csv_separator";

    /** A metadata value for a message: control characters escaped, cut to 40 characters. */
    private static String shown(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.length() <= 40 ? sb.toString() : sb.substring(0, 40) + "...";
    }
}
