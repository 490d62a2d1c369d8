package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path f = dir.resolve("points.csv");
        Files.writeString(f, text);
        return f;
    }

    /** Asserts a DataException "FILE: line N..." containing {@code part}. */
    private void assertLineError(String text, int classes, int line, String part) throws IOException {
        Path f = csv(text);
        DataException e = assertThrows(DataException.class, () -> CsvReader.read(f, classes));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ": line " + line), "should name line " + line + ": " + m);
        assertTrue(m.contains(part), "should contain '" + part + "': " + m);
    }

    @Test
    void withoutHeader() throws IOException {
        Dataset d = CsvReader.read(csv("1,0.5,-2\n0, 3e2 ,.25\n\n2,7,8\n"), 3);
        assertEquals("points", d.name());
        assertEquals(3, d.count());
        assertEquals(2, d.width());
        assertEquals(3, d.classes());
        assertArrayEquals(new int[] {1, 0, 2}, d.labels());
        assertArrayEquals(new float[] {0.5f, -2f, 300f, 0.25f, 7f, 8f}, d.features());
    }

    @Test
    void withHeaderCrlfAndInferredClasses() throws IOException {
        Dataset d = CsvReader.read(csv("\uFEFFlabel,x,y\r\n\r\n4,1,2\r\n1.0,3,4\r\n"), 0);
        assertEquals(2, d.count());
        assertEquals(5, d.classes());
        assertArrayEquals(new int[] {4, 1}, d.labels());
        assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
    }

    @Test
    void wrongNumberOfFields() throws IOException {
        assertLineError("x,y,z\n1,2,3\n\n0,1\n", 2, 4, "has 2 fields; expected 3");
    }

    @Test
    void labelWithoutFeatures() throws IOException {
        assertLineError("1\n", 2, 1, "expected a label followed by at least one feature");
    }

    @Test
    void fieldNotANumber() throws IOException {
        assertLineError("1,2,3\n0,abc,3\n", 2, 2, "field 2: 'abc' is not a number");
        assertLineError("1,2,3\n0,2,0x10\n", 2, 2, "field 3: '0x10' is not a number");
        assertLineError("1,2,3\n0,2,\n", 2, 2, "field 3: '' is not a number");
    }

    @Test
    void nanAndInfinity() throws IOException {
        assertLineError("1,2,NaN\n", 2, 1, "'NaN' is NaN or infinite");
        assertLineError("1,2,3\n1,-Infinity,3\n", 2, 2, "'-Infinity' is NaN or infinite");
        assertLineError("1,2,3\n1,inf,3\n", 2, 2, "NaN or infinite");
        assertLineError("1,2,3\n1,1e39,3\n", 2, 2, "'1e39' is infinite in float");
    }

    @Test
    void badLabels() throws IOException {
        assertLineError("1,2\n-1,2\n", 0, 2, "label '-1' is not a non-negative integer");
        assertLineError("1,2\n2.5,2\n", 0, 2, "label '2.5' is not a non-negative integer");
        assertLineError("1,2\ncat,2\n", 0, 2, "label 'cat' is not a non-negative integer");
        assertLineError("1,2\n0,1\n10,2\n", 10, 3, "label 10 is out of range; expected 0..9 (10 classes)");
    }

    @Test
    void noRows() throws IOException {
        Path f = csv("label,a,b\n\n");
        DataException e = assertThrows(DataException.class, () -> CsvReader.read(f, 2));
        assertEquals(f + ": no data rows; expected lines of label,feature1,feature2,...", e.getMessage());
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("absent.csv");
        DataException e = assertThrows(DataException.class, () -> CsvReader.read(f, 2));
        assertEquals(f + ": no such file", e.getMessage());
    }

    private CsvReader.Table table(String text, String labelColumn, String separator) throws IOException {
        return CsvReader.read(csv(text), 0, new CsvOptions(labelColumn, separator), CsvReader.Labels.detect());
    }

    @Test
    void wordLabelsLastBecomeSortedClassNames() throws IOException {
        CsvReader.Table t = table("sepal length,sepal width,species\n5.1,3.5,virginica\n4.9,3.0,setosa\n6.0,2.2,versicolor\n"
                + "5.0,3.1,setosa\n", "last", null);
        Dataset d = t.data();
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new int[] {2, 0, 1, 0}, d.labels());
        assertArrayEquals(new float[] {5.1f, 3.5f, 4.9f, 3.0f, 6.0f, 2.2f, 5.0f, 3.1f}, d.features());
        assertEquals(List.of("sepal length", "sepal width", "species"), t.format().header());
        assertEquals(2, t.format().labelColumn());
        assertEquals("header of 3 columns (sepal length, sepal width, species), separator ',', label: column 3 (species)",
                t.format().describe());
        assertEquals("3 classes named in the file, in sorted order: setosa, versicolor, virginica",
                t.format().describeClasses(d.classes()));
    }

    @Test
    void theLabelColumnByNameByNumberAndItsErrors() throws IOException {
        String text = "a,kind,b\n1,x,2\n3,y,4\n";
        assertArrayEquals(new int[] {0, 1}, table(text, "kind", null).data().labels());
        assertArrayEquals(new int[] {0, 1}, table(text, "KIND", null).data().labels());
        assertArrayEquals(new float[] {1, 2, 3, 4}, table(text, "2", null).data().features());
        Path f = csv(text);
        DataException e = assertThrows(DataException.class, () -> table(text, "size", null));
        assertEquals("--label-column size: " + f + ": its header has no column 'size' (its columns: a, kind, b)", e.getMessage());
        e = assertThrows(DataException.class, () -> table(text, "4", null));
        assertEquals("--label-column 4: " + f + " has 3 columns; expected a column number from 1 to 3", e.getMessage());
        e = assertThrows(DataException.class, () -> table("1,x,2\n3,y,4\n", "kind", null));
        assertTrue(e.getMessage().contains("has no header row (its first line is data), so no column is named 'kind'"),
                e.getMessage());
        e = assertThrows(DataException.class, () -> new CsvOptions("0", null));
        assertTrue(e.getMessage().startsWith("--label-column 0: columns are counted from 1"), e.getMessage());
    }

    @Test
    void semicolonsTabsDecimalCommasAndQuotes() throws IOException {
        CsvReader.Table semi = table("\"Alcohol\";\"Malic acid\";\"class\"\n14,23;1,71;\"class_0\"\n13,2;1,78;\"class_1\"\n",
                "last", null);
        assertEquals(';', semi.format().separator());
        assertTrue(semi.format().decimalComma());
        assertArrayEquals(new float[] {14.23f, 1.71f, 13.2f, 1.78f}, semi.data().features());
        assertEquals(List.of("Alcohol", "Malic acid", "class"), semi.format().header());
        assertEquals(List.of("class_0", "class_1"), semi.data().classNames());

        CsvReader.Table tab = table("1\t0.5\t2\n0\t1.5\t3\n", "first", null);
        assertEquals('\t', tab.format().separator());
        assertArrayEquals(new float[] {0.5f, 2, 1.5f, 3}, tab.data().features());
        assertEquals("no header row, 3 columns, separator tab, label: column 1", tab.format().describe());

        CsvReader.Table quoted = table("\"a, \"\"b\"\"\",1,2\nc,3,4\n", "first", ",");
        assertEquals(List.of("a, \"b\"", "c"), quoted.data().classNames());
        assertLineError("x,y,z\n\"open,1,2\n", 0, 2, "a quoted field is not closed");
        // Given, the separator is not detected: a comma file read as ';' is one field a row.
        Path commas = csv("0,1,2\n1,2,3\n");
        DataException e = assertThrows(DataException.class, () -> CsvReader.read(commas, 0, new CsvOptions("first", ";"),
                CsvReader.Labels.detect()));
        assertTrue(e.getMessage().startsWith(commas + ": line 1: has 1 field"), e.getMessage());
        Path f = csv("0;1;2\n1;2;3\n");
        assertEquals(2, CsvReader.read(f, 0, new CsvOptions("first", "semicolon"), CsvReader.Labels.detect()).data().width());
    }

    @Test
    void aHeaderIsALineWithWordsWhereTheNextHasNumbers() throws IOException {
        assertEquals(2, table("setosa,5.1\nvirginica,4.9\n", "first", null).data().count(), "word labels are no header");
        assertEquals(1, table("species,length\nsetosa,5.1\n", "first", null).data().count());
        assertEquals(null, table("setosa,5.1\nvirginica,4.9\n", "first", null).format().header());
    }

    @Test
    void labelsAreNumbersWhenTheFirstIsAndMustStaySo() throws IOException {
        assertLineError("1,2\ncat,2\n", 0, 2, "label 'cat' is not a non-negative integer; the first row's label is a number");
        Path f = csv("x,y\n1,b\n2,a\n");
        DataException e = assertThrows(DataException.class, () -> CsvReader.read(f, 0, new CsvOptions("last", null),
                CsvReader.Labels.numbers("the model")));
        assertTrue(e.getMessage().endsWith("label 'b' is not a non-negative integer; the labels of the model are class numbers, "
                + "so these must be too"), e.getMessage());
        e = assertThrows(DataException.class, () -> CsvReader.read(f, 0, new CsvOptions("last", null),
                CsvReader.Labels.names(List.of("a", "c"), "the model")));
        assertEquals(f + ": line 2: class 'b' is not one of the 2 classes of the model (a, c)", e.getMessage());
    }

    @Test
    void moreNamesThanClassesNamesTheFirstRowBeyond() throws IOException {
        Path f = csv("1,c\n2,a\n3,b\n4,d\n");
        LabelOutOfRangeException e = assertThrows(LabelOutOfRangeException.class, () -> CsvReader.read(f, 2,
                new CsvOptions("last", null), CsvReader.Labels.detect()));
        assertEquals(f + ": line 1: class 'c' is class 2 of the 4 class names, in sorted order (a, b, c, d); expected at most "
                + "2 classes", e.getMessage());
        assertEquals("line 1", e.record());
    }
}
