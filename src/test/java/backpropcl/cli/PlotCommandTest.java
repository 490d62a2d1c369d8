package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.data.Preprocessing;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import backpropcl.plot.Plots;
import backpropcl.testing.CommandRun;
import backpropcl.train.EpochMetrics;
import backpropcl.train.MetricsFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backprop-cl plot} as a user meets it: files written, paths printed, one-line errors. */
class PlotCommandTest {
    @TempDir
    Path dir;


    static BufferedImage png(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " was not written");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image");
        return image;
    }

    static void assertUserError(CommandRun r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "more than one line:\n" + err);
        assertTrue(err.startsWith("backprop-cl: "), err);
        assertFalse(err.contains("Exception"), err);
        assertTrue(err.contains(expected), "'" + err + "' does not say '" + expected + "'");
    }

    private Path metrics(String name, int epochs, boolean withTrain) {
        List<EpochMetrics> rows = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            double c = 0.5 / e;
            rows.add(new EpochMetrics(e, 0.1, withTrain ? c : Double.NaN, withTrain ? 1 - c : Double.NaN, c + 0.01, 0.99 - c,
                    500, 2));
        }
        Path file = dir.resolve(name);
        MetricsFile.writeAll(file, rows);
        return file;
    }

    /** A CSV of 2-D points: label 1 where x1 > 0, at x1 = +-1, +-0.5, x2 alternating. */
    private Path points() throws IOException {
        StringBuilder sb = new StringBuilder("label,x1,x2\n");
        double[] xs = {-1, 1, -0.5, 0.5, -0.8, 0.8, -0.3, 0.3, -0.9, 0.9};
        for (int i = 0; i < xs.length; i++) {
            sb.append(xs[i] > 0 ? 1 : 0).append(',').append(xs[i]).append(',').append(i % 3 - 1).append('\n');
        }
        return Files.writeString(dir.resolve("points.csv"), sb);
    }

    /** A 2-2 softmax network with P(class 1) = sigmoid(10 x1): right on the points above. */
    private Path boundaryModel() {
        Network net = new Network(new int[] {2, 2}, new Activation[] {Activation.SOFTMAX}, Cost.CROSS_ENTROPY);
        Parameters p = Parameters.zeros(net);
        p.setWeight(0, 0, -5);
        p.setWeight(0, 2, 5);
        Path file = dir.resolve("two-d.safetensors");
        ModelFile.save(file, net, p);
        return file;
    }

    @Test
    void plotsAMetricsFileAndPrintsThePaths() throws IOException {
        Path csv = metrics("run.csv", 4, true);
        Path out = dir.resolve("plots");
        CommandRun r = run("plot", csv.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(out.resolve("loss.png").toString(), out.resolve("accuracy.png").toString()), r.out().lines().toList());
        for (String name : new String[] {"loss.png", "accuracy.png"}) {
            BufferedImage image = png(out.resolve(name));
            assertEquals(800, image.getWidth());
            assertEquals(500, image.getHeight());
        }
    }

    @Test
    void plotsTwoMetricsFilesOnTheSameAxesEvenWithTheSameName() throws IOException {
        Files.createDirectories(dir.resolve("sgd"));
        Files.createDirectories(dir.resolve("adam"));
        Path a = metrics("sgd/metrics.csv", 5, false);
        Path b = metrics("adam/metrics.csv", 3, true);
        Path c = metrics("other.jsonl", 2, true);
        Path out = dir.resolve("compare");
        CommandRun r = run("plot", a.toString(), b.toString(), c.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(800, png(out.resolve("loss.png")).getWidth());
        assertEquals(800, png(out.resolve("accuracy.png")).getWidth());
    }

    /**
     * A quadratic run and a cross-entropy run are not drawn on one cost axis: plot says so and
     * loss.png holds a chart per cost; a file of the layout before the cost column (8 columns)
     * still plots, as a cost not recorded.
     */
    @Test
    void runsOfDifferentCostsAreNotDrawnOnOneAxis() throws IOException {
        List<EpochMetrics> rows = List.of(new EpochMetrics(1, 0.1, Double.NaN, Double.NaN, 0.2, 0.8, 500, 2, 0.25, 0.75),
                new EpochMetrics(2, 0.1, Double.NaN, Double.NaN, 0.1, 0.9, 500, 2, 0.2, 0.8));
        Path q = dir.resolve("q.csv");
        Path ce = dir.resolve("ce.jsonl");
        MetricsFile.writeAll(q, rows, "quadratic");
        MetricsFile.writeAll(ce, rows, "cross-entropy");
        Path old = Files.writeString(dir.resolve("old.csv"), "epoch,learning_rate,train_cost,train_accuracy,test_cost,test_accuracy,"
                + "samples_per_second,seconds\n1,3.0,,,0.25,0.8125,12345.5,0.5\n");
        Path out = dir.resolve("mixed");
        CommandRun r = run("plot", q.toString(), ce.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("note: the runs have different costs (q.csv: quadratic, ce.jsonl: cross-entropy): " + out.resolve("loss.png")
                + " draws one chart per cost", out.resolve("loss.png").toString(), out.resolve("accuracy.png").toString()),
                r.out().lines().toList());
        assertEquals(1000, png(out.resolve("loss.png")).getHeight());
        assertEquals(500, png(out.resolve("accuracy.png")).getHeight());
        Path same = dir.resolve("same");
        CommandRun one = run("plot", q.toString(), q.toString(), "--out", same.toString());
        assertEquals(0, one.code(), one.err());
        assertEquals(500, png(same.resolve("loss.png")).getHeight(), "one cost, one chart");
        CommandRun withOld = run("plot", old.toString(), ce.toString(), "--out", dir.resolve("old-new").toString());
        assertEquals(0, withOld.code(), withOld.err());
        assertTrue(withOld.out().startsWith("note: the runs have different costs (old.csv: cost not recorded, ce.jsonl: cross-entropy)"),
                withOld.out());
        CommandRun alone = run("plot", old.toString(), "--out", dir.resolve("old").toString());
        assertEquals(0, alone.code(), alone.err());
        assertEquals(500, png(dir.resolve("old/loss.png")).getHeight());
    }

    @Test
    void confusionOfAModelPrintsTheAccuracyAndWritesThePng() throws IOException {
        Path out = dir.resolve("c");
        CommandRun r = run("plot", "--confusion", "--model", boundaryModel().toString(), "--data", points().toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        // The test split is the last 20% of the CSV: two points, both right.
        assertTrue(r.out().contains("accuracy 1.0000 (2/2)"), r.out());
        assertTrue(r.out().contains(out.resolve("confusion.png").toString()), r.out());
        assertTrue(png(out.resolve("confusion.png")).getWidth() >= 400);
    }

    @Test
    void theBoundaryOfANormalisedModelIsDrawnOnPointsScaledAsInTraining() throws IOException {
        Dataset moons = backpropcl.data.DataSources.resolve("points:moons:60", 2).train();
        Preprocessing standard = Preprocessing.fit(Preprocessing.Kind.STANDARD, moons);
        Network net = new Network(new int[] {2, 2}, new Activation[] {Activation.SOFTMAX}, Cost.CROSS_ENTROPY);
        Parameters p = Parameters.zeros(net);
        p.setWeight(0, 0, -5);
        p.setWeight(0, 2, 5);
        Path model = dir.resolve("scaled.safetensors");
        ModelFile.save(model, TrainingState.fresh(p, Optimizer.sgd()), standard.toMetadata(), false);
        Path out = dir.resolve("nb");
        CommandRun r = run("plot", "--boundary", "--model", model.toString(), "--data", "points:moons:60", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Path scaled = Plots.boundary(p, standard.apply(moons), dir.resolve("scaled.png"));
        Path raw = Plots.boundary(p, moons, dir.resolve("raw.png"));
        byte[] got = Files.readAllBytes(out.resolve("boundary.png"));
        assertArrayEquals(Files.readAllBytes(scaled), got, "the points and the grid as the model saw them in training");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(raw), got), "raw coordinates draw another picture");
    }

    @Test
    void boundaryOfATwoInputModelIsWritten() throws IOException {
        Path out = dir.resolve("b");
        CommandRun r = run("plot", "--boundary", "--model", boundaryModel().toString(), "--data", points().toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(out.resolve("boundary.png").toString(), r.out().strip());
        BufferedImage image = png(out.resolve("boundary.png"));
        // Left half reddish (class 0), right half bluish (class 1), half-way down.
        int y = image.getHeight() / 2;
        int left = image.getRGB(image.getWidth() / 4, y);
        int right = image.getRGB(image.getWidth() * 3 / 4, y);
        assertTrue(((left >> 16) & 0xff) > (left & 0xff), Integer.toHexString(left));
        assertTrue((right & 0xff) > ((right >> 16) & 0xff), Integer.toHexString(right));
    }

    @Test
    void boundaryOfAModelWithoutTwoInputsIsAUserError() throws IOException {
        Network net = Network.of("4-3-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Path model = dir.resolve("four.safetensors");
        ModelFile.save(model, net, Parameters.zeros(net));
        Path out = dir.resolve("none");
        assertUserError(run("plot", "--boundary", "--model", model.toString(), "--data", points().toString(), "--out",
                out.toString()), "needs a model with 2 inputs");
        assertFalse(Files.exists(out));
    }

    @Test
    void badInputIsOneLineAndExitTwoAndWritesNothing() throws IOException {
        Path out = dir.resolve("out");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "epoch,learning_rate\n1,zero\n");
        Path model = boundaryModel();
        assertUserError(run("plot", dir.resolve("missing.csv").toString(), "--out", out.toString()), "no such metrics file");
        assertUserError(run("plot", bad.toString(), "--out", out.toString()), "bad.csv:2");
        assertUserError(run("plot", "--confusion", "--model", dir.resolve("missing.safetensors").toString(), "--out",
                out.toString()), "no such file");
        assertUserError(run("plot", "--out", out.toString()), "nothing to plot");
        assertUserError(run("plot", "--confusion"), "--confusion needs --model");
        assertUserError(run("plot", "--model", model.toString()), "--model needs --confusion or --boundary");
        assertUserError(run("plot", metrics("ok.csv", 2, false).toString(), "--boundary", "--model", model.toString()),
                "not both");
        assertUserError(run("plot", "--confusion", "--model", model.toString(), "--data", dir.resolve("nope").toString(),
                "--out", out.toString()), "nope");
        assertFalse(Files.exists(out), "a failed plot wrote " + out);
        // --out names a file: nothing can be written into it.
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertUserError(run("plot", metrics("ok2.csv", 2, false).toString(), "--out", file.toString()), "is a file, not a directory (--out)");
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void helpShowsExamples() {
        CommandRun r = run("plot", "--help");
        assertEquals(0, r.code());
        for (String s : new String[] {"METRICS_FILE", "--out", "--confusion", "--boundary", "--model", "--data", "Examples",
            "points:moons"}) {
            assertTrue(r.out().contains(s), "plot --help lacks " + s + ":\n" + r.out());
        }
    }
}
