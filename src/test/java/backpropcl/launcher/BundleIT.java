package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.reliability.OpenClGate;
import backpropcl.testing.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle that needs no JDK (mvn -Pdist verify builds it and sets BACKPROP_CL_BUNDLE), unpacked
 * and run as on a machine without Java: an empty environment whose PATH has a {@code java} that
 * fails and whose JAVA_HOME points nowhere, so a launcher that reached for either would fail.
 */
class BundleIT {
    private static final String FAKE_JAVA_SAYS = "a java outside the bundle was run";

    @TempDir
    static Path dir;
    private static Path root;
    private static Path fakeJavaDir;

    @BeforeAll
    static void unpack() throws Exception {
        String bundle = System.getenv("BACKPROP_CL_BUNDLE");
        Assumptions.assumeTrue(bundle != null, "the bundle is built by mvn -Pdist package");
        Path tarGz = Path.of(bundle);
        assertTrue(Files.isRegularFile(tarGz), "BACKPROP_CL_BUNDLE names no file: " + tarGz);
        Process tar = new ProcessBuilder("tar", "-xzf", tarGz.toString(), "-C", dir.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor(), "tar -xzf " + tarGz);
        try (var top = Files.list(dir)) {
            List<Path> entries = top.toList();
            assertEquals(1, entries.size(), "one top-level folder in " + tarGz + ": " + entries);
            root = entries.get(0);
        }
        fakeJavaDir = Files.createDirectory(dir.resolve("fake-java"));
        Path fake = fakeJavaDir.resolve("java");
        Files.writeString(fake, "#!/bin/sh\necho '" + FAKE_JAVA_SAYS + "' >&2\nexit 99\n");
        assertTrue(fake.toFile().setExecutable(true));
    }

    /** bin/backprop-cl ARGS in an environment with no usable Java. */
    private static Launcher noJava(String... args) {
        return Launcher.program(root.resolve("bin/backprop-cl"), args).in(dir).emptyEnvironment()
                .env("PATH", fakeJavaDir + ":/usr/bin:/bin")
                .env("HOME", System.getProperty("user.home"))
                .env("JAVA_HOME", dir.resolve("no-such-jdk").toString())
                .env("BACKPROP_CL_CACHE", dir.resolve("cache").toString());
    }

    @Test
    void trainsWithItsOwnRuntime() {
        Launcher.Run run = noJava("train", "--epochs", "1", "--engine", "cpu", "--train-samples", "1000").run();
        assertEquals(0, run.code(), run.describe());
        assertTrue(run.out().contains("done: test accuracy"), run.describe());
        // The incubator notice is dropped as by ./backprop-cl, and the fake java never ran.
        assertEquals("", run.err(), run.describe());
    }

    @Test
    void theRuntimeHoldsTheProgramsModulesOnly() throws Exception {
        Process p = new ProcessBuilder(root.resolve("runtime/bin/java").toString(), "--list-modules").start();
        String listed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listed);
        Set<String> modules = listed.lines().map(l -> l.replaceAll("@.*", "")).collect(Collectors.toCollection(TreeSet::new));
        // src/dist/make-bundle.sh's six, and the three java.desktop requires.
        assertEquals(new TreeSet<>(Arrays.asList("java.base", "java.datatransfer", "java.desktop", "java.logging",
                "java.prefs", "java.xml", "jdk.crypto.ec", "jdk.incubator.vector", "jdk.unsupported")), modules);
    }

    @Test
    void plotsWithTheDesktopModule() throws IOException {
        Path plots = dir.resolve("plots");
        Launcher.Run run = noJava("train", "--epochs", "1", "--engine", "cpu", "--train-samples", "500",
                "--plot", plots.toString()).run();
        assertEquals(0, run.code(), run.describe());
        for (String name : List.of("loss.png", "accuracy.png", "confusion.png")) {
            byte[] png = Files.readAllBytes(plots.resolve(name));
            assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII), name);
        }
    }

    @Test
    void findsTheSystemsOpenClDevicesThroughItsIcdLoader() {
        OpenClGate.requireDevice();
        Launcher.Run run = noJava("devices").run();
        assertEquals(0, run.code(), run.describe());
        assertTrue(run.out().startsWith("0: "), run.describe());
        assertTrue(run.out().contains("platform "), run.describe());
    }

    @Test
    void preloadsItsRuntimesSignalChaining() {
        // As LauncherIT's test of ./backprop-cl: -Xcheck:jni names every JVM signal handler that a
        // native library replaced; the control below shows that it does so with this runtime.
        OpenClGate.requireDevice();
        Launcher.Run run = noJava("train", "--epochs", "1", "--train-samples", "500", "--engine", "auto")
                .env("BACKPROP_CL_JAVA_OPTS", "-Xcheck:jni").run();
        assertEquals(0, run.code(), run.describe());
        assertFalse((run.out() + run.err()).contains("handler modified"), run.describe());
        assertFalse(run.err().contains(FAKE_JAVA_SAYS), run.describe());
    }

    @Test
    void withoutSignalChainingPoclReplacesItsRuntimesHandlers() throws Exception {
        // The control: the bundle's java on its jar with no libjsig preloaded. -Xcheck:jni looks
        // at the handlers at JNI calls, which a short run may end before: a few tries.
        OpenClGate.requireDevice();
        StringBuilder all = new StringBuilder();
        for (int attempt = 0; attempt < 5; attempt++) {
            ProcessBuilder pb = new ProcessBuilder(root.resolve("runtime/bin/java").toString(), "-Xcheck:jni",
                    "-jar", root.resolve("lib/backprop-cl.jar").toString(), "devices").redirectErrorStream(true);
            pb.environment().remove("LD_PRELOAD");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            if (output.contains("SIGSEGV handler modified")) {
                return;
            }
            all.append(output);
        }
        throw new AssertionError("5 runs without libjsig and no replaced handler reported:\n" + all);
    }
}
