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
 * order: {@link #COLUMNS}; the last, {@code cost}, names the run's cost function
 * ({@code quadratic}, {@code cross-entropy}) on every row, so that curves of runs with different
 * costs are not drawn on one axis. A value that was not measured (the training set's, when it is
 * not evaluated; the validation split's, when there is none; the test set's per epoch, when there
 * is one) is an empty CSV field or a JSON null.
 *
 * <p>Reading goes by the header's names (JSON: the keys), so a file of the layout before the
 * validation and cost columns ({@link #COLUMNS_BEFORE_VALIDATION}) reads as one whose validation
 * values were not measured and whose cost is unknown, and a column this version does not know is
 * skipped. A CSV file without a header is read in one of the two layouts by its number of fields.
 *
 * <p>The first row replaces the file, atomically, with the header, the earlier rows and itself:
 * a run that fails before its first row leaves the previous file as it was. Each later row is
 * appended, and a failed append is cut off again, so a run stopped at any point leaves the epochs
 * it finished, whole. A resumed run starts from the checkpoint's rows, so its file is the earlier
 * one with the new rows appended.
 */
public final class MetricsFile implements Closeable {

    public static final List<String> COLUMNS = List.of("epoch", "learning_rate", "train_cost", "train_accuracy",
            "test_cost", "test_accuracy", "samples_per_second", "seconds", "val_cost", "val_accuracy", "cost");

    /** The columns of files written before the validation and cost columns. */
    public static final List<String> COLUMNS_BEFORE_VALIDATION = COLUMNS.subList(0, 8);

    /** The column (and JSON key) of the cost's name, the only one that is not a number. */
    private static final String COST = "cost";

    private static final Gson GSON = new Gson();

    private final Path file;
    private final List<EpochMetrics> rows;
    private final String cost;
    /** The file's length once this run has written it; -1 before its first row. */
    private long size = -1;

    private MetricsFile(Path file, List<EpochMetrics> rows, String cost) {
        this.file = file;
        this.rows = rows;
        this.cost = cost;
    }

    /** What a metrics file holds: its rows, and the name of the run's cost (null when the file does not say). */
    public record Contents(List<EpochMetrics> rows, String cost) {
    }

    /** Whether {@code file} is written as JSON lines (by its extension). */
    public static boolean isJson(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".json");
    }

    /**
     * A metrics file for {@code file} that starts with {@code earlier}, the rows of a run being
     * resumed, and names no cost. Nothing is written until the first {@link #write}.
     */
    public static MetricsFile create(Path file, List<EpochMetrics> earlier) {
        return create(file, earlier, null);
    }

    /**
     * A metrics file for {@code file} that starts with {@code earlier} and names {@code cost}
     * (e.g. "cross-entropy", {@link backpropcl.model.Cost#cliName}) on every row; null for none.
     */
    public static MetricsFile create(Path file, List<EpochMetrics> earlier, String cost) {
        return new MetricsFile(file, new ArrayList<>(earlier), cost);
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
            size = writeAll(file, rows, cost);
        } else {
            size = AtomicFile.append(file, size, (line(isJson(file), row, cost) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            rows.add(row);
        }
    }

    /** Replaces {@code file} with {@code rows}, naming no cost, atomically; returns the number of bytes written. */
    public static long writeAll(Path file, List<EpochMetrics> rows) {
        return writeAll(file, rows, null);
    }

    /** Replaces {@code file} with {@code rows} of a run of {@code cost} (null: not named), atomically; returns the bytes written. */
    public static long writeAll(Path file, List<EpochMetrics> rows, String cost) {
        boolean json = isJson(file);
        StringBuilder text = new StringBuilder();
        if (!json) {
            text.append(String.join(",", COLUMNS)).append(System.lineSeparator());
        }
        for (EpochMetrics r : rows) {
            text.append(line(json, r, cost)).append(System.lineSeparator());
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, out -> out.write(bytes));
        return bytes.length;
    }

    private static String line(boolean json, EpochMetrics r, String cost) {
        return json ? jsonLine(r, cost) : csvLine(r, cost);
    }

    /** Nothing to release: each write is whole; kept so that a run holds its file in try-with-resources. */
    @Override
    public void close() {
    }

    /** The numbers of a row, in the order of {@link #COLUMNS} (the cost's name aside). */
    private static double[] values(EpochMetrics r) {
        return new double[] {r.epoch(), r.learningRate(), r.trainCost(), r.trainAccuracy(), r.testCost(), r.testAccuracy(),
            r.samplesPerSecond(), r.seconds(), r.valCost(), r.valAccuracy()};
    }

    private static EpochMetrics row(double[] v) {
        return new EpochMetrics((int) v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    private static String csvLine(EpochMetrics r, String cost) {
        double[] v = values(r);
        StringBuilder sb = new StringBuilder(Integer.toString(r.epoch()));
        for (int i = 1; i < v.length; i++) {
            sb.append(',').append(Double.isNaN(v[i]) ? "" : format(v[i]));
        }
        return sb.append(',').append(cost == null ? "" : cost).toString();
    }

    private static String jsonLine(EpochMetrics r, String cost) {
        double[] v = values(r);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(COLUMNS.get(0), r.epoch());
        for (int i = 1; i < v.length; i++) {
            row.put(COLUMNS.get(i), Double.isFinite(v[i]) ? v[i] : null);
        }
        row.put(COST, cost);
        return GSON.newBuilder().serializeNulls().create().toJson(row);
    }

    /** Shortest text that reads back as the same double. */
    private static String format(double v) {
        return Double.isFinite(v) ? Double.toString(v) : (v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN");
    }

    /**
     * Reads the rows of a metrics file written by {@link #create} (CSV or JSON lines, by its extension).
     *
     * @throws MetricsException naming the file and line when a row is malformed
     */
    public static List<EpochMetrics> read(Path file) {
        return readContents(file).rows();
    }

    /**
     * Reads a metrics file's rows and the name of its cost (null in a file that names none, as
     * those written before the cost column).
     *
     * @throws MetricsException naming the file and line when a row is malformed, or when its rows
     *     name different costs
     */
    public static Contents readContents(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MetricsException(file + ": cannot read the metrics file: " + e.getMessage());
        }
        List<EpochMetrics> rows = new ArrayList<>();
        boolean json = isJson(file);
        List<String> header = null;
        String cost = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            List<String> names = List.of(line.split(",", -1)).stream().map(String::trim).toList();
            if (!json && rows.isEmpty() && header == null && names.contains("epoch")) {
                header = names;   // a row holds a number where the header names the epoch
                continue;
            }
            Map<String, String> fields = json ? jsonFields(file, i + 1, line) : csvFields(file, i + 1, line, header);
            rows.add(row(numbers(file, i + 1, fields)));
            String named = fields.get(COST);
            if (named != null && !named.isEmpty()) {
                if (cost != null && !cost.equals(named)) {
                    throw new MetricsException(file + ":" + (i + 1) + ": cost '" + named + "' differs from the earlier rows' '" + cost
                            + "'; a metrics file holds one run");
                }
                cost = named;
            }
        }
        if (rows.isEmpty()) {
            throw new MetricsException(file + ": no epochs in the metrics file");
        }
        return new Contents(rows, cost);
    }

    /** A CSV row's fields by column name: the header's names, else the layout its number of fields has. */
    private static Map<String, String> csvFields(Path file, int lineNo, String line, List<String> header) {
        String[] f = line.split(",", -1);
        List<String> names = header;
        if (names == null) {
            names = f.length == COLUMNS.size() ? COLUMNS : COLUMNS_BEFORE_VALIDATION;
            if (f.length != names.size()) {
                throw new MetricsException(file + ":" + lineNo + ": expected " + COLUMNS.size() + " comma-separated values ("
                        + String.join(",", COLUMNS) + "), or the " + COLUMNS_BEFORE_VALIDATION.size() + " of a file written "
                        + "before the validation columns, got " + f.length);
            }
        } else if (f.length != names.size()) {
            throw new MetricsException(file + ":" + lineNo + ": expected " + names.size() + " comma-separated values ("
                    + String.join(",", names) + ", as the header says), got " + f.length);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < f.length; i++) {
            fields.put(names.get(i), f[i].trim());
        }
        return fields;
    }

    /** A JSON line's values by key, as text; a null is an empty text. */
    private static Map<String, String> jsonFields(Path file, int lineNo, String line) {
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
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> kv : o.entrySet()) {
            JsonElement e = kv.getValue();
            boolean text = kv.getKey().equals(COST) ? e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
                    : e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
            if (e.isJsonNull()) {
                fields.put(kv.getKey(), "");
            } else if (text) {
                fields.put(kv.getKey(), e.getAsString());
            } else if (COLUMNS.contains(kv.getKey())) {
                throw new MetricsException(file + ":" + lineNo + ": " + kv.getKey() + " is not a "
                        + (kv.getKey().equals(COST) ? "text" : "number") + ": " + e);
            }
        }
        return fields;
    }

    /** The numbers of {@link #values}' order from a row's fields; a missing or empty one is NaN (the epoch must be there). */
    private static double[] numbers(Path file, int lineNo, Map<String, String> fields) {
        double[] v = new double[COLUMNS.size() - 1];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(file, lineNo, COLUMNS.get(i), fields.getOrDefault(COLUMNS.get(i), ""));
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
