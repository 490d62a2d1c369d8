package backpropcl.reliability;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code java -cp <the test classpath> CLASS ARGS...} as a child process, its stdout and
 * stderr together in a log file, as TrainCommandTest does for its real Ctrl-C.
 */
final class ChildJvm {
    /** The command line entry point the children run unless told otherwise. */
    static final String MAIN = "backpropcl.cli.Main";

    private ChildJvm() {
    }

    /** The java launcher of the JVM running the tests. */
    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java" + (File.separatorChar == '\\' ? ".exe" : "")).toString();
    }

    /** {@code java [jvm options] -cp <classpath> mainClass args...}. */
    static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts the command with extra environment variables, output to {@code log}. */
    static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The log's text, or a note when there is none. */
    static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
