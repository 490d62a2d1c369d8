package backpropcl.reliability;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import backpropcl.cli.Main;
import backpropcl.io.ModelFile;
import backpropcl.model.TrainingState;
import backpropcl.testing.CommandRun;
import backpropcl.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, item 3: {@code kill -9} at any moment. A child JVM trains with a checkpoint after every
 * epoch (an epoch of spiral:2000 takes tens of milliseconds, so the checkpoint is rewritten all the
 * time) and is killed with SIGKILL ({@link Process#destroyForcibly()} on Linux) at seeded random
 * moments, or the moment a new temporary file shows that a write is under way; then again while
 * it resumes, and while it saves a model over an older one. After every kill the checkpoint loads
 * whole, the model file is byte for byte the old one (or the new one, whole), and at the end a
 * resumed run ends bitwise where a run never killed ends. POSIX only: SIGKILL, exit status 137.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class KillTest {
    /** Seeds the kill moments; printed with every failure. */
    static final long SEED = 0x6b696c6cL;
    /** Kills during training and resuming. */
    static final int TRAINING_KILLS = 12;
    /** Kills around the final save. */
    static final int SAVE_KILLS = 6;
    /** A kill comes up to this many milliseconds after the child's first checkpoint. */
    static final int MAX_DELAY_MS = 400;

    /** Options of the child JVMs: small, and one GC thread, to start fast on a loaded machine. */
    static final List<String> CHILD_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");

    static final String[] TRAINING = {"--data", "points:spiral:2000", "--arch", "2-64-64-2", "--activation", "tanh",
        "--engine", "cpu", "--optimizer", "nesterov", "--lr", "0.05", "--no-progress"};

    @TempDir
    Path dir;

    /**
     * Kills a training run (fresh, then resumed from what the last kill left, and fresh again) at
     * random moments and inside checkpoint writes; every checkpoint left behind loads, a model
     * file next to it is never touched, and the last one resumes to the end bitwise.
     */
    @Test
    void killedTrainingAndResumingLeaveAWholeCheckpoint() throws Exception {
        Random rnd = new Random(SEED);
        Path cp = dir.resolve("run");
        Path model = dir.resolve("run").resolve("model.safetensors");
        Files.createDirectories(cp);
        byte[] oldModel = trainModel(model, 99);
        int inWrite = 0;
        int maxTemps = 0;
        int lastEpoch = 0;
        List<String> log = new ArrayList<>();
        for (int round = 0; round < TRAINING_KILLS; round++) {
            boolean resume = round % 4 != 0;   // every fourth run starts afresh over the old checkpoint
            boolean atWrite = round % 2 == 1;
            List<String> args = new ArrayList<>(List.of("train", "--save", model.toString()));
            if (resume) {
                args.addAll(List.of("--resume", cp.toString(), "--no-progress"));
            } else {
                args.addAll(List.of("--epochs", "100000", "--checkpoint-dir", cp.toString(), "--overwrite-checkpoint"));
                args.addAll(List.of(TRAINING));
            }
            Object before = fileKey(Checkpoint.file(cp));
            Set<String> oldTemps = new HashSet<>(temporaries(cp));
            Path childLog = dir.resolve("child-" + round + ".log");
            Process child = ChildJvm.start(ChildJvm.command(CHILD_JVM, ChildJvm.MAIN, args), Map.of(), childLog);
            String what;
            try {
                waitFor(child, childLog, 60, () -> !java.util.Objects.equals(before, fileKey(Checkpoint.file(cp))),
                        "the child's first checkpoint");
                if (atWrite) {
                    waitFor(child, childLog, 30, () -> !oldTemps.containsAll(temporariesQuietly(cp)), "a checkpoint write");
                    what = "at a write";
                } else {
                    int delay = rnd.nextInt(MAX_DELAY_MS + 1);
                    Thread.sleep(delay);
                    what = delay + " ms after its first checkpoint";
                }
                assertTrue(child.isAlive(), "round " + round + ": the child ended before the kill: " + ChildJvm.read(childLog));
            } finally {
                child.destroyForcibly();
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child did not go away");
            assertEquals(137, child.exitValue(), "round " + round + ": not killed by SIGKILL: " + ChildJvm.read(childLog));

            List<String> temps = temporaries(cp);
            boolean leftTemp = !oldTemps.containsAll(temps);
            inWrite += leftTemp ? 1 : 0;
            maxTemps = Math.max(maxTemps, temps.size());
            Checkpoint c = loadWhole(cp, "round " + round + " (seed " + SEED + ", killed " + what + ")");
            lastEpoch = c.next().epoch();
            assertArrayEquals(oldModel, Files.readAllBytes(model), "round " + round + ": the model file next to the checkpoint changed");
            log.add(String.format(Locale.ROOT, "%s run killed %s: checkpoint of epoch %d%s, %d temporary files", resume ? "resumed" : "fresh",
                    what, lastEpoch, leftTemp ? " (a write was cut)" : "", temps.size()));
        }
        System.out.println("KillTest: " + TRAINING_KILLS + " kills, " + inWrite + " cut a checkpoint write, at most " + maxTemps
                + " temporary files\n  " + String.join("\n  ", log));

        // What the kills left resumes to the end, as if never killed: 2 more epochs, bitwise.
        int epochs = lastEpoch + 2;
        CommandRun resumed = run("train", "--resume", cp.toString(), "--epochs", Integer.toString(epochs), "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        Path whole = dir.resolve("whole");
        List<String> straight = new ArrayList<>(List.of("train", "--epochs", Integer.toString(epochs), "--checkpoint-dir",
                whole.toString()));
        straight.addAll(List.of(TRAINING));
        CommandRun never = run(straight.toArray(new String[0]));
        assertEquals(0, never.code(), never.err());
        assertTrue(Checkpoint.load(cp).state().bitwiseEquals(Checkpoint.load(whole).state()),
                "killed " + TRAINING_KILLS + " times and resumed: not where an uninterrupted run of " + epochs + " epochs ends");
        assertEquals(List.of(), temporaries(cp), "a completed write leaves no temporary file of earlier killed writes");
    }

    /**
     * Kills a short run around its final {@code --save} over an older model: the file is always
     * either the old one, byte for byte, or the new one, whole and byte for byte what an unkilled
     * run writes; never a mixture, never missing.
     */
    @Test
    void killedSaveKeepsTheOldModelOrWritesTheNewOneWhole() throws Exception {
        Random rnd = new Random(SEED + 1);
        Path model = dir.resolve("model.safetensors");
        byte[] oldModel = trainModel(model, 99);
        List<String> args = new ArrayList<>(List.of("train", "--epochs", "2", "--save", model.toString()));
        args.addAll(List.of(TRAINING));
        List<String> expectedArgs = new ArrayList<>(args);
        Path expectedFile = dir.resolve("expected.safetensors");
        expectedArgs.set(4, expectedFile.toString());
        CommandRun full = run(expectedArgs.toArray(new String[0]));
        assertEquals(0, full.code(), full.err());
        byte[] newModel = Files.readAllBytes(expectedFile);
        assertTrue(!Arrays.equals(oldModel, newModel));

        int kept = 0;
        int replaced = 0;
        int cut = 0;
        for (int round = 0; round < SAVE_KILLS; round++) {
            Files.write(model, oldModel);
            Set<String> oldTemps = new HashSet<>(temporaries(dir));
            Path childLog = dir.resolve("save-" + round + ".log");
            Process child = ChildJvm.start(ChildJvm.command(CHILD_JVM, ChildJvm.MAIN, args), Map.of(), childLog);
            try {
                if (round % 2 == 0) {
                    waitFor(child, childLog, 60, () -> ChildJvm.read(childLog).contains("done:"), "the end of training");
                    Thread.sleep(rnd.nextInt(150));
                } else {
                    waitFor(child, childLog, 60, () -> !oldTemps.containsAll(temporariesQuietly(dir)), "the model's write");
                }
            } finally {
                child.destroyForcibly();
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            cut += !oldTemps.containsAll(temporaries(dir)) ? 1 : 0;
            byte[] now = Files.readAllBytes(model);
            if (Arrays.equals(oldModel, now)) {
                kept++;
            } else if (Arrays.equals(newModel, now)) {
                replaced++;
            } else {
                fail("round " + round + " (seed " + SEED + "): the model file is neither the old one nor the new one ("
                        + now.length + " bytes)");
            }
            ModelFile.load(model);
        }
        System.out.println("KillTest: " + SAVE_KILLS + " kills around --save: old file kept " + kept + ", new file whole " + replaced
                + ", " + cut + " cut the write");
    }

    /** Waits until {@code done} holds; fails when the child ends or the time runs out first. */
    private static void waitFor(Process child, Path log, int seconds, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (!child.isAlive()) {
                fail("the child ended (exit " + child.exitValue() + ") before " + what + ": " + ChildJvm.read(log));
            }
            if (System.nanoTime() > deadline) {
                fail("no sign of " + what + " after " + seconds + " s: " + ChildJvm.read(log));
            }
            LockSupport.parkNanos(200_000);   // 0.2 ms: fine enough to land inside a write, and leaves the child a core
        }
    }

    /** Loads the checkpoint (and through ModelFile) and checks that it is whole: finite, at an epoch's end. */
    private static Checkpoint loadWhole(Path cp, String when) {
        Checkpoint c;
        try {
            c = Checkpoint.load(cp);
        } catch (RuntimeException e) {
            throw new AssertionError(when + ": the checkpoint does not load: " + e.getMessage(), e);
        }
        ModelFile.load(Checkpoint.file(cp));
        assertTrue(c.next().epoch() >= 1 && c.next().batch() == 0, when + ": checkpoint position " + c.next());
        assertEquals(c.next().epoch(), c.metrics().size(), when + ": one metrics row per epoch done");
        TrainingState s = c.state();
        for (int l = 0; l < s.network().denseLayers(); l++) {
            for (double v : s.copyWeights(l)) {
                assertTrue(Double.isFinite(v), when + ": a weight is " + v);
            }
        }
        return c;
    }

    /** A model of the training network, trained one epoch with another seed, saved to {@code file}; its bytes. */
    private byte[] trainModel(Path file, int seed) throws IOException {
        List<String> a = new ArrayList<>(List.of("train", "--epochs", "1", "--seed", Integer.toString(seed), "--save", file.toString()));
        a.addAll(List.of(TRAINING));
        CommandRun r = run(a.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        return Files.readAllBytes(file);
    }

    /** The temporary files of writes in {@code folder} (".NAME.*.tmp"), sorted. */
    static List<String> temporaries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && n.endsWith(".tmp")).sorted().toList();
        }
    }

    private static List<String> temporariesQuietly(Path folder) {
        try {
            return temporaries(folder);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The file's identity (device and inode): a rename over it gives a new one. Null when missing. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

}
