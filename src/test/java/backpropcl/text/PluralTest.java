package backpropcl.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** "1 epoch", not "1 epochs" (issue 13, part 6). */
class PluralTest {
    @Test
    void oneIsSingularEverythingElsePlural() {
        assertEquals("1 epoch", Plural.of(1, "epoch"));
        assertEquals("0 epochs", Plural.of(0, "epoch"));
        assertEquals("2 epochs", Plural.of(2, "epoch"));
        assertEquals("-1 epoch", Plural.of(-1, "epoch"));
        assertEquals("11 epochs", Plural.of(11, "epoch"));
    }

    @Test
    void pluralsOfThisProgramsNouns() {
        assertEquals("3 classes", Plural.of(3, "class"));
        assertEquals("1 class", Plural.of(1, "class"));
        assertEquals("4 batches", Plural.of(4, "batch"));
        assertEquals("2 entries", Plural.of(2, "entry"));
        assertEquals("2 boxes", Plural.of(2, "box"));
        assertEquals("2 epochs", Plural.of(2, "epoch"), "not epoches: a ch is not always an es");
        assertEquals("2 test classes", Plural.of(2, "test class"), "the last word is looked up");
        assertEquals("2 subclasses", Plural.of(2, "subclass", "subclasses"));
        assertEquals("2 dense layers", Plural.of(2, "dense layer"), "the last word takes the plural");
        assertEquals("samples", Plural.word(5, "sample"));
        assertEquals("sample", Plural.word(1, "sample"));
    }

    @Test
    void irregularPluralsAreGiven() {
        assertEquals("2 matrices", Plural.of(2, "matrix", "matrices"));
        assertEquals("1 matrix", Plural.of(1, "matrix", "matrices"));
    }

    @Test
    void groupedCountsHaveThousandsSeparators() {
        assertEquals("8,000 samples", Plural.grouped(8000, "sample"));
        assertEquals("1 sample", Plural.grouped(1, "sample"));
        assertEquals("1,000,000 classes", Plural.grouped(1_000_000, "class"));
    }
}
