package backpropcl.data;

import backpropcl.text.Plural;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One record of an IDX images file, named on the command line as {@code idx:PATH#N} with N
 * counting from 0, e.g. {@code idx:t10k-images-idx3-ubyte.gz#0} for the first test digit.
 *
 * <p>The features are the record's bytes / 255, as {@link IdxReader} makes them for training; no
 * other preprocessing. When a labels file sits next to the images file (the name with
 * {@code images} replaced by {@code labels} and {@code idx3} by {@code idx1}, plain or .gz, e.g.
 * {@code t10k-labels-idx1-ubyte.gz} next to {@code t10k-images-idx3-ubyte.gz}), the record's
 * label comes with it.
 *
 * @param spec     the text as given, e.g. "idx:t10k-images-idx3-ubyte.gz#0"
 * @param file     the images file
 * @param index    the record number, from 0
 * @param features the record's values in [0, 1]
 * @param label    the record's label, or -1 when no labels file was found
 */
public record IdxRecord(String spec, Path file, int index, float[] features, int label) {

    /** The prefix that marks an IDX record on the command line. */
    public static final String PREFIX = "idx:";

    /** The syntax, for messages. */
    public static final String SYNTAX = "idx:PATH#N (record N of an IDX images file, counting from 0)";

    /** True when {@code arg} is meant as an IDX record (starts with {@code idx:}). */
    public static boolean isRecordSpec(String arg) {
        return arg.startsWith(PREFIX);
    }

    /**
     * A parsed {@code idx:PATH#N}, not yet read.
     *
     * @param spec  the text as given
     * @param file  PATH
     * @param index N
     */
    public record Spec(String spec, Path file, int index) {
    }

    /** Parses {@code idx:PATH#N}; PATH ends at the last '#'. */
    public static Spec parse(String spec) {
        if (!isRecordSpec(spec)) {
            throw new DataException(spec + ": expected " + SYNTAX);
        }
        String rest = spec.substring(PREFIX.length());
        int hash = rest.lastIndexOf('#');
        if (hash < 0) {
            throw new DataException(spec + ": no record number; expected " + SYNTAX + ", e.g. " + spec + "#0");
        }
        String path = rest.substring(0, hash);
        String number = rest.substring(hash + 1);
        if (path.isEmpty()) {
            throw new DataException(spec + ": no file name; expected " + SYNTAX);
        }
        int index;
        try {
            index = Integer.parseInt(number);
        } catch (NumberFormatException e) {
            throw new DataException(spec + ": '" + number + "' is not a record number; expected " + SYNTAX);
        }
        if (index < 0) {
            throw new DataException(spec + ": record " + index + " is negative; records count from 0");
        }
        try {
            return new Spec(spec, Path.of(path), index);
        } catch (InvalidPathException e) {
            throw new DataException(backpropcl.io.PathNames.shown(spec) + ": " + backpropcl.io.PathNames.why(path, e), e);
        }
    }

    /**
     * Reads records, each file once however many records name it.
     */
    public static final class Reader {
        private final Map<Path, IdxReader.Idx> images = new HashMap<>();
        private final Map<Path, IdxReader.Idx> labels = new HashMap<>();

        /** Reads the record that {@code spec} names, and its label when a labels file is found. */
        public IdxRecord read(String spec) {
            return read(parse(spec));
        }

        /** Reads the record that {@code s} names, and its label when a labels file is found. */
        public IdxRecord read(Spec s) {
            if (Files.isDirectory(s.file())) {
                throw new DataException(s.file() + ": is a directory; expected " + SYNTAX);
            }
            IdxReader.Idx idx = images.computeIfAbsent(s.file(), IdxReader::read);
            if (idx.dims().length < 2) {
                throw new DataException(s.file() + ": has " + idx.dims().length + " dimension (a labels file?); expected "
                        + "images, records x rows x cols");
            }
            if (s.index() >= idx.count()) {
                throw new DataException(s.spec() + ": record " + s.index() + " is out of range; " + s.file() + " holds "
                        + Plural.of(idx.count(), "record") + (idx.count() == 1 ? " (0 only)" : " (0.." + (idx.count() - 1) + ")"));
            }
            int width = idx.recordSize();
            float[] features = new float[width];
            byte[] data = idx.data();
            int base = s.index() * width;
            for (int i = 0; i < width; i++) {
                features[i] = (data[base + i] & 0xFF) / 255f;
            }
            int label = -1;
            Path labelsFile = labelsFile(s.file());
            if (labelsFile != null) {
                IdxReader.Idx lab = labels.computeIfAbsent(labelsFile, IdxReader::read);
                if (lab.dims().length != 1 || lab.count() != idx.count()) {
                    throw new DataException(labelsFile + ": holds " + Plural.of(lab.count(), "record")
                            + " of " + Plural.of(lab.dims().length, "dimension")
                            + "; expected one label for each of the " + idx.count() + " images in " + s.file());
                }
                label = lab.data()[s.index()] & 0xFF;
            }
            return new IdxRecord(s.spec(), s.file(), s.index(), features, label);
        }
    }

    /**
     * The labels file next to an images file, or null: the last "images" in the file name becomes
     * "labels" and "idx3" becomes "idx1"; the name as it is, then with ".gz" added or removed.
     */
    public static Path labelsFile(Path images) {
        Path name = images.getFileName();
        if (name == null) {
            return null;
        }
        String n = name.toString();
        int at = n.lastIndexOf("images");
        if (at < 0) {
            return null;
        }
        String l = (n.substring(0, at) + "labels" + n.substring(at + "images".length())).replace("idx3", "idx1");
        String other = l.endsWith(".gz") ? l.substring(0, l.length() - 3) : l + ".gz";
        for (String candidate : new String[] {l, other}) {
            Path p = images.resolveSibling(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
