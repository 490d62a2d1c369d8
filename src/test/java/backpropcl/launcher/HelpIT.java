package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.cli.Main;
import backpropcl.testing.Launcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * --help and --version as a person meets them through ./backprop-cl (issue 13, part 6): every
 * command's one-line summary whole in the top-level list, every help within the terminal's width
 * (COLUMNS) with examples that still paste into a shell, and -V on every command.
 */
class HelpIT {
    /** Each command's name and its summary (its header, else the first line of its description), as picocli lists it. */
    private static Map<String, String> summaries() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, CommandLine> c : new CommandLine(new Main()).getSubcommands().entrySet()) {
            CommandLine.Model.UsageMessageSpec usage = c.getValue().getCommandSpec().usageMessage();
            m.put(c.getKey(), usage.header().length > 0 ? usage.header()[0] : usage.description()[0]);
        }
        return m;
    }

    private static Launcher.Run ok(Launcher launcher) {
        Launcher.Run run = launcher.run();
        assertEquals(0, run.code(), run.describe());
        assertEquals("", run.err(), run.describe());
        return run;
    }

    @Test
    void theTopLevelHelpListsEveryCommandWithItsWholeSummaryOnOneLine() {
        Launcher.Run help = ok(Launcher.of("--help").env("COLUMNS", ""));
        assertEquals(help.out(), ok(Launcher.of().env("COLUMNS", "")).out(), "no arguments print the help");
        List<String> lines = help.out().lines().toList();
        for (Map.Entry<String, String> c : summaries().entrySet()) {
            String row = "  " + String.format("%-9s", c.getKey()) + "  " + c.getValue();
            assertTrue(c.getValue().endsWith("."), c.getKey() + "'s summary is not a whole sentence: " + c.getValue());
            assertTrue(lines.contains(row), "no line '" + row + "' in\n" + help.out());
        }
    }

    @Test
    void everyHelpFitsTheWidthItIsGiven() {
        List<String> commands = new ArrayList<>(summaries().keySet());
        commands.add(0, null);
        for (String width : new String[] {"55", null}) {
            int limit = width == null ? 80 : Integer.parseInt(width);
            for (String c : commands) {
                // No COLUMNS (empty is none) and stdout a pipe: 80 columns.
                Launcher l = (c == null ? Launcher.of("--help") : Launcher.of(c, "--help")).env("COLUMNS", width == null ? "" : width);
                Launcher.Run run = ok(l);
                for (String line : run.out().lines().toList()) {
                    assertTrue(line.length() <= limit, (c == null ? "" : c + " ") + "--help at " + limit + " columns: '" + line
                            + "' is " + line.length() + " wide\n" + run.out());
                }
            }
        }
    }

    @Test
    void trainsExamplesPasteIntoAShellAtEveryWidth() {
        String example = "backprop-cl train --arch 784-128-64-10 --activation relu --cost cross-entropy --init he "
                + "--optimizer adam --lr 0.001 --lr-schedule cosine --batch 32 --epochs 20";
        for (String width : new String[] {"55", "80", "200"}) {
            Launcher.Run run = ok(Launcher.of("train", "--help").env("COLUMNS", width));
            String out = run.out();
            String examples = out.substring(out.indexOf("Examples:"), out.indexOf("\n\n", out.indexOf("Examples:")));
            assertTrue(examples.replace(" \\\n", " ").replaceAll(" {2,}", " ").contains(example), "at " + width + ":\n" + examples);
            for (String line : examples.lines().toList()) {
                assertTrue(line.startsWith("  backprop-cl ") || line.startsWith("      --") || line.startsWith("  # ")
                        || line.equals("Examples:"), "at " + width + ", a line that is not a command, its continuation or a "
                        + "comment: '" + line + "'\n" + examples);
            }
            if (width.equals("200")) {
                assertTrue(out.lines().allMatch(line -> line.length() <= 100), "at most 100 columns:\n" + out);
                assertTrue(out.lines().anyMatch(line -> line.length() > 80), "COLUMNS=200 widens the help:\n" + out);
            }
        }
    }

    @Test
    void versionWorksOnEveryCommand() {
        String version = ok(Launcher.of("--version")).out();
        assertEquals("backprop-cl 0.1.0\n", version);
        assertEquals(version, ok(Launcher.of("-V")).out());
        for (String c : summaries().keySet()) {
            if (!c.equals("help")) {
                assertEquals(version, ok(Launcher.of(c, c.equals("train") ? "-V" : "--version")).out(), c + " --version");
            }
        }
    }
}
