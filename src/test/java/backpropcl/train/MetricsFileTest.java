package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsFileTest {
    @TempDir
    Path dir;

    private static final List<EpochMetrics> ROWS = List.of(
            new EpochMetrics(1, 3.0, Double.NaN, Double.NaN, 0.25, 0.8125, 12345.5, 0.5),
            new EpochMetrics(2, 1.5, 0.125, 0.9, 0.2, 0.875, 20000, 0.25));

    @Test
    void csvAndJsonLinesRoundTrip() throws IOException {
        for (String name : new String[] {"m.csv", "m.jsonl", "m.txt"}) {
            Path f = dir.resolve(name);
            try (MetricsFile m = MetricsFile.create(f, ROWS.subList(0, 1))) {
                m.write(ROWS.get(1));
            }
            assertEquals(ROWS, MetricsFile.read(f), name);
        }
        List<String> csv = Files.readAllLines(dir.resolve("m.csv"));
        // The validation and cost columns come after the columns of the first layout (issue 13).
        assertEquals("epoch,learning_rate,train_cost,train_accuracy,test_cost,test_accuracy,samples_per_second,seconds,"
                + "val_cost,val_accuracy,cost", csv.get(0));
        assertEquals("1,3.0,,,0.25,0.8125,12345.5,0.5,,,", csv.get(1));
        String json = Files.readAllLines(dir.resolve("m.jsonl")).get(0);
        assertTrue(json.startsWith("{\"epoch\":1,\"learning_rate\":3.0,\"train_cost\":null"), json);
    }

    @Test
    void malformedFilesNameTheLine() throws IOException {
        Path csv = dir.resolve("bad.csv");
        // The file is read by its header's names since issue 13, so the header says how many values a row has.
        Files.writeString(csv, "epoch,learning_rate\n1,2,3\n");
        assertEquals(csv + ":2: expected 2 comma-separated values (epoch,learning_rate, as the header says), got 3",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(csv)).getMessage());
        Files.writeString(csv, "1,2,3\n");
        assertEquals(csv + ":1: expected 11 comma-separated values (epoch,learning_rate,train_cost,train_accuracy,test_cost,"
                + "test_accuracy,samples_per_second,seconds,val_cost,val_accuracy,cost), or the 8 of a file written before the "
                + "validation columns, got 3",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(csv)).getMessage());
        Files.writeString(csv, "1,x,,,0.1,0.2,3,4\n");
        assertEquals(csv + ":1: learning_rate is not a number: 'x'",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(csv)).getMessage());
        Path json = dir.resolve("bad.jsonl");
        Files.writeString(json, "{\"epoch\": 0}\n");
        assertTrue(assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(json)).getMessage()
                .contains(":1: epoch must be a whole number from 1"));
        Files.writeString(json, "[1, 2]\n");
        assertEquals(json + ":1: expected a JSON object",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(json)).getMessage());
        Files.writeString(json, "");
        assertEquals(json + ": no epochs in the metrics file",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(json)).getMessage());
        assertTrue(assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(dir.resolve("none.csv"))).getMessage()
                .contains("cannot read the metrics file"));
    }

    private static final List<EpochMetrics> VALIDATED = List.of(
            new EpochMetrics(1, 0.001, 0.5, 0.8, Double.NaN, Double.NaN, 900, 1.5, 0.625, 0.75),
            new EpochMetrics(2, 0.001, 0.25, 0.9, Double.NaN, Double.NaN, 1000, 1.25, 0.5, 0.8125));

    @Test
    void validationValuesAndTheCostRoundTrip() throws IOException {
        for (String name : new String[] {"v.csv", "v.jsonl"}) {
            Path f = dir.resolve(name);
            try (MetricsFile m = MetricsFile.create(f, VALIDATED.subList(0, 1), "cross-entropy")) {
                m.write(VALIDATED.get(1));
            }
            MetricsFile.Contents back = MetricsFile.readContents(f);
            assertEquals(VALIDATED, back.rows(), name);
            assertEquals("cross-entropy", back.cost(), name);
        }
        assertEquals("2,0.001,0.25,0.9,,,1000.0,1.25,0.5,0.8125,cross-entropy", Files.readAllLines(dir.resolve("v.csv")).get(2));
        String json = Files.readAllLines(dir.resolve("v.jsonl")).get(1);
        assertTrue(json.endsWith("\"val_cost\":0.5,\"val_accuracy\":0.8125,\"cost\":\"cross-entropy\"}"), json);
    }

    /** A file of the layout before validation splits (8 columns, no cost) still reads: no validation values, no cost. */
    @Test
    void filesOfTheFirstLayoutStillRead() throws IOException {
        Path csv = dir.resolve("old.csv");
        Files.writeString(csv, "epoch,learning_rate,train_cost,train_accuracy,test_cost,test_accuracy,samples_per_second,seconds\n"
                + "1,3.0,,,0.25,0.8125,12345.5,0.5\n2,1.5,0.125,0.9,0.2,0.875,20000.0,0.25\n");
        MetricsFile.Contents back = MetricsFile.readContents(csv);
        assertEquals(ROWS, back.rows());
        assertEquals(null, back.cost());
        Path headless = dir.resolve("headless.csv");
        Files.writeString(headless, "1,3.0,,,0.25,0.8125,12345.5,0.5\n");
        assertEquals(ROWS.subList(0, 1), MetricsFile.read(headless));
        Path json = dir.resolve("old.jsonl");
        Files.writeString(json, "{\"epoch\":1,\"learning_rate\":3.0,\"train_cost\":null,\"train_accuracy\":null,\"test_cost\":0.25,"
                + "\"test_accuracy\":0.8125,\"samples_per_second\":12345.5,\"seconds\":0.5}\n");
        assertEquals(ROWS.subList(0, 1), MetricsFile.read(json));
    }

    /** Columns go by the header's names: another order reads the same, a column this version does not know is skipped. */
    @Test
    void columnsAreReadByName() throws IOException {
        Path csv = dir.resolve("by-name.csv");
        Files.writeString(csv, "cost,seconds,epoch,notes,val_accuracy,test_accuracy\nquadratic,0.5,1,anything,0.75,0.8\n");
        MetricsFile.Contents back = MetricsFile.readContents(csv);
        assertEquals(List.of(new EpochMetrics(1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.8, Double.NaN, 0.5, Double.NaN, 0.75)),
                back.rows());
        assertEquals("quadratic", back.cost());
    }

    @Test
    void aFileOfTwoCostsIsRefused() throws IOException {
        Path csv = dir.resolve("two.csv");
        Files.writeString(csv, "epoch,test_cost,cost\n1,0.5,quadratic\n2,0.4,cross-entropy\n");
        assertEquals(csv + ":3: cost 'cross-entropy' differs from the earlier rows' 'quadratic'; a metrics file holds one run",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(csv)).getMessage());
        Path json = dir.resolve("bad-cost.jsonl");
        Files.writeString(json, "{\"epoch\":1,\"cost\":3}\n");
        assertEquals(json + ":1: cost is not a text: 3",
                assertThrows(MetricsFile.MetricsException.class, () -> MetricsFile.read(json)).getMessage());
    }
}
