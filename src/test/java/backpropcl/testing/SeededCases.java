package backpropcl.testing;

import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Property checks in plain JUnit 5: a generator makes an input from a seeded random source, a check
 * runs on it, {@code tries} times; each try is one {@link DynamicTest} (use it from a
 * {@code @TestFactory}).
 *
 * <p>Try {@code i} (1 to {@code tries}, as JUnit numbers the dynamic tests) draws from
 * {@code new SplittableRandom(trySeed)}, where the try seeds are the first {@code tries} longs of
 * {@code new SplittableRandom(seed)}: the same seed gives the same inputs on every run, and one
 * try's input does not depend on what the others drew. A failing try
 * fails with the property, the try index, both seeds and the input (its first
 * {@value #SHOWN} characters when long). Inputs are not shrunk: the message shows the input as it
 * was generated.
 */
public final class SeededCases {
    /** How much of an input's description a failure message shows. */
    static final int SHOWN = 600;

    private SeededCases() {
    }

    /** A check of one input; anything it throws fails the try. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Exception;
    }

    /** {@code tries} dynamic tests of {@code check} on inputs of {@code generator}, from {@code seed}. */
    public static <T> Stream<DynamicTest> tries(String property, long seed, int tries,
                                                Function<SplittableRandom, T> generator, Check<T> check) {
        SplittableRandom root = new SplittableRandom(seed);
        long[] trySeeds = root.longs(tries).toArray();
        return IntStream.rangeClosed(1, tries).mapToObj(i -> DynamicTest.dynamicTest(
                "try " + i + " (seed " + seed + ")", () -> runTry(property, seed, i, tries, trySeeds[i - 1], generator, check)));
    }

    private static <T> void runTry(String property, long seed, int i, int tries, long trySeed,
                                   Function<SplittableRandom, T> generator, Check<T> check) {
        String where = property + ", try " + i + " of " + tries + ", seed " + seed
                + " (try seed 0x" + Long.toHexString(trySeed) + "L)";
        T input;
        try {
            input = generator.apply(new SplittableRandom(trySeed));
        } catch (RuntimeException | Error e) {
            throw new AssertionError(where + ": the generator failed: " + e, e);
        }
        try {
            check.accept(input);
        } catch (Throwable t) {
            throw new AssertionError(where + "\n  input: " + describe(input) + "\n  " + t, t);
        }
    }

    /** An input for a failure message: byte arrays in hex, strings as Java literals, cut at {@value #SHOWN}. */
    public static String describe(Object input) {
        String s;
        if (input instanceof byte[] b) {
            s = b.length + " bytes " + HexFormat.ofDelimiter(" ").formatHex(b);
        } else if (input instanceof String text) {
            s = quote(text);
        } else {
            s = String.valueOf(input);
        }
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "... (" + s.length() + " characters)";
    }

    /** {@code text} as a Java string literal, line breaks and control characters escaped. */
    public static String quote(String text) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
