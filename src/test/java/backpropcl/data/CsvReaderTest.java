package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
