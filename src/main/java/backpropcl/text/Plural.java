package backpropcl.text;

import java.util.Locale;
import java.util.Map;

/**
 * A count with its noun in the right number: "1 epoch", "3 epochs", "1 class", "8,000 samples".
 * Every message that prints a count of things goes through here, so none says "1 epochs".
 */
public final class Plural {
    /**
     * The nouns of this program's messages whose plural is not the noun + "s". English has no rule
     * that gets them all ("batch" takes "es", "epoch" does not), so they are listed.
     */
    private static final Map<String, String> IRREGULAR = Map.of(
            "class", "classes", "batch", "batches", "entry", "entries", "process", "processes",
            "pass", "passes", "axis", "axes", "matrix", "matrices", "index", "indices", "box", "boxes");

    private Plural() {
    }

    /** "1 epoch", "0 epochs", "12 epochs": the count as a plain number, the noun made plural by {@link #word}. */
    public static String of(long n, String singular) {
        return n + " " + word(n, singular);
    }

    /** As {@link #of(long, String)} with an irregular plural given: {@code of(n, "matrix", "matrices")}. */
    public static String of(long n, String singular, String plural) {
        return n + " " + (isOne(n) ? singular : plural);
    }

    /** "1 sample", "8,000 samples": the count with thousands separators, as the data summaries print counts. */
    public static String grouped(long n, String singular) {
        return String.format(Locale.ROOT, "%,d ", n) + word(n, singular);
    }

    /**
     * The noun alone in the number that {@code n} asks for: "epoch" for 1, else its plural: the
     * noun + "s", or for the last word of the noun in {@link #IRREGULAR} its listed plural
     * ("classes", "batches"). A noun outside that list takes {@link #of(long, String, String)}.
     */
    public static String word(long n, String singular) {
        return isOne(n) ? singular : plural(singular);
    }

    private static boolean isOne(long n) {
        return n == 1 || n == -1;
    }

    private static String plural(String noun) {
        int space = noun.lastIndexOf(' ');
        String last = noun.substring(space + 1);
        return noun.substring(0, space + 1) + IRREGULAR.getOrDefault(last, last + "s");
    }
}
