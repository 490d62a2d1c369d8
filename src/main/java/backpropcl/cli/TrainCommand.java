package backpropcl.cli;

import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.Evaluation;
import backpropcl.io.ModelFile;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.train.EpochResult;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Trains a fully-connected network by backpropagation and mini-batch SGD.",
            "With no options: the lesson network 784-16-16-10 (sigmoid, quadratic cost, lr 3.0, "
                    + "mini-batches of 10) for 30 epochs on the bundled mnist-10k digits."},
        footer = {"", "Examples:",
            "  backprop-cl train",
            "  backprop-cl train --arch 784-30-10 --epochs 30",
            "  backprop-cl train --arch 784-128-64-10 --activation relu --cost cross-entropy \\",
            "      --init he --lr 0.1 --batch 32 --epochs 20",
            "  backprop-cl train --data fashion-mnist --save fashion.safetensors"})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NetworkOptions networkOptions;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30",
            description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "10",
            description = "Samples per mini-batch; a last partial batch is trained too (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "3.0",
            description = "Learning rate eta: W -= eta * dC/dW with C the batch-mean cost (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--no-shuffle", description = "Keep the file order instead of a fresh seeded permutation each epoch.")
    boolean noShuffle;

    @Option(names = "--eval-train", description = "Also report cost and accuracy on the training set after each epoch.")
    boolean evalTrain;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Write the trained parameters to FILE as safetensors (atomically: the old file stays until the new one is whole).")
    Path save;

    @Option(names = "--init-from", paramLabel = "FILE",
            description = "Start from the parameters in FILE (a --save output) instead of a fresh initialisation; its architecture is used.")
    Path initFrom;

    @Option(names = "--no-progress", description = "No progress bar (it is shown only when stderr is a terminal anyway).")
    boolean noProgress;

    @Override
    public Integer call() {
        TrainingConfig config;
        try {
            config = new TrainingConfig(epochs, batch, lr, !noShuffle, networkOptions.seed, evalTrain);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        Network net;
        Parameters initial;
        String origin;
        if (initFrom != null) {
            ModelFile.Saved saved = ModelFile.load(initFrom);
            net = saved.network();
            if (networkOptions.anyNetworkOptionSet() && !networkOptions.network().equals(net)) {
                throw new UserError("--init-from " + initFrom + " holds " + net + ", which differs from the network the options ask for: "
                        + networkOptions.network());
            }
            initial = saved.parameters();
            origin = "parameters from " + initFrom;
        } else {
            net = networkOptions.network();
            initial = networkOptions.initScheme().initialise(net, networkOptions.seed);
            origin = networkOptions.initScheme().cliName() + " init, seed " + networkOptions.seed;
        }
        DataSplit data = dataOptions.load(net);

        var out = spec.commandLine().getOut();
        try (EngineSelector.Choice choice = engineOptions.open(net, initial)) {
            Engine engine = choice.engine();
            out.printf(Locale.ROOT, "training %s on %s (%,d train / %,d test)%n", net, data.name(),
                    data.train().count(), data.test().count());
            out.printf(Locale.ROOT, "%d epochs of mini-batches of %d, lr %s, %s, %s%n", epochs, batch,
                    fmt(lr), noShuffle ? "file order" : "shuffled", origin);
            out.printf("engine: %s (%s)%n", engine.description(), choice.reason());
            out.flush();

            long t0 = System.nanoTime();
            boolean bar = !noProgress && System.console() != null;
            List<EpochResult> results = new Trainer(config).train(engine, data, new ProgressReporter(out, bar));
            double seconds = (System.nanoTime() - t0) / 1e9;

            Evaluation last = results.isEmpty() ? engine.evaluate(data.test()) : results.get(results.size() - 1).test();
            out.printf(Locale.ROOT, "done: test accuracy %.4f (%d/%d), test cost %.4f, %d epochs in %.1f s%n",
                    last.accuracy(), last.correct(), last.count(), last.meanCost(), results.size(), seconds);
            if (save != null) {
                ModelFile.save(save, net, engine.parameters());
                out.println("saved " + save);
            }
        }
        return ExitCodes.OK;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }
}
