package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.CommandRun;
import backpropcl.train.Checkpoint;
import backpropcl.train.EpochMetrics;
import backpropcl.train.MetricsFile;
import backpropcl.train.Position;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train's optimizers, checkpoints, resume, metrics and plots, through the command line. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private static final String[] SMALL = {"--data", "points:moons:300", "--engine", "cpu", "--no-progress"};

    private static String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void metricsCheckpointsPlotsAndAResumeThatExtendsTheRun() throws IOException {
        Path cp = dir.resolve("cp");
        Path metrics = dir.resolve("m.csv");
        Path plots = dir.resolve("plots");
        CommandRun first = run(args("--optimizer", "adam", "--epochs", "3", "--checkpoint-dir", cp.toString(), "--metrics",
                metrics.toString(), "--plot", plots.toString()));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("training 2-16-16-2"), "the widths come from the data: " + first.out());
        assertTrue(first.out().contains("adam (beta1 0.9"), first.out());
        assertEquals(3, MetricsFile.read(metrics).size());
        for (String png : new String[] {"loss.png", "accuracy.png", "confusion.png", "boundary.png"}) {
            assertTrue(Files.size(plots.resolve(png)) > 1000, png);
        }
        assertEquals(new Position(3, 0), Checkpoint.load(cp).next());

        CommandRun more = run(args("--resume", cp.toString(), "--epochs", "5", "--metrics", metrics.toString()));
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("resumed from"), more.out());
        assertTrue(more.out().contains("epoch   4") && !more.out().contains("epoch   3 "), more.out());
        List<EpochMetrics> rows = MetricsFile.read(metrics);
        assertEquals(5, rows.size(), "the resumed run's file holds the earlier epochs too");
        assertEquals(new Position(5, 0), Checkpoint.load(cp).next());
    }

    @Test
    void badOptimizerOptionsAndResumeClashesExitTwo() {
        Path cp = dir.resolve("cp");
        assertEquals(0, run(args("--epochs", "1", "--checkpoint-dir", cp.toString())).code());
        String[][] bad = {
            {"--resume", cp.toString(), "--lr", "0.1"},
            {"--resume", cp.toString(), "--arch", "2-8-2"},
            {"--resume", dir.resolve("none").toString()},
            {"--resume", cp.toString()},
            {"--resume", cp.toString(), "--epochs", "1"},
            {"--optimizer", "rmsprop"},
            {"--weight-decay", "0.1", "--l2", "5"},
            {"--optimizer", "momentum", "--momentum", "1.5"},
            {"--lr-schedule", "linear"},
            {"--lr-schedule", "cosine", "--min-lr", "9"},
            {"--expand"},
        };
        for (String[] b : bad) {
            CommandRun r = run(args(b));
            assertEquals(2, r.code(), String.join(" ", b) + ": " + r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("backprop-cl: "), r.err());
        }
        assertTrue(run(args("--resume", cp.toString(), "--lr", "0.1")).err().contains("drop --lr"));
    }

    /**
     * Ctrl-C for real: a child JVM training on the cpu engine gets SIGINT, finishes its batch, writes
     * a checkpoint and exits 130; resuming it ends bitwise where a run never interrupted ends.
     */
    @Test
    void ctrlCCheckpointsAndTheResumedRunMatchesAnUninterruptedOne() throws IOException, InterruptedException {
        Path cp = dir.resolve("cp");
        String[] training = {"--data", "points:spiral:20000", "--arch", "2-64-64-2", "--activation", "tanh", "--engine", "cpu",
            "--optimizer", "nesterov", "--lr", "0.05", "--no-progress"};
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "train", "--epochs", "1000",
                "--checkpoint-dir", cp.toString()));
        cmd.addAll(List.of(training));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Checkpoint.exists(cp) && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(Checkpoint.exists(cp), "no checkpoint after the first epoch: " + log());
            Thread.sleep(150);   // into the second epoch
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not stop after Ctrl-C");
        } finally {
            child.destroyForcibly();
        }
        assertEquals(ExitCodes.INTERRUPTED, child.exitValue(), log());
        assertTrue(log().contains("go on with: backprop-cl train --resume"), log());
        Position at = Checkpoint.load(cp).next();
        int epochs = at.epoch() + 2;

        CommandRun resumed = run(args2("--resume", cp.toString(), "--epochs", Integer.toString(epochs)));
        assertEquals(0, resumed.code(), resumed.err());
        Path whole = dir.resolve("whole");
        List<String> straight = new ArrayList<>(List.of("train", "--epochs", Integer.toString(epochs), "--checkpoint-dir", whole.toString()));
        straight.addAll(List.of(training));
        CommandRun never = run(straight.toArray(new String[0]));
        assertEquals(0, never.code(), never.err());
        assertTrue(Checkpoint.load(cp).state().bitwiseEquals(Checkpoint.load(whole).state()),
                "stopped at " + at + ", resumed: not where the uninterrupted run ends");
    }

    private static String[] args2(String... a) {
        List<String> l = new ArrayList<>(List.of("train", "--no-progress"));
        l.addAll(List.of(a));
        return l.toArray(new String[0]);
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java" + (File.separatorChar == '\\' ? ".exe" : "")).toString();
    }
}
