package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.io.ModelFile;
import backpropcl.model.Network;
import backpropcl.plot.Plots;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "visualize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Draws a model's first dense or conv layer as images (PNG).",
            "",
            "A dense network's first dense layer, or a conv network's first conv layer.",
            "",
            "One image per neuron: its weight from each input pixel at that pixel's place, red negative, white 0, "
                    + "blue positive, on one colour scale for all neurons: full colour at the 99th percentile of |w| over "
                    + "the layer (printed at the colour bar's ends; the 1% beyond it at full colour too). Neurons compare, "
                    + "and a dead unit whose weights are 0 or decayed to almost 0 is white, not noise stretched to full "
                    + "colour.",
            "",
            "A conv network: one tile per filter of its first conv layer (layers.0.weight, F filters of CxKxK), its K x K "
                    + "weights scaled up to a square of about 112 pixels, a filter's C input channels side by side (also for "
                    + "3 channels, not as RGB, so that every weight keeps its sign's colour), on the same colour scale over "
                    + "the layer; the caption names the tensor and the filters' shape.",
            "",
            "With --gradients: the magnitude of each weight's gradient |dC/dw| on a batch of training samples "
                    + "instead, i.e. which weights the cost is most sensitive to (white 0 to dark purple at the largest "
                    + "|dC/dw|, one scale for all neurons). The batch goes through the network as in training, so a "
                    + "model with dropout is drawn on one dropout mask (that of a run's first step with seed 0).",
            "",
            "The caption's text grows with the picture (a sixtieth of the grid's width, at least 12 pixels), so that "
                    + "it stays legible when a wide layer's picture is shown scaled down. A dense network's input width must be a "
                    + "square number (784 = 28x28). Prints the path written."},
        footer = {"", "Examples:",
            "  backprop-cl train --arch 784-16-16-10 --save digits.safetensors",
            "  backprop-cl visualize --model digits.safetensors              # weights.png",
            "  backprop-cl visualize --model digits.safetensors --gradients  # gradients.png",
            "  backprop-cl visualize --model digits.safetensors --gradients --samples 1000 --out grad-1000.png",
            "  backprop-cl train --layers conv:6x5x5,flatten,dense:10,softmax --cost cross-entropy \\",
            "      --save conv.safetensors",
            "  backprop-cl visualize --model conv.safetensors --out filters.png  # the 6 filters of 1x5x5"})
final class VisualizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true,
            description = "A model written by 'train --save' (safetensors).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE",
            description = "The PNG to write (default: weights.png, or gradients.png with --gradients).")
    Path out;

    @Option(names = "--gradients",
            description = "Draw |dC/dw| of the batch-mean cost over the first --samples training samples of --data, "
                    + "computed by backprop in the reference engine, instead of the weights.")
    boolean gradients;

    @Option(names = "--samples", paramLabel = "N", converter = OptionValues.Count.class, defaultValue = "100",
            description = "With --gradients: how many training samples make the batch (default: ${DEFAULT-VALUE}).")
    int samples;

    @Mixin
    DataOptions dataOptions;

    @Override
    public Integer call() {
        ModelFile.Saved saved = ModelFile.load(model);
        Network net = saved.network();
        String tensor;
        try {
            tensor = Plots.drawnTensor(net);
        } catch (IllegalArgumentException e) {
            String arch = net.name();
            throw new UserError(model + " (" + arch + "): " + e.getMessage(), e);
        }
        Path file = out != null ? out : Path.of(gradients ? "gradients.png" : "weights.png");
        Path written;
        if (out != null && OptionValues.typed(spec, "--out").endsWith("/")) {
            throw new UserError("--out " + out + "/ names a directory (it ends in '/'); --out needs a PNG file name, such as "
                    + out + "/weights.png");
        }
        // The picture's directory is created when missing, as for plot --out.
        Path parent = file.toAbsolutePath().getParent();
        OutputGuard.Plan plan = new OutputGuard.Plan().input("--model", model)
                .directory("--out", parent, List.of(file.getFileName().toString()));
        if (gradients) {
            plan.input("--data", DataOptions.asPath(dataOptions.data));
        }
        try (OutputGuard guard = plan.acquire()) {
            if (gradients) {
                DataSplit data = dataOptions.load(net);
                int rows = Math.min(samples, data.train().count());
                double[] gradW0;
                // One half-step of the reference engine on the first rows in file order; no update.
                try (Engine engine = new ReferenceEngine(net, saved.parameters())) {
                    engine.setTrainingData(data.train());
                    engine.computeGradients(0, rows);
                    gradW0 = engine.gradients().layout().tensor(tensor).copyOut(engine.gradients().values());
                }
                written = Plots.gradientMagnitudes(gradW0, net, "C: the mean cost of the first " + Plural.of(rows, "sample")
                        + " of " + data.train().name() + (net.hasDropout() ? ", on one dropout mask" : ""), file);
            } else {
                written = Plots.weights(saved.parameters(), file);
            }
        } catch (UncheckedIOException e) {
            throw new UserError(e.getMessage(), e);
        }
        spec.commandLine().getOut().println(written);
        return ExitCodes.OK;
    }
}
