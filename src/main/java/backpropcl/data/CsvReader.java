package backpropcl.data;

import backpropcl.text.Plural;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a labelled data set from a CSV file (UTF-8), as spreadsheets, pandas and R write them.
 *
 * <ul>
 *   <li>The separator is ',', ';' or tab: given ({@link CsvOptions#separator}), else detected from
 *       the first line: tab when it holds one, else ';' when it holds one, else ','. With ';' and
 *       tab a number may use a decimal comma ({@code 3,5}), as European spreadsheets write it.
 *   <li>Fields may be quoted ({@code "setosa"}, {@code "a ""b"""}), spaces around fields are
 *       dropped; a quoted field cannot hold a line break.
 *   <li>The first non-blank line is a header, and its fields are the column names, when it has a
 *       field that is not a number (nor NaN or an infinity) in a column where the next line has a
 *       number (a file of one line: when none of its fields is a number).
 *   <li>The label is in the column {@link CsvOptions#labelColumn} names: {@code first} (the
 *       default), {@code last}, a number from 1, or a header name. When the first row's label is
 *       a number, every label is a class number: a non-negative integer ({@code 3}, or {@code 3.0}
 *       as NumPy writes it) of at most 32 characters, the class is that number. Otherwise the
 *       labels are class names (words such as {@code setosa}), numbered in sorted order (the
 *       order scikit-learn's LabelEncoder gives, which does not depend on the order of the rows).
 *   <li>Every other column is a feature: a decimal number, used as it is (scaling is
 *       {@link Preprocessing}'s job); NaN and infinities are refused.
 *   <li>Blank lines are skipped; every row has as many fields as the first data row.
 * </ul>
 * Errors are {@link DataException}s naming the file and the line (1-based) and field (1-based).
 */
public final class CsvReader {

    /** A decimal number: what a spreadsheet, NumPy or pandas writes; no hex, no "1f", no "NaN". */
    // Possessive quantifiers: a long run of digits followed by a letter is refused in linear time
    // (the backtracking form took seconds for a field of 10,000 digits).
    private static final Pattern NUMBER = Pattern.compile("[+-]?+(?:\\d++(?:\\.\\d*+)?+|\\.\\d++)(?:[eE][+-]?+\\d++)?+");

    /** A number with a decimal comma, "3,5" or "-0,25e3": read as such where the separator is not ','. */
    private static final Pattern DECIMAL_COMMA = Pattern.compile("[+-]?+\\d++,\\d++(?:[eE][+-]?+\\d++)?+");

    /** How NaN and infinities are written (refused as features, with their own message). */
    private static final Pattern NAN_OR_INFINITY = Pattern.compile("(?i)[+-]?(?:nan|inf|infinity)");

    /** The longest label text accepted as a class number. */
    private static final int MAX_LABEL_LENGTH = 32;

    /** The longest class name accepted. */
    private static final int MAX_NAME_LENGTH = 200;

    private CsvReader() {
    }

    /**
     * How the labels of a file are to be read.
     *
     * @param names null: decided by the first row (numbers or words); empty: class numbers; else
     *              these class names, in label order (a word that is not among them is an error)
     * @param from  where the names come from, for messages ("iris.csv", "the model")
     */
    public record Labels(List<String> names, String from) {

        /** Numbers or words, as the first row's label is. */
        public static Labels detect() {
            return new Labels(null, null);
        }

        /** Class numbers, as in a training file whose labels were numbers. */
        public static Labels numbers(String from) {
            return new Labels(List.of(), from);
        }

        /** These class names and no others, as a sibling test file must have its training file's. */
        public static Labels names(List<String> names, String from) {
            return new Labels(List.copyOf(names), from);
        }

        /** How the labels of {@code format}'s file were read, for a file that must read them alike. */
        public static Labels like(CsvFormat format, String from) {
            return format.classNames() == null ? numbers(from) : names(format.classNames(), from);
        }
    }

    /** A data set and how its file was written. */
    public record Table(Dataset data, CsvFormat format) {
    }

    /**
     * Rows of features to predict, as {@link #readRows} read them.
     *
     * @param features row after row, {@code width} features each
     * @param labels   each row's class, or null when the file has no label column
     * @param lines    each row's line in the file, from 1
     * @param format   how the file was written; its label column is -1 when it has none
     */
    public record Rows(float[] features, int width, int[] labels, int[] lines, CsvFormat format) {

        /** The number of rows. */
        public int count() {
            return lines.length;
        }
    }

    /**
     * Reads {@code file} with the label first and the separator detected; the data set is named
     * after the file without ".csv".
     *
     * @param classes the number of classes, each label must be below it; 0 or less: as many as the labels make
     */
    public static Dataset read(Path file, int classes) {
        return read(file, classes, CsvOptions.DEFAULT, Labels.detect()).data();
    }

    /**
     * Reads {@code file} as {@code options} say, its labels as {@code labels} say.
     *
     * @param classes the number of classes, each label must be below it; 0 or less: as many as the labels make
     */
    public static Table read(Path file, int classes, CsvOptions options, Labels labels) {
        Reading r = new Reading(file, classes, options, labels);
        read(file, r);
        return r.finish();
    }

    /** Reads every line of {@code file} into {@code r}. */
    private static void read(Path file, Reading r) {
        int lastLine = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            List<Object[]> first = new ArrayList<>(2);
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                lastLine = lineNo;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (r.format == null) {
                    // The header and the separator are decided on the first two non-blank lines.
                    first.add(new Object[] {lineNo, line});
                    if (first.size() == 2) {
                        r.decide(first);
                    }
                    continue;
                }
                r.row(lineNo, line);
            }
            if (r.format == null && !first.isEmpty()) {
                r.decide(first);
            }
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file", e);
        } catch (CharacterCodingException e) {
            // The reader decodes ahead of the lines it returns: the bad bytes are somewhere after lastLine.
            throw new DataException(file + ": not UTF-8 text (a binary file?)" + (lastLine == 0 ? "" : " after line " + lastLine)
                    + "; expected lines of label,feature1,feature2,...", e);
        } catch (IOException e) {
            throw new DataException(file + ": could not read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads rows of {@code width} features for a model to predict: a file whose rows have
     * {@code width} fields holds features only, one of {@code width + 1} fields holds a label too,
     * in the column {@code options} name (its labels read as {@code labels} say). The header and
     * the separator are found as {@link #read} finds them; any other width is refused, the message
     * naming {@code model} and its width.
     *
     * @param classes the model's number of classes: a class number must be below it
     */
    public static Rows readRows(Path file, int width, int classes, CsvOptions options, Labels labels, String model) {
        Reading r = new Reading(file, classes, options, labels);
        r.rowWidth = width;
        r.model = model;
        read(file, r);
        return r.finishRows();
    }

    /**
     * The features of one row typed on the command line, "5.1,3.5,1.4,0.2": decimal numbers
     * separated by commas, checked as a file's features are.
     */
    public static float[] inlineRow(String text) {
        String[] fields = text.split(",", -1);
        float[] x = new float[fields.length];
        for (int i = 0; i < fields.length; i++) {
            x[i] = number(shown(text), i + 1, fields[i].trim(), false);
        }
        return x;
    }

    /** Whether {@code text} looks like a row of numbers separated by commas (its numbers are checked when read). */
    public static boolean isInlineRow(String text) {
        return text.matches("[\\s0-9eE+\\-.,]*[0-9][\\s0-9eE+\\-.,]*") && !text.toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    /** One file being read: what was decided about it and the rows so far. */
    private static final class Reading {
        final Path file;
        final int classes;
        final CsvOptions options;
        final Labels labels;
        CsvFormat format;
        char separator;
        boolean decimalComma;
        List<String> header;
        int columns = -1;
        int labelColumn;
        boolean numbered;
        int count;
        float[] features = new float[1024];
        int[] ids = new int[64];
        int maxLabel;
        /** Words mode: each name's provisional id (by first appearance) and the line it first appears on. */
        final Map<String, Integer> nameIds = new LinkedHashMap<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        Map<String, Integer> knownIds;
        /** Rows to predict ({@link #readRows}): the model's width, else 0; and the model, for messages. */
        int rowWidth;
        String model;
        int[] lines = new int[64];

        Reading(Path file, int classes, CsvOptions options, Labels labels) {
            this.file = file;
            this.classes = classes;
            this.options = options;
            this.labels = labels;
            if (labels.names() != null && !labels.names().isEmpty()) {
                knownIds = new HashMap<>();
                for (int i = 0; i < labels.names().size(); i++) {
                    knownIds.put(labels.names().get(i), i);
                }
            }
        }

        /** Decides separator, header and label column from the first one or two lines, then reads them. */
        void decide(List<Object[]> first) {
            String line1 = (String) first.get(0)[1];
            separator = options.separatorChar() != 0 ? options.separatorChar() : detectSeparator(line1);
            String[] f1 = split(line1, (int) first.get(0)[0]);
            String[] f2 = first.size() > 1 ? split((String) first.get(1)[1], (int) first.get(1)[0]) : null;
            boolean isHeader = isHeader(f1, f2);
            header = isHeader ? List.of(f1) : null;
            List<Object[]> rows = isHeader ? first.subList(1, first.size()) : first;
            format = new CsvFormat(separator, false, header, 0, 0, null);   // decided; completed in finish()
            for (Object[] row : rows) {
                row((int) row[0], (String) row[1]);
            }
        }

        /** NaN and infinities count as numbers here: a data row that holds one is no header (the row's error names it). */
        private boolean isHeader(String[] f1, String[] f2) {
            if (f2 == null) {
                return Arrays.stream(f1).noneMatch(this::isNumberOrNaN);
            }
            for (int j = 0; j < Math.min(f1.length, f2.length); j++) {
                if (!isNumberOrNaN(f1[j]) && isNumber(f2[j])) {
                    return true;
                }
            }
            return false;
        }

        private boolean isNumberOrNaN(String s) {
            return isNumber(s) || NAN_OR_INFINITY.matcher(s).matches();
        }

        boolean isNumber(String s) {
            return NUMBER.matcher(s).matches() || separator != ',' && DECIMAL_COMMA.matcher(s).matches();
        }

        void row(int lineNo, String line) {
            String[] fields = split(line, lineNo);
            String where = file + ": line " + lineNo;
            if (columns < 0 && rowWidth > 0) {
                if (fields.length != rowWidth && fields.length != rowWidth + 1) {
                    throw new DataException(where + ": has " + Plural.of(fields.length, "field") + ", but " + model + " takes "
                            + Plural.of(rowWidth, "feature") + "; expected " + rowWidth + " fields, or " + (rowWidth + 1)
                            + " with the label");
                }
                columns = fields.length;
                labelColumn = columns == rowWidth ? -1 : resolveLabelColumn(columns);
                numbered = labelColumn >= 0 && (labels.names() != null ? labels.names().isEmpty() : isNumber(fields[labelColumn]));
            } else if (columns < 0) {
                if (fields.length < 2) {
                    throw new DataException(where + ": has " + fields.length
                            + " field; expected a label followed by at least one feature" + separatorHint(line));
                }
                columns = fields.length;
                labelColumn = resolveLabelColumn(fields.length);
                numbered = labels.names() != null ? labels.names().isEmpty() : isNumber(fields[labelColumn]);
            } else if (fields.length != columns) {
                throw new DataException(where + ": has " + Plural.of(fields.length, "field") + "; expected " + columns
                        + (labelColumn < 0 ? " (features, as in the first row)"
                        : " (a label and " + Plural.of(columns - 1, "feature") + ", as in the first row)"));
            }
            int width = labelColumn < 0 ? columns : columns - 1;
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, grow(ids.length, 1));
                lines = Arrays.copyOf(lines, ids.length);
            }
            lines[count] = lineNo;
            if (labelColumn >= 0) {
                ids[count] = numbered ? classNumber(lineNo, fields[labelColumn]) : nameId(lineNo, fields[labelColumn]);
            }
            long end = (long) (count + 1) * width;
            if (end > IdxReader.MAX_BYTES / 4) {
                throw new DataException(where + ": too many values for one data set (more than " + IdxReader.MAX_BYTES / 4 + ")");
            }
            if (end > features.length) {
                features = Arrays.copyOf(features, grow(features.length, (int) end));
            }
            int j = count * width;
            for (int c = 0; c < columns; c++) {
                if (c != labelColumn) {
                    features[j++] = parseFeature(where, c + 1, fields[c]);
                }
            }
            count++;
        }

        /** The label's column, from 0, in rows of {@code n} fields. */
        private int resolveLabelColumn(int n) {
            String spec = options.labelColumn();
            String subject = "--label-column " + spec + ": " + file;
            switch (spec.toLowerCase(Locale.ROOT)) {
                case "first":
                    return 0;
                case "last":
                    return n - 1;
                default:
                    break;
            }
            if (spec.matches("\\+?\\d+")) {
                int k = Integer.parseInt(spec.replace("+", ""));
                if (k > n) {
                    throw new DataException(subject + " has " + n + " columns; expected a column number from 1 to " + n);
                }
                return k - 1;
            }
            if (header == null) {
                throw new DataException(subject + " has no header row (its first line is data), so no column is named "
                        + "'" + shown(spec) + "'; give first, last or a column number from 1 to " + n);
            }
            int found = header.indexOf(spec);
            if (found < 0) {
                for (int c = 0; c < header.size(); c++) {
                    found = header.get(c).equalsIgnoreCase(spec) && found == -1 ? c : found;
                }
            }
            if (found < 0 || found >= n) {
                throw new DataException(subject + ": its header has no column '" + shown(spec) + "' (its columns: "
                        + CsvFormat.shortList(header, 20) + ")");
            }
            return found;
        }

        private String separatorHint(String line) {
            if (options.separatorChar() != 0) {
                return "";
            }
            return line.indexOf('|') >= 0 || line.indexOf(' ') >= 0
                    ? " (the separator is ',', ';' or tab; was it another character?)" : "";
        }

        private int classNumber(int lineNo, String s) {
            String where = file + ": line " + lineNo;
            int label = -1;
            // The length bound keeps BigDecimal's stripTrailingZeros from taking seconds on a label of
            // 100,000 digits; no class number needs more than 32 characters.
            if (s.length() <= MAX_LABEL_LENGTH && NUMBER.matcher(s).matches()) {
                try {
                    BigDecimal v = new BigDecimal(s);
                    if (v.signum() >= 0 && v.stripTrailingZeros().scale() <= 0 && v.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                        label = v.intValueExact();
                    }
                } catch (ArithmeticException | NumberFormatException e) {
                    label = -1;
                }
            }
            if (label < 0) {
                String why = NUMBER.matcher(s).matches() || s.length() > MAX_LABEL_LENGTH ? ""
                        : labels.from() != null ? "; the labels of " + labels.from() + " are class numbers, so these must be too"
                        : "; the first row's label is a number, so every label is a class number (is --label-column right?)";
                throw new DataException(where + ": label '" + shown(s) + "' is not a non-negative integer" + why);
            }
            if (classes > 0 && label >= classes) {
                throw new LabelOutOfRangeException(where + ": label " + label + " is out of range; expected 0.." + (classes - 1)
                        + " (" + classes + " classes)", file.toString(), "line " + lineNo, label, classes);
            }
            maxLabel = Math.max(maxLabel, label);
            return label;
        }

        private int nameId(int lineNo, String name) {
            String where = file + ": line " + lineNo;
            if (name.isEmpty()) {
                throw new DataException(where + ", field " + (labelColumn + 1) + ": the label is empty; expected a class name");
            }
            if (name.length() > MAX_NAME_LENGTH) {
                throw new DataException(where + ", field " + (labelColumn + 1) + ": label '" + shown(name) + "' is longer than "
                        + MAX_NAME_LENGTH + " characters; expected a class name (is --label-column right?)");
            }
            if (knownIds != null) {
                Integer id = knownIds.get(name);
                if (id == null) {
                    throw new DataException(where + ": class '" + shown(name) + "' is not one of the " + knownIds.size()
                            + " classes of " + labels.from() + " (" + CsvFormat.shortList(labels.names(), 20) + ")");
                }
                return id;
            }
            Integer id = nameIds.get(name);
            if (id == null) {
                id = nameIds.size();
                nameIds.put(name, id);
                firstLine.put(name, lineNo);
            }
            return id;
        }

        private float parseFeature(String where, int field, String s) {
            boolean comma = separator != ',' && !NUMBER.matcher(s).matches() && DECIMAL_COMMA.matcher(s).matches();
            decimalComma |= comma;
            return number(where, field, s, comma);
        }

        /** The fields of a line, trimmed, quotes taken off. */
        String[] split(String line, int lineNo) {
            if (line.indexOf('"') < 0) {
                String[] fields = line.split(Pattern.quote(String.valueOf(separator)), -1);
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = fields[i].trim();
                }
                return fields;
            }
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (quoted) {
                    if (ch != '"') {
                        cur.append(ch);
                    } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else if (ch == '"' && cur.toString().isBlank()) {
                    quoted = true;
                    cur.setLength(0);
                } else if (ch == separator) {
                    out.add(cur.toString().trim());
                    cur.setLength(0);
                } else {
                    cur.append(ch);
                }
            }
            if (quoted) {
                throw new DataException(file + ": line " + lineNo + ": a quoted field is not closed (a quoted field cannot "
                        + "hold a line break)");
            }
            out.add(cur.toString().trim());
            return out.toArray(new String[0]);
        }

        Table finish() {
            if (count == 0) {
                throw new DataException(file + ": no data rows; expected lines of label,feature1,feature2,...");
            }
            int width = columns - 1;
            int[] labelsOut = Arrays.copyOf(ids, count);
            List<String> names = null;
            int k;
            if (numbered) {
                k = classes > 0 ? classes : maxLabel + 1;
            } else if (knownIds != null) {
                names = labels.names();
                k = Math.max(classes, names.size());
            } else {
                names = sortedNames(labelsOut);
                k = classes > 0 ? classes : names.size();
            }
            String name = file.getFileName().toString().replaceFirst("(?i)\\.csv$", "");
            CsvFormat found = new CsvFormat(separator, decimalComma, header, columns, labelColumn, names);
            return new Table(new Dataset(name, Arrays.copyOf(features, count * width), labelsOut, count, width, k,
                    names == null ? null : names.subList(0, Math.min(k, names.size()))), found);
        }

        Rows finishRows() {
            if (count == 0) {
                throw new DataException(file + ": no data rows; expected rows of " + Plural.of(rowWidth, "feature")
                        + ", each with or without its label");
            }
            int[] labelsOut = labelColumn < 0 ? null : Arrays.copyOf(ids, count);
            List<String> names = labelColumn < 0 || numbered ? null : knownIds != null ? labels.names() : sortedNames(labelsOut);
            CsvFormat found = new CsvFormat(separator, decimalComma, header, columns, labelColumn, names);
            return new Rows(Arrays.copyOf(features, count * rowWidth), rowWidth, labelsOut, Arrays.copyOf(lines, count), found);
        }

        /** Renumbers the provisional ids (first appearance) in sorted name order; refuses names beyond {@link #classes}. */
        private List<String> sortedNames(int[] labelsOut) {
            List<String> names = new ArrayList<>(nameIds.keySet());
            names.sort(null);
            int[] renumber = new int[names.size()];
            for (int i = 0; i < names.size(); i++) {
                renumber[nameIds.get(names.get(i))] = i;
            }
            for (int i = 0; i < labelsOut.length; i++) {
                labelsOut[i] = renumber[labelsOut[i]];
            }
            if (classes > 0 && names.size() > classes) {
                String beyond = names.get(classes);
                for (String n : names.subList(classes, names.size())) {
                    beyond = firstLine.get(n) < firstLine.get(beyond) ? n : beyond;
                }
                int label = names.indexOf(beyond);
                throw new LabelOutOfRangeException(file + ": line " + firstLine.get(beyond) + ": class '" + shown(beyond) + "' is "
                        + "class " + label + " of the " + names.size() + " class names, in sorted order (" + CsvFormat.shortList(names, 20)
                        + "); expected at most " + classes + " classes", file.toString(), "line " + firstLine.get(beyond), label, classes);
            }
            return names;
        }
    }

    /** Feature {@code s}, a finite float; {@code comma}: it is written with a decimal comma. */
    private static float number(String where, int field, String s, boolean comma) {
        if (!comma && !NUMBER.matcher(s).matches()) {
            String lower = s.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
            if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity")) {
                throw new DataException(where + ", field " + field + ": feature '" + s
                        + "' is NaN or infinite; expected a finite number");
            }
            throw new DataException(where + ", field " + field + ": '" + shown(s) + "' is not a number");
        }
        float v = Float.parseFloat(comma ? s.replace(',', '.') : s);
        if (Float.isInfinite(v)) {
            throw new DataException(where + ", field " + field + ": feature '" + s
                    + "' is infinite in float (beyond +-3.4e38); expected a finite number");
        }
        return v;
    }

    /** Tab when the line holds one, else ';' when it holds one, else ',' (outside quotes). */
    static char detectSeparator(String line) {
        boolean quoted = false;
        boolean semicolon = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && ch == '\t') {
                return '\t';
            } else if (!quoted && ch == ';') {
                semicolon = true;
            }
        }
        return semicolon ? ';' : ',';
    }

    /** A field for a message: cut to 40 characters, so that one bad field does not fill the screen. */
    static String shown(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static int grow(int length, int needed) {
        long n = Math.max((long) length * 2, needed);
        return (int) Math.min(n, IdxReader.MAX_BYTES / 4);
    }
}
