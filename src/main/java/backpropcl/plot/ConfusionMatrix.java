package backpropcl.plot;

import backpropcl.data.Dataset;
import backpropcl.model.Inference;
import backpropcl.model.Parameters;

/**
 * Counts of (true class, predicted class) pairs over a data set: row t, column p holds how many
 * samples of class t were predicted as p. The diagonal holds the correct predictions.
 */
public final class ConfusionMatrix {
    /** Samples per forward pass on the host: bounds the double copies Inference makes of a large test set. */
    private static final int CHUNK = 1024;

    private final long[][] counts;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
    }

    /**
     * Counts the pairs (labels[i], predicted[i]).
     *
     * @param predicted the predicted class of each sample, each in [0, classes)
     * @param labels    the true class of each sample, each in [0, classes); same length
     * @throws IllegalArgumentException when the lengths differ or a class is out of range
     */
    public static ConfusionMatrix of(int[] predicted, int[] labels, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("a confusion matrix needs at least one class, got " + classes);
        }
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + labels.length + " labels");
        }
        long[][] c = new long[classes][classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("sample " + i + ": label " + labels[i] + ", prediction " + predicted[i]
                        + ", outside 0.." + (classes - 1));
            }
            c[labels[i]][predicted[i]]++;
        }
        return new ConfusionMatrix(c);
    }

    /** The matrix of the network with parameters {@code p} on every sample of {@code data}. */
    public static ConfusionMatrix of(Parameters p, Dataset data) {
        int[] pred = new int[data.count()];
        int w = data.width();
        for (int start = 0; start < data.count(); start += CHUNK) {
            int rows = Math.min(CHUNK, data.count() - start);
            float[] x = new float[rows * w];
            System.arraycopy(data.features(), start * w, x, 0, x.length);
            System.arraycopy(Inference.predictions(p, x, rows), 0, pred, start, rows);
        }
        return of(pred, data.labels(), p.network().outputSize());
    }

    public int classes() {
        return counts.length;
    }

    /** How many samples of class {@code trueClass} were predicted as {@code predictedClass}. */
    public long count(int trueClass, int predictedClass) {
        return counts[trueClass][predictedClass];
    }

    /** A copy of the counts, [true class][predicted class]. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int t = 0; t < counts.length; t++) {
            copy[t] = counts[t].clone();
        }
        return copy;
    }

    /** The number of samples of class t (the sum of row t). */
    public long rowTotal(int t) {
        long s = 0;
        for (long v : counts[t]) {
            s += v;
        }
        return s;
    }

    /** The number of samples predicted as p (the sum of column p). */
    public long columnTotal(int p) {
        long s = 0;
        for (long[] row : counts) {
            s += row[p];
        }
        return s;
    }

    public long total() {
        long s = 0;
        for (int t = 0; t < counts.length; t++) {
            s += rowTotal(t);
        }
        return s;
    }

    /** The diagonal's sum: samples predicted as their own class. */
    public long correct() {
        long s = 0;
        for (int t = 0; t < counts.length; t++) {
            s += counts[t][t];
        }
        return s;
    }

    /** correct / total; NaN when there are no samples. */
    public double accuracy() {
        long n = total();
        return n == 0 ? Double.NaN : (double) correct() / n;
    }

    /** The fraction of class t's samples predicted as t; NaN when there are none. */
    public double recall(int t) {
        long n = rowTotal(t);
        return n == 0 ? Double.NaN : (double) counts[t][t] / n;
    }

    /** The fraction of the samples predicted as p that are of class p; NaN when none were. */
    public double precision(int p) {
        long n = columnTotal(p);
        return n == 0 ? Double.NaN : (double) counts[p][p] / n;
    }

    /** count(t, p) / rowTotal(t): what share of class t went to p; 0 for an empty row. */
    public double rowFraction(int t, int p) {
        long n = rowTotal(t);
        return n == 0 ? 0 : (double) counts[t][p] / n;
    }
}
