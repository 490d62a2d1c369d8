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
     * A run with a validation split says how it split, watches the split every epoch (no test
     * values per epoch), stops early, names its best epoch, and saves exactly that epoch's
     * parameters, the ones its checkpoint keeps as the best.
     */
    @Test
    void aValidationRunSaysHowItSplitAndSavesItsBestEpoch() throws IOException {
        Path cp = dir.resolve("cp");
        Path model = dir.resolve("best.safetensors");
        Path metrics = dir.resolve("m.csv");
        CommandRun r = run(args("--arch", "2-32-2", "--optimizer", "adam", "--lr", "0.05", "--epochs", "40", "--validation", "0.2",
                "--early-stop", "2", "--checkpoint-dir", cp.toString(), "--save", model.toString(), "--metrics", metrics.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("validation: 0.2 of each class held out of the training set (seed 1); the best epoch by val cost "
                + "(lowest) is kept, stopping after 2 epochs without a better one; the test set is measured once, at the end\n"), r.out());
        assertTrue(r.out().contains("validation split: 240 train / 60 validation, per class train/validation: 0 120/30, 1 120/30\n"),
                r.out());
        java.util.regex.Matcher best = java.util.regex.Pattern.compile("best epoch: (\\d+) of (\\d+) by val cost, val cost 0\\.\\d{4}, "
                + "val accuracy [01]\\.\\d{4}\n").matcher(r.out());
        assertTrue(best.find(), r.out());
        int b = Integer.parseInt(best.group(1));
        int stop = Integer.parseInt(best.group(2));
        assertTrue(r.out().contains("early stop: the val cost has not improved for 2 epochs since epoch " + b + "; stopped after epoch "
                + stop + " of 40\n"), r.out());
        assertTrue(r.out().contains("with epoch " + b + "'s parameters, " + stop + " epochs in "), r.out());
        assertTrue(r.out().contains("saved " + model + " (epoch " + b + ", the best by val cost)\n"), r.out());
        assertTrue(r.out().contains("  best\n"), "an improving epoch says so: " + r.out());
        List<String> epochLines = r.out().lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(stop, epochLines.size(), r.out());
        assertTrue(epochLines.stream().allMatch(l -> l.contains("  val cost ") && !l.contains("test")), "no test set per epoch: " + r.out());
        Checkpoint last = Checkpoint.load(cp);
        assertEquals(b, last.best().epoch());
        assertTrue(last.stoppedEarly());
        assertTrue(backpropcl.io.ModelFile.load(model).parameters().bitwiseEquals(last.best().state().parameters()),
                "--save wrote the best epoch's parameters");
        MetricsFile.Contents m = MetricsFile.readContents(metrics);
        assertEquals("quadratic", m.cost());
        assertEquals(stop, m.rows().size());
        for (EpochMetrics row : m.rows()) {
            assertTrue(Double.isNaN(row.testCost()) && Double.isFinite(row.valCost()) && Double.isFinite(row.valAccuracy()), row.toString());
        }
        // The resumed run takes the split and early stopping from the checkpoint.
        CommandRun again = run(args("--resume", cp.toString(), "--validation", "0.3"));
        assertEquals(2, again.code());
        assertEquals("backprop-cl: --resume takes the validation split, --early-stop and --monitor from the checkpoint (an exact resume "
                + "needs the same ones); drop --validation", again.err().strip());
    }

    /** --expand with --validation expands the rows that stay after the split, so no copy of a held-out image is trained. */
    @Test
    void theNormalisationIsFittedWithoutTheValidationSplit() throws IOException {
        Path iris = dir.resolve("iris.csv");
        try (java.io.InputStream in = TrainCommandTest.class.getResourceAsStream("/uci/iris.csv")) {
            Files.copy(in, iris);
        }
        CommandRun plain = run("train", "--data", iris.toString(), "--label-column", "last", "--epochs", "1", "--no-progress");
        CommandRun held = run("train", "--data", iris.toString(), "--label-column", "last", "--validation", "0.2", "--epochs", "1",
                "--no-progress");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, held.code(), held.err());
        // 120 training rows; a fifth of each class (8 of 40) is the validation split, which the fit must not see.
        assertTrue(plain.out().contains("mean and standard deviation over the 120 training samples"), plain.out());
        assertTrue(held.out().contains("mean and standard deviation over the 96 training samples"), held.out());
    }

    @Test
    void expandWithANormalisationIsRefused() {
        CommandRun r = run("train", "--train-samples", "100", "--expand", "--normalize", "standard", "--epochs", "1", "--no-progress");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("give --expand with --normalize none"), r.err());
    }

    @Test
    void expandWithAValidationSplitExpandsAfterIt() {
        CommandRun r = run("train", "--train-samples", "200", "--validation", "0.1", "--expand", "--epochs", "1", "--engine", "cpu",
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher split = java.util.regex.Pattern.compile("validation split: (\\d+) train / (\\d+) validation").matcher(r.out());
        assertTrue(split.find(), r.out());
        int kept = Integer.parseInt(split.group(1));
        assertEquals(200, kept + Integer.parseInt(split.group(2)), r.out());
        assertTrue(r.out().contains("--expand: the " + kept + " rows that stay are expanded after the split, to " + 5 * kept + " rows\n"),
                r.out());
        CommandRun points = run(args("--validation", "0.1", "--expand"));
        assertEquals(2, points.code(), points.out());
        assertTrue(points.err().contains("--expand shifts square images"), points.err());
        assertEquals("", points.out());
    }

    /** One epoch is "1 epoch"; the lines of a run without a validation split are as before. */
    @Test
    void oneEpochIsSingular() {
        CommandRun r = run(args("--epochs", "1"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\n1 epoch of mini-batches of 10, sgd"), r.out());
        assertTrue(r.out().matches("(?s).*done: test accuracy \\d\\.\\d{4} \\(\\d+/150\\), test cost \\d\\.\\d{4}, 1 epoch in .*"), r.out());
        assertTrue(r.out().contains("epoch   1  test cost "), r.out());
        assertTrue(!r.out().contains("validation"), r.out());
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
