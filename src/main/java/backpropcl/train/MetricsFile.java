package backpropcl.train;

import backpropcl.io.AtomicFile;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-epoch metrics of a run ({@code train --metrics FILE}), one row per epoch: CSV with a
 * header, or JSON lines when the file name ends in {@code .jsonl} or {@code .json}. Columns, in
 * order: {@link #COLUMNS}. A value that was not measured (the training set's, when it is not
 * evaluated) is an empty CSV field or a JSON null.
 *
 * <p>The first row replaces the file, atomically, with the header, the earlier rows and itself:
 * a run that fails before its first row leaves the previous file as it was. Each later row is
 * appended, and a failed append is cut off again, so a run stopped at any point leaves the epochs
 * it finished, whole. A resumed run starts from the checkpoint's rows, so its file is the earlier
 * one with the new rows appended.
 */
public final class MetricsFile implements Closeable {

    public static final List<String> COLUMNS = List.of("epoch", "learning_rate", "train_cost", "train_accuracy",
            "test_cost", "test_accuracy", "samples_per_second", "seconds");

    private static final Gson GSON = new Gson();

    private final Path file;
    private final List<EpochMetrics> rows;
    /** The file's length once this run has written it; -1 before its first row. */
    private long size = -1;

    private MetricsFile(Path file, List<EpochMetrics> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** Whether {@code file} is written as JSON lines (by its extension). */
    public static boolean isJson(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".json");
    }

    /**
     * A metrics file for {@code file} that starts with {@code earlier}, the rows of a run being
     * resumed. Nothing is written until the first {@link #write}.
     */
    public static MetricsFile create(Path file, List<EpochMetrics> earlier) {
        return new MetricsFile(file, new ArrayList<>(earlier));
    }

    /**
     * Adds one row and replaces the file with all rows.
     *
     * @throws backpropcl.io.OutputFileException naming the file and the system's reason; the
     *     previous file is then unchanged
     */
    public void write(EpochMetrics row) {
        if (size < 0) {
            rows.add(row);
            size = writeAll(file, rows);
        } else {
            size = AtomicFile.append(file, size, (line(isJson(file), row) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            rows.add(row);
        }
    }

    /** Replaces {@code file} with {@code rows}, atomically; returns the number of bytes written. */
    public static long writeAll(Path file, List<EpochMetrics> rows) {
        boolean json = isJson(file);
        StringBuilder text = new StringBuilder();
        if (!json) {
            text.append(String.join(",", COLUMNS)).append(System.lineSeparator());
        }
        for (EpochMetrics r : rows) {
            text.append(line(json, r)).append(System.lineSeparator());
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, out -> out.write(bytes));
        return bytes.length;
    }

    private static String line(boolean json, EpochMetrics r) {
        return json ? jsonLine(r) : csvLine(r);
    }

    /** Nothing to release: each write is whole; kept so that a run holds its file in try-with-resources. */
    @Override
    public void close() {
    }

    private static double[] values(EpochMetrics r) {
        return new double[] {r.epoch(), r.learningRate(), r.trainCost(), r.trainAccuracy(), r.testCost(), r.testAccuracy(),
            r.samplesPerSecond(), r.seconds()};
    }

    private static String csvLine(EpochMetrics r) {
        double[] v = values(r);
        StringBuilder sb = new StringBuilder(Integer.toString(r.epoch()));
        for (int i = 1; i < v.length; i++) {
            sb.append(',').append(Double.isNaN(v[i]) ? "" : format(v[i]));
        }
        return sb.toString();
    }

    private static String jsonLine(EpochMetrics r) {
        double[] v = values(r);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(COLUMNS.get(0), r.epoch());
        for (int i = 1; i < v.length; i++) {
            row.put(COLUMNS.get(i), Double.isFinite(v[i]) ? v[i] : null);
        }
        return GSON.newBuilder().serializeNulls().create().toJson(row);
    }

    /** Shortest text that reads back as the same double. */
    private static String format(double v) {
        return Double.isFinite(v) ? Double.toString(v) : (v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN");
    }

    /**
     * Reads a metrics file written by {@link #create} (CSV or JSON lines, by its extension).
     *
     * @throws MetricsException naming the file and line when a row is malformed
     */
    public static List<EpochMetrics> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MetricsException(file + ": cannot read the metrics file: " + e.getMessage());
        }
        List<EpochMetrics> rows = new ArrayList<>();
        boolean json = isJson(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || (!json && i == 0 && line.startsWith("epoch"))) {
                continue;
            }
            double[] v = json ? parseJson(file, i + 1, line) : parseCsv(file, i + 1, line);
            rows.add(new EpochMetrics((int) v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
        }
        if (rows.isEmpty()) {
            throw new MetricsException(file + ": no epochs in the metrics file");
        }
        return rows;
    }

    private static double[] parseCsv(Path file, int lineNo, String line) {
        String[] f = line.split(",", -1);
        if (f.length != COLUMNS.size()) {
            throw new MetricsException(file + ":" + lineNo + ": expected " + COLUMNS.size() + " comma-separated values ("
                    + String.join(",", COLUMNS) + "), got " + f.length);
        }
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = number(file, lineNo, COLUMNS.get(i), f[i].trim());
        }
        return checkEpoch(file, lineNo, v);
    }

    private static double[] parseJson(Path file, int lineNo, String line) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) {
                throw new MetricsException(file + ":" + lineNo + ": expected a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new MetricsException(file + ":" + lineNo + ": not JSON: " + e.getMessage());
        }
        double[] v = new double[COLUMNS.size()];
        for (int i = 0; i < v.length; i++) {
            JsonElement e = o.get(COLUMNS.get(i));
            if (e == null || e.isJsonNull()) {
                v[i] = i == 0 ? number(file, lineNo, "epoch", "") : Double.NaN;
            } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                v[i] = e.getAsDouble();
            } else {
                throw new MetricsException(file + ":" + lineNo + ": " + COLUMNS.get(i) + " is not a number: " + e);
            }
        }
        return checkEpoch(file, lineNo, v);
    }

    private static double number(Path file, int lineNo, String column, String text) {
        if (text.isEmpty() && !column.equals("epoch")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new MetricsException(file + ":" + lineNo + ": " + column + " is not a number: '" + text + "'");
        }
    }

    private static double[] checkEpoch(Path file, int lineNo, double[] v) {
        if (!(v[0] >= 1) || v[0] != Math.rint(v[0]) || v[0] > Integer.MAX_VALUE) {
            throw new MetricsException(file + ":" + lineNo + ": epoch must be a whole number from 1, got " + v[0]);
        }
        return v;
    }

    /** A metrics file that cannot be read: the message names the file and line. */
    public static final class MetricsException extends RuntimeException {
        public MetricsException(String message) {
            super(message);
        }
    }
}
