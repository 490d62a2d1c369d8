package backpropcl.io;

import backpropcl.text.Plural;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads and writes float32 tensors in the safetensors format (https://github.com/huggingface/safetensors),
 * which PyTorch, JAX and NumPy users load with {@code safetensors.torch.load_file}.
 *
 * <pre>
 * [8 bytes]  N, the header length, unsigned little-endian
 * [N bytes]  UTF-8 JSON, padded with spaces so that 8 + N is a multiple of 8:
 *            {"__metadata__": {"key": "value", ...},
 *             "name": {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]}, ...}
 * [rest]     the tensors, little-endian, back to back in the order written; offsets count from
 *            the start of this section and end - begin = 4 * product(shape) (8 for F64)
 * </pre>
 *
 * Dtypes F32, F64 and I64: models are F32; checkpoints keep F64 so that the double reference resumes
 * exactly; I64 holds counts (batchnorm's {@code num_batches_tracked}, int64 in PyTorch), read and
 * written through doubles (exact below 2^53). Writing is atomic: a temporary file in the same directory is written,
 * forced to disk and moved over the target, so a failed write leaves the old file as it was. The
 * temporary files of writes whose process was killed are deleted by the next write of the same
 * file ({@link #removeStaleTemporaries}).
 * Reading checks every rule above and throws a {@link ModelFileException} naming the file.
 */
public final class Safetensors {

    /** Headers above this are refused before they are read (the Rust reference uses the same limit). */
    public static final long MAX_HEADER = 100_000_000L;

    private static final String METADATA = "__metadata__";

    private Safetensors() {
    }

    /**
     * A tensor: shape and row-major data, float32 ({@code data}) or float64 or int64
     * ({@code doubles}), exactly one of the two non-null, with product(shape) values.
     *
     * @param shape   sizes, slowest first; empty for a scalar
     * @param data    the values of an F32 tensor, row-major, or null
     * @param doubles the values of an F64 or I64 tensor, row-major, or null
     * @param int64   whether {@code doubles} are the whole numbers of an I64 tensor
     */
    public record Tensor(long[] shape, float[] data, double[] doubles, boolean int64) {

        public Tensor {
            if ((data == null) == (doubles == null)) {
                throw new IllegalArgumentException("a tensor holds either float or double values");
            }
            for (int i = 0; int64 && i < doubles.length; i++) {
                if (doubles[i] != Math.rint(doubles[i]) || Math.abs(doubles[i]) > 0x1p53) {
                    throw new IllegalArgumentException("an I64 tensor holds whole numbers below 2^53, not " + doubles[i]);
                }
            }
            long n = elements(shape);
            int length = data != null ? data.length : doubles.length;
            if (n != length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                        + " values, got " + length);
            }
        }

        /** A float32 tensor. */
        public Tensor(long[] shape, float[] data) {
            this(shape, data, null, false);
        }

        /** A float64 tensor. */
        public static Tensor f64(long[] shape, double[] values) {
            return new Tensor(shape, null, values, false);
        }

        /** An int64 tensor of whole numbers. */
        public static Tensor i64(long[] shape, double[] values) {
            return new Tensor(shape, null, values, true);
        }

        /** "F32", "F64" or "I64", as the header names it. */
        public String dtype() {
            return data != null ? "F32" : int64 ? "I64" : "F64";
        }

        /** Bytes per value: 4 or 8. */
        int width() {
            return data != null ? 4 : 8;
        }

        int length() {
            return data != null ? data.length : doubles.length;
        }

        /** product(shape), or -1 when a size is negative or the product overflows. */
        static long elements(long[] shape) {
            long n = 1;
            for (long s : shape) {
                if (s < 0) {
                    return -1;
                }
                try {
                    n = Math.multiplyExact(n, s);
                } catch (ArithmeticException e) {
                    return -1;
                }
            }
            return n;
        }
    }

    /**
     * What a file holds.
     *
     * @param tensors  by name, in the order of their data in the file
     * @param metadata the "__metadata__" map, empty when there is none
     */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /**
     * Writes {@code tensors} (in their map order) and {@code metadata} to {@code file}, atomically.
     *
     * @param metadata string pairs stored under "__metadata__"; null or empty for none
     */
    public static void write(Path file, LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, UnaryOperator.identity());
    }

    /**
     * As {@link #write(Path, LinkedHashMap, Map)}, with every byte going through {@code wrap}: tests
     * pass a stream that fails part way, as a full disk does.
     */
    static void write(Path file, LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata,
                      UnaryOperator<OutputStream> wrap) {
        byte[] header = header(tensors, metadata);
        AtomicFile.write(file, channelOut -> {
            OutputStream out = new BufferedOutputStream(wrap.apply(channelOut), 1 << 16);
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (int i = 0; i < t.length(); i++) {
                    if (chunk.remaining() < 8) {
                        out.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    if (t.data() != null) {
                        chunk.putFloat(t.data()[i]);
                    } else if (t.int64()) {
                        chunk.putLong((long) t.doubles()[i]);
                    } else {
                        chunk.putDouble(t.doubles()[i]);
                    }
                }
            }
            out.write(chunk.array(), 0, chunk.position());
            out.flush();
        });
    }

    /** The JSON header, padded with spaces so that the data starts at a multiple of 8. */
    static byte[] header(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        JsonObject root = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            root.add(METADATA, meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
            }
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.getValue().dtype());
            JsonArray shape = new JsonArray();
            for (long s : e.getValue().shape()) {
                shape.add(s);
            }
            t.add("shape", shape);
            long end = offset + (long) e.getValue().width() * e.getValue().length();
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(end);
            t.add("data_offsets", offsets);
            root.add(e.getKey(), t);
            offset = end;
        }
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        byte[] json = gson.toJson(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /** Reads and checks a whole file. */
    public static Contents read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file.toString(), ch);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file + ": no such file", e);
        } catch (IOException e) {
            throw new ModelFileException(file + ": could not read (" + e.getMessage() + ")", e);
        }
    }

    /** One tensor's entry in the header. */
    private record Entry(String name, long[] shape, String dtype, int width, long begin, long end) {
    }

    private static Contents read(String name, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new ModelFileException(name + ": " + Plural.of(size, "byte") + " is too short for a safetensors file "
                    + "(expected an 8-byte header length, a JSON header and the data)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lengthBytes, 0);
        long n = lengthBytes.flip().getLong();
        if (n < 0 || n > size - 8) {
            throw new ModelFileException(name + ": header length " + Long.toUnsignedString(n) + " is larger than the "
                    + Plural.of(size - 8, "byte") + " that follow" + (size - 8 == 1 ? "s" : "") + " it; not a safetensors file, or a truncated one");
        }
        if (n > MAX_HEADER) {
            throw new ModelFileException(name + ": header length " + n + " is over the " + MAX_HEADER + "-byte limit");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(ch, headerBytes, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFileException(name + ": header is not valid UTF-8 JSON", e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(name, json, metadata);

        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : entries) {
            if (e.end() > dataSize) {
                throw new ModelFileException(name + ": tensor '" + printable(e.name()) + "' has data_offsets [" + e.begin() + ", "
                        + e.end() + "] outside the " + dataSize + "-byte data section");
            }
            if (e.begin() < expected) {
                throw new ModelFileException(name + ": tensor '" + printable(e.name()) + "' has data_offsets [" + e.begin() + ", "
                        + e.end() + "] overlapping the previous tensor, which ends at " + expected);
            }
            if (e.begin() > expected) {
                throw new ModelFileException(name + ": bytes " + expected + ".." + e.begin()
                        + " of the data section belong to no tensor; expected tensors back to back");
            }
            expected = e.end();
        }
        if (expected != dataSize) {
            throw new ModelFileException(name + ": " + (dataSize - expected) + " trailing bytes after the last tensor "
                    + "(data section is " + dataSize + " bytes, tensors cover " + expected + ")");
        }

        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            int bytes = (int) (e.end() - e.begin());
            ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, buf, dataStart + e.begin());
            if (e.width() == 4) {
                float[] data = new float[bytes / 4];
                buf.flip().asFloatBuffer().get(data);
                tensors.put(e.name(), new Tensor(e.shape(), data));
            } else if (e.dtype().equals("I64")) {
                long[] whole = new long[bytes / 8];
                buf.flip().asLongBuffer().get(whole);
                double[] data = new double[whole.length];
                for (int i = 0; i < whole.length; i++) {
                    if (Math.abs(whole[i]) > (1L << 53)) {
                        throw new ModelFileException(name + ": tensor '" + printable(e.name()) + "' holds the int64 " + whole[i]
                                + "; this build reads int64 values up to 2^53");
                    }
                    data[i] = whole[i];
                }
                tensors.put(e.name(), Tensor.i64(e.shape(), data));
            } else {
                double[] data = new double[bytes / 8];
                buf.flip().asDoubleBuffer().get(data);
                tensors.put(e.name(), Tensor.f64(e.shape(), data));
            }
        }
        return new Contents(tensors, metadata);
    }

    /** Parses the JSON header into tensor entries (unsorted) and the metadata. */
    private static List<Entry> parseHeader(String name, String json, Map<String, String> metadata) {
        JsonObject root;
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new ModelFileException(name + ": header is JSON " + reader.peek().toString().toLowerCase(Locale.ROOT)
                        + ", not an object; expected {\"tensor name\": {\"dtype\": ..., \"shape\": ..., \"data_offsets\": ...}}");
            }
            root = readObjectNoDuplicates(name, reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new ModelFileException(name + ": header has more after its JSON object; expected only spaces");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new ModelFileException(name + ": header is not valid JSON (" + jsonError(e) + ")", e);
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> member : root.entrySet()) {
            String key = member.getKey();
            JsonElement value = member.getValue();
            if (key.equals(METADATA)) {
                if (!value.isJsonObject()) {
                    throw new ModelFileException(name + ": __metadata__ is not an object; expected a map of string to string");
                }
                for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
                    JsonElement v = m.getValue();
                    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                        throw new ModelFileException(name + ": __metadata__ '" + printable(m.getKey()) + "' is "
                                + printable(v.toString()) + "; expected a string");
                    }
                    metadata.put(m.getKey(), v.getAsString());
                }
                continue;
            }
            entries.add(parseEntry(name, key, value));
        }
        return entries;
    }

    private static Entry parseEntry(String name, String key, JsonElement value) {
        String where = name + ": tensor '" + printable(key) + "'";
        if (!value.isJsonObject()) {
            throw new ModelFileException(where + " is " + printable(value.toString()) + "; expected {\"dtype\", \"shape\", \"data_offsets\"}");
        }
        JsonObject t = value.getAsJsonObject();
        for (String field : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!t.has(field)) {
                throw new ModelFileException(where + " has no " + field);
            }
        }
        JsonElement dtype = t.get("dtype");
        if (!dtype.isJsonPrimitive() || !dtype.getAsJsonPrimitive().isString()) {
            throw new ModelFileException(where + ": dtype " + printable(dtype.toString()) + " is not a string; expected \"F32\"");
        }
        int width = switch (dtype.getAsString()) {
            case "F32" -> 4;
            case "F64", "I64" -> 8;
            default -> throw new ModelFileException(where + ": dtype " + printable(dtype.getAsString())
                    + " is not supported; expected F32 (float32), F64 (float64) or I64 (int64)");
        };
        long[] shape = longs(where, "shape", t.get("shape"), -1);
        long[] offsets = longs(where, "data_offsets", t.get("data_offsets"), 2);
        long elements = Tensor.elements(shape);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new ModelFileException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (elements < 0 || elements > (Integer.MAX_VALUE - 8) / width || end - begin != width * elements) {
            throw new ModelFileException(where + ": shape " + Arrays.toString(shape) + " needs "
                    + (elements < 0 ? "more than 2^63" : Long.toString(width * elements)) + " bytes of "
                    + dtype.getAsString() + " but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(key, shape, dtype.getAsString(), width, begin, end);
    }

    /** A JSON array of non-negative integers (of the given length, or any when length < 0). */
    private static long[] longs(String where, String field, JsonElement e, int length) {
        if (!e.isJsonArray() || (length >= 0 && e.getAsJsonArray().size() != length)) {
            throw new ModelFileException(where + ": " + field + " is " + printable(e.toString()) + "; expected an array of "
                    + (length >= 0 ? length + " " : "") + "non-negative integers");
        }
        JsonArray a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = a.get(i);
            long x = -1;
            if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
                try {
                    x = new BigDecimal(v.getAsString()).longValueExact();
                } catch (ArithmeticException | NumberFormatException ex) {
                    x = -1;
                }
            }
            if (x < 0) {
                throw new ModelFileException(where + ": " + field + " holds " + printable(v.toString()) + "; expected non-negative integers");
            }
            out[i] = x;
        }
        return out;
    }

    /** Reads one JSON object from {@code reader}, refusing a key that appears twice at any level. */
    private static JsonObject readObjectNoDuplicates(String name, JsonReader reader) throws IOException {
        JsonObject o = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (o.has(key)) {
                throw new ModelFileException(name + ": header names '" + printable(key) + "' twice");
            }
            o.add(key, readValue(name, reader));
        }
        reader.endObject();
        return o;
    }

    private static JsonElement readValue(String name, JsonReader reader) throws IOException {
        switch (reader.peek()) {
            case BEGIN_OBJECT:
                return readObjectNoDuplicates(name, reader);
            case BEGIN_ARRAY: {
                JsonArray a = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    a.add(readValue(name, reader));
                }
                reader.endArray();
                return a;
            }
            case STRING:
                return new JsonPrimitive(reader.nextString());
            case NUMBER:
                return new JsonPrimitive(new BigDecimal(reader.nextString()));
            case BOOLEAN:
                return new JsonPrimitive(reader.nextBoolean());
            case NULL:
                reader.nextNull();
                return com.google.gson.JsonNull.INSTANCE;
            default:
                throw new IllegalStateException("unexpected " + reader.peek() + " at " + reader.getPath());
        }
    }

    /**
     * A name or value from a file, fit for a one-line message: control characters (a newline in a
     * tensor name, say) escaped as \\uXXXX, and cut to 100 characters.
     */
    static String printable(String s) {
        return printable(s, 100);
    }

    /** As {@link #printable(String)}, cut to {@code max} characters. */
    static String printable(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == (char) 0x2028 || c == (char) 0x2029) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return i < s.length() ? sb + "..." : sb.toString();
    }

    /** Gson's message on one line, without its advice to parse leniently (which is for programmers). */
    private static String jsonError(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }
}
