package backpropcl.cli;

import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How wide {@code --help} is laid out: COLUMNS when the user's environment has it (shells keep it
 * to themselves unless exported, so it is asked for), else the terminal's width when stdout is one,
 * else 80; never under 55 (picocli's narrowest) nor over 100 (longer lines are hard to read).
 */
final class HelpWidth {
    static final int DEFAULT = 80;
    /** Picocli refuses a narrower usage width. */
    static final int NARROWEST = 55;
    static final int WIDEST = 100;

    private HelpWidth() {
    }

    /** Sets {@code usage}'s width as above, from the environment's COLUMNS and the terminal. */
    static void apply(UsageMessageSpec usage) {
        Integer columns = columns(System.getenv("COLUMNS"));
        int width;
        if (columns != null) {
            width = columns;
        } else {
            // Picocli asks the terminal (stty/tput) when stdout is one, else keeps the width it has.
            usage.width(DEFAULT).autoWidth(true);
            width = usage.width();
        }
        usage.autoWidth(false).width(bounded(width));
    }

    /** COLUMNS as a number of columns, or null when it is not set or not a positive whole number. */
    static Integer columns(String value) {
        if (value == null || !value.strip().matches("[0-9]{1,6}")) {
            return null;
        }
        int n = Integer.parseInt(value.strip());
        return n > 0 ? n : null;
    }

    static int bounded(int width) {
        return Math.max(NARROWEST, Math.min(WIDEST, width));
    }
}
