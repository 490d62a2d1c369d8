package backpropcl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.Safetensors.Contents;
import backpropcl.io.Safetensors.Tensor;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static LinkedHashMap<String, Tensor> tiny() {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("layers.0.weight", new Tensor(new long[] {2, 3}, new float[] {1, -2, 0.5f, 3.25f, -0f, 1e-40f}));
        t.put("layers.0.bias", new Tensor(new long[] {2}, new float[] {0.1f, -7}));
        return t;
    }

    /** A file built by hand: 8-byte length, the header as given (no padding added), the data. */
    private Path raw(String header, byte[] data) throws IOException {
        return rawWithLength(header.getBytes(StandardCharsets.UTF_8).length, header.getBytes(StandardCharsets.UTF_8), data);
    }

    private Path rawWithLength(long n, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(header).put(data);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static void assertReadError(Path f, String... parts) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> Safetensors.read(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ":"), "should start with the file: " + m);
        assertFalse(m.contains("\n"), "should be one line: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "should contain '" + p + "': " + m);
        }
    }

    @Test
    void roundTrip() {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("z", new Tensor(new long[] {3, 1}, new float[] {Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY}));
        t.put("scalar", new Tensor(new long[] {}, new float[] {42}));
        t.put("empty", new Tensor(new long[] {0, 5}, new float[0]));
        t.put("a", new Tensor(new long[] {2}, new float[] {Float.NaN, -0f}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("note", "ünïcode & <tags> \"quoted\"");
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, t, meta);
        Contents c = Safetensors.read(f);
        assertEquals(List.of("z", "scalar", "empty", "a"), new ArrayList<>(c.tensors().keySet()));
        for (String k : t.keySet()) {
            assertArrayEquals(t.get(k).shape(), c.tensors().get(k).shape(), k);
            assertArrayEquals(t.get(k).data(), c.tensors().get(k).data(), k);
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(c.tensors().get("a").data()[1]));
        assertEquals(meta, c.metadata());
    }

    @Test
    void noMetadata() {
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, tiny(), null);
        assertTrue(Safetensors.read(f).metadata().isEmpty());
    }

    @Test
    void exactByteLayout() throws IOException {
        Path f = dir.resolve("tiny.safetensors");
        Safetensors.write(f, tiny(), Map.of("format", "backprop-cl"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertEquals(0, (8 + n) % 8);
        assertEquals(8 + n + 4 * 8, bytes.length, "header then 8 floats, nothing else");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}"), header);
        assertTrue(header.substring(json.length()).chars().allMatch(ch -> ch == ' '), "padding is spaces");
        assertTrue(header.length() - json.length() < 8, "padding is less than 8 bytes");

        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(List.of("__metadata__", "layers.0.weight", "layers.0.bias"), new ArrayList<>(root.keySet()));
        assertEquals("backprop-cl", root.getAsJsonObject("__metadata__").get("format").getAsString());
        JsonObject w = root.getAsJsonObject("layers.0.weight");
        assertEquals("F32", w.get("dtype").getAsString());
        assertEquals(ints(2, 3), w.getAsJsonArray("shape"));
        assertEquals(ints(0, 24), w.getAsJsonArray("data_offsets"));
        JsonObject bias = root.getAsJsonObject("layers.0.bias");
        assertEquals(ints(2), bias.getAsJsonArray("shape"));
        assertEquals(ints(24, 32), bias.getAsJsonArray("data_offsets"));

        int data = 8 + (int) n;
        float[] expected = {1, -2, 0.5f, 3.25f, -0f, 1e-40f, 0.1f, -7};
        for (int i = 0; i < expected.length; i++) {
            int bits = (bytes[data + 4 * i] & 0xFF) | (bytes[data + 4 * i + 1] & 0xFF) << 8
                    | (bytes[data + 4 * i + 2] & 0xFF) << 16 | (bytes[data + 4 * i + 3] & 0xFF) << 24;
            assertEquals(Float.floatToRawIntBits(expected[i]), bits, "float " + i);
        }
    }

    private static JsonArray ints(int... v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }

    @Test
    void tooShort() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertReadError(f, "3 bytes is too short");
    }

    @Test
    void headerLongerThanFile() throws IOException {
        assertReadError(rawWithLength(1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
                "header length 1000 is larger than the 2 bytes");
        assertReadError(rawWithLength(-1, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
                "header length 18446744073709551615");
    }

    @Test
    void headerOver100MB() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(100_000_100L); // sparse: costs no disk
            r.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_008L).array());
        }
        assertReadError(f, "header length 100000008 is over the 100000000-byte limit");
    }

    @Test
    void headerNotJson() throws IOException {
        assertReadError(raw("{\"a\": ", new byte[0]), "header is not valid JSON");
        assertReadError(raw("{'a': 1}", new byte[0]), "header is not valid JSON");
        assertReadError(raw("{} {}", new byte[0]), "header is not valid JSON");
        assertReadError(rawWithLength(2, new byte[] {'{', (byte) 0xFF}, new byte[0]), "not valid UTF-8");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertReadError(raw("[1, 2]", new byte[0]), "header is JSON begin_array, not an object");
        assertReadError(raw(tensor("a", "F32", "[1]", 0, 4).replace("\"dtype\":\"F32\",", "").replace("\"a\":", "{\"a\":") + "}",
                new byte[4]), "tensor 'a' has no dtype");
        assertReadError(raw("{\"a\": 5}", new byte[0]), "tensor 'a' is 5");
    }

    @Test
    void otherDtypeIsNamed() throws IOException {
        assertReadError(raw("{" + tensor("w", "F16", "[2]", 0, 4) + "}", new byte[4]),
                "tensor 'w': dtype F16 is not supported; expected F32");
    }

    @Test
    void shapeAndOffsetsDisagree() throws IOException {
        assertReadError(raw("{" + tensor("w", "F32", "[2,3]", 0, 20) + "}", new byte[20]),
                "tensor 'w': shape [2, 3] needs 24 bytes of F32 but data_offsets [0, 20] hold 20");
        assertReadError(raw("{" + tensor("w", "F32", "[2,-3]", 0, 24) + "}", new byte[24]), "non-negative integers");
        assertReadError(raw("{" + tensor("w", "F32", "[2.5]", 0, 24) + "}", new byte[24]), "non-negative integers");
        assertReadError(raw("{" + tensor("w", "F32", "[2]", 8, 0) + "}", new byte[8]), "end before they begin");
        assertReadError(raw("{" + tensor("w", "F32", "[4294967296,4294967296]", 0, 8) + "}", new byte[8]), "shape");
    }

    @Test
    void offsetsOutsideData() throws IOException {
        assertReadError(raw("{" + tensor("w", "F32", "[2]", 0, 8) + "}", new byte[4]),
                "tensor 'w' has data_offsets [0, 8] outside the 4-byte data section");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertReadError(raw("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}", new byte[12]),
                "tensor 'b' has data_offsets [4, 12] overlapping the previous tensor, which ends at 8");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        assertReadError(raw("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12) + "}", new byte[12]),
                "bytes 4..8 of the data section belong to no tensor");
    }

    @Test
    void trailingBytes() throws IOException {
        assertReadError(raw("{" + tensor("a", "F32", "[1]", 0, 4) + "}", new byte[7]), "3 trailing bytes");
    }

    @Test
    void duplicateNamesAndBadMetadata() throws IOException {
        assertReadError(raw("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("a", "F32", "[1]", 4, 8) + "}", new byte[8]),
                "header names 'a' twice");
        assertReadError(raw("{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__ 'k' is 1; expected a string");
    }

    @Test
    void tensorsOutOfOrderInTheHeaderAreReadInDataOrder() throws IOException {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).array();
        Path f = raw("{" + tensor("second", "F32", "[1]", 4, 8) + "," + tensor("first", "F32", "[1]", 0, 4) + "}", data);
        Contents c = Safetensors.read(f);
        assertEquals(List.of("first", "second"), new ArrayList<>(c.tensors().keySet()));
        assertEquals(2f, c.tensors().get("second").data()[0]);
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("none.safetensors");
        assertReadError(f, "no such file");
    }

    /** A stream that fails after {@code limit} bytes, as a full disk does. */

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void failedWriteLeavesOldFileAndNoTemporary() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, tiny(), Map.of("version", "old"));
        byte[] before = Files.readAllBytes(f);

        LinkedHashMap<String, Tensor> big = new LinkedHashMap<>();
        big.put("w", new Tensor(new long[] {100_000}, new float[100_000]));
        OutputFileException e = assertThrows(OutputFileException.class,
                () -> Safetensors.write(f, big, Map.of("version", "new"), out -> new FullDiskTest.FullAfter(out, 200_000, false)));
        assertTrue(e.getMessage().startsWith(f + ": could not write (No space left on device)"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "the old file is untouched");
        assertEquals(List.of("model.safetensors"), listing(), "no temporary file is left");
    }

    @Test
    void failedFirstWriteLeavesNothing() throws IOException {
        Path f = dir.resolve("model.safetensors");
        assertThrows(OutputFileException.class,
                () -> Safetensors.write(f, tiny(), null, out -> new FullDiskTest.FullAfter(out, 10, false)));
        assertEquals(List.of(), listing());
    }

    @Test
    void failedMoveLeavesNoTemporary() throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "x");
        OutputFileException e = assertThrows(OutputFileException.class, () -> Safetensors.write(target, tiny(), null));
        assertTrue(e.getMessage().startsWith(target + ": could not write"), e.getMessage());
        assertEquals(List.of("occupied"), listing());
        assertEquals("x", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void writeReplacesAnExistingFile() {
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, tiny(), Map.of("v", "1"));
        LinkedHashMap<String, Tensor> other = new LinkedHashMap<>();
        other.put("x", new Tensor(new long[] {1}, new float[] {5}));
        Safetensors.write(f, other, Map.of("v", "2"));
        Contents c = Safetensors.read(f);
        assertEquals(List.of("x"), new ArrayList<>(c.tensors().keySet()));
        assertEquals("2", c.metadata().get("v"));
    }

    @Test
    void tensorShapeMustMatchData() {
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new long[] {2, 2}, new float[3]));
    }
}
