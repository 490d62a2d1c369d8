package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.reliability.OpenClGate;
import backpropcl.testing.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The launcher itself: signal chaining (issue 12, family 1) and one line on stderr (family 8). */
class LauncherIT {
    private static final String REPLACED = "handler modified";

    @Test
    void openClProbingLeavesTheJvmsSignalHandlersInPlace() {
        OpenClGate.requireDevice();
        // -Xcheck:jni compares the JVM's handlers with what it installed at every JNI call and
        // reports each one that a native library replaced.
        Launcher.Run run = Launcher.of("train", "--epochs", "1", "--train-samples", "500", "--engine", "auto")
                .env("BACKPROP_CL_JAVA_OPTS", "-Xcheck:jni").run();
        assertEquals(0, run.code(), run.describe());
        assertFalse((run.out() + run.err()).contains(REPLACED), run.describe());
        assertTrue(run.out().contains("done: test accuracy"), run.describe());
    }

    @Test
    void withoutSignalChainingPoclReplacesThem() throws Exception {
        // The control: the same jar run by plain java, no libjsig preloaded. If this stops finding a
        // replaced handler, the test above proves nothing any more.
        OpenClGate.requireDevice();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xcheck:jni",
                "-jar", System.getenv("BACKPROP_CL_JAR"), "devices");
        // -Xcheck:jni looks at the handlers at JNI calls, and a short run may end before it looks:
        // a few tries, as the positive test above cannot be made to pass by chance.
        StringBuilder all = new StringBuilder();
        for (int attempt = 0; attempt < 5; attempt++) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().remove("LD_PRELOAD");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (output.contains("SIGSEGV " + REPLACED)) {
                return;
            }
            all.append(output);
        }
        throw new AssertionError("5 runs without libjsig and no replaced handler reported:\n" + all);
    }

    @Test
    void aUserErrorIsOneLineOnStderr() {
        Launcher.Run run = Launcher.of("train", "--bogus").run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: Unknown option: '--bogus' (see 'backprop-cl train --help')"), run.errLines(),
                run.describe());
        assertEquals("", run.out(), run.describe());
    }

    @Test
    void optionsPickedUpFromTheEnvironmentAreStillSaid() {
        // The JVM names them before the incubator warning; the filter lets them pass and still drops the warning.
        Launcher.Run run = Launcher.of("train", "--bogus").env("JAVA_TOOL_OPTIONS", "-Xss2m").run();
        assertEquals(List.of("Picked up JAVA_TOOL_OPTIONS: -Xss2m",
                "backprop-cl: Unknown option: '--bogus' (see 'backprop-cl train --help')"), run.errLines(), run.describe());
    }

    @Test
    void helpAndJsonLeaveStderrEmpty() {
        for (String[] args : new String[][] {{"--help"}, {"train", "--help"}, {"--version"},
            {"evaluate", "--model", "no-such-model.safetensors", "--json"}}) {
            Launcher.Run run = Launcher.of(args).run();
            if (run.code() == 0) {
                assertEquals("", run.err(), run.describe());
            } else {
                assertEquals(1, run.errLines().size(), run.describe());
            }
            assertFalse(run.err().contains("incubator"), run.describe());
        }
    }

    @Test
    void theProgressBarStillReachesATerminal() throws Exception {
        // script(1) gives the launcher a pseudo-terminal, as a person's shell does.
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "no script(1) to make a terminal");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-qec",
                Launcher.script() + " train --epochs 1 --train-samples 2000", "/dev/null").redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        p.getOutputStream().close();
        String screen = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), screen);
        assertTrue(screen.contains("epoch 1/1 100% ["), screen);
        assertFalse(screen.contains("WARNING: Using incubator modules"), screen);
    }

    @Test
    void aNewerJdkAddsNoWarningsEither() throws Exception {
        // Java 22+ warns when a library loads native code (JOCL) unless the jar allows it; the
        // launcher takes JAVA_HOME first. Runs where a second, newer JDK is installed beside 17.
        Path jdk = newerJdk();
        Assumptions.assumeTrue(jdk != null, "no JDK 22 or later under /usr/lib/jvm");
        Launcher.Run devices = Launcher.of("devices").env("JAVA_HOME", jdk.toString()).run();
        assertEquals(0, devices.code(), devices.describe());
        assertEquals("", devices.err(), devices.describe());
        Launcher.Run bad = Launcher.of("train", "--bogus").env("JAVA_HOME", jdk.toString()).run();
        assertEquals(List.of("backprop-cl: Unknown option: '--bogus' (see 'backprop-cl train --help')"), bad.errLines(), bad.describe());
    }

    /** A JDK of version 22 or later beside the default one (its release file says), or null. */
    private static Path newerJdk() throws java.io.IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (var dirs = Files.list(jvms)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                Path release = d.resolve("release");
                if (Files.isRegularFile(release) && Files.isExecutable(d.resolve("bin/java"))) {
                    var m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
                    if (m.find() && Integer.parseInt(m.group(1)) >= 22) {
                        return d;
                    }
                }
            }
        }
        return null;
    }
}
