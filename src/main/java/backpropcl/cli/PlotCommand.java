package backpropcl.cli;

import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.io.ModelFile;
import backpropcl.plot.ConfusionMatrix;
import backpropcl.plot.Plots;
import backpropcl.train.EpochMetrics;
import backpropcl.train.MetricsFile;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Draws training curves, a confusion matrix or a decision boundary.",
            "",
            "PNG charts: loss and accuracy per epoch from metrics files, or a saved model's confusion matrix "
                    + "(--confusion) or decision boundary (--boundary). Prints the path of each file it writes. "
                    + "The cost axis is named after the runs' cost (the metrics file's cost column); runs of different costs "
                    + "get one loss chart each, one above the other in loss.png."},
        footer = {"", "Examples:",
            "  backprop-cl train --metrics run.csv --save digits.safetensors",
            "  backprop-cl plot run.csv              # plots/loss.png, plots/accuracy.png",
            "  backprop-cl plot sgd.csv adam.csv --out compare     # both runs on one chart",
            "  backprop-cl plot --confusion --model digits.safetensors # plots/confusion.png",
            "  backprop-cl train --data points:moons --arch 2-16-2 --save moons.safetensors",
            "  backprop-cl plot --boundary --model moons.safetensors --data points:moons"})
final class PlotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Parameters(paramLabel = "METRICS_FILE", arity = "0..*",
            description = "Metrics files written by 'train --metrics' (CSV, or JSON lines for .jsonl/.json), older ones "
                    + "without the validation and cost columns too. Several are drawn on the same axes, labelled by file name "
                    + "(the costs on one axis only when they are the same cost).")
    List<Path> metrics = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "plots",
            description = "Directory for the PNG files, created if missing (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", paramLabel = "TEXT",
            description = "Title of the curves (default: the metrics file's name, when there is one).")
    String title;

    @Option(names = "--confusion",
            description = "Draw the confusion matrix of --model on the test split of --data (DIR/confusion.png); without "
                    + "--data, of the data the model was trained on, as evaluate takes it.")
    boolean confusion;

    @Option(names = "--boundary",
            description = "Draw the decision boundary of --model, a network with 2 inputs, with the training points "
                    + "of --data, e.g. points:moons (DIR/boundary.png).")
    boolean boundary;

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model written by 'train --save', for --confusion and --boundary.")
    Path model;

    @Mixin
    DataOptions dataOptions;

    @Override
    public Integer call() {
        boolean ofModel = confusion || boundary;
        if (!metrics.isEmpty() && (ofModel || model != null)) {
            throw new UserError("give either METRICS_FILE... or --confusion/--boundary with --model, not both");
        }
        if (ofModel && model == null) {
            throw new UserError((confusion ? "--confusion" : "--boundary") + " needs --model FILE");
        }
        if (model != null && !ofModel) {
            throw new UserError("--model needs --confusion or --boundary (what to draw)");
        }
        if (metrics.isEmpty() && !ofModel) {
            throw new UserError("nothing to plot: give METRICS_FILE... or --confusion/--boundary with --model "
                    + "(see 'backprop-cl plot --help')");
        }
        PrintWriter o = spec.commandLine().getOut();
        OutputGuard.Plan plan = new OutputGuard.Plan().input("--model", model).input("--data", DataOptions.asPath(dataOptions.data));
        metrics.forEach(m -> plan.input("METRICS_FILE", m));
        plan.directory("--out", out, metrics.isEmpty() ? List.of(confusion ? "confusion.png" : "boundary.png")
                : List.of("loss.png", "accuracy.png"));
        try (OutputGuard guard = plan.acquire()) {
            if (!metrics.isEmpty()) {
                Map<String, String> costs = new LinkedHashMap<>();
                Map<String, List<EpochMetrics>> runs = readRuns(costs);
                String mixed = mixedCosts(costs);
                if (mixed != null) {
                    o.println("note: the runs have different costs (" + mixed + "): " + out.resolve(Plots.LOSS_FILE)
                            + " draws one chart per cost");
                }
                for (Path p : Plots.curves(runs, costs, curvesTitle(), out)) {
                    o.println(p);
                }
            } else {
                plotModel(o);
            }
        } catch (UncheckedIOException e) {
            throw new UserError(e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    /**
     * The metrics files' rows, by legend label: the file name, or the path as given where names
     * repeat; each file's cost name goes into {@code costs} by the same label (null where the file
     * names none, as files written before the cost column).
     */
    private Map<String, List<EpochMetrics>> readRuns(Map<String, String> costs) {
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Path p : metrics) {
            names.merge(p.getFileName().toString(), 1, Integer::sum);
        }
        Map<String, List<EpochMetrics>> runs = new LinkedHashMap<>();
        for (Path p : metrics) {
            if (!Files.isRegularFile(p)) {
                throw new UserError(p + ": no such metrics file" + (Files.isDirectory(p) ? " (it is a directory)" : ""));
            }
            String label = names.get(p.getFileName().toString()) == 1 ? p.getFileName().toString() : p.toString();
            String unique = label;
            for (int n = 2; runs.containsKey(unique); n++) {
                unique = label + " (" + n + ")";
            }
            MetricsFile.Contents contents = MetricsFile.readContents(p);
            runs.put(unique, contents.rows());
            costs.put(unique, contents.cost());
        }
        return runs;
    }

    /** "a.csv: quadratic, b.csv: cross-entropy" when the runs' costs differ (a cost not recorded counts as one), else null. */
    private static String mixedCosts(Map<String, String> costs) {
        if (costs.values().stream().distinct().count() < 2) {
            return null;
        }
        List<String> each = new ArrayList<>();
        costs.forEach((run, cost) -> each.add(run + ": " + (cost == null ? "cost not recorded" : cost)));
        return String.join(", ", each);
    }

    private String curvesTitle() {
        if (title != null) {
            return title;
        }
        return metrics.size() == 1 ? metrics.get(0).getFileName().toString() : null;
    }

    private void plotModel(PrintWriter o) {
        ModelFile.Saved saved = ModelFile.load(model);
        if (boundary && saved.network().inputSize() != 2) {
            throw new UserError("--boundary needs a model with 2 inputs (e.g. 'train --arch 2-16-2 --data points:moons'); "
                    + model + " is " + saved.network().name());
        }
        // The model's own data unless --data says otherwise (as evaluate), scaled by the normalisation it records.
        DataSplit data = ModelData.load(saved, model, dataOptions, spec, spec.commandLine().getErr());
        if (confusion) {
            Dataset test = data.test();
            if (test.count() == 0) {
                throw new UserError(data.name() + " has no test samples to draw a confusion matrix of");
            }
            ConfusionMatrix m = ConfusionMatrix.of(saved.parameters(), test);
            String name = title != null ? title : data.name() + " test";
            o.printf(Locale.ROOT, "%s on %s test: accuracy %.4f (%d/%d)%n", model, data.name(), m.accuracy(), m.correct(),
                    m.total());
            o.println(Plots.confusion(m, name, out.resolve("confusion.png")));
        }
        if (boundary) {
            o.println(Plots.boundary(saved.parameters(), data.train(), out.resolve("boundary.png")));
        }
    }
}
