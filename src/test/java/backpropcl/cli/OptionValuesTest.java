package backpropcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The number converters of issue 12, family 9: the typed text in every message, ranges and the edges of a double. */
class OptionValuesTest {

    private static String refused(picocli.CommandLine.ITypeConverter<?> c, String text) {
        return assertThrows(OptionValues.BadValue.class, () -> c.convert(text), text).getMessage();
    }

    @Test
    void doublesThatDoNotFitAreNamedAsTyped() {
        var lr = new OptionValues.LearningRate();
        assertEquals("1e-400 is too small for a double (rounds to 0); give a learning rate > 0", refused(lr, "1e-400"));
        assertEquals("0x1p-2000 is too small for a double (rounds to 0); give a learning rate > 0", refused(lr, "0x1p-2000"));
        assertEquals("1e999 is too large for a double (rounds to Infinity); give a learning rate > 0", refused(lr, "1e999"));
        assertEquals("must be a finite number > 0, got -1e-400", refused(lr, "-1e-400"));
        assertEquals("must be a finite number > 0, got 0e5", refused(lr, "0e5"));
        assertEquals("must be a finite number > 0, got 0.000", refused(lr, "0.000"));
        assertEquals("must be a finite number > 0, got -Infinity", refused(lr, "-Infinity"));
        assertEquals("must be a finite number > 0, got ''", refused(lr, ""));
        assertEquals(1e-300, lr.convert("1e-300"));
        assertEquals(Double.MIN_VALUE, lr.convert("4.9e-324"));
    }

    @Test
    void zeroIsAllowedWhereTheRangeHasIt() {
        var decay = new OptionValues.NonNegative();
        assertEquals(0.0, decay.convert("1e-400"));
        assertEquals("must be a finite number >= 0, got Infinity", refused(decay, "Infinity"));
        assertEquals("-1e999 is too large for a double (rounds to -Infinity); give a finite number >= 0", refused(decay, "-1e999"));
        assertEquals(0.999, new OptionValues.Decay().convert("0.999"));
        assertEquals("must be a number in [0, 1), got 1.0", refused(new OptionValues.Decay(), "1.0"));
        assertEquals(1.0, new OptionValues.Factor().convert("1"));
    }

    @Test
    void wholeNumbers() {
        var count = new OptionValues.Count();
        assertEquals(7, count.convert(" 7 "));
        assertEquals("must be a whole number >= 1, got 1.5", refused(count, "1.5"));
        assertEquals("must be a whole number >= 1, got 1e3", refused(count, "1e3"));
        assertEquals("must be a whole number >= 1, got +0", refused(count, "+0"));
        assertEquals("2147483648 is too large (at most 2147483647); give a whole number >= 1", refused(count, "2147483648"));
        assertEquals("must be a whole number >= 1, got -99999999999999999999", refused(count, "-99999999999999999999"));
        assertEquals("99999999999999999999 is too large (at most 2147483647); give a whole number >= 1",
                refused(count, "99999999999999999999"));
        assertEquals(0, new OptionValues.CountFromZero().convert("0"));
    }
}
