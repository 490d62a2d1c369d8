package backpropcl.data;

import backpropcl.text.Plural;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A data set of pictures in one folder per class, as torchvision's {@code ImageFolder} reads it:
 * {@code DIR/cat/1.png}, {@code DIR/dog/7.jpg}. The classes are the folder names, sorted (class 0
 * is the first name in order of their characters, as torchvision's {@code sorted()}); every file
 * under a class folder, in its subfolders too, is one picture of that class (files whose name
 * starts with '.' are skipped, every other one must be an image that javax.imageio decodes).
 *
 * <p>When DIR holds {@code train/} and {@code test/}, each with the same class folders, those are
 * the training and the test set. Otherwise the pictures are split as a CSV file is:
 * {@link DataSources#TEST_FRACTION} of each class held out for the test set by
 * {@link StratifiedSplit} from the seed (train's --seed, recorded in the model file, so that
 * evaluate and plot take the same test set).
 *
 * <p>Each picture is prepared exactly as {@code predict} prepares an image
 * ({@link ImageInput#features}), to {@link #SIDE} x {@link #SIDE} features, so that a model trained
 * on a folder sees its own pictures the way it will see new ones.
 */
public final class ImageFolder {

    /** The side of the prepared pictures: MNIST's. */
    public static final int SIDE = 28;

    /** The shape of one prepared picture, as a model file records it. */
    public static final String INPUT_SHAPE = "1x" + SIDE + "x" + SIDE;

    /** The folders that hold an explicit split. */
    static final String TRAIN = "train";
    static final String TEST = "test";

    /** File name endings that mark a picture, for telling a folder of pictures from one of IDX files. */
    private static final List<String> IMAGE_ENDINGS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private ImageFolder() {
    }

    /**
     * Whether {@code dir} is meant as a folder of pictures: it holds no IDX file ({@code train-*},
     * {@code t10k-*}) and holds a subfolder or a picture (then {@link #load} says what is wrong).
     */
    public static boolean isImageFolder(Path dir) {
        boolean idx = false;
        boolean folderOrImage = false;
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                folderOrImage = true;
            } else {
                idx |= name.startsWith("train-") || name.startsWith("t10k-");
                folderOrImage |= isImageName(name);
            }
        }
        return folderOrImage && !idx;
    }

    /**
     * Reads the pictures of {@code dir}. The split is named after the folder, its sets "NAME/train"
     * and "NAME/test"; {@link DataSources.Loaded#howSplit} says how it was made and how many
     * pictures each class has in each part.
     *
     * @param classes the number of classes; 0 or less: one per class folder
     * @param seed    seeds the split of a folder without train/ and test/
     */
    public static DataSources.Loaded load(Path dir, int classes, long seed) {
        String name = dir.toAbsolutePath().normalize().getFileName() == null ? dir.toString()
                : dir.toAbsolutePath().normalize().getFileName().toString();
        Path train = dir.resolve(TRAIN);
        Path test = dir.resolve(TEST);
        if (Files.isDirectory(train) && Files.isDirectory(test)) {
            List<String> names = classFolders(train);
            List<String> testNames = classFolders(test);
            if (!names.equals(testNames)) {
                throw new DataException(dir + ": " + TRAIN + "/ and " + TEST + "/ have different class folders (" + difference(names,
                        testNames) + "); each needs one folder per class, the same in both");
            }
            int k = classCount(train, names, classes);
            Dataset trainSet = read(train, names, k, name + "/train");
            Dataset testSet = read(test, names, k, name + "/test");
            String how = "test set from " + TEST + "/ (beside " + TRAIN + "/): "
                    + new StratifiedSplit(trainSet, testSet).describe("train", "test");
            return new DataSources.Loaded(new DataSplit(name, trainSet, testSet), null, how, INPUT_SHAPE);
        }
        if (Files.isDirectory(train) || Files.isDirectory(test)) {
            Path missing = Files.isDirectory(train) ? test : train;
            Path present = Files.isDirectory(train) ? train : test;
            throw new DataException(dir + ": has " + present.getFileName() + "/ but no " + missing.getFileName() + "/; give both, "
                    + "each with one folder per class, or put the class folders in " + dir + " itself to have "
                    + Math.round(DataSources.TEST_FRACTION * 100) + "% of each class held out for the test set");
        }
        List<String> names = classFolders(dir);
        Dataset all = read(dir, names, classCount(dir, names, classes), name);
        StratifiedSplit s = DataSources.testSplit(all, name, seed);
        return new DataSources.Loaded(new DataSplit(name, s.kept(), s.held()), null, DataSources.testSplitWords(s, seed), INPUT_SHAPE);
    }

    /** The class folders of {@code dir}, sorted; at least two, or a DataException saying what is there instead. */
    private static List<String> classFolders(Path dir) {
        List<String> names = new ArrayList<>();
        int images = 0;
        for (Path p : list(dir)) {
            String fileName = p.getFileName().toString();
            if (fileName.startsWith(".")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                names.add(fileName);
            } else if (isImageName(fileName)) {
                images++;
            }
        }
        names.sort(null);
        if (names.isEmpty()) {
            throw new DataException(dir + ": " + (images > 0 ? Plural.of(images, "image") + " but no class folders"
                    : "no class folders") + "; expected one folder per class holding its images, e.g. " + dir.resolve("cat")
                    + "/1.png and " + dir.resolve("dog") + "/2.png");
        }
        if (names.size() == 1) {
            throw new DataException(dir + ": one class folder (" + names.get(0) + "); expected at least two, one per class");
        }
        return names;
    }

    /** The number of classes: one per folder, or {@code classes} when given (at least as many). */
    private static int classCount(Path dir, List<String> names, int classes) {
        if (classes > 0 && classes < names.size()) {
            String last = names.get(classes);
            throw new LabelOutOfRangeException(String.format(Locale.ROOT, "%s: %d class folders, class %d is '%s'; expected 0..%d "
                    + "(%s)", dir, names.size(), classes, last, classes - 1, Plural.of(classes, "class")), dir.resolve(last).toString(),
                    "class folder '" + last + "'", classes, classes);
        }
        return Math.max(classes, names.size());
    }

    /** Every picture under root's class folders, class by class, each class's files in sorted order. */
    private static Dataset read(Path root, List<String> names, int classes, String setName) {
        List<float[]> features = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            Path folder = root.resolve(names.get(c));
            List<Path> files = files(folder);
            if (files.isEmpty()) {
                throw new DataException(folder + ": an empty class folder (no images); every class needs at least one image, "
                        + "or remove the folder");
            }
            for (Path f : files) {
                features.add(ImageInput.features(f, SIDE));
                labels.add(c);
            }
        }
        int width = SIDE * SIDE;
        float[] x = new float[Math.multiplyExact(features.size(), width)];
        int[] y = new int[features.size()];
        for (int i = 0; i < y.length; i++) {
            System.arraycopy(features.get(i), 0, x, i * width, width);
            y[i] = labels.get(i);
        }
        return new Dataset(setName, x, y, y.length, width, classes, names);
    }

    /** The files under folder, in its subfolders too, sorted, without those whose name starts with '.'. */
    private static List<Path> files(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(p -> !p.equals(folder) && !hidden(folder.relativize(p)))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataException(folder + ": could not list the folder (" + e.getMessage() + ")", e);
        }
    }

    /** Whether any part of a relative path starts with '.'. */
    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": could not list the directory (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return IMAGE_ENDINGS.stream().anyMatch(lower::endsWith);
    }

    /** "only in train/: cat; only in test/: cow" */
    private static String difference(List<String> train, List<String> test) {
        List<String> parts = new ArrayList<>();
        List<String> onlyTrain = train.stream().filter(n -> !test.contains(n)).toList();
        List<String> onlyTest = test.stream().filter(n -> !train.contains(n)).toList();
        if (!onlyTrain.isEmpty()) {
            parts.add("only in " + TRAIN + "/: " + String.join(", ", onlyTrain));
        }
        if (!onlyTest.isEmpty()) {
            parts.add("only in " + TEST + "/: " + String.join(", ", onlyTest));
        }
        return String.join("; ", parts);
    }
}
