package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxRecordTest {
    @TempDir
    Path dir;

    /** Copies a bundled mnist-10k file into dir, as it is (gzip) or unpacked. */
    private Path copy(String resource, String name, boolean unzip) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream raw = IdxRecordTest.class.getResourceAsStream("/datasets/mnist-10k/" + resource);
             InputStream in = unzip ? new GZIPInputStream(raw) : raw;
             OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
        return target;
    }

    @Test
    void parsesPathAndRecordNumber() {
        IdxRecord.Spec s = IdxRecord.parse("idx:data/t10k-images-idx3-ubyte.gz#12");
        assertEquals(Path.of("data/t10k-images-idx3-ubyte.gz"), s.file());
        assertEquals(12, s.index());
        // The record number follows the last '#'.
        assertEquals(Path.of("a#b"), IdxRecord.parse("idx:a#b#0").file());
        assertTrue(IdxRecord.isRecordSpec("idx:x#0"));
        assertTrue(!IdxRecord.isRecordSpec("digit.png"));
    }

    @Test
    void badSyntaxSaysWhatIsExpected() {
        String[][] cases = {
            {"idx:t10k-images-idx3-ubyte", "no record number", "idx:t10k-images-idx3-ubyte#0"},
            {"idx:file#", "'' is not a record number", "counting from 0"},
            {"idx:file#seven", "'seven' is not a record number", "idx:PATH#N"},
            {"idx:file#-1", "is negative", "count from 0"},
            {"idx:#3", "no file name", "idx:PATH#N"},
        };
        for (String[] c : cases) {
            String m = assertThrows(DataException.class, () -> IdxRecord.parse(c[0])).getMessage();
            assertTrue(m.startsWith(c[0] + ": "), m);
            assertTrue(m.contains(c[1]) && m.contains(c[2]), c[0] + " -> " + m);
        }
    }

    @Test
    void readsTheRecordAndItsLabelGzipOrPlain() throws IOException {
        Dataset test = DigitImages.mnistTest();
        Path gz = copy("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", false);
        copy("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz", false);
        IdxRecord.Reader reader = new IdxRecord.Reader();
        for (int i : new int[] {0, 1, 1999}) {
            IdxRecord r = reader.read("idx:" + gz + "#" + i);
            assertArrayEquals(DigitImages.record(i), r.features(), "record " + i);
            assertEquals(test.labels()[i], r.label(), "label of " + i);
        }
        // An unpacked images file finds the gzip labels next to it.
        Path plain = copy("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", true);
        IdxRecord r = new IdxRecord.Reader().read("idx:" + plain + "#5");
        assertArrayEquals(DigitImages.record(5), r.features());
        assertEquals(test.labels()[5], r.label());
    }

    @Test
    void withoutALabelsFileThereIsNoLabel() throws IOException {
        Path images = copy("t10k-images-idx3-ubyte.gz", "digits.idx3.gz", false);
        assertEquals(-1, new IdxRecord.Reader().read("idx:" + images + "#0").label());
        assertNull(IdxRecord.labelsFile(images));
    }

    @Test
    void labelsFileNames() throws IOException {
        Path images = dir.resolve("train-images.idx3-ubyte");
        Path labels = Files.createFile(dir.resolve("train-labels.idx1-ubyte"));
        assertEquals(labels, IdxRecord.labelsFile(images));
        Path emnist = dir.resolve("emnist-letters-test-images-idx3-ubyte.gz");
        Path emnistLabels = Files.createFile(dir.resolve("emnist-letters-test-labels-idx1-ubyte.gz"));
        assertEquals(emnistLabels, IdxRecord.labelsFile(emnist));
    }

    @Test
    void outOfRangeMissingAndWrongFilesAreOneLine() throws IOException {
        Path images = copy("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", false);
        Path labels = copy("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz", false);
        IdxRecord.Reader reader = new IdxRecord.Reader();
        assertEquals("idx:" + images + "#2000: record 2000 is out of range; " + images + " holds 2000 records (0..1999)",
                assertThrows(DataException.class, () -> reader.read("idx:" + images + "#2000")).getMessage());
        Path missing = dir.resolve("nope-images-idx3-ubyte");
        assertEquals(missing + ": no such file",
                assertThrows(DataException.class, () -> reader.read("idx:" + missing + "#0")).getMessage());
        String m = assertThrows(DataException.class, () -> reader.read("idx:" + labels + "#0")).getMessage();
        assertTrue(m.startsWith(labels + ": has 1 dimension"), m);
        Path text = Files.writeString(dir.resolve("text-images"), "hello");
        m = assertThrows(DataException.class, () -> reader.read("idx:" + text + "#0")).getMessage();
        assertTrue(m.startsWith(text + ": not an IDX file"), m);
        assertEquals(1, m.lines().count(), m);
    }
}
