package backpropcl.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Splits a data set in two with every class in the same proportion in both parts, as
 * scikit-learn's {@code train_test_split(..., stratify=y)} does: each class's rows are shuffled
 * from the seed and the first {@link #heldCount} of them are held out. Both parts keep the rows in
 * the data set's order, so a split depends on the seed and the labels only, never on how the rows
 * were sorted (a class-sorted CSV file gives every class to both parts).
 *
 * @param kept the rows that stay (training)
 * @param held the rows held out (test or validation)
 */
public record StratifiedSplit(Dataset kept, Dataset held) {

    /** Mixes the seed so that a validation split and an epoch's shuffle from one --seed differ. */
    private static final int STREAM = 0x57a7;

    /**
     * Holds out {@code fraction} of every class of {@code data}.
     *
     * @param fraction in (0, 1)
     * @param keptName the name of the part that stays, e.g. "iris/train"
     * @param heldName the name of the held-out part, e.g. "iris/validation"
     */
    public static StratifiedSplit of(Dataset data, double fraction, long seed, String keptName, String heldName) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("a split's fraction must be between 0 and 1, got " + fraction);
        }
        RandomGenerator rng = new Well19937c(new int[] {(int) (seed >>> 32), (int) seed, STREAM});
        int[] counts = data.classCounts();
        int[][] byClass = new int[data.classes()][];
        int[] filled = new int[data.classes()];
        for (int c = 0; c < counts.length; c++) {
            byClass[c] = new int[counts[c]];
        }
        for (int i = 0; i < data.count(); i++) {
            int c = data.labels()[i];
            byClass[c][filled[c]++] = i;
        }
        boolean[] isHeld = new boolean[data.count()];
        for (int c = 0; c < counts.length; c++) {
            int[] rows = byClass[c];
            for (int i = rows.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = rows[i];
                rows[i] = rows[j];
                rows[j] = t;
            }
            for (int i = 0; i < heldCount(rows.length, fraction); i++) {
                isHeld[rows[i]] = true;
            }
        }
        int heldTotal = 0;
        for (boolean h : isHeld) {
            heldTotal += h ? 1 : 0;
        }
        int[] keptRows = new int[data.count() - heldTotal];
        int[] heldRows = new int[heldTotal];
        int k = 0;
        int h = 0;
        for (int i = 0; i < data.count(); i++) {
            if (isHeld[i]) {
                heldRows[h++] = i;
            } else {
                keptRows[k++] = i;
            }
        }
        return new StratifiedSplit(data.select(keptRows, keptName), data.select(heldRows, heldName));
    }

    /**
     * How many of a class's {@code n} rows are held out: {@code fraction * n} rounded, but at least
     * one when the class has two or more rows (so every class is in both parts) and never all of
     * them (a class of one row stays in training).
     */
    public static int heldCount(int n, double fraction) {
        if (n < 2) {
            return 0;
        }
        long rounded = Math.round(fraction * n);
        return (int) Math.max(1, Math.min(n - 1, rounded));
    }

    /** "3 classes: setosa 40/10, versicolor 40/10, virginica 40/10 (kept/held)", for the output. */
    public String describe(String keptWord, String heldWord) {
        int[] a = kept.classCounts();
        int[] b = held.classCounts();
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < a.length; c++) {
            parts.add(kept.className(c) + " " + a[c] + "/" + b[c]);
        }
        int shown = Math.min(parts.size(), 20);
        String more = parts.size() > shown ? String.format(Locale.ROOT, " and %d more", parts.size() - shown) : "";
        return String.format(Locale.ROOT, "%,d %s / %,d %s, per class %s/%s: %s%s", kept.count(), keptWord, held.count(), heldWord,
                keptWord, heldWord, String.join(", ", parts.subList(0, shown)), more);
    }
}
