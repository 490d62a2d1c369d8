package backpropcl.data;

import static backpropcl.data.DigitImages.grey;
import static backpropcl.data.DigitImages.record;
import static backpropcl.data.DigitImages.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of pictures, one per class, read as torchvision's ImageFolder reads them. */
class ImageFolderTest {
    @TempDir
    Path dir;

    /**
     * Writes {@code count} bundled test records of {@code digit} as PNGs into {@code folder}
     * (dark on light, 2x, so that preparing them is not a plain copy), from record {@code from} on.
     */
    private static void digits(Path folder, int digit, int count, int from) throws IOException {
        Files.createDirectories(folder);
        Dataset test = DigitImages.mnistTest();
        int written = 0;
        for (int i = from; written < count; i++) {
            if (test.labels()[i] == digit) {
                write(grey(record(i), 2, 6, true), "png", folder.resolve(String.format("%04d.png", i)));
                written++;
            }
        }
    }

    private DataException refused(Path folder) {
        return assertThrows(DataException.class, () -> ImageFolder.load(folder, 0, 1));
    }

    /** The split of a folder, seed 1. */
    private static DataSplit load(Path folder, int classes) {
        return ImageFolder.load(folder, classes, 1).split();
    }

    @Test
    void classesAreTheSortedFolderNamesAndPicturesArePreparedAsPredictPreparesThem() throws IOException {
        Path d = dir.resolve("digits");
        digits(d.resolve("seven"), 7, 5, 0);
        digits(d.resolve("one"), 1, 5, 0);
        digits(d.resolve("Zero"), 0, 5, 0);
        // Sorted by their characters, as Python's sorted(): capitals first.
        DataSplit s = load(d, 0);
        assertEquals(List.of("Zero", "one", "seven"), s.train().classNames());
        assertEquals(3, s.train().classes());
        assertEquals(784, s.train().width());
        assertEquals(15, s.train().count() + s.test().count());
        // Every picture as predict makes it: the held-out ones too.
        for (Dataset set : new Dataset[] {s.train(), s.test()}) {
            for (int i = 0; i < set.count(); i++) {
                float[] row = Arrays.copyOfRange(set.features(), i * 784, (i + 1) * 784);
                boolean found = false;
                for (Path f : Files.list(d.resolve(set.className(set.labels()[i]))).toList()) {
                    found |= Arrays.equals(row, ImageInput.features(f, 28));
                }
                assertTrue(found, set.name() + " row " + i + " is no picture of class " + set.className(set.labels()[i]));
            }
        }
    }

    @Test
    void withoutTrainAndTestFoldersAFifthOfEachClassIsHeldOutTheSameWayEveryTime() throws IOException {
        Path d = dir.resolve("set");
        digits(d.resolve("a"), 3, 10, 0);
        digits(d.resolve("b"), 5, 6, 0);
        DataSplit s = load(d, 0);
        assertArrayEquals(new int[] {8, 5}, s.train().classCounts());
        assertArrayEquals(new int[] {2, 1}, s.test().classCounts());
        assertEquals("set/train", s.train().name());
        assertEquals("set/test", s.test().name());
        assertEquals("stratified 20% test split, seed 1: 13 train / 3 test, per class train/test: a 8/2, b 5/1",
                ImageFolder.load(d, 0, 1).howSplit());
        assertEquals(ImageFolder.INPUT_SHAPE, ImageFolder.load(d, 0, 1).inputShape());
        DataSplit again = load(d, 0);
        assertArrayEquals(s.test().features(), again.test().features());
        assertArrayEquals(s.test().labels(), again.test().labels());
        // Another seed, another split (of the 10 a's, which 2 are held out).
        assertFalse(Arrays.equals(s.test().features(), ImageFolder.load(d, 0, 2).split().test().features()));
    }

    @Test
    void trainAndTestFoldersAreTheSplit() throws IOException {
        Path d = dir.resolve("given");
        digits(d.resolve("train/x"), 2, 4, 0);
        digits(d.resolve("train/y"), 4, 3, 0);
        digits(d.resolve("test/x"), 2, 2, 500);
        digits(d.resolve("test/y"), 4, 1, 500);
        DataSplit s = load(d, 0);
        assertArrayEquals(new int[] {4, 3}, s.train().classCounts());
        assertArrayEquals(new int[] {2, 1}, s.test().classCounts());
        assertEquals(List.of("x", "y"), s.test().classNames());
        assertEquals("test set from test/ (beside train/): 7 train / 3 test, per class train/test: x 4/2, y 3/1",
                ImageFolder.load(d, 0, 1).howSplit());
        // More classes than folders when asked for (a wider model); fewer is a label out of range.
        assertEquals(5, load(d, 5).train().classes());
        LabelOutOfRangeException e = assertThrows(LabelOutOfRangeException.class, () -> ImageFolder.load(d, 1, 1));
        assertEquals(d.resolve("train") + ": 2 class folders, class 1 is 'y'; expected 0..0 (1 class)", e.getMessage());
    }

