package backpropcl.data;

import static backpropcl.data.IdxReaderTest.idx;
import static backpropcl.testing.TestBytes.gzip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDirectoryTest {

    /** Writes a small MNIST-style directory: n train and m test images of rows x cols. */
    static void writeDir(Path dir, int n, int m, int rows, int cols, boolean gz, boolean dotted) throws IOException {
        String sep = dotted ? "." : "-";
        String ext = gz ? ".gz" : "";
        write(dir.resolve("train-images" + sep + "idx3-ubyte" + ext), idx(0x08, new int[] {n, rows, cols}, pixels(n * rows * cols)), gz);
        write(dir.resolve("train-labels" + sep + "idx1-ubyte" + ext), idx(0x08, new int[] {n}, labels(n)), gz);
        write(dir.resolve("t10k-images" + sep + "idx3-ubyte" + ext), idx(0x08, new int[] {m, rows, cols}, pixels(m * rows * cols)), gz);
        write(dir.resolve("t10k-labels" + sep + "idx1-ubyte" + ext), idx(0x08, new int[] {m}, labels(m)), gz);
    }

    private static void write(Path file, byte[] plain, boolean gz) throws IOException {
        Files.write(file, gz ? gzip(plain) : plain);
    }

    private static byte[] pixels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37);
        }
        return b;
    }

    private static byte[] labels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 10);
        }
        return b;
    }

    @Test
    void loadsGzipDirectory(@TempDir Path dir) throws IOException {
        writeDir(dir, 12, 5, 3, 4, true, false);
        DataSplit s = IdxDirectory.load(dir, 10);
        assertEquals(12, s.train().count());
        assertEquals(5, s.test().count());
        assertEquals(12, s.train().width());
        assertEquals(10, s.train().classes());
        assertEquals(dir.getFileName().toString(), s.name());
        assertEquals(dir.getFileName() + "/train", s.train().name());
        assertEquals(dir.getFileName() + "/test", s.test().name());
        assertEquals(37 / 255f, s.train().features()[1]);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s.test().labels());
    }

    @Test
    void loadsPlainDottedVariant(@TempDir Path dir) throws IOException {
        writeDir(dir, 3, 2, 2, 2, false, true);
        DataSplit s = IdxDirectory.load(dir, 10);
        assertEquals(3, s.train().count());
        assertEquals(2, s.test().count());
    }

    @Test
    void prefersStandardNameWhenSeveralMatch(@TempDir Path dir) throws IOException {
        writeDir(dir, 3, 2, 2, 2, true, false);
        Files.writeString(dir.resolve("train-images-idx3-ubyte.gz.sha256"), "not idx");
        DataSplit s = IdxDirectory.load(dir, 10);
        assertEquals(3, s.train().count());
    }

    @Test
    void ambiguousFilesAreNamed(@TempDir Path dir) throws IOException {
        writeDir(dir, 3, 2, 2, 2, true, false);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.writeString(dir.resolve("t10k-labels-a"), "x");
        Files.writeString(dir.resolve("t10k-labels-b"), "x");
        DataException e = assertThrows(DataException.class, () -> IdxDirectory.load(dir, 10));
        assertTrue(e.getMessage().contains("several t10k-labels* files (t10k-labels-a, t10k-labels-b)"), e.getMessage());
    }

    @Test
    void missingFileListsFoundAndExpected(@TempDir Path dir) throws IOException {
        writeDir(dir, 3, 2, 2, 2, true, false);
        Files.delete(dir.resolve("t10k-images-idx3-ubyte.gz"));
        DataException e = assertThrows(DataException.class, () -> IdxDirectory.load(dir, 10));
        String m = e.getMessage();
        assertTrue(m.startsWith(dir + ": no t10k-images* file"), m);
        assertTrue(m.contains("found t10k-labels-idx1-ubyte.gz, train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz"), m);
        assertTrue(m.contains("expected train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                + "t10k-labels-idx1-ubyte, plain or .gz"), m);
    }

    @Test
    void notADirectory(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        DataException e = assertThrows(DataException.class, () -> IdxDirectory.load(missing, 10));
        assertTrue(e.getMessage().startsWith(missing + ": no such directory"), e.getMessage());
    }

    @Test
    void errorsInsideAFileNameThatFile(@TempDir Path dir) throws IOException {
        writeDir(dir, 3, 2, 2, 2, false, false);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(labels, idx(0x08, new int[] {2}, new byte[] {1, 12}));
        DataException e = assertThrows(DataException.class, () -> IdxDirectory.load(dir, 10));
        assertEquals(labels + ": record 1 has label 12; expected 0..9 (10 classes)", e.getMessage());
    }

    @Test
    void testImagesOfAnotherSizeAreRefused(@TempDir Path dir) throws IOException {
        writeDir(dir, 3, 2, 2, 2, false, false);
        Path images = dir.resolve("t10k-images-idx3-ubyte");
        Files.write(images, idx(0x08, new int[] {2, 3, 3}, new byte[18]));
        DataException e = assertThrows(DataException.class, () -> IdxDirectory.load(dir, 10));
        assertTrue(e.getMessage().startsWith(images + ": records have 9 features but the training set's have 4"),
                e.getMessage());
    }

    @Test
    void bundledMnist10k() {
        DataSplit s = IdxDirectory.loadResource("/datasets/mnist-10k/", 10);
        assertEquals("mnist-10k", s.name());
        assertEquals(8000, s.train().count());
        assertEquals(2000, s.test().count());
        assertEquals(784, s.train().width());
        assertEquals(784, s.test().width());
        assertEquals(10, s.train().classes());
        for (Dataset d : new Dataset[] {s.train(), s.test()}) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : d.features()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(0f, min, d.name());
            assertEquals(1f, max, d.name());
        }
        int[] counts = new int[10];
        for (int label : s.test().labels()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {211, 211, 191, 215, 201, 178, 220, 191, 187, 195}, counts);
    }

    @Test
    void missingResource() {
        DataException e = assertThrows(DataException.class, () -> IdxDirectory.loadResource("/datasets/nothing", 10));
        assertTrue(e.getMessage().startsWith("/datasets/nothing/: bundled resource train-images-idx3-ubyte[.gz] is missing"),
                e.getMessage());
    }
}
