package backpropcl.testing;

import backpropcl.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One command line run in this JVM as a user would run it: its exit code and what it printed. */
public record CommandRun(int code, String out, String err) {

    /** Runs {@code backprop-cl ARGS...} through {@link Main#run}. */
    public static CommandRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CommandRun(code, out.toString(), err.toString());
    }
}
