package backpropcl.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the CSV reader found in a file: the separator, whether numbers use a decimal comma, the
 * header's column names, the label column, and the class names when the labels are words.
 *
 * @param separator    ',', ';' or '\t'
 * @param decimalComma whether some number was written with a decimal comma ({@code 3,5}; only with ';' or tab)
 * @param header       the header row's column names, or null when the first line is data
 * @param columns      the number of columns of each row, the label's included
 * @param labelColumn  the label's column, from 0; -1 for rows to predict that have none ({@link CsvReader#readRows})
 * @param classNames   the class names in label order (sorted) when the labels are words; null when
 *                     they are class numbers
 */
public record CsvFormat(char separator, boolean decimalComma, List<String> header, int columns, int labelColumn,
                        List<String> classNames) {

    public CsvFormat {
        header = header == null ? null : List.copyOf(header);
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /** The separator as --separator takes it and as it is shown: ",", ";" or "tab". */
    public String separatorName() {
        return separator == '\t' ? "tab" : String.valueOf(separator);
    }

    /**
     * What was detected, for train's output, e.g. "header of 5 columns (sepal length (cm), ...,
     * species), separator ',', label: column 5 (species)".
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (header == null) {
            sb.append(String.format(Locale.ROOT, "no header row, %d columns", columns));
        } else {
            sb.append(String.format(Locale.ROOT, "header of %d columns (%s)", columns, shortList(header, 12)));
        }
        sb.append(", separator ").append(separator == '\t' ? "tab" : "'" + separator + "'");
        if (decimalComma) {
            sb.append(" with decimal commas");
        }
        sb.append(", label: column ").append(labelColumn + 1);
        if (header != null) {
            sb.append(" (").append(header.get(labelColumn)).append(')');
        }
        return sb.toString();
    }

    /** "3 classes, words in the file, sorted: setosa, versicolor, virginica", or "labels are class numbers". */
    public String describeClasses(int classes) {
        if (classNames == null) {
            return String.format(Locale.ROOT, "%d classes, labels are class numbers 0..%d", classes, classes - 1);
        }
        return String.format(Locale.ROOT, "%d classes named in the file, in sorted order: %s", classNames.size(),
                shortList(classNames, 20));
    }

    /** The first {@code max} names and how many more. */
    static String shortList(List<String> names, int max) {
        if (names.size() <= max) {
            return String.join(", ", names);
        }
        List<String> shown = new ArrayList<>(names.subList(0, max - 1));
        shown.add(String.format(Locale.ROOT, "... and %d more, the last %s", names.size() - max + 1, names.get(names.size() - 1)));
        return String.join(", ", shown);
    }
}
