package backpropcl.data;

/**
 * Nielsen's "expanding the training data" (chapter 6, expand_mnist.py): every square image
 * followed by four copies of it shifted by one pixel up, down, left and right, the uncovered
 * row or column filled with 0 (the background). Five times the samples, the same labels: a
 * network then learns that a digit moved by a pixel is the same digit.
 */
public final class Expansion {
    private Expansion() {
    }

    /** The shifts, as (rows, columns): up, down, left, right. */
    private static final int[][] SHIFTS = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};

    /**
     * The expanded set: sample i at 5i, its shifts at 5i+1 .. 5i+4.
     *
     * @throws DataException when the samples are not square images
     */
    public static Dataset shifted(Dataset d) {
        int side = (int) Math.round(Math.sqrt(d.width()));
        if (side * side != d.width()) {
            throw new DataException(d.name() + ": --expand shifts square images, but a sample has " + d.width()
                    + " features, which is not a square");
        }
        int n = d.count();
        int w = d.width();
        long values = 5L * n * w;
        if (values > IdxReader.MAX_BYTES / 4) {
            throw new DataException(d.name() + ": --expand would make 5 x " + n + " samples of " + w + " features, " + values
                    + " values, more than one data set holds (" + IdxReader.MAX_BYTES / 4 + "); use --train-samples "
                    + IdxReader.MAX_BYTES / 4 / 5 / w + " or fewer");
        }
        float[] x = new float[(int) values];
        int[] labels = new int[5 * n];
        float[] src = d.features();
        for (int i = 0; i < n; i++) {
            int base = 5 * i;
            System.arraycopy(src, i * w, x, base * w, w);
            labels[base] = d.labels()[i];
            for (int s = 0; s < SHIFTS.length; s++) {
                int out = (base + 1 + s) * w;
                int dr = SHIFTS[s][0];
                int dc = SHIFTS[s][1];
                for (int r = 0; r < side; r++) {
                    int sr = r - dr;
                    if (sr < 0 || sr >= side) {
                        continue;
                    }
                    for (int c = 0; c < side; c++) {
                        int sc = c - dc;
                        if (sc >= 0 && sc < side) {
                            x[out + r * side + c] = src[i * w + sr * side + sc];
                        }
                    }
                }
                labels[base + 1 + s] = d.labels()[i];
            }
        }
        return new Dataset(d.name() + " (expanded x5)", x, labels, 5 * n, w, d.classes(), d.classNames());
    }
}
