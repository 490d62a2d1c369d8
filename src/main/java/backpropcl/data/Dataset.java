package backpropcl.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Labelled samples held in memory: features (count, width) row-major in float, labels in
 * 0..classes-1. Targets are the one-hot vectors of the labels.
 *
 * @param name       where the data came from, for messages (e.g. "mnist-10k/train")
 * @param features   (count, width) row-major
 * @param labels     (count), each in [0, classes)
 * @param classNames the name of each class in label order ("setosa", "Ankle boot"), at most
 *                   {@code classes} of them; null or shorter: the rest are named by their number
 */
public record Dataset(String name, float[] features, int[] labels, int count, int width, int classes, List<String> classNames) {

    /** A data set whose classes are named by their numbers (the digits). */
    public Dataset(String name, float[] features, int[] labels, int count, int width, int classes) {
        this(name, features, labels, count, width, classes, null);
    }

    public Dataset {
        if (classNames != null) {
            classNames = List.copyOf(classNames);
            if (classNames.size() > classes) {
                throw new IllegalArgumentException(name + ": " + classNames.size() + " class names for " + classes + " classes");
            }
        }
        if (count < 0 || width < 1 || classes < 1) {
            throw new IllegalArgumentException(name + ": bad shape count=" + count + " width=" + width + " classes=" + classes);
        }
        if (features.length != (long) count * width || labels.length != count) {
            throw new IllegalArgumentException(name + ": arrays do not match count=" + count + " width=" + width);
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": record " + i + " has label " + labels[i]
                        + ", outside 0.." + (classes - 1));
            }
        }
    }

    /** The first n samples (or all, when there are fewer), as a new data set. */
    public Dataset head(int n) {
        int m = Math.min(n, count);
        float[] f = new float[m * width];
        System.arraycopy(features, 0, f, 0, f.length);
        int[] l = new int[m];
        System.arraycopy(labels, 0, l, 0, m);
        return new Dataset(name, f, l, m, width, classes, classNames);
    }

    /** The same samples under another name. */
    public Dataset named(String newName) {
        return new Dataset(newName, features, labels, count, width, classes, classNames);
    }

    /** The same samples with {@code k} classes (at least the labels'), the names kept. */
    public Dataset withClasses(int k) {
        return new Dataset(name, features, labels, count, width, k,
                classNames != null && classNames.size() > k ? classNames.subList(0, k) : classNames);
    }

    /** Class {@code c}'s name: its given name, else its number. */
    public String className(int c) {
        return classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
    }

    /** Every class's name in label order, numbers where none was given. */
    public List<String> allClassNames() {
        List<String> all = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            all.add(className(c));
        }
        return all;
    }

    /** How many samples each class has, by label. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The samples at {@code rows} (indices into this set, in that order), as a new data set. */
    public Dataset select(int[] rows, String newName) {
        float[] f = new float[rows.length * width];
        int[] l = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(features, rows[i] * width, f, i * width, width);
            l[i] = labels[rows[i]];
        }
        return new Dataset(newName, f, l, rows.length, width, classes, classNames);
    }

    /**
     * Copies the features of samples order[start..start+rows) into x (rows, width) and their one-hot
     * targets into y (rows, outputs), in double, as the reference engine wants them.
     */
    public void gather(int[] order, int start, int rows, double[] x, double[] y, int outputs) {
        java.util.Arrays.fill(y, 0, rows * outputs, 0.0);
        for (int r = 0; r < rows; r++) {
            int s = order == null ? start + r : order[start + r];
            int src = s * width;
            int dst = r * width;
            for (int j = 0; j < width; j++) {
                x[dst + j] = features[src + j];
            }
            y[r * outputs + labels[s]] = 1.0;
        }
    }
}
