package backpropcl.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.SeededCases;
import backpropcl.testing.TestBytes;
import backpropcl.data.CsvReader;
import backpropcl.data.DataException;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.IdxDirectory;
import backpropcl.data.IdxReader;
import backpropcl.io.ModelFile;
import backpropcl.io.ModelFileException;
import backpropcl.io.Safetensors;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.TrainingState;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property-based tests of the readers (issue 6): random bytes, and good files mutated byte by byte
 * (flipped, set, inserted, deleted, cut, overwritten with extreme integers), fed to
 * {@link IdxReader}, {@link IdxDirectory}, {@link CsvReader}, {@link Safetensors#read} and
 * {@link ModelFile#load}. Each call either returns a valid result or throws the reader's clear
 * error ({@link DataException} or {@link ModelFileException}) with a one-line message that starts
 * with the file's name; any other exception or error fails the property.
 *
 * <p>Plain JUnit 5: each property is a {@code @TestFactory} whose tries are dynamic tests made by
 * {@link SeededCases} from generators below. The seed is fixed so that CI runs the same inputs
 * every time. A failing try names the property, the try and the seeds, and shows its input as
 * generated (cut when long): inputs are not shrunk.
 */
class ReaderPropertiesTest {

    /** The seed of every property. */
    static final long SEED = 6006;

    static final int TRIES = 400;

    // ---------------------------------------------------------------------------------------------
    // The good files the mutations start from.

    /** 5 images of 4 x 4 pixels, plain IDX. */
    static final byte[] IMAGES = TestBytes.idx(IdxReader.IMAGES_MAGIC, new int[] {5, 4, 4}, ramp(80));

    /** Their 5 labels, 0..2, plain IDX. */
    static final byte[] LABELS = TestBytes.idx(IdxReader.LABELS_MAGIC, new int[] {5}, new byte[] {0, 1, 2, 1, 0});

    /** A small CSV with a header, decimals, exponents and a blank line. */
    static final byte[] CSV = ("label,x,y,z\n0,0.5,1,-2\n1,-2.25,3e2,.5\n\n2,4.,+1E-3,0\n1,7,8,9\n")
            .getBytes(StandardCharsets.UTF_8);

    private static Path work;
    private static byte[] model;
    private static byte[] modelWithAdam;
    private static byte[] checkpoint;

    @BeforeAll
    static void makeFiles() throws IOException {
        work = Files.createTempDirectory("reader-properties");
        Network net = Network.of("3-2-2", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Path f = work.resolve("good.safetensors");
        ModelFile.save(f, net, Init.NORMAL.initialise(net, 1));
        model = Files.readAllBytes(f);
        TrainingState adam = TrainingState.fresh(Init.NORMAL.initialise(net, 2), Optimizer.of(Optimizer.Kind.ADAM));
        adam.setSteps(7);
        ModelFile.save(f, adam);
        modelWithAdam = Files.readAllBytes(f);
        ModelFile.save(f, adam, Map.of("checkpoint", "1", "next_epoch", "1"), true);
        checkpoint = Files.readAllBytes(f);
    }

    @AfterAll
    static void removeFiles() throws IOException {
        if (work != null) {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // IDX.

    @TestFactory
    Stream<DynamicTest> idxFromRandomBytes() {
        return SeededCases.tries("idxFromRandomBytes", SEED, TRIES, ReaderPropertiesTest::randomBytes, bytes -> {
            readsOrFailsClearly("random.idx", DataException.class, () -> checkIdx(IdxReader.read("random.idx", stream(bytes))));
            byte[] gz = concat(new byte[] {0x1f, (byte) 0x8b, 8, 0}, bytes);
            readsOrFailsClearly("random.idx.gz", DataException.class, () -> checkIdx(IdxReader.read("random.idx.gz", stream(gz))));
        });
    }

    @TestFactory
    Stream<DynamicTest> idxMutated() {
        return SeededCases.tries("idxMutated", SEED, TRIES, ReaderPropertiesTest::edits, edits -> {
            byte[] plain = apply(IMAGES, edits);
            readsOrFailsClearly("images.idx", DataException.class, () -> checkIdx(IdxReader.read("images.idx", stream(plain))));
            // The same mutation under gzip, and a mutation of the gzip stream itself.
            readsOrFailsClearly("images.idx.gz", DataException.class,
                    () -> checkIdx(IdxReader.read("images.idx.gz", stream(TestBytes.gzip(plain)))));
            byte[] gz = apply(TestBytes.gzip(IMAGES), edits);
            readsOrFailsClearly("broken.idx.gz", DataException.class, () -> checkIdx(IdxReader.read("broken.idx.gz", stream(gz))));
        });
    }

    record ImagesAndLabels(List<Edit> imageEdits, List<Edit> labelEdits, int classes) {
    }

    @TestFactory
    Stream<DynamicTest> idxImagesAndLabelsMutated() {
        return SeededCases.tries("idxImagesAndLabelsMutated", SEED, TRIES,
                r -> new ImagesAndLabels(edits(r), edits(r), classes(r)), in -> {
                    byte[] images = apply(IMAGES, in.imageEdits());
                    byte[] labels = apply(LABELS, in.labelEdits());
                    readsOrFailsClearly("images.idx|labels.idx", DataException.class, () -> checkDataset(
                            IdxReader.readImagesAndLabels("pair", stream(images), "images.idx", stream(labels), "labels.idx",
                                    in.classes()), in.classes()));
                });
    }

    record DirectoryEdit(List<Edit> edits, int which, boolean gzipped) {
    }

    @TestFactory
    Stream<DynamicTest> idxDirectoryMutated() {
        return SeededCases.tries("idxDirectoryMutated", SEED, 200,
                r -> new DirectoryEdit(edits(r), r.nextInt(4), r.nextBoolean()), in -> {
                    Path dir = freshDir("idx");
                    String[] names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"};
                    for (int i = 0; i < 4; i++) {
                        byte[] good = i % 2 == 0 ? IMAGES : LABELS;
                        byte[] bytes = i == in.which() ? apply(good, in.edits()) : good;
                        Files.write(dir.resolve(names[i] + (in.gzipped() ? ".gz" : "")),
                                in.gzipped() ? TestBytes.gzip(bytes) : bytes);
                    }
                    readsOrFailsClearly(dir.toString(), DataException.class, () -> {
                        DataSplit s = IdxDirectory.load(dir, 0);
                        checkDataset(s.train(), 0);
                        checkDataset(s.test(), 0);
                    });
                });
    }

    // ---------------------------------------------------------------------------------------------
    // CSV.

    record CsvText(String text, int classes) {
        @Override
        public String toString() {
            return "CsvText[text=" + SeededCases.quote(text) + ", classes=" + classes + "]";
        }
    }

    @TestFactory
    Stream<DynamicTest> csvFromRandomText() {
        return SeededCases.tries("csvFromRandomText", SEED, TRIES, r -> new CsvText(csvText(r), classes(r)), in -> {
            Path f = freshDir("csv").resolve("random.csv");
            Files.writeString(f, in.text(), StandardCharsets.UTF_8);
            readsOrFailsClearly(f.toString(), DataException.class, () -> checkDataset(CsvReader.read(f, in.classes()), in.classes()));
        });
    }

    record CsvEdit(List<Edit> edits, int classes) {
    }

    @TestFactory
    Stream<DynamicTest> csvMutated() {
        return SeededCases.tries("csvMutated", SEED, TRIES, r -> new CsvEdit(edits(r), classes(r)), in -> {
            Path f = freshDir("csv").resolve("mutated.csv");
            Files.write(f, apply(CSV, in.edits()));
            readsOrFailsClearly(f.toString(), DataException.class, () -> checkDataset(CsvReader.read(f, in.classes()), in.classes()));
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Safetensors and model files.

    record RandomModel(byte[] bytes, boolean plausibleLength) {
        @Override
        public String toString() {
            return "RandomModel[bytes=" + SeededCases.describe(bytes) + ", plausibleLength=" + plausibleLength + "]";
        }
    }

    @TestFactory
    Stream<DynamicTest> safetensorsFromRandomBytes() {
        return SeededCases.tries("safetensorsFromRandomBytes", SEED, TRIES,
                r -> new RandomModel(randomBytes(r), r.nextBoolean()), in -> {
                    byte[] b = in.bytes().clone();
                    if (in.plausibleLength() && b.length >= 8) {
                        // A header length that fits the file, so that the JSON parser sees the random bytes.
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Math.floorMod(b[0], b.length - 7));
                    }
                    readModel(b);
                });
    }

    /** Edits of one of the good models: {@code which} is 0 (plain), 1 (Adam's state) or 2 (checkpoint). */
    record ModelEdit<E>(List<E> edits, int which) {
    }

    @TestFactory
    Stream<DynamicTest> safetensorsMutated() {
        return SeededCases.tries("safetensorsMutated", SEED, TRIES, r -> new ModelEdit<>(edits(r), modelIndex(r)),
                in -> readModel(apply(goodModel(in.which()), in.edits())));
    }

    /** Mutations of the JSON header alone, its length put right, so that every check after the parser is reached. */
    @TestFactory
    Stream<DynamicTest> safetensorsHeaderMutated() {
        return SeededCases.tries("safetensorsHeaderMutated", SEED, TRIES, r -> new ModelEdit<>(headerEdits(r), modelIndex(r)),
                in -> {
                    byte[] good = goodModel(in.which());
                    int n = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                    StringBuilder header = new StringBuilder(new String(good, 8, n, StandardCharsets.UTF_8).strip());
                    for (HeaderEdit e : in.edits()) {
                        e.applyTo(header);
                    }
                    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
                    byte[] data = Arrays.copyOfRange(good, 8 + n, good.length);
                    ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
                    readModel(b.putLong(json.length).put(json).put(data).array());
                });
    }

    /**
     * Edits of the header's structure: a tensor's dtype, shape or offsets set to odd JSON values or
     * removed, tensors renamed, added or dropped, the data section cut or lengthened; the header is
     * written back valid JSON with its length right, so that the checks of offsets, shapes, dtypes
     * and names are what meets the edit.
     */
    @TestFactory
    Stream<DynamicTest> safetensorsStructureMutated() {
        return SeededCases.tries("safetensorsStructureMutated", SEED, TRIES,
                r -> new ModelEdit<>(structureEdits(r), modelIndex(r)), in -> {
                    byte[] good = goodModel(in.which());
                    int n = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                    JsonObject header = JsonParser.parseString(new String(good, 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
                    byte[] data = Arrays.copyOfRange(good, 8 + n, good.length);
                    for (StructureEdit e : in.edits()) {
                        data = e.applyTo(header, data);
                    }
                    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
                    ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
                    readModel(b.putLong(json.length).put(json).put(data).array());
                });
    }

    record MetadataEdit(Map<String, String> changes, int which) {
    }

    /** Good safetensors with metadata values replaced by odd ones: what ModelFile checks after the format. */
    @TestFactory
    Stream<DynamicTest> modelMetadataMutated() {
        return SeededCases.tries("modelMetadataMutated", SEED, TRIES, r -> new MetadataEdit(metadataEdits(r), modelIndex(r)),
                in -> {
                    Path f = freshDir("meta").resolve("good.safetensors");
                    Files.write(f, goodModel(in.which()));
                    Safetensors.Contents c = Safetensors.read(f);
                    Map<String, String> meta = new LinkedHashMap<>(c.metadata());
                    in.changes().forEach((k, v) -> {
                        if (v == null) {
                            meta.remove(k);
                        } else {
                            meta.put(k, v);
                        }
                    });
                    Safetensors.write(f, c.tensors(), meta);
                    readsOrFailsClearly(f.toString(), ModelFileException.class, () -> checkModel(ModelFile.load(f)));
                });
    }

    private void readModel(byte[] bytes) throws IOException {
        Path f = freshDir("model").resolve("m.safetensors");
        Files.write(f, bytes);
        readsOrFailsClearly(f.toString(), ModelFileException.class, () -> checkContents(Safetensors.read(f)));
        readsOrFailsClearly(f.toString(), ModelFileException.class, () -> checkModel(ModelFile.load(f)));
    }

    private static byte[] goodModel(int which) {
        return switch (which) {
            case 0 -> model;
            case 1 -> modelWithAdam;
            default -> checkpoint;
        };
    }

    // ---------------------------------------------------------------------------------------------
    // The property: a valid result or the clear error.

    @FunctionalInterface
    interface Read {
        void run() throws Exception;
    }

    /**
     * Runs {@code read}; passes when it returns, or throws {@code clear} with a one-line message
     * starting with {@code name} (or one of the names it joins with '|'). Anything else (another
     * exception, an Error) fails with its stack.
     */
    static void readsOrFailsClearly(String name, Class<? extends RuntimeException> clear, Read read) {
        try {
            read.run();
        } catch (Throwable t) {
            if (!clear.isInstance(t)) {
                throw new AssertionError(name + ": expected a result or a " + clear.getSimpleName() + ", got " + t, t);
            }
            String m = t.getMessage();
            assertTrue(m != null && !m.isBlank(), name + ": empty message");
            assertTrue(m.indexOf('\n') < 0 && m.indexOf('\r') < 0, name + ": message of more than one line: " + m);
            assertTrue(Arrays.stream(name.split("\\|")).anyMatch(m::startsWith),
                    "message should start with '" + name + "': " + m);
            assertTrue(m.length() < 1000, () -> name + ": message of " + m.length() + " characters: " + m.substring(0, 200));
        }
    }

    private static void checkIdx(IdxReader.Idx idx) {
        long n = 1;
        for (int d : idx.dims()) {
            assertTrue(d > 0, "dims " + Arrays.toString(idx.dims()));
            n *= d;
        }
        assertEquals(n, idx.data().length);
    }

    private static void checkDataset(Dataset d, int classes) {
        assertEquals((long) d.count() * d.width(), d.features().length);
        assertEquals(d.count(), d.labels().length);
        assertTrue(d.count() > 0 && d.width() > 0, d.count() + " x " + d.width());
        for (float x : d.features()) {
            assertTrue(Float.isFinite(x), "feature " + x);
        }
        for (int y : d.labels()) {
            assertTrue(y >= 0 && y < d.classes(), "label " + y + " of " + d.classes());
        }
        if (classes > 0) {
            assertEquals(classes, d.classes());
        }
    }

    private static void checkContents(Safetensors.Contents c) {
        for (Safetensors.Tensor t : c.tensors().values()) {
            long n = 1;
            for (long s : t.shape()) {
                n *= s;
            }
            assertEquals(n, t.data() != null ? t.data().length : t.doubles().length);
        }
    }

    private static void checkModel(ModelFile.Saved s) {
        Network net = s.network();
        for (int l = 0; l < net.denseLayers(); l++) {
            assertEquals((long) net.size(l + 1) * net.size(l), s.parameters().copyWeights(l).length);
            assertEquals(net.size(l + 1), s.parameters().copyBiases(l).length);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Generators: each draws one input from the try's random source.

    /** Up to 96 random bytes. */
    static byte[] randomBytes(SplittableRandom r) {
        byte[] b = new byte[r.nextInt(97)];
        r.nextBytes(b);
        return b;
    }

    /** 0 (classes read from the labels), 1, 3 or 10. */
    static int classes(SplittableRandom r) {
        return oneOf(r, 0, 1, 3, 10);
    }

    /** 0, 1 or 2: which of the good models. */
    static int modelIndex(SplittableRandom r) {
        return r.nextInt(3);
    }

    /** One to six edits; positions half the time in 0..24, where the headers are, else in 0..2^20. */
    static List<Edit> edits(SplittableRandom r) {
        return listOf(r, 1, 6, () -> new Edit(oneOf(r, Op.values()),
                r.nextBoolean() ? r.nextInt(25) : r.nextInt((1 << 20) + 1), r.nextInt()));
    }

    /** Up to 40 CSV tokens run together. */
    static String csvText(SplittableRandom r) {
        return String.join("", listOf(r, 0, 40, () -> oneOf(r, "0", "1", "2", "3", "-1", "12", "0.5", ".5", "4.", "1e3",
                "1e999", "-1e-999", "NaN", "Inf", "-Infinity", "abc", "", " ", ",", ",,", "\n", "\r\n", "\n\n", "label",
                "\uFEFF", "\u0000", "99999999999", "2.0", "+3", "1f", "0x10", "\"1\"", "é", ";")));
    }

    /** One to four edits of the header text: replace, insert or delete (kind 0..2), 1 to 12 characters. */
    static List<HeaderEdit> headerEdits(SplittableRandom r) {
        return listOf(r, 1, 4, () -> new HeaderEdit(r.nextInt(3), r.nextInt(Integer.MAX_VALUE), r.nextInt(1, 13),
                oneOf(r, "{", "}", "[", "]", "\"", ",", ":", " ", "0", "1", "-1", "2", "3", "8", "12", "1e999", "1e-999", "1.5",
                        "99999999999999999999", "9223372036854775807", "null", "true", "\"F32\"", "\"F64\"", "\"I8\"",
                        "\"F16\"", "\"__metadata__\"", "\"layers.0.weight\"", "\"layers.1.bias\"", "\"shape\"",
                        "\"data_offsets\"", "\"dtype\"", "\"arch\"", "\"3-2-2\"", "\"2-2\"", "\\n", "\\u0000", "[]", "{}",
                        "[0,0]")));
    }

    /** One to three metadata keys, each set to an odd value or (15% of the time) removed (null). */
    static Map<String, String> metadataEdits(SplittableRandom r) {
        String[] keys = {"format", "version", "arch", "activations", "cost", "optimizer", "optimizer_momentum",
            "optimizer_beta1", "optimizer_beta2", "optimizer_epsilon", "optimizer_weight_decay", "optimizer_steps",
            "checkpoint"};
        String[] values = {"backprop-cl", "1", "2", "", "3-2-2", "3-2", "2-2-2", "3-2-2-2", "3--2", "0-2", "3-1048576-2",
            "1048576-1048576", "3-2\n-2", "sigmoid,softmax", "sigmoid", "relu,relu", "softmax,softmax", "swish,softmax",
            "quadratic", "cross-entropy", "adam", "sgd", "momentum", "rmsprop", "-1", "NaN", "1e999", "0.9", "0.999",
            "1e-8", "1.0", "abc", "9223372036854775808"};
        Map<String, String> changes = new LinkedHashMap<>();
        int size = r.nextInt(1, 4);
        while (changes.size() < size) {
            changes.put(oneOf(r, keys), r.nextDouble() < 0.15 ? null : oneOf(r, values));
        }
        return changes;
    }

    /** One to four edits of the parsed header (see {@link StructureEdit}). */
    static List<StructureEdit> structureEdits(SplittableRandom r) {
        return listOf(r, 1, 4, () -> new StructureEdit(oneOf(r, "dtype", "shape", "data_offsets", "name", "metadata", "data"),
                r.nextInt(Integer.MAX_VALUE),
                oneOf(r, "[]", "[0]", "[2]", "[3]", "[2,3]", "[3,2]", "[2,2]", "[1,2,3]", "[-1]", "[0,0]", "[0,8]", "[8,0]",
                        "[0,24]", "[24,48]", "[0,99999999999]", "[0,9223372036854775807]", "[-4,4]", "[1e999]", "[1.5]",
                        "[\"a\"]", "[null]", "[[1]]", "\"F32\"", "\"F64\"", "\"I8\"", "\"F16\"", "\"BF16\"", "3", "null", "{}",
                        "\"layers.0.weight\"", "\"layers.1.bias\"", "\"layers.9.weight\"", "\"__metadata__\"",
                        "\"optimizer.layers.0.weight.exp_avg\"", "\"x\\ny\"", "-8", "8", "0", "100000000")));
    }

    @SafeVarargs
    static <T> T oneOf(SplittableRandom r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** {@code min} to {@code max} elements (inclusive) made by {@code element}. */
    static <T> List<T> listOf(SplittableRandom r, int min, int max, Supplier<T> element) {
        int n = r.nextInt(min, max + 1);
        List<T> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(element.get());
        }
        return list;
    }

    /**
     * One edit of a parsed header (and its data section). {@code field}: dtype, shape or
     * data_offsets of the tensor at index {@code at} set to {@code value} (JSON), or removed when the
     * value is "null"; "name": the tensor renamed to the value (a string) or dropped; "metadata":
     * __metadata__ replaced by the value; "data": the data section cut or lengthened by the value
     * (an integer) in bytes.
     */
    record StructureEdit(String field, int at, String value) {
        byte[] applyTo(JsonObject header, byte[] data) {
            JsonElement v = JsonParser.parseString(value);
            List<String> names = header.keySet().stream().filter(k -> !k.equals("__metadata__")).toList();
            switch (field) {
                case "metadata" -> header.add("__metadata__", v);
                case "data" -> {
                    int delta = v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() ? v.getAsInt() : 4;
                    return Arrays.copyOf(data, Math.max(0, Math.min(data.length + delta, data.length + 1024)));
                }
                default -> {
                    if (names.isEmpty()) {
                        return data;
                    }
                    String name = names.get(at % names.size());
                    JsonElement t = header.get(name);
                    if (field.equals("name")) {
                        header.remove(name);
                        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
                            header.add(v.getAsString(), t);
                        }
                    } else if (t.isJsonObject()) {
                        if (v.isJsonNull()) {
                            t.getAsJsonObject().remove(field);
                        } else {
                            t.getAsJsonObject().add(field, v);
                        }
                    }
                }
            }
            return data;
        }
    }

    /** A byte-level change of a file. */
    enum Op { FLIP, SET, INSERT, DELETE, CUT, INT_BE, LONG_LE, DUPLICATE }

    /**
     * One edit at position {@code at} (taken modulo the length) with {@code value} as its byte,
     * bit, run length or integer.
     */
    record Edit(Op op, int at, int value) {
        byte[] applyTo(byte[] b) {
            int len = b.length;
            if (len == 0) {
                return op == Op.INSERT ? new byte[] {(byte) value} : b;
            }
            int i = Math.floorMod(at, len);
            switch (op) {
                case FLIP -> b[i] ^= (byte) (1 << (value & 7));
                case SET -> b[i] = (byte) value;
                case INSERT -> {
                    byte[] r = new byte[len + 1];
                    System.arraycopy(b, 0, r, 0, i);
                    r[i] = (byte) value;
                    System.arraycopy(b, i, r, i + 1, len - i);
                    return r;
                }
                case DELETE -> {
                    int run = Math.min(len - i, 1 + Math.floorMod(value, 8));
                    byte[] r = new byte[len - run];
                    System.arraycopy(b, 0, r, 0, i);
                    System.arraycopy(b, i + run, r, i, len - i - run);
                    return r;
                }
                case CUT -> {
                    return Arrays.copyOf(b, i);
                }
                case INT_BE -> {
                    int v = extremeInt(value);
                    for (int k = 0; k < 4 && i + k < len; k++) {
                        b[i + k] = (byte) (v >>> (24 - 8 * k));
                    }
                }
                case LONG_LE -> {
                    long v = extremeLong(value, len);
                    for (int k = 0; k < 8 && i + k < len; k++) {
                        b[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                case DUPLICATE -> {
                    int run = Math.min(len - i, 1 + Math.floorMod(value, 64));
                    byte[] r = Arrays.copyOf(b, len + run);
                    System.arraycopy(b, i, r, i + run, len - i);
                    return r;
                }
                default -> throw new IllegalStateException();
            }
            return b;
        }

        /** Sizes that break headers: 0, -1, the extremes, just over a limit, or the value itself. */
        private static int extremeInt(int value) {
            int[] pick = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 8, 1 << 16, 40000, value};
            return pick[Math.floorMod(value, pick.length)];
        }

        private static long extremeLong(int value, int len) {
            long[] pick = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, len, len - 8, len - 7, 100_000_001L, 1L << 32, value};
            return pick[Math.floorMod(value, pick.length)];
        }
    }

    static byte[] apply(byte[] good, List<Edit> edits) {
        byte[] b = good.clone();
        for (Edit e : edits) {
            b = e.applyTo(b);
        }
        return b;
    }

    /** An edit of header text: 0 replaces {@code length} characters at {@code at} by the token, 1 inserts it, 2 deletes. */
    record HeaderEdit(int kind, int at, int length, String token) {
        void applyTo(StringBuilder s) {
            int i = s.length() == 0 ? 0 : Math.floorMod(at, s.length());
            int end = Math.min(s.length(), i + length);
            switch (kind) {
                case 0 -> s.replace(i, end, token);
                case 1 -> s.insert(i, token);
                default -> s.delete(i, end);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers.

    private static int dirs;

    /** A new empty folder under the work folder (each try writes its own files). */
    private static Path freshDir(String prefix) throws IOException {
        return Files.createDirectory(work.resolve(prefix + "-" + dirs++));
    }

    static ByteArrayInputStream stream(byte[] b) {
        return new ByteArrayInputStream(b);
    }


    static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37);
        }
        return b;
    }


    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
