package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {

    @TempDir
    Path dir;

    /** n rows "i%3,i,-i". */
    private Path rows(String name, int n, int start) throws IOException {
        StringBuilder sb = new StringBuilder("label,a,b\n");
        for (int i = start; i < start + n; i++) {
            sb.append(i % 3).append(',').append(i).append(',').append(-i).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void defaultIsBundledMnist10k() {
        DataSplit s = DataSources.resolve(null, 10);
        assertEquals("mnist-10k", s.name());
        assertEquals(8000, s.train().count());
        assertEquals(2000, s.test().count());
    }

    @Test
    void directoryOfIdxFiles() throws IOException {
        IdxDirectoryTest.writeDir(dir, 4, 2, 2, 2, true, false);
        DataSplit s = DataSources.resolve(dir.toString(), 10);
        assertEquals(4, s.train().count());
        assertEquals(2, s.test().count());
    }

    @Test
    void fashionMnistFromItsDirectory() throws IOException {
        IdxDirectoryTest.writeDir(dir, 4, 2, 2, 2, true, false);
        DataSplit s = DataSources.resolve("fashion-mnist", 10, dir.resolve("cache"), dir, RemoteIdxSet.MNIST,
                RemoteIdxSet.FASHION_MNIST, new Downloader(null));
        assertEquals("fashion-mnist", s.name());
        assertEquals(4, s.train().count());
    }

    @Test
    void unknownSpec() {
        DataException e = assertThrows(DataException.class, () -> DataSources.resolve("foo", 10));
        assertEquals("--data 'foo': no such data set or directory (expected mnist-10k, mnist, fashion-mnist, "
                + "points:moons|circles|xor|spiral, a directory of IDX files or a .csv file)", e.getMessage());
        Path absent = dir.resolve("absent.csv");
        assertThrows(DataException.class, () -> DataSources.resolve(absent.toString(), 10));
    }

    @Test
    void csvSplitsLastFifthAsTestSet() throws IOException {
        Path f = rows("spiral.csv", 12, 0);
        DataSplit s = DataSources.resolve(f.toString(), 0);
        assertEquals("spiral", s.name());
        assertEquals(10, s.train().count());
        assertEquals(2, s.test().count());
        assertEquals(3, s.train().classes());
        assertEquals("spiral/test", s.test().name());
        assertArrayEquals(new float[] {10, -10, 11, -11}, s.test().features());
        assertArrayEquals(new int[] {1, 2}, s.test().labels());
    }

    @Test
    void csvTooSmallToSplit() throws IOException {
        Path f = rows("one.csv", 1, 0);
        DataException e = assertThrows(DataException.class, () -> DataSources.resolve(f.toString(), 3));
        assertTrue(e.getMessage().startsWith(f + ": 1 record is too few to split"), e.getMessage());
    }

    @Test
    void csvWithSiblingTestFile() throws IOException {
        Path train = rows("moons.csv", 6, 0);
        rows("moons-test.csv", 3, 100);
        DataSplit s = DataSources.resolve(train.toString(), 0);
        assertEquals(6, s.train().count());
        assertEquals(3, s.test().count());
        assertEquals(100f, s.test().features()[0]);
        assertEquals(3, s.test().classes());

        Path train2 = rows("blobs-train.csv", 5, 0);
        rows("blobs-test.csv", 2, 50);
        DataSplit s2 = DataSources.resolve(train2.toString(), 3);
        assertEquals("blobs", s2.name());
        assertEquals(5, s2.train().count());
        assertEquals(2, s2.test().count());
    }

    @Test
    void csvInferredClassesAgreeAcrossFiles() throws IOException {
        Files.writeString(dir.resolve("c.csv"), "0,1\n1,2\n");
        Files.writeString(dir.resolve("c-test.csv"), "4,1\n");
        DataSplit s = DataSources.resolve(dir.resolve("c.csv").toString(), 0);
        assertEquals(5, s.train().classes());
        assertEquals(5, s.test().classes());
    }
}
