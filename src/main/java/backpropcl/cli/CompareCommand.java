package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.bench.LockstepRun;
import backpropcl.engine.RelativeError;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.Preprocessing;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.Tolerances;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Checks one engine against another, layer by layer.",
            "",
            "Runs both from the same parameters on the same batches and prints the relative error ||a - b|| / ||b|| of "
                + "z, activations, deltas, gradients and updated weights of every layer after the first step (tolerance "
                + Tolerances.ONE_STEP_F32_TEXT + "), and of the weights after the last step (" + Tolerances.AFTER_STEPS_F32_TEXT + "). The second engine is the one compared against. "
                + "The layer column counts dense layers; for a network with conv, maxpool or batchnorm layers it is the index in "
                + "the layer list, and every layer's output (out), its gradient (grad out) and each of its tensors are compared "
                + "(the OpenCL engine keeps no gradient of an activation's output: its kernels fuse it); a gradient that is zero "
                + "but for rounding (below 1e-6 of the step's largest, as a conv or dense bias right before a batchnorm has) is "
                + "measured against the step's largest gradient instead, and such a bias's value, started at zero, against the "
                + "step's largest parameter tensor. "
                + "Exit code 0 when every row passes, 1 otherwise."},
        footer = {"", "Examples:",
            "  backprop-cl compare --steps 100",
            "  backprop-cl compare --engines opencl,reference --arch 784-128-64-10 --activation relu --cost cross-entropy "
                + "--init he --lr 0.1 --batch 32"})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--engines", paramLabel = "A,B", defaultValue = "opencl,reference", split = ",",
            description = "The engine to check and the engine to check it against (default: ${DEFAULT-VALUE}).")
    List<String> engines;

    @Mixin
    NetworkOptions networkOptions;

    @Option(names = "--steps", paramLabel = "N", converter = OptionValues.Count.class, defaultValue = "100",
            description = "SGD steps to run on both engines (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "N", converter = OptionValues.Count.class, defaultValue = "10",
            description = "Samples per mini-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "X", converter = OptionValues.LearningRate.class, defaultValue = "3.0",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--step-tolerance", paramLabel = "X", converter = OptionValues.NonNegative.class, defaultValue = Tolerances.ONE_STEP_F32_TEXT,
            description = "Largest relative error of any tensor after the first step (default: ${DEFAULT-VALUE}).")
    double stepTolerance;

    @Option(names = "--drift-tolerance", paramLabel = "X", converter = OptionValues.NonNegative.class, defaultValue = Tolerances.AFTER_STEPS_F32_TEXT,
            description = "Largest relative error of the weights after the last step (default: ${DEFAULT-VALUE}).")
    double driftTolerance;

    @Option(names = "--json", description = "Print the table as one JSON object.")
    boolean json;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    NormalizeOption normalizeOption;

    @Option(names = "--device", paramLabel = "N", converter = OptionValues.CountFromZero.class,
            description = "OpenCL device index for an opencl engine, as listed by 'backprop-cl devices'.")
    Integer device;

    /** One row of the table. */
    record Row(int step, int layer, String tensor, double relError, double tolerance) {
        boolean pass() {
            return relError <= tolerance;
        }
    }

    @Override
    public Integer call() {
        if (engines.size() != 2) {
            throw new UserError("--engines takes two engine names, e.g. opencl,reference; got " + String.join(",", engines));
        }
        dataOptions.seed = networkOptions.seed;   // a CSV file splits as train splits it
        if (networkOptions.layers != null) {
            networkOptions.inputShape = dataOptions.sampleShape();
        }
        Network net = networkOptions.network();
        Parameters initial = networkOptions.initScheme().initialise(net, networkOptions.seed);
        DataSplit data = dataOptions.load(net);
        // Scaled as train scales it, so that both engines see the inputs a training run would.
        data = Preprocessing.fit(normalizeOption.kind(dataOptions.loaded().format() != null), data.train()).apply(data);
        Dataset train = data.train();
        MemoryBudget.checkBatchArrays(net, batch, Math.min(batch, train.count()));
        TrainCommand.checkBatchNormRows(net, batch, train.count());

        List<Row> rows = new ArrayList<>();
        String nameA;
        String nameB;
        try (EngineSelector.Choice a = open(engines.get(0), net, initial);
             EngineSelector.Choice b = open(engines.get(1), net, initial)) {
            nameA = a.engine().description();
            nameB = b.engine().description();
            if (net.isConvolutional()) {
                a.engine().keepLayerTraces();
                b.engine().keepLayerTraces();
            }
            LockstepRun.run(a.engine(), b.engine(), train, steps, batch, lr, networkOptions.seed, (s, ea, eb) -> {
                if (s == 1) {
                    compareStep(ea, eb, s, rows);
                }
                if (s == steps && s > 1) {
                    compareWeights(ea, eb, s, rows);
                }
            });
        }
        boolean pass = rows.stream().allMatch(Row::pass);
        print(net, nameA, nameB, data.name(), rows, pass);
        return pass ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private EngineSelector.Choice open(String kind, Network net, Parameters initial) {
        Integer dev = kind.trim().equalsIgnoreCase("opencl") ? device : null;
        try {
            return EngineSelector.open(kind, dev, net, initial);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    private void compareStep(Engine a, Engine b, int step, List<Row> rows) {
        if (a.network().isConvolutional()) {
            compareLayers(a, b, step, rows, stepTolerance, false);
            return;
        }
        for (int l = 0; l < a.network().denseLayers(); l++) {
            LayerTrace ta = a.trace(l);
            LayerTrace tb = b.trace(l);
            rows.add(new Row(step, l, "z", RelativeError.of(ta.z(), tb.z()), stepTolerance));
            rows.add(new Row(step, l, "a", RelativeError.of(ta.a(), tb.a()), stepTolerance));
            rows.add(new Row(step, l, "delta", RelativeError.of(ta.delta(), tb.delta()), stepTolerance));
            rows.add(new Row(step, l, "grad W", RelativeError.of(ta.gradW(), tb.gradW()), stepTolerance));
            rows.add(new Row(step, l, "grad b", RelativeError.of(ta.gradB(), tb.gradB()), stepTolerance));
            rows.add(new Row(step, l, "W", RelativeError.of(ta.weights(), tb.weights()), stepTolerance));
            rows.add(new Row(step, l, "b", RelativeError.of(ta.biases(), tb.biases()), stepTolerance));
        }
    }

    private void compareWeights(Engine a, Engine b, int step, List<Row> rows) {
        if (a.network().isConvolutional()) {
            compareLayers(a, b, step, rows, driftTolerance, true);
            return;
        }
        for (int l = 0; l < a.network().denseLayers(); l++) {
            LayerTrace ta = a.trace(l);
            LayerTrace tb = b.trace(l);
            rows.add(new Row(step, l, "W", RelativeError.of(ta.weights(), tb.weights()), driftTolerance));
            rows.add(new Row(step, l, "b", RelativeError.of(ta.biases(), tb.biases()), driftTolerance));
        }
    }

    /**
     * Every layer's tensors of {@link Engine#traceLayers} that both engines trace, matched by layer
     * (its index in the list) and name (the OpenCL engine keeps no dC/d out of an activation,
     * flatten or dropout layer: its kernels fuse it), or only the parameter tensors' values when
     * {@code valuesOnly}. A gradient that is zero but for rounding (a bias right before a
     * batchnorm) is measured against the step's largest gradient, not its own norm; likewise a
     * parameter whose value is zero but for rounding (that bias, started at zero, moved only by
     * such gradients) against the step's largest parameter tensor.
     */
    private static void compareLayers(Engine a, Engine b, int step, List<Row> rows, double tolerance, boolean valuesOnly) {
        java.util.Map<String, LayerTrace.Tensor> tb = new java.util.HashMap<>();
        double largestGradient = 0;
        double largestValue = 0;
        for (LayerTrace.Tensor t : b.traceLayers()) {
            tb.put(t.layer() + " " + t.name(), t);
            if (isParameterGradient(t.name())) {
                largestGradient = Math.max(largestGradient, norm(t.values()));
            } else if (isParameterValue(t.name())) {
                largestValue = Math.max(largestValue, norm(t.values()));
            }
        }
        for (LayerTrace.Tensor t : a.traceLayers()) {
            LayerTrace.Tensor other = tb.get(t.layer() + " " + t.name());
            if (other != null && (!valuesOnly || !t.name().startsWith("grad ") && !t.name().equals("out"))) {
                double[] expected = other.values();
                double largest = isParameterGradient(t.name()) ? largestGradient : isParameterValue(t.name()) ? largestValue : 0;
                double error = RelativeError.of(t.values(), expected);
                double b0 = norm(expected);
                if (b0 < 1e-6 * largest) {
                    // ||a - b|| (RelativeError gives it itself when b is all zeros) against the largest tensor of its kind.
                    error = (b0 == 0 ? error : error * b0) / largest;
                }
                rows.add(new Row(step, t.layer(), t.name(), error, tolerance));
            }
        }
    }

    /** dC/d of a layer's tensor (grad weight, grad bias, ...), not of its output. */
    private static boolean isParameterGradient(String name) {
        return name.startsWith("grad ") && !name.equals("grad out");
    }

    /** A layer's tensor itself (weight, bias, running_mean, ...). */
    private static boolean isParameterValue(String name) {
        return !name.startsWith("grad ") && !name.equals("out");
    }

    /** ||v||, Euclidean. */
    private static double norm(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    private void print(Network net, String nameA, String nameB, String dataName, List<Row> rows, boolean pass) {
        var out = spec.commandLine().getOut();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("network", net.toString());
            o.addProperty("engine", nameA);
            o.addProperty("against", nameB);
            o.addProperty("data", dataName);
            o.addProperty("steps", steps);
            o.addProperty("batch", batch);
            o.add("lr", JsonOutput.number(lr));
            o.addProperty("seed", networkOptions.seed);
            JsonArray table = new JsonArray();
            for (Row r : rows) {
                JsonObject j = new JsonObject();
                j.addProperty("step", r.step());
                j.addProperty("layer", r.layer());
                j.addProperty("tensor", r.tensor());
                j.add("rel_error", JsonOutput.number(r.relError()));   // null: NaN or Inf in a tensor (pass is false)
                j.add("tolerance", JsonOutput.number(r.tolerance()));
                j.addProperty("pass", r.pass());
                table.add(j);
            }
            o.add("rows", table);
            o.addProperty("pass", pass);
            out.println(JsonOutput.pretty(o));
            return;
        }
        out.printf("compare %s on %s, %s of %d, lr %s, seed %d%n", net, dataName, Plural.of(steps, "step"), batch, lr, networkOptions.seed);
        out.printf("  %s%n  against %s%n", nameA, nameB);
        // As wide as the longest tensor name: 7 for dense layers, more for batchnorm's running statistics.
        int w = Math.max(7, rows.stream().mapToInt(r -> r.tensor().length()).max().orElse(0));
        out.printf("%5s %5s  %-" + w + "s %12s %10s  %s%n", "step", "layer", "tensor", "rel. error", "tolerance", "result");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%5d %5d  %-" + w + "s %12.3e %10.0e  %s%n", r.step(), r.layer(), r.tensor(), r.relError(),
                    r.tolerance(), r.pass() ? "PASS" : "FAIL");
        }
        long failed = rows.stream().filter(r -> !r.pass()).count();
        out.println(pass ? "compare: PASS (" + Plural.of(rows.size(), "check") + ")"
                : "compare: FAIL (" + failed + " of " + Plural.of(rows.size(), "check") + ")");
    }
}
