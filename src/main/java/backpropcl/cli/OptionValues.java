package backpropcl.cli;

import backpropcl.io.PathNames;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the number options of every command: each checks its range while it
 * still has the text the user typed, so that a message shows that text ("--lr 1e-400", "got
 * Infinity"), not the double or int it was parsed into. A converter does not know its option's
 * name; its {@link BadValue} message is the rest of a sentence that {@link Main} starts with the
 * option's name.
 *
 * <p>Options name the converter of their kind, e.g. {@code @Option(names = "--lr", converter =
 * OptionValues.LearningRate.class)}; a subclass with a no-argument constructor is a new kind.
 */
final class OptionValues {
    private OptionValues() {
    }

    /** A value its option does not take; the message follows the option's name: "must be ..., got X". */
    static final class BadValue extends TypeConversionException {
        BadValue(String message) {
            super(message);
        }
    }

    /** The value as given on the command line, else the option's default text; for messages about relations between options. */
    static String typed(CommandSpec spec, String option) {
        OptionSpec o = spec.findOption(option);
        if (o == null) {
            throw new IllegalArgumentException("no option " + option);
        }
        List<String> given = o.originalStringValues();
        return given.isEmpty() ? o.defaultValue() : given.get(given.size() - 1);
    }

    /** Doubles from lo to hi, each end in or out; finite whatever the ends say. */
    abstract static class DoubleRange implements ITypeConverter<Double> {
        private final double lo;
        private final boolean loIncluded;
        private final double hi;
        private final boolean hiIncluded;
        private final String expected;
        private final String give;

        /**
         * @param expected what a good value is, after "must be": "a finite number > 0"
         * @param give     what to give instead of a value that does not fit a double: "a learning rate > 0"
         */
        DoubleRange(double lo, boolean loIncluded, double hi, boolean hiIncluded, String expected, String give) {
            this.lo = lo;
            this.loIncluded = loIncluded;
            this.hi = hi;
            this.hiIncluded = hiIncluded;
            this.expected = expected;
            this.give = give;
        }

        private boolean fits(double v) {
            return Double.isFinite(v) && (loIncluded ? v >= lo : v > lo) && (hiIncluded ? v <= hi : v < hi);
        }

        @Override
        public Double convert(String text) {
            String shown = shown(text);
            double v;
            try {
                v = Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                throw new BadValue("must be " + expected + ", got " + shown);
            }
            if (Double.isInfinite(v) && !text.toLowerCase(Locale.ROOT).contains("inf")) {
                throw new BadValue(shown + " is too large for a double (rounds to " + (v > 0 ? "" : "-") + "Infinity); give " + give);
            }
            if (v == 0 && !fits(0) && !text.strip().startsWith("-") && nonZeroMantissa(text.strip())) {
                throw new BadValue(shown + " is too small for a double (rounds to 0); give " + give);
            }
            if (!fits(v)) {
                throw new BadValue("must be " + expected + ", got " + shown);
            }
            return v;
        }

        /** Whether a number's digits before its exponent hold anything but zeros: 1e-400, not 0e5 or 0.000. */
        private static boolean nonZeroMantissa(String s) {
            String t = s.toLowerCase(Locale.ROOT);
            boolean hex = t.startsWith("0x") || t.startsWith("-0x") || t.startsWith("+0x");
            String body = hex ? t.substring(t.indexOf('x') + 1) : t;
            int end = body.indexOf(hex ? 'p' : 'e');
            String mantissa = end < 0 ? body : body.substring(0, end);
            return Pattern.compile(hex ? "[1-9a-f]" : "[1-9]").matcher(mantissa).find();
        }
    }

    /** Whole numbers of at least min (up to Integer.MAX_VALUE). */
    abstract static class IntAtLeast implements ITypeConverter<Integer> {
        private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]+");
        private final int min;
        private final String expected;

        /** @param expected what a good value is, after "must be": "a whole number >= 1" */
        IntAtLeast(int min, String expected) {
            this.min = min;
            this.expected = expected;
        }

        IntAtLeast(int min) {
            this(min, "a whole number >= " + min);
        }

        @Override
        public Integer convert(String text) {
            String shown = shown(text);
            String s = text.strip();
            if (!WHOLE.matcher(s).matches()) {
                throw new BadValue("must be " + expected + ", got " + shown);
            }
            long v;
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                v = s.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // more digits than a long holds
            }
            if (v > Integer.MAX_VALUE) {
                throw new BadValue(shown + " is too large (at most " + Integer.MAX_VALUE + "); give " + expected);
            }
            if (v < min) {
                throw new BadValue("must be " + expected + ", got " + shown);
            }
            return (int) v;
        }
    }

    /** The text as typed, for a message: quoted when it is empty or has spaces, cut to 40 characters. */
    static String shown(String text) {
        String t = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        t = t.replace("\r", "\\r").replace("\n", "\\n");
        return t.isBlank() || !t.equals(t.strip()) || t.contains(" ") ? "'" + t + "'" : t;
    }

    /**
     * File and directory names, for every Path option and parameter (registered in {@link Main}):
     * a name the JVM cannot make a path of says why, e.g. a locale that cannot represent it.
     */
    static final class FileName implements ITypeConverter<Path> {
        @Override
        public Path convert(String text) {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new BadValue("'" + PathNames.shown(text) + "': " + PathNames.why(text, e));
            }
        }
    }

    // The kinds, one per range the options use.

    /** A learning rate: a finite number above 0. */
    static final class LearningRate extends DoubleRange {
        LearningRate() {
            super(0, false, Double.MAX_VALUE, true, "a finite number > 0", "a learning rate > 0");
        }
    }

    /** A finite number above 0 (epsilon). */
    static final class Positive extends DoubleRange {
        Positive() {
            super(0, false, Double.MAX_VALUE, true, "a finite number > 0", "a number > 0");
        }
    }

    /** A finite number of 0 or more (weight decay, L2, the last rate of a schedule, tolerances: 0 asks for exact agreement). */
    static final class NonNegative extends DoubleRange {
        NonNegative() {
            super(0, true, Double.MAX_VALUE, true, "a finite number >= 0", "a finite number >= 0");
        }
    }

    /** A decay rate: from 0 up to but not including 1 (momentum, Adam's betas). */
    static final class Decay extends DoubleRange {
        Decay() {
            super(0, true, 1, false, "a number in [0, 1)", "a number in [0, 1)");
        }
    }

    /** A factor that shrinks or keeps: above 0, up to 1 (the step schedule's gamma). */
    static final class Factor extends DoubleRange {
        Factor() {
            super(0, false, 1, true, "a number in (0, 1]", "a number in (0, 1]");
        }
    }

    /** A fraction strictly between 0 and 1 (the part of a set held out). */
    static final class Fraction extends DoubleRange {
        Fraction() {
            super(0, false, 1, false, "a fraction in (0, 1), e.g. 0.1", "a fraction in (0, 1)");
        }
    }

    /** A count of 1 or more (batch size, samples, steps). */
    static final class Count extends IntAtLeast {
        Count() {
            super(1);
        }
    }

    /** A count of 0 or more (epochs, warm-up epochs, a device index). */
    static final class CountFromZero extends IntAtLeast {
        CountFromZero() {
            super(0);
        }
    }
}