    @Test
    void hiddenFilesAreSkippedAndSubfoldersRead() throws IOException {
        Path d = dir.resolve("nested");
        digits(d.resolve("a/batch1"), 3, 2, 0);
        digits(d.resolve("b"), 5, 2, 0);
        Files.writeString(d.resolve("a/.DS_Store"), "not an image");
        Files.createDirectories(d.resolve(".git"));
        DataSplit s = load(d, 0);
        assertEquals(List.of("a", "b"), s.train().classNames());
        assertEquals(4, s.train().count() + s.test().count());
    }

    @Test
    void whatIsWrongWithAFolderIsSaid() throws IOException {
        Path empty = dir.resolve("empty");
        digits(empty.resolve("cat"), 3, 2, 0);
        Files.createDirectories(empty.resolve("dog"));
        assertEquals(empty.resolve("dog") + ": an empty class folder (no images); every class needs at least one image, or remove the "
                + "folder", refused(empty).getMessage());

        Path text = dir.resolve("text");
        digits(text.resolve("cat"), 3, 2, 0);
        digits(text.resolve("dog"), 5, 1, 0);
        Files.writeString(text.resolve("dog/notes.txt"), "the dog is brown\n");
        assertEquals(text.resolve("dog/notes.txt") + ": not a PNG or JPEG image", refused(text).getMessage());

        Path flat = dir.resolve("flat");
        digits(flat, 3, 3, 0);
        assertEquals(flat + ": 3 images but no class folders; expected one folder per class holding its images, e.g. "
                + flat.resolve("cat") + "/1.png and " + flat.resolve("dog") + "/2.png", refused(flat).getMessage());

        Path one = dir.resolve("one");
        digits(one.resolve("cat"), 3, 2, 0);
        assertEquals(one + ": one class folder (cat); expected at least two, one per class", refused(one).getMessage());

        Path mismatch = dir.resolve("mismatch");
        digits(mismatch.resolve("train/cat"), 3, 1, 0);
        digits(mismatch.resolve("train/dog"), 5, 1, 0);
        digits(mismatch.resolve("test/cat"), 3, 1, 0);
        digits(mismatch.resolve("test/cow"), 7, 1, 0);
        assertEquals(mismatch + ": train/ and test/ have different class folders (only in train/: dog; only in test/: cow); each "
                + "needs one folder per class, the same in both", refused(mismatch).getMessage());

        Path half = dir.resolve("half");
        digits(half.resolve("train/cat"), 3, 1, 0);
        digits(half.resolve("train/dog"), 5, 1, 0);
        assertEquals(half + ": has train/ but no test/; give both, each with one folder per class, or put the class folders in "
                + half + " itself to have 20% of each class held out for the test set", refused(half).getMessage());

        Path blank = dir.resolve("blank");
        digits(blank.resolve("cat"), 3, 1, 0);
        Files.createDirectories(blank.resolve("dog"));
        write(grey(new float[784], 1, 0, false), "png", blank.resolve("dog/nothing.png"));
        assertTrue(refused(blank).getMessage().startsWith(blank.resolve("dog/nothing.png") + ": blank image"));
    }

    @Test
    void dataSourcesTellsAFolderOfClassesFromAFolderOfIdxFiles() throws IOException {
        Path d = dir.resolve("pictures");
        digits(d.resolve("a"), 3, 2, 0);
        digits(d.resolve("b"), 5, 2, 0);
        assertTrue(ImageFolder.isImageFolder(d));
        assertEquals(List.of("a", "b"), DataSources.resolve(d.toString(), 0).train().classNames());

        Path idx = dir.resolve("idx");
        Files.createDirectories(idx.resolve("extra"));
        Files.writeString(idx.resolve("train-images-idx3-ubyte"), "");
        assertFalse(ImageFolder.isImageFolder(idx), "IDX files win");
        Path nothing = Files.createDirectories(dir.resolve("nothing"));
        assertFalse(ImageFolder.isImageFolder(nothing), "an empty folder is left to the IDX reader's message");
        assertTrue(ImageFolder.isImageFolder(dir.resolve("pictures/a")), "images without classes: the folder reader says so");
    }
}
