package backpropcl.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lays out the free text of a command's help (its description and footer) at the help's width.
 * Picocli breaks a line that is too long at the last space and starts the rest at column 0, which
 * cuts an example command into pieces a shell cannot run. Here each element of the text is one
 * line or paragraph, written at any length:
 * <ul>
 * <li>a line that fits is printed as it is, alignment and all;</li>
 * <li>an example ({@code backprop-cl ...}, after any indent) is broken between arguments, an
 *     option kept with its value, each broken line ending in {@code " \"} and the rest indented 4
 *     more, so that it can still be pasted into a shell; its {@code # comment} ends the last line
 *     when it fits there, else it goes on a line of its own above the command;</li>
 * <li>any other line is wrapped at spaces, its continuation lines indented as far as its first
 *     line, or to its text when it starts like a table row ({@code "  W1  784-16-16-10, ..."}).</li>
 * </ul>
 * An element that ends in {@code " \"} goes on in the next one, as in a shell.
 */
final class HelpText {
    /** "  W1  text": an indent, a term, two or more spaces, the text. */
    private static final Pattern ROW = Pattern.compile("^( *)(\\S+(?: \\S+)*?)( {2,})(\\S.*)$");
    private static final Set<String> JOINS_BEFORE = Set.of("&&", "||", "|", ";");
    private static final Set<String> JOINS_AFTER = Set.of(">", ">>", "2>", "<");
    private static final int CONTINUATION_INDENT = 4;

    private HelpText() {
    }

    /** The elements laid out at {@code width}, one string per printed line. */
    static List<String> layout(String[] elements, int width) {
        List<String> out = new ArrayList<>();
        for (String line : joined(elements)) {
            if (line.length() <= width) {
                out.add(line);
            } else if (isExample(line)) {
                out.addAll(example(line, width));
            } else {
                out.addAll(paragraph(line, width));
            }
        }
        return out;
    }

    /** The elements as lines: picocli's %n and %% as picocli reads them, a trailing " \" joined with what follows. */
    private static List<String> joined(String[] elements) {
        List<String> lines = new ArrayList<>();
        StringBuilder pending = null;
        for (String e : elements) {
            for (String line : e.replace("%n", "\n").replace("%%", "%").split("\n", -1)) {
                if (pending != null) {
                    pending.append(' ').append(line.strip());
                } else {
                    pending = new StringBuilder(line);
                }
                if (pending.toString().endsWith(" \\")) {
                    pending.setLength(pending.length() - 2);
                } else {
                    lines.add(pending.toString());
                    pending = null;
                }
            }
        }
        if (pending != null) {
            lines.add(pending.toString());
        }
        return lines;
    }

    private static boolean isExample(String line) {
        String s = line.strip();
        return s.startsWith("backprop-cl ") || s.startsWith("./backprop-cl ") || s.startsWith("$ backprop-cl ");
    }

    private static List<String> example(String line, int width) {
        String indent = line.substring(0, line.length() - line.stripLeading().length());
        String rest = line.strip();
        String comment = "";
        int hash = commentStart(rest);
        if (hash >= 0) {
            comment = rest.substring(hash).strip();
            rest = rest.substring(0, hash).strip();
        }
        List<String> units = units(words(rest));
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder(indent).append(units.get(0));
        String more = indent + " ".repeat(CONTINUATION_INDENT);
        for (int i = 1; i < units.size(); i++) {
            String u = units.get(i);
            int room = i == units.size() - 1 ? width : width - 2;
            if (cur.length() + 1 + u.length() <= room) {
                cur.append(' ').append(u);
            } else {
                lines.add(cur + " \\");
                cur = new StringBuilder(more).append(u);
            }
        }
        lines.add(cur.toString());
        if (!comment.isEmpty()) {
            String last = lines.get(lines.size() - 1);
            if (last.length() + 2 + comment.length() <= width) {
                lines.set(lines.size() - 1, last + "  " + comment);
            } else {
                lines.add(0, indent + comment);
            }
        }
        return lines;
    }

    /** Where a shell comment starts: a '#' outside quotes after a space, or -1. */
    private static int commentStart(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && i > 0 && s.charAt(i - 1) == ' ') {
                return i;
            }
        }
        return -1;
    }

    /** The words of a command line, a quoted string being part of its word. */
    private static List<String> words(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == ' ') {
                if (w.length() > 0) {
                    words.add(w.toString());
                    w.setLength(0);
                }
                continue;
            }
            w.append(c);
        }
        if (w.length() > 0) {
            words.add(w.toString());
        }
        return words;
    }

    /**
     * Words that stay on one line: the program with its command, an option with its value, a
     * redirection with its file; "&&" and "|" end the unit before them, so a broken line ends in
     * them and the next one starts with a command.
     */
    private static List<String> units(List<String> words) {
        List<String> units = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String next = i + 1 < words.size() ? words.get(i + 1) : null;
            boolean program = w.endsWith("backprop-cl");
            boolean takesNext = next != null && !next.startsWith("-") && !JOINS_BEFORE.contains(next)
                    && (program || w.startsWith("-") || JOINS_AFTER.contains(w));
            if (takesNext) {
                w = w + " " + next;
                i++;
            }
            if (JOINS_BEFORE.contains(w) && !units.isEmpty()) {
                units.set(units.size() - 1, units.get(units.size() - 1) + " " + w);
            } else {
                units.add(w);
            }
        }
        return units;
    }

    private static List<String> paragraph(String line, int width) {
        Matcher row = ROW.matcher(line);
        String first;
        String text;
        if (row.matches() && row.start(4) <= width / 2) {
            first = line.substring(0, row.start(4));
            text = row.group(4);
        } else {
            first = line.substring(0, line.length() - line.stripLeading().length());
            text = line.strip();
        }
        String hang = " ".repeat(first.length());
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder(first);
        boolean empty = true;
        for (String w : text.split(" +")) {
            if (!empty && cur.length() + 1 + w.length() > width) {
                lines.add(cur.toString());
                cur = new StringBuilder(hang);
                empty = true;
            }
            if (!empty) {
                cur.append(' ');
            }
            cur.append(w);
            empty = false;
        }
        lines.add(cur.toString());
        return lines;
    }
}
