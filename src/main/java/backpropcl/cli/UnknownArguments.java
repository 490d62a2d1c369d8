package backpropcl.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one line for arguments that a command does not know, with the name the user most likely
 * meant: "Unknown option: '--learning-rate'; did you mean --lr?", "Unknown command: 'trian'; did
 * you mean train?". Picocli's own suggestions go by spelling alone and print a list under the
 * message; these also know the names of other libraries ({@link Synonyms}) and stay on the line.
 */
final class UnknownArguments {
    /** HelpCommand's words for a command it does not know ({@code backprop-cl help trian}). */
    private static final Pattern UNKNOWN_HELP_TOPIC = Pattern.compile("Unknown subcommand '(.*)'\\.");

    private UnknownArguments() {
    }

    /** The message for {@code e}, without the trailing "(see ... --help)", or null when it is not about unknown names. */
    static String message(CommandLine.ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            return unmatched(spec, u.getUnmatched());
        }
        if (!e.getCommandLine().getUnmatchedArguments().isEmpty()) {
            // Picocli checks required options first: a mistyped --model is reported as a missing --model.
            return unmatched(spec, e.getCommandLine().getUnmatchedArguments());
        }
        Matcher m = UNKNOWN_HELP_TOPIC.matcher(String.valueOf(e.getMessage()));
        if (m.matches()) {
            return unknownCommand(spec, m.group(1));
        }
        return null;
    }

    private static String unmatched(CommandSpec spec, List<String> args) {
        boolean takesCommand = !spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty();
        List<String> clauses = new ArrayList<>();
        String unexpected = null;
        boolean afterOption = false;
        for (String a : args) {
            if (looksLikeOption(a)) {
                clauses.add(a);
                afterOption = !a.contains("="); // "--learning-rate=0.1" carries its value
            } else if (afterOption) {
                afterOption = false; // the value the user gave to the unknown option
            } else if (takesCommand && spec.subcommands().containsKey(a)) {
                break; // a known command after unknown options: what follows is its own
            } else if (takesCommand) {
                // What follows an unknown command is that command's: only the command is wrong.
                return unknownCommand(spec, a);
            } else if (unexpected == null) {
                unexpected = a;
            }
        }
        List<String> parts = new ArrayList<>();
        if (clauses.size() == 1) {
            String hint = hint(spec, clauses.get(0));
            parts.add("Unknown option: '" + shown(clauses.get(0)) + "'" + (hint.isEmpty() ? "" : "; " + hint));
        } else if (!clauses.isEmpty()) {
            List<String> each = new ArrayList<>();
            for (String o : clauses) {
                String hint = hint(spec, o);
                each.add("'" + shown(o) + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"));
            }
            parts.add("Unknown options: " + String.join(", ", each));
        }
        if (unexpected != null) {
            parts.add("Unexpected argument: '" + unexpected + "'");
        }
        return String.join("; ", parts);
    }

    /**
     * "Unknown command: 'trian'; did you mean train?" when the first of {@code args} names no
     * command but is no option either, else null. picocli answers {@code trian --help} and
     * {@code trian -V} with the top-level help or version and exit 0, before it looks at 'trian'.
     */
    static String unknownFirstCommand(CommandSpec spec, String[] args) {
        if (args.length == 0 || looksLikeOption(args[0]) || spec.subcommands().containsKey(args[0])) {
            return null;
        }
        return unknownCommand(spec, args[0]);
    }

    private static String unknownCommand(CommandSpec spec, String name) {
        String hint = didYouMean(commands(spec).suggest(name));
        return "Unknown command: '" + name + "'" + (hint.isEmpty() ? "" : "; " + hint);
    }

    /** "--lr" for an unknown "--lr=0.1": the value is not part of the name. */
    private static String shown(String arg) {
        int eq = arg.indexOf('=');
        return eq > 0 ? arg.substring(0, eq) : arg;
    }

    /** An option the user meant to give: a dash and a name, not a negative number. */
    private static boolean looksLikeOption(String arg) {
        return arg.length() > 1 && arg.startsWith("-") && !arg.matches("-[0-9.].*");
    }

    /** "did you mean --lr?", "that is the default; --no-shuffle turns it off", or "". */
    private static String hint(CommandSpec spec, String option) {
        String key = NearestNames.key(option);
        for (OptionSpec o : spec.options()) {
            for (String name : o.names()) {
                if (NearestNames.key(name).equals("no" + key)) {
                    return "that is the default; " + name + " turns it off";
                }
            }
        }
        List<String> near = options(spec).suggest(option);
        if (near.isEmpty() && !spec.subcommands().isEmpty()) {
            near = subcommandOptions(spec).suggest(option);
        }
        return didYouMean(near);
    }

    /** "did you mean --epochs or --epsilon?", or "" for no suggestions. */
    private static String didYouMean(List<String> suggestions) {
        if (suggestions.isEmpty()) {
            return "";
        }
        List<String> shown = suggestions.stream().map(s -> s.contains(" ") ? "'" + s + "'" : s).toList();
        String last = shown.get(shown.size() - 1);
        return "did you mean " + (shown.size() == 1 ? last
                : String.join(", ", shown.subList(0, shown.size() - 1)) + " or " + last) + "?";
    }

    /** The command's options under all their names, then the synonyms of those it has. */
    static NearestNames options(CommandSpec spec) {
        NearestNames n = new NearestNames();
        for (OptionSpec o : spec.options()) {
            for (String name : o.names()) {
                n.add(name, o.longestName());
            }
        }
        for (Map.Entry<String, List<String>> s : Synonyms.OPTIONS.entrySet()) {
            for (String target : s.getValue()) {
                if (spec.findOption(target.split(" ")[0]) != null) {
                    n.add(s.getKey(), target);
                    break;
                }
            }
        }
        return n;
    }

    /** For an option given before the command: the options of every command, as "backprop-cl train --epochs". */
    private static NearestNames subcommandOptions(CommandSpec spec) {
        NearestNames n = new NearestNames();
        for (CommandLine sub : spec.subcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            for (OptionSpec o : s.options()) {
                for (String name : o.names()) {
                    n.add(name, s.qualifiedName() + " " + o.longestName());
                }
            }
        }
        return n;
    }

    /** The command's subcommands under their names and aliases, then the synonyms of those it has. */
    static NearestNames commands(CommandSpec spec) {
        NearestNames n = new NearestNames();
        spec.subcommands().keySet().forEach(name -> n.add(name, name));
        for (Map.Entry<String, String> s : Synonyms.COMMANDS.entrySet()) {
            if (spec.subcommands().containsKey(s.getValue()) || spec.findOption(s.getValue()) != null) {
                n.add(s.getKey(), s.getValue());
            }
        }
        return n;
    }
}
