package backpropcl.cli;

import backpropcl.data.DataException;
import backpropcl.io.ModelFileException;
import backpropcl.io.OutputFileException;
import backpropcl.train.DivergedException;
import backpropcl.train.MetricsFile;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "backprop-cl", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "Neural networks, dense and convolutional, trained by backpropagation and mini-batch SGD, on OpenCL devices or the CPU.",
        subcommands = {
            TrainCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            PlotCommand.class,
            VisualizeCommand.class,
            CompareCommand.class,
            GradcheckCommand.class,
            DevicesCommand.class,
            BenchCommand.class,
            SelftestCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 a check failed, 2 a user error, 3 training diverged.",
            "Run 'backprop-cl COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    /** What {@code --version} prints, on every command. */
    static final String VERSION = "backprop-cl 0.1.0";

    public static void main(String[] args) {
        // Plots are drawn into images, never onto a screen: no display is needed.
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code; used by tests too. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.registerConverter(java.nio.file.Path.class, new OptionValues.FileName());
        cl.setOut(out);
        cl.setErr(err);
        configure(cl);
        cl.setParameterExceptionHandler((e, a) -> {
            if (e.getCause() instanceof OptionValues.BadValue bad) {
                // The converter's message says what was typed and what is expected; it follows the option's name.
                e.getCommandLine().getErr().println("backprop-cl: " + argName(e.getArgSpec()) + " " + oneLine(bad.getMessage()));
                return ExitCodes.USER_ERROR;
            }
            String command = e.getCommandLine().getCommandName();
            // Unknown names get the nearest known one on the same line; picocli's list of suggestions is not printed.
            String unknown = UnknownArguments.message(e);
            String message = unknown == null || unknown.isEmpty() ? e.getMessage() : unknown;
            e.getCommandLine().getErr().println("backprop-cl: " + oneLine(message) + " (see '"
                    + (command.equals("backprop-cl") ? "" : "backprop-cl ") + command + " --help')");
            return ExitCodes.USER_ERROR;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Integer code = userErrorCode(e);
            if (code == null) {
                throw e;
            }
            commandLine.getErr().println("backprop-cl: " + oneLine(e.getMessage()));
            return code;
        });
        String unknownCommand = UnknownArguments.unknownFirstCommand(cl.getCommandSpec(), args);
        if (unknownCommand != null) {
            err.println("backprop-cl: " + oneLine(unknownCommand) + " (see 'backprop-cl --help')");
            err.flush();
            return ExitCodes.USER_ERROR;
        }
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Every command: the program's version for its -V (picocli gives a subcommand none of its own),
     * and help laid out at the terminal's width ({@link HelpWidth}) with examples that still paste
     * into a shell ({@link HelpText}).
     */
    private static void configure(CommandLine cl) {
        cl.getCommandSpec().version(VERSION);
        cl.setHelpFactory((spec, colors) -> {
            HelpWidth.apply(spec.usageMessage());
            return new CommandLine.Help(spec, colors);
        });
        Map<String, CommandLine.IHelpSectionRenderer> sections = new LinkedHashMap<>(cl.getHelpSectionMap());
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION,
                help -> laidOut(help.commandSpec().usageMessage().description(), help.commandSpec().usageMessage().width()));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
                help -> laidOut(help.commandSpec().usageMessage().footer(), help.commandSpec().usageMessage().width()));
        cl.setHelpSectionMap(sections);
        cl.getSubcommands().values().forEach(Main::configure);
    }

    private static String laidOut(String[] text, int width) {
        StringBuilder sb = new StringBuilder();
        for (String line : HelpText.layout(text, width)) {
            sb.append(line).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** An option's longest name ("--weight-decay"), or a positional parameter's label ("FILE"). */
    private static String argName(CommandLine.Model.ArgSpec arg) {
        if (arg instanceof CommandLine.Model.OptionSpec o) {
            return o.longestName();
        }
        return arg == null ? "a value" : arg.paramLabel();
    }

    /** A message on one line whatever a file put into it: line breaks shown as \n. */
    static String oneLine(String message) {
        return message == null ? "(no message)" : message.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** The exit code for an exception the user caused, or null for a bug. */
    private static Integer userErrorCode(Exception e) {
        if (e instanceof UserError || e instanceof DataException || e instanceof ModelFileException
                || e instanceof MetricsFile.MetricsException || e instanceof OutputFileException) {
            return ExitCodes.USER_ERROR;
        }
        if (e instanceof DivergedException) {
            return ExitCodes.DIVERGED;
        }
        if (e instanceof backpropcl.engine.ReplicaException) {
            // A device failed mid-run: one line naming it; the last checkpoint stays (the trainer writes none now).
            return ExitCodes.CHECK_FAILED;
        }
        if (e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException) {
            return ExitCodes.USER_ERROR;
        }
        return null;
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: show what there is.
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
