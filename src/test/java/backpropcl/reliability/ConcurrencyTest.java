package backpropcl.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.engine.opencl.LiveObjects;
import backpropcl.io.ModelFile;
import backpropcl.reliability.TwoTrainings.Kind;
import backpropcl.reliability.TwoTrainings.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 6, item 5: two trainings at once on one device, in one JVM (two threads, two engines) and
 * in two processes, end with exactly what each would have alone: parameters, optimizer state and
 * every epoch's test evaluation, bitwise (PoCL's kernels and the cpu engine have fixed summation
 * orders; a device without that would need the OpenCL tolerance instead).
 */
class ConcurrencyTest {
    /** The command line's training in the two-process test: 2-64-64-2 on 4,000 points, 3 epochs. */
    static final String[] TRAINING = {"train", "--data", "points:spiral:4000", "--arch", "2-64-64-2", "--activation", "tanh",
        "--engine", "opencl", "--device", "0", "--optimizer", "nesterov", "--lr", "0.05", "--epochs", "3", "--no-progress"};

    @TempDir
    Path dir;

    /**
     * One alone first (on OpenCL this also settles the kernel choices in the tuning cache), then
     * two at once, each engine opened in its own thread at the same moment.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void twoTrainingsInOneJvmEndAsOneAlone(Kind kind) throws Exception {
        if (kind == Kind.OPENCL) {
            OpenClGate.requireDevice();
        }
        int buffers = LiveObjects.buffers();
        DataSplit data = TwoTrainings.data();
        long t0 = System.nanoTime();
        Outcome alone = TwoTrainings.alone(kind, data);
        long t1 = System.nanoTime();
        List<Outcome> both = TwoTrainings.together(kind, data, 2);
        long t2 = System.nanoTime();
        for (int i = 0; i < both.size(); i++) {
            assertTrue(both.get(i).sameAs(alone), kind + ": training " + i + " of two at once is not bitwise the run alone: "
                    + both.get(i).tests() + " vs " + alone.tests());
        }
        assertEquals(buffers, LiveObjects.buffers(), "buffers alive after the runs");
        System.out.printf(Locale.ROOT, "ConcurrencyTest: %s in one JVM: alone %.1f s, two at once %.1f s, bitwise equal%n", kind,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /**
     * The same in a fresh JVM, where opening the two engines is the process's first use of
     * OpenCL: PoCL sets its devices up on that first call and did not guard it against a second
     * thread (one saw no device, or the JVM crashed in clGetDeviceInfo) until
     * OpenClDevices.probe was made synchronized. Three fresh JVMs: the race hit about one run in two.
     */
    @Test
    void twoEnginesOpenedAtOnceAsTheFirstUseOfOpenCl() throws Exception {
        OpenClGate.requireDevice();
        for (int run = 0; run < 3; run++) {
            Path log = dir.resolve("fresh-" + run + ".log");
            Process p = ChildJvm.start(ChildJvm.command(List.of("-Xmx512m"), TwoTrainings.class.getName(), List.of("OPENCL")),
                    Map.of("BACKPROP_CL_TUNE", "blocked"), log);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish: " + ChildJvm.read(log));
            assertEquals(0, p.exitValue(), "run " + run + ": " + ChildJvm.read(log));
            assertTrue(ChildJvm.read(log).contains("bitwise the same"), ChildJvm.read(log));
        }
    }

    /**
     * Two processes train on device 0 at once and save their models: both exit 0 with models
     * byte for byte the one a run alone saves. Kernel choices are pinned (BACKPROP_CL_TUNE=blocked)
     * so that no timing decides them. Then two processes tune at once into one fresh cache
     * folder: both finish, and the tuning file they both rewrite is whole, with no temporary file left.
     */
    @Test
    void twoProcessesOnOneDeviceEndAsOneAlone() throws Exception {
        OpenClGate.requireDevice();
        Map<String, String> pinned = Map.of("BACKPROP_CL_TUNE", "blocked", "BACKPROP_CL_CACHE", dir.resolve("cache").toString());
        long t0 = System.nanoTime();
        byte[] alone = Files.readAllBytes(runTogether(pinned, "alone").get(0));
        long t1 = System.nanoTime();
        List<Path> both = runTogether(pinned, "a", "b");
        long t2 = System.nanoTime();
        for (Path p : both) {
            assertArrayEquals(alone, Files.readAllBytes(p), p.getFileName() + " is not byte for byte the model of the run alone");
        }

        Path tuned = dir.resolve("tuned-cache");
        List<Path> tunedModels = runTogether(Map.of("BACKPROP_CL_CACHE", tuned.toString()), "tuned-a", "tuned-b");
        for (Path p : tunedModels) {
            ModelFile.load(p);
        }
        Path cacheFile = tuned.resolve("kernel-tuning.properties");
        Properties choices = new Properties();
        try (InputStream in = Files.newInputStream(cacheFile)) {
            choices.load(in);
        }
        assertTrue(choices.size() >= 3, "the tuning cache holds the choices: " + choices);
        for (String key : choices.stringPropertyNames()) {
            assertTrue(choices.getProperty(key).matches("tiled|blocked/[0-9]+"), key + " = " + choices.getProperty(key));
        }
        try (Stream<Path> s = Files.list(tuned)) {
            assertEquals(List.of("kernel-tuning.properties"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only the tuning file is left in the cache folder");
        }
        System.out.printf(Locale.ROOT, "ConcurrencyTest: two processes on one device: alone %.1f s, two at once %.1f s, models "
                + "bitwise equal; tuning at once: %d choices, file whole%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, choices.size());
    }

    /** Starts one training child per name at once, each saving NAME.safetensors; waits for all; each must exit 0. */
    private List<Path> runTogether(Map<String, String> env, String... names) throws IOException, InterruptedException {
        List<Process> children = new ArrayList<>();
        List<Path> models = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (String name : names) {
                Path model = dir.resolve(name + ".safetensors");
                Path log = dir.resolve(name + ".log");
                List<String> args = new ArrayList<>(List.of(TRAINING));
                args.addAll(List.of("--save", model.toString()));
                children.add(ChildJvm.start(ChildJvm.command(List.of("-Xmx256m"), ChildJvm.MAIN, args), env, log));
                models.add(model);
                logs.add(log);
            }
            for (int i = 0; i < names.length; i++) {
                assertTrue(children.get(i).waitFor(180, TimeUnit.SECONDS), names[i] + " did not finish: " + ChildJvm.read(logs.get(i)));
                assertEquals(0, children.get(i).exitValue(), names[i] + ": " + ChildJvm.read(logs.get(i)));
            }
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
        return models;
    }
}
