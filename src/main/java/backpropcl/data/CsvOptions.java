package backpropcl.data;

import java.util.Locale;

/**
 * How to read a CSV file, as the user asked: which column holds the label and which character
 * separates the fields. What the reader then found in the file is a {@link CsvFormat}.
 *
 * @param labelColumn {@code first}, {@code last}, a column number counted from 1 (as the reader's
 *                    messages count fields), or a column name of the header row
 * @param separator   {@code ,}, {@code ;} or {@code tab}; null: detected from the first line
 */
public record CsvOptions(String labelColumn, String separator) {

    /** The label first, the separator detected: how every CSV file was read before these options. */
    public static final CsvOptions DEFAULT = new CsvOptions("first", null);

    /** What --separator takes, for messages. */
    static final String SEPARATORS = "',' (comma), ';' (semicolon) or 'tab'";

    public CsvOptions {
        labelColumn = labelColumn == null || labelColumn.isBlank() ? "first" : labelColumn.trim();
        if (separator != null) {
            separator = switch (separator.trim().toLowerCase(Locale.ROOT)) {
                case ",", "comma" -> ",";
                case ";", "semicolon" -> ";";
                case "tab", "\t", "\\t" -> "tab";
                default -> throw new DataException("--separator '" + separator + "': expected " + SEPARATORS);
            };
        }
        if (labelColumn.matches("[+-]?\\d+")) {
            long n = labelColumn.length() > 11 ? -1 : Long.parseLong(labelColumn);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new DataException("--label-column " + labelColumn + ": columns are counted from 1, as in the reader's "
                        + "messages ('line 2, field 3'); expected first, last, a column number from 1 or a name in the header");
            }
        }
    }

    /** The separator character, or 0 when it is to be detected. */
    char separatorChar() {
        if (separator == null) {
            return 0;
        }
        return separator.equals("tab") ? '\t' : separator.charAt(0);
    }

    /** The same options with the separator as found in a file (so that the same file is read the same way again). */
    public CsvOptions withSeparator(char found) {
        return new CsvOptions(labelColumn, found == '\t' ? "tab" : String.valueOf(found));
    }
}
