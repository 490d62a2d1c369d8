package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.TestBytes;
import backpropcl.data.IdxReader.Idx;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class IdxReaderTest {

    static final String IMAGES = "train-images-idx3-ubyte.gz";
    static final String LABELS = "train-labels-idx1-ubyte.gz";

    private final Random random = new Random(42);

    /** A plain IDX file. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            IdxReader.write(out, type, dims, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An IDX header with any magic and dims, without checks, followed by data. */
    static byte[] rawIdx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }


    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static Dataset readPair(byte[] images, byte[] labels, int classes) {
        return IdxReader.readImagesAndLabels("test", new ByteArrayInputStream(images), IMAGES,
                new ByteArrayInputStream(labels), LABELS, classes);
    }

    /** Asserts a DataException whose message starts with the file name and contains each part. */
    private static void assertDataError(String file, Executable body, String... parts) {
        DataException e = assertThrows(DataException.class, body);
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ":"), "message should start with the file name: " + m);
        assertTrue(!m.contains("\n"), "message should be one line: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "message should contain '" + p + "': " + m);
        }
    }

    @Test
    void roundTripPlain() {
        byte[] data = randomBytes(3 * 2 * 5);
        Idx idx = IdxReader.read("a.idx", new ByteArrayInputStream(idx(0x08, new int[] {3, 2, 5}, data)));
        assertEquals(0x08, idx.type());
        assertArrayEquals(new int[] {3, 2, 5}, idx.dims());
        assertArrayEquals(data, idx.data());
        assertEquals(3, idx.count());
        assertEquals(10, idx.recordSize());
    }

    @Test
    void roundTripGzip() {
        byte[] data = randomBytes(7 * 3);
        byte[] file = TestBytes.gzip(idx(0x08, new int[] {7, 3}, data));
        assertEquals(0x1f, file[0] & 0xFF);
        Idx idx = IdxReader.read("a.idx", new ByteArrayInputStream(file));
        assertArrayEquals(new int[] {7, 3}, idx.dims());
        assertArrayEquals(data, idx.data());
    }

    @Test
    void gzipIsDetectedByContentNotName(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        byte[] data = randomBytes(4);
        Path plainNamedGz = dir.resolve("labels.gz");
        java.nio.file.Files.write(plainNamedGz, idx(0x08, new int[] {4}, data));
        Path gzNamedPlain = dir.resolve("labels");
        java.nio.file.Files.write(gzNamedPlain, TestBytes.gzip(idx(0x08, new int[] {4}, data)));
        assertArrayEquals(data, IdxReader.read(plainNamedGz).data());
        assertArrayEquals(data, IdxReader.read(gzNamedPlain).data());
    }

    @Test
    void imagesAndLabelsScalePixelsAndKeepLabels() {
        byte[] pixels = {0, (byte) 255, 51, (byte) 128, 1, 2, 3, 4, 5, 6, 7, 8};
        byte[] labels = {9, 0, 3};
        Dataset d = readPair(TestBytes.gzip(idx(0x08, new int[] {3, 2, 2}, pixels)), idx(0x08, new int[] {3}, labels), 10);
        assertEquals(3, d.count());
        assertEquals(4, d.width());
        assertEquals(10, d.classes());
        assertArrayEquals(new int[] {9, 0, 3}, d.labels());
        assertEquals(0f, d.features()[0]);
        assertEquals(1f, d.features()[1]);
        assertEquals(51 / 255f, d.features()[2]);
        assertEquals(128 / 255f, d.features()[3]);
        assertEquals(8 / 255f, d.features()[11]);
    }

    @Test
    void classesInferredWhenNotGiven() {
        Dataset d = readPair(idx(0x08, new int[] {2, 1, 1}, new byte[2]), idx(0x08, new int[] {2}, new byte[] {4, 1}), 0);
        assertEquals(5, d.classes());
    }

    @Test
    void notAnIdxFile() {
        byte[] garbage = "hello, this is not an IDX file".getBytes(StandardCharsets.US_ASCII);
        assertDataError(IMAGES, () -> readPair(garbage, idx(0x08, new int[] {1}, new byte[1]), 10),
                "not an IDX file", "0x00000803");
    }

    @Test
    void wrongMagicHighBytes() {
        byte[] file = rawIdx(0x12340803, new int[] {1, 1, 1}, new byte[1]);
        assertDataError(IMAGES, () -> readPair(file, idx(0x08, new int[] {1}, new byte[1]), 10),
                "not an IDX file", "0x12340803");
    }

    @Test
    void labelsGivenAsImagesHaveWrongDimensionCount() {
        byte[] labels = idx(0x08, new int[] {2}, new byte[2]);
        assertDataError(IMAGES, () -> readPair(labels, labels, 10), "has 1 dimension", "expected 3", "0x00000803");
        byte[] images = idx(0x08, new int[] {2, 1, 1}, new byte[2]);
        assertDataError(LABELS, () -> readPair(images, images, 10), "has 3 dimensions", "expected 1");
    }

    @Test
    void unsupportedType() {
        byte[] file = rawIdx(0x00000D03, new int[] {1, 1, 1}, new byte[4]);
        assertDataError("x.idx", () -> IdxReader.read("x.idx", new ByteArrayInputStream(file)),
                "type 0x0D is not supported; expected unsigned bytes 0x08");
    }

    @Test
    void zeroAndNegativeDimensions() {
        assertDataError(IMAGES, () -> readPair(rawIdx(0x803, new int[] {2, 0, 3}, new byte[0]),
                idx(0x08, new int[] {2}, new byte[2]), 10), "dimension 1 has size 0", "[2, 0, 3]");
        assertDataError(IMAGES, () -> readPair(rawIdx(0x803, new int[] {-5, 2, 3}, new byte[0]),
                idx(0x08, new int[] {2}, new byte[2]), 10), "dimension 0 has size -5");
    }

    @Test
    void absurdSizesAreRefusedBeforeAllocating() {
        // 65536 x 65536 x 1 = 2^32 bytes: the header alone must be refused.
        byte[] file = rawIdx(0x803, new int[] {65536, 65536, 1}, new byte[16]);
        assertDataError(IMAGES, () -> readPair(file, idx(0x08, new int[] {1}, new byte[1]), 10),
                "more than 2147483639 bytes", "[65536, 65536, 1]");
    }

    @Test
    void emptyAndTruncatedHeader() {
        assertDataError("e.idx", () -> IdxReader.read("e.idx", new ByteArrayInputStream(new byte[0])), "too short");
        byte[] cut = Arrays.copyOf(idx(0x08, new int[] {2, 2, 2}, new byte[8]), 10);
        assertDataError("e.idx", () -> IdxReader.read("e.idx", new ByteArrayInputStream(cut)),
                "header truncated", "expected 3 dimension sizes, found 1");
    }

    @Test
    void truncatedDataNamesCompleteRecords() {
        byte[] full = idx(0x08, new int[] {5, 2, 2}, randomBytes(20));
        byte[] cut = Arrays.copyOf(full, full.length - 7); // 13 of 20 pixel bytes: 3 records complete
        DataException e = assertThrows(DataException.class,
                () -> readPair(TestBytes.gzip(cut), idx(0x08, new int[] {5}, new byte[5]), 10));
        assertEquals(IMAGES + ": truncated after record 3 of 5 (expected 20 bytes of pixels, found 13)", e.getMessage());
    }

    @Test
    void trailingBytes() {
        byte[] file = idx(0x08, new int[] {2}, new byte[2]);
        byte[] longer = Arrays.copyOf(file, file.length + 3);
        assertDataError(LABELS, () -> readPair(idx(0x08, new int[] {2, 1, 1}, new byte[2]), longer, 10),
                "3 bytes of trailing data", "2 records");
    }

    @Test
    void countsDiffer() {
        assertDataError(LABELS, () -> readPair(idx(0x08, new int[] {3, 1, 1}, new byte[3]),
                idx(0x08, new int[] {2}, new byte[2]), 10), "holds 2 labels", "holds 3 images");
    }

    @Test
    void labelOutOfRangeNamesRecord() {
        byte[] labels = {1, 2, 10, 3};
        DataException e = assertThrows(DataException.class,
                () -> readPair(idx(0x08, new int[] {4, 1, 1}, new byte[4]), idx(0x08, new int[] {4}, labels), 10));
        assertEquals(LABELS + ": record 2 has label 10; expected 0..9 (10 classes)", e.getMessage());
    }

    @Test
    void truncatedGzip() {
        byte[] gz = TestBytes.gzip(idx(0x08, new int[] {100, 8, 8}, randomBytes(6400)));
        byte[] half = Arrays.copyOf(gz, gz.length / 2);
        assertDataError(IMAGES, () -> readPair(half, idx(0x08, new int[] {100}, new byte[100]), 10),
                "corrupt or truncated gzip data");
        byte[] headerOnly = Arrays.copyOf(gz, 5);
        assertDataError(IMAGES, () -> readPair(headerOnly, idx(0x08, new int[] {100}, new byte[100]), 10),
                "corrupt or truncated gzip data");
    }

    @Test
    void corruptGzip() {
        byte[] gz = TestBytes.gzip(idx(0x08, new int[] {100, 8, 8}, randomBytes(6400)));
        for (int i = 20; i < gz.length - 20; i += 97) {
            gz[i] ^= (byte) 0x5A;
        }
        assertDataError(IMAGES, () -> readPair(gz, idx(0x08, new int[] {100}, new byte[100]), 10),
                "corrupt or truncated gzip data");
    }

    @Test
    void missingFile(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path f = dir.resolve("nothing-here.idx");
        assertDataError(f.toString(), () -> IdxReader.read(f), "no such file");
    }

    @Test
    void writeRefusesMismatchedData() {
        assertThrows(IllegalArgumentException.class, () -> idx(0x08, new int[] {2, 2}, new byte[3]));
    }
}
