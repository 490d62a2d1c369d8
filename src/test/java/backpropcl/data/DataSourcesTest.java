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
                + "points:moons|circles|xor|spiral, a directory of IDX files or of one folder of images per class, or a .csv file)", e.getMessage());
        Path absent = dir.resolve("absent.csv");
        assertThrows(DataException.class, () -> DataSources.resolve(absent.toString(), 10));
    }

    @Test
    void csvIsSplitStratifiedFromTheSeed() throws IOException {
        // Was "the last fifth in file order" (test features {10,-10,11,-11}); issue 13 made the split stratified and seeded.
        Path f = rows("spiral.csv", 12, 0);
        DataSplit s = DataSources.resolve(f.toString(), 0);
        assertEquals("spiral", s.name());
        assertEquals(9, s.train().count());
        assertEquals(3, s.test().count());
        assertEquals(3, s.train().classes());
        assertEquals("spiral/test", s.test().name());
        assertArrayEquals(new int[] {1, 1, 1}, s.test().classCounts(), "each class of 4 rows gives one to the test set");
        DataSources.Loaded again = DataSources.load(DataSources.Request.of(f.toString()));
        assertArrayEquals(s.test().features(), again.split().test().features(), "the same seed, the same split");
        DataSources.Loaded other = DataSources.load(DataSources.Request.of(f.toString()).withSeed(7));
        assertTrue(!java.util.Arrays.equals(s.test().features(), other.split().test().features()), "another seed, another split");
        assertTrue(again.howSplit().startsWith("stratified 20% test split, seed 1: 9 train / 3 test, per class train/test: "
                + "0 3/1, 1 3/1, 2 3/1"), again.howSplit());
        assertEquals("2", again.inputShape());
    }

    @Test
    void aClassSortedFileOfWordsGivesEveryClassToBothParts() throws IOException {
        StringBuilder sb = new StringBuilder("a;b;species\n");
        for (String name : new String[] {"setosa", "versicolor", "virginica"}) {
            for (int i = 0; i < 10; i++) {
                sb.append(i).append(";").append(i).append(",5;").append(name).append('\n');
            }
        }
        Path f = dir.resolve("flowers.csv");
        Files.writeString(f, sb);
        DataSources.Loaded l = DataSources.load(DataSources.Request.of(f.toString()).withCsv(new CsvOptions("last", null)));
        assertArrayEquals(new int[] {8, 8, 8}, l.split().train().classCounts());
        assertArrayEquals(new int[] {2, 2, 2}, l.split().test().classCounts());
        assertEquals(java.util.List.of("setosa", "versicolor", "virginica"), l.split().test().allClassNames());
        assertEquals(';', l.format().separator());
        assertTrue(l.format().decimalComma());
    }

    @Test
    void aSiblingTestFileMapsTheTrainingFilesNames() throws IOException {
        Files.writeString(dir.resolve("w.csv"), "x,label\n1,b\n2,a\n3,c\n");
        Files.writeString(dir.resolve("w-test.csv"), "x,label\n4,c\n5,b\n");
        DataSplit s = DataSources.load(DataSources.Request.of(dir.resolve("w.csv").toString())
                .withCsv(new CsvOptions("label", null))).split();
        assertArrayEquals(new int[] {1, 0, 2}, s.train().labels());
        assertArrayEquals(new int[] {2, 1}, s.test().labels(), "c is class 2 and b class 1 in both files");
        assertEquals(java.util.List.of("a", "b", "c"), s.test().allClassNames());

        Files.writeString(dir.resolve("w-test.csv"), "x,label\n4,c\n5,d\n");
        DataException e = assertThrows(DataException.class, () -> DataSources.load(DataSources.Request.of(
                dir.resolve("w.csv").toString()).withCsv(new CsvOptions("label", null))));
        assertEquals(dir.resolve("w-test.csv") + ": line 3: class 'd' is not one of the 3 classes of the training file "
                + dir.resolve("w.csv") + " (a, b, c)", e.getMessage());
    }

    @Test
    void aRowIndexAsLabelLeavesNothingToHoldOut() throws IOException {
        Files.writeString(dir.resolve("ids.csv"), "0,1\n1,2\n2,3\n");
        DataException e = assertThrows(DataException.class, () -> DataSources.resolve(dir.resolve("ids.csv").toString(), 0));
        assertTrue(e.getMessage().startsWith(dir.resolve("ids.csv") + ": no class has two rows, so none can be held out"),
                e.getMessage());
    }

    @Test
    void theKnownSetsKnowTheirClassNames() throws IOException {
        assertEquals(DataSources.DIGITS, DataSources.resolve("mnist-10k", 10).test().allClassNames());
        IdxDirectoryTest.writeDir(dir, 4, 2, 2, 2, true, false);
        DataSplit s = DataSources.resolve("fashion-mnist", 10, dir.resolve("cache"), dir, RemoteIdxSet.MNIST,
                RemoteIdxSet.FASHION_MNIST, new Downloader(null));
        assertEquals("Ankle boot", s.train().className(9));
        assertEquals("T-shirt/top", s.test().className(0));
        assertEquals("1x2x2", DataSources.load(DataSources.Request.of(dir.toString())).inputShape());
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
