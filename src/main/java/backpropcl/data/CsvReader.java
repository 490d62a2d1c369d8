package backpropcl.data;

import backpropcl.cli.Plural;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a labelled data set from a CSV file of rows {@code label,f1,f2,...} (UTF-8, comma-separated,
 * spaces around fields allowed).
 *
 * <ul>
 *   <li>The first non-blank line is a header, and skipped, when its first field is not a number.
 *   <li>Blank lines are skipped.
 *   <li>The label is a non-negative integer ({@code 3}, or {@code 3.0} as NumPy writes it) of at
 *       most 32 characters.
 *   <li>Features are decimal numbers, used as they are (no scaling); NaN and infinities are refused.
 *   <li>Every row has as many fields as the first data row.
 * </ul>
 * Errors are {@link DataException}s naming the file and the line (1-based).
 */
public final class CsvReader {

    /** A decimal number: what a spreadsheet, NumPy or pandas writes; no hex, no "1f", no "NaN". */
    // Possessive quantifiers: a long run of digits followed by a letter is refused in linear time
    // (the backtracking form took seconds for a field of 10,000 digits).
    private static final Pattern NUMBER = Pattern.compile("[+-]?+(?:\\d++(?:\\.\\d*+)?+|\\.\\d++)(?:[eE][+-]?+\\d++)?+");

    /** The longest label text accepted. */
    private static final int MAX_LABEL_LENGTH = 32;

    private CsvReader() {
    }

    /**
     * Reads {@code file}; the data set is named after the file without ".csv".
     *
     * @param classes the number of classes, each label must be below it; 0 or less: max label + 1
     */
    public static Dataset read(Path file, int classes) {
        String name = file.getFileName().toString().replaceFirst("(?i)\\.csv$", "");
        int width = -1;
        int count = 0;
        float[] features = new float[1024];
        int[] labels = new int[64];
        int maxLabel = 0;
        int lastLine = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            boolean first = true;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                lastLine = lineNo;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", -1);
                if (first) {
                    first = false;
                    if (!isNumber(fields[0].trim())) {
                        continue; // a header line
                    }
                }
                String where = file + ": line " + lineNo;
                if (width < 0) {
                    if (fields.length < 2) {
                        throw new DataException(where + ": has " + fields.length
                                + " field; expected a label followed by at least one feature");
                    }
                    width = fields.length - 1;
                } else if (fields.length != width + 1) {
                    throw new DataException(where + ": has " + Plural.of(fields.length, "field") + "; expected " + (width + 1)
                            + " (a label and " + Plural.of(width, "feature") + ", as in the first row)");
                }
                int label = parseLabel(file, lineNo, fields[0].trim(), classes);
                maxLabel = Math.max(maxLabel, label);
                if (count == labels.length) {
                    labels = Arrays.copyOf(labels, grow(labels.length, 1));
                }
                labels[count] = label;
                long end = (long) (count + 1) * width;
                if (end > IdxReader.MAX_BYTES / 4) {
                    throw new DataException(where + ": too many values for one data set (more than "
                            + IdxReader.MAX_BYTES / 4 + ")");
                }
                if (end > features.length) {
                    features = Arrays.copyOf(features, grow(features.length, (int) end));
                }
                for (int j = 0; j < width; j++) {
                    features[count * width + j] = parseFeature(where, j + 1, fields[j + 1].trim());
                }
                count++;
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
        if (count == 0) {
            throw new DataException(file + ": no data rows; expected lines of label,feature1,feature2,...");
        }
        int k = classes > 0 ? classes : maxLabel + 1;
        return new Dataset(name, Arrays.copyOf(features, count * width), Arrays.copyOf(labels, count), count, width, k);
    }

    private static boolean isNumber(String s) {
        return NUMBER.matcher(s).matches();
    }

    private static int parseLabel(Path file, int lineNo, String s, int classes) {
        String where = file + ": line " + lineNo;
        int label = -1;
        // The length bound keeps BigDecimal's stripTrailingZeros from taking seconds on a label of
        // 100,000 digits; no class number needs more than 32 characters.
        if (s.length() <= MAX_LABEL_LENGTH && isNumber(s)) {
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
            throw new DataException(where + ": label '" + shown(s) + "' is not a non-negative integer");
        }
        if (classes > 0 && label >= classes) {
            throw new LabelOutOfRangeException(where + ": label " + label + " is out of range; expected 0.." + (classes - 1)
                    + " (" + Plural.of(classes, "class") + ")", file.toString(), "line " + lineNo, label, classes);
        }
        return label;
    }

    private static float parseFeature(String where, int field, String s) {
        if (!isNumber(s)) {
            String lower = s.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
            if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity")) {
                throw new DataException(where + ", field " + (field + 1) + ": feature '" + s
                        + "' is NaN or infinite; expected a finite number");
            }
            throw new DataException(where + ", field " + (field + 1) + ": '" + shown(s) + "' is not a number");
        }
        float v = Float.parseFloat(s);
        if (Float.isInfinite(v)) {
            throw new DataException(where + ", field " + (field + 1) + ": feature '" + s
                    + "' is infinite in float (beyond +-3.4e38); expected a finite number");
        }
        return v;
    }

    /** A field for a message: cut to 40 characters, so that one bad field does not fill the screen. */
    private static String shown(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static int grow(int length, int needed) {
        long n = Math.max((long) length * 2, needed);
        return (int) Math.min(n, IdxReader.MAX_BYTES / 4);
    }
}
