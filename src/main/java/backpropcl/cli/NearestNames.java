package backpropcl.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The names a user most likely meant by a name that does not exist. Names are compared without
 * case, dashes and underscores ({@code --Learning_Rate} is {@code learningrate}); the first of
 * these that finds anything decides: the same name, then names that the typed one begins
 * ({@code --epoch} for {@code --epochs}), then the names fewest edits away (insertions, deletions,
 * substitutions and swaps of two neighbours, at most 1 for names of 3 or 4 letters, 2 up to 8
 * letters and 3 beyond; shorter names are too close to everything).
 */
final class NearestNames {
    /** At most this many suggestions: more is a list to read, not a suggestion. */
    static final int MOST = 3;

    /** Each candidate name as the user may type it, with what to suggest for it, in order of preference. */
    private final Map<String, String> candidates = new LinkedHashMap<>();

    /** Adds a name and its suggestion, unless a name that compares the same came first. */
    NearestNames add(String name, String suggestion) {
        candidates.putIfAbsent(key(name), suggestion);
        return this;
    }

    /** The suggestions for {@code typed}, best first, at most {@link #MOST}; empty when nothing is near. */
    List<String> suggest(String typed) {
        String t = key(typed);
        if (t.isEmpty()) {
            return List.of();
        }
        List<String> same = matching(k -> k.equals(t));
        if (!same.isEmpty()) {
            return same;
        }
        if (t.length() >= 2) {
            List<String> longer = matching(k -> k.startsWith(t) && !isNegation(t, k));
            if (!longer.isEmpty()) {
                return longer;
            }
        }
        int limit = t.length() < 3 ? 0 : t.length() <= 4 ? 1 : t.length() <= 8 ? 2 : 3;
        int best = limit + 1;
        for (String k : candidates.keySet()) {
            if (!isNegation(t, k)) {
                best = Math.min(best, distance(t, k));
            }
        }
        int found = best;
        return found > limit ? List.of() : matching(k -> !isNegation(t, k) && distance(t, k) == found);
    }

    private List<String> matching(java.util.function.Predicate<String> test) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, String> c : candidates.entrySet()) {
            if (out.size() < MOST && test.test(c.getKey())) {
                out.add(c.getValue());
            }
        }
        return new ArrayList<>(out);
    }

    /** {@code shuffle} is not a typo of {@code no-shuffle}: it says the opposite. */
    private static boolean isNegation(String typed, String key) {
        return key.equals("no" + typed) || typed.equals("no" + key);
    }

    /** A name as compared: lower case, without leading dashes, a value given with '=', dashes and underscores. */
    static String key(String name) {
        String n = name.strip();
        int eq = n.indexOf('=');
        if (eq > 0) {
            n = n.substring(0, eq);
        }
        return n.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** The optimal string alignment distance: Levenshtein's edits plus swapping two neighbouring letters. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
