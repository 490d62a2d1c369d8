package backpropcl.data;

/**
 * Labelled samples held in memory: features (count, width) row-major in float, labels in
 * 0..classes-1. Targets are the one-hot vectors of the labels.
 *
 * @param name     where the data came from, for messages (e.g. "mnist-10k/train")
 * @param features (count, width) row-major
 * @param labels   (count), each in [0, classes)
 */
public record Dataset(String name, float[] features, int[] labels, int count, int width, int classes) {

    public Dataset {
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
        return new Dataset(name, f, l, m, width, classes);
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
