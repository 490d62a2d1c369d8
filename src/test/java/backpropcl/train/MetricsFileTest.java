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
        assertEquals("epoch,learning_rate,train_cost,train_accuracy,test_cost,test_accuracy,samples_per_second,seconds", csv.get(0));
        assertEquals("1,3.0,,,0.25,0.8125,12345.5,0.5", csv.get(1));
        String json = Files.readAllLines(dir.resolve("m.jsonl")).get(0);
        assertTrue(json.startsWith("{\"epoch\":1,\"learning_rate\":3.0,\"train_cost\":null"), json);
    }

    @Test
    void malformedFilesNameTheLine() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "epoch,learning_rate\n1,2,3\n");
        assertEquals(csv + ":2: expected 8 comma-separated values (epoch,learning_rate,train_cost,train_accuracy,test_cost,"
                + "test_accuracy,samples_per_second,seconds), got 3",
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
}
