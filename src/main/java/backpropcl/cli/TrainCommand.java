package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.data.DataSources;
import backpropcl.data.Preprocessing;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.Expansion;
import backpropcl.data.StratifiedSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.Evaluation;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import backpropcl.plot.ConfusionMatrix;
import backpropcl.plot.Plots;
import backpropcl.train.Batches;
import backpropcl.train.Checkpoint;
import backpropcl.train.DataFingerprint;
import backpropcl.train.EpochMetrics;
import backpropcl.train.EpochResult;
import backpropcl.train.LearningRateSchedule;
import backpropcl.train.MetricsFile;
import backpropcl.train.Monitor;
import backpropcl.train.Position;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import backpropcl.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Trains a network by backpropagation and mini-batch SGD.",
            "With no options: the lesson network 784-16-16-10 (sigmoid, quadratic cost, SGD at lr 3.0, "
                    + "mini-batches of 10) for 30 epochs on the bundled mnist-10k digits."},
        footer = {"", "Examples:",
            "  backprop-cl train",
            "  backprop-cl train --arch 784-30-10 --epochs 30",
            "  backprop-cl train --arch 784-128-64-10 --activation relu --cost cross-entropy --init he --optimizer adam "
                + "--lr 0.001 --lr-schedule cosine --batch 32 --epochs 20",
            "  backprop-cl train --data fashion-mnist --save fashion.safetensors --metrics fashion.csv",
            "  backprop-cl train --data iris.csv --label-column last --save iris.safetensors",
            "  backprop-cl train --checkpoint-dir run1  # Ctrl-C stops after this batch",
            "  backprop-cl train --resume run1          # goes on exactly where run1 stopped",
            "  backprop-cl train --validation 0.1 --early-stop 3 --save best.safetensors",
            "",
            "Default learning rates follow the network (measured: docs/training.md):",
            "  sgd 3.0 for the lesson network (sigmoid hidden layers, quadratic cost, sigmoid or softmax output), 0.1 "
                + "when a hidden layer is relu or leaky-relu, 0.3 for the rest (tanh, cross-entropy, identity output); "
                + "momentum and nesterov a tenth of sgd's (0.3, 0.01, 0.03); adam and adamw 0.001.",
            "--validation 0.1 --early-stop 3 holds out a tenth of each class, stops 3 epochs after the lowest validation "
                + "cost, saves that epoch's parameters and measures the test set once, for them.",
            "A run still at chance accuracy after epoch 2 prints 'warning: ...' with the likely cause; a test cost over "
                + "10 times the one before training is divergence.",
            "",
            "CSV files (--data X.csv): the header row and the separator (, ; or tab, decimal commas with ; and tab) are "
                + "detected; --label-column first|last|N|NAME says where the label is; word labels (setosa) are class names, "
                + "numbered in sorted order. The test set is X-test.csv beside X.csv (or X-train.csv) when there is one, else "
                + "a stratified 20%% of each class, shuffled from --seed; evaluate and plot take the same split from the model "
                + "file. Features are normalised by default (--normalize standard, fitted on the training part: CSV columns "
                + "come on any scales); the image sets keep their 0..1 pixels (none). train prints what it found and how it "
                + "split; --save records it.",
            "",
            "Outputs (--save, --metrics, --checkpoint-dir, --plot) are checked before the first batch: none may be an "
                + "input or another output, each must be writable, and each is locked for the run (a second run on it is "
                + "refused). Files are replaced atomically; a symbolic link is written through (the file it points to is "
                + "replaced, the link stays); devices, FIFOs and sockets are refused.",
            "",
            "Exit codes: 0 done, 2 bad input, 3 diverged; 130, 143, 129 stopped by Ctrl-C, SIGTERM, SIGHUP after the "
                + "current batch (checkpoint written)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NetworkOptions networkOptions;

    @Option(names = "--epochs", paramLabel = "N", converter = OptionValues.CountFromZero.class, defaultValue = "30",
            description = "Passes over the training set (default: ${DEFAULT-VALUE}; with --resume: the run's own).")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", converter = OptionValues.Count.class, defaultValue = "10",
            description = "Samples per mini-batch; a last partial batch is trained too, and a batch larger than the "
                    + "training set is one batch of all of it, as PyTorch's DataLoader makes (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--classes", paramLabel = "N",
            description = "Classes, the width of the output layer, when it comes from the data (no --arch): labels must be "
                    + "in 0..N-1, and a class that never occurs is allowed. Default: the largest training label + 1, refused "
                    + "when a class below it never occurs in the training set, or when each of 10 or more labels occurs once "
                    + "(a row index); a test label beyond the training labels is refused too.")
    Integer classes;

    @Option(names = "--lr", paramLabel = "X", converter = OptionValues.LearningRate.class,
            description = "Learning rate eta (default: sgd 3.0 for the lesson network of sigmoid hidden layers and the "
                    + "quadratic cost, 0.1 with relu or leaky-relu hidden layers, 0.3 otherwise; momentum and nesterov a "
                    + "tenth of that; adam and adamw 0.001).")
    Double lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd",
            description = "sgd, momentum, nesterov, adam or adamw (PyTorch's formulas; default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "MU", converter = OptionValues.Decay.class, defaultValue = "0.9",
            description = "Momentum of momentum and nesterov (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--beta1", paramLabel = "B", converter = OptionValues.Decay.class, defaultValue = "0.9",
            description = "Adam's beta1 (default: ${DEFAULT-VALUE}).")
    double beta1;

    @Option(names = "--beta2", paramLabel = "B", converter = OptionValues.Decay.class, defaultValue = "0.999",
            description = "Adam's beta2 (default: ${DEFAULT-VALUE}).")
    double beta2;

    @Option(names = "--epsilon", paramLabel = "E", converter = OptionValues.Positive.class, defaultValue = "1e-8",
            description = "Adam's epsilon (default: ${DEFAULT-VALUE}).")
    double epsilon;

    @Option(names = "--weight-decay", paramLabel = "X", converter = OptionValues.NonNegative.class,
            description = "Weight decay of the weights (not the biases): L2 added to the gradient, or decoupled for adamw "
                    + "(default: 0).")
    Double weightDecay;

    @Option(names = "--l2", paramLabel = "LAMBDA", converter = OptionValues.NonNegative.class,
            description = "Nielsen's L2 regularisation: W -> (1 - eta*LAMBDA/n) W - eta dC/dW, n the training set size; "
                    + "the same as --weight-decay LAMBDA/n.")
    Double l2;

    @Option(names = "--lr-schedule", paramLabel = "NAME", defaultValue = "constant",
            description = "constant, step (x --lr-gamma every --lr-step-epochs) or cosine (to --min-lr at the end) "
                    + "(default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--lr-step-epochs", paramLabel = "N", converter = OptionValues.Count.class, defaultValue = "10",
            description = "Epochs between decays of the step schedule (default: ${DEFAULT-VALUE}).")
    int stepEpochs;

    @Option(names = "--lr-gamma", paramLabel = "X", converter = OptionValues.Factor.class, defaultValue = "0.1",
            description = "Factor of each decay of the step schedule (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--min-lr", paramLabel = "X", converter = OptionValues.NonNegative.class, defaultValue = "0",
            description = "The cosine schedule's final rate (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(names = "--warmup-epochs", paramLabel = "N", converter = OptionValues.CountFromZero.class, defaultValue = "0",
            description = "Epochs of linear warm-up from lr/steps to lr before the schedule (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--no-shuffle", description = "Keep the file order instead of a fresh seeded permutation each epoch.")
    boolean noShuffle;

    @Option(names = "--expand",
            description = "Train on five times the data: each image and its copies shifted by one pixel up, down, left and "
                    + "right (Nielsen's expand_mnist); square images only.")
    boolean expand;

    @Option(names = "--eval-train", description = "Also report cost and accuracy on the training set after each epoch (on with --metrics).")
    boolean evalTrain;

    @Option(names = "--validation", paramLabel = "FRACTION", converter = OptionValues.Fraction.class,
            description = "Hold out FRACTION of the training set (e.g. 0.1) as a validation split, seeded by --seed and "
                    + "stratified (each class in the same proportion; the run prints the rows per class). Each epoch then "
                    + "reports the validation cost and accuracy instead of the test set's, the best epoch by --monitor is "
                    + "kept (--save writes its parameters and says which epoch), and the test set is measured once, at the "
                    + "end, for them. Default: none (each epoch reports the test set).")
    Double validation;

    @Option(names = "--early-stop", paramLabel = "PATIENCE", converter = OptionValues.Count.class,
            description = "Stop when --monitor has not improved for PATIENCE epochs (strictly better only: min_delta 0, a tie "
                    + "is no improvement), keeping the best epoch's parameters, as Keras' EarlyStopping(patience=PATIENCE, "
                    + "restore_best_weights=True). Needs --validation: it never watches the test set.")
    Integer earlyStop;

    @Option(names = "--monitor", paramLabel = "NAME",
            description = "What chooses the best epoch with --validation (and stops with --early-stop): val-cost (lowest) or "
                    + "val-accuracy (highest); the earlier epoch wins a tie (default: val-cost).")
    String monitor;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    NormalizeOption normalizeOption;

    @Mixin
    EngineOptions engineOptions;

    @Mixin
    ReplicaOptions replicaOptions;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Write the trained parameters and the optimizer's state to FILE as safetensors (atomically: the "
                    + "old file stays until the new one is whole): those of the last epoch, or with --validation those of the "
                    + "best epoch by --monitor (the run says which); with what it was trained on: the --data source, its "
                    + "fingerprint, input shape, class names, CSV label column and separator, normalisation and split seed "
                    + "(evaluate and plot --confusion without --data use that data).")
    Path save;

    @Option(names = "--init-from", paramLabel = "FILE",
            description = "Start from the parameters in FILE (a --save output or a checkpoint) instead of a fresh "
                    + "initialisation; its architecture is used, and its optimizer state when it is for the same optimizer.")
    Path initFrom;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Write DIR/checkpoint.safetensors after every epoch and on Ctrl-C, SIGTERM or SIGHUP: parameters, "
                    + "optimizer state, position, metrics, and with --validation the best epoch so far, its parameters and "
                    + "the early-stopping count (default with --resume: the resumed directory). A fresh run "
                    + "refuses a DIR that holds a checkpoint: --resume DIR goes on with it, --overwrite-checkpoint replaces it.")
    Path checkpointDir;

    @Option(names = "--overwrite-checkpoint",
            description = "Start a fresh run in a --checkpoint-dir that holds another run's checkpoint, replacing it "
                    + "(without it such a run is refused: --resume DIR goes on with the run that is there).")
    boolean overwriteCheckpoint;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Go on from DIR's checkpoint exactly where it stopped; network, optimizer, schedule, batch size "
                    + "and seed come from the checkpoint, and --data, --train-samples, --expand, --test-samples, --label-column, "
                    + "--separator and --normalize unless given. The checkpoint records a fingerprint of its training data (count, width, classes, a hash of "
                    + "the values and labels): other data is refused, saying what changed; a checkpoint older than "
                    + "fingerprints resumes with a warning. --epochs N trains it to N epochs.")
    Path resume;

    @Option(names = "--metrics", paramLabel = "FILE",
            description = "Write per-epoch metrics (learning rate, train, test and validation cost and accuracy, samples/s, "
                    + "and the cost's name) to FILE: "
                    + "JSON lines when it ends in .jsonl or .json, else CSV. The first epoch's row replaces the old file, "
                    + "atomically (a run that fails before it leaves the old file); later rows are appended, whole; "
                    + "--resume keeps the earlier rows.")
    Path metrics;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "After training, draw into DIR: loss.png and accuracy.png per epoch (train, test, and validation "
                    + "with --validation), confusion.png on the test set (of the kept parameters), and boundary.png for a "
                    + "network of 2 inputs (see the plot command).")
    Path plot;

    @Option(names = "--no-progress", description = "No progress bar (it is shown only when stderr is a terminal anyway).")
    boolean noProgress;

    /** Options a resumed run takes from its checkpoint instead. */
    private static final String[] FIXED_BY_CHECKPOINT = {"--arch", "--layers", "--activation", "--output", "--cost", "--init", "--seed",
        "--batch", "--lr", "--optimizer", "--momentum", "--beta1", "--beta2", "--epsilon", "--weight-decay", "--l2",
        "--lr-schedule", "--lr-step-epochs", "--lr-gamma", "--min-lr", "--warmup-epochs", "--no-shuffle", "--init-from",
        "--classes"};
    // --data, --expand, --train-samples and --test-samples are not among them: the checkpoint's are taken unless
    // given, and the data's fingerprint is checked against the checkpoint's.

    /** The validation options: a resumed run takes them from its checkpoint too (they make the run it goes on). */
    private static final String[] VALIDATION_FIXED_BY_CHECKPOINT = {"--validation", "--early-stop", "--monitor"};

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (classes != null && (classes < 1 || classes > Network.MAX_WIDTH)) {
            throw new UserError("--classes must be in 1.." + Network.MAX_WIDTH + ", got " + classes);
        }
        Checkpoint from = resume == null ? null : loadCheckpoint();
        // A CSV file's test split comes from the run's seed: a resumed run splits as it did.
        dataOptions.seed = from != null ? from.config().seed() : networkOptions.seed;
        Path checkpoints = checkpointDir != null ? checkpointDir : resume;
        OutputGuard.Plan outputs = outputPlan(from, checkpoints);
        outputs.check();
        Network net;
        Parameters initial;
        TrainingState savedState = null;
        String origin;
        if (from != null) {
            net = from.state().network();
            initial = from.state().parameters();
            origin = "resumed from " + Checkpoint.file(resume) + " at epoch " + (from.next().epoch() + 1)
                    + (from.next().batch() > 0 ? " batch " + (from.next().batch() + 1) : "");
        } else if (initFrom != null) {
            ModelFile.Saved saved = ModelFile.load(initFrom);
            net = saved.network();
            if (classes != null && classes != net.outputSize()) {
                throw new UserError("--classes " + classes + " disagrees with --init-from " + initFrom + ", whose network "
                        + net.name() + " has " + net.outputSize() + " outputs; drop --classes");
            }
            networkOptions.inputShape = net.inputShape();
            if (networkOptions.anyNetworkOptionSet() && !networkOptions.network().equals(net)) {
                throw new UserError("--init-from " + initFrom + " holds " + net + ", which differs from the network the options ask for: "
                        + networkOptions.network());
            }
            initial = saved.parameters();
            savedState = saved.optimizerState();
            origin = "parameters from " + initFrom;
        } else {
            if (networkOptions.arch == null) {
                DataSplit d = dataOptions.peek();
                networkOptions.inputShape = dataOptions.sampleShape();
                if (networkOptions.layers == null) {
                    // The output width from the training labels (checked for gaps and row indices), or as --classes insists.
                    networkOptions.defaultArch = d.train().width() + "-16-16-" + (classes != null ? classes : dataOptions.classesFromLabels());
                }
            }
            net = networkOptions.network();
            if (classes != null && classes != net.outputSize()) {
                String given = networkOptions.layers != null ? "--layers " + networkOptions.layers : "--arch " + networkOptions.arch;
                throw new UserError("--classes " + classes + " disagrees with " + given + ", whose output layer is "
                        + net.outputSize() + " wide; give one of them");
            }
            MemoryBudget.check(net, engineOptions.engine);
            initial = networkOptions.initScheme().initialise(net, networkOptions.seed);
            origin = networkOptions.initScheme().cliName() + " init, seed " + networkOptions.seed;
        }
        var parsed = spec.commandLine().getParseResult();
        String takenFromCheckpoint = "";
        if (from != null) {
            // The resumed run's own data, unless other data is asked for: its --data, --train-samples, --expand and --test-samples.
            if (!parsed.hasMatchedOption("--data")) {
                dataOptions.data = from.data();
                dataOptions.origin = "the checkpoint's data";
            }
            DataFingerprint f = from.fingerprint();
            // A checkpoint from before stratified CSV splits resumes on the split it was trained on.
            dataOptions.fileOrderSplit = f == null || f.beforeStratifiedSplits();
            if (f != null && !parsed.hasMatchedOption("--train-samples") && f.trainSamples() != null) {
                dataOptions.trainSamples = f.trainSamples();
                takenFromCheckpoint += " --train-samples " + f.trainSamples();
            }
            if (f != null && !parsed.hasMatchedOption("--expand") && f.expand()) {
                expand = true;
                takenFromCheckpoint += " --expand";
            }
            if (f != null && !parsed.hasMatchedOption("--test-samples") && f.testSamples() != null) {
                dataOptions.testSamples = f.testSamples();
                takenFromCheckpoint += " --test-samples " + f.testSamples();
            }
            if (f != null && f.csv() != null && !parsed.hasMatchedOption("--label-column")) {
                dataOptions.labelColumn = f.csv().labelColumn();
                takenFromCheckpoint += f.csv().labelColumn().equals("first") ? "" : " --label-column " + f.csv().labelColumn();
            }
            if (f != null && f.csv() != null && !parsed.hasMatchedOption("--separator")) {
                dataOptions.separator = f.csv().separator();
            }
            if (!parsed.hasMatchedOption("--normalize")) {
                // What the run was trained with; a checkpoint older than recorded normalisation: none.
                normalizeOption.normalize = f == null ? "none" : f.preprocessing().kind().cliName();
                takenFromCheckpoint += normalizeOption.normalize.equals("none") ? "" : " --normalize " + normalizeOption.normalize;
            }
        }
        DataSplit data = dataOptions.load(net, e -> whereTheClassesCameFrom(net, from, e));
        String dataName = data.name();
        double fraction = from != null ? from.config().validation() : validation == null ? 0 : validation;
        // With a validation split the Trainer expands only the rows that stay, after the split: a held-out image's
        // shifted copies in the training rows would leak it. Without one, the whole training set is expanded here.
        boolean expandAfterSplit = expand && fraction > 0;
        DataSources.Loaded loaded = dataOptions.loaded();
        Preprocessing.Kind kind = normalizeOption.kind(loaded.format() != null);
        if (expand && kind != Preprocessing.Kind.NONE) {
            // A shifted copy moves a pixel to where another pixel's mean and scale apply: normalising does not
            // commute with shifting, and the Trainer expands (normalised) rows after a validation split.
            throw new UserError("--expand shifts raw pixels and --normalize " + kind.cliName() + " scales each "
                    + "pixel by its own numbers; give --expand with --normalize none (the default for image sets)");
        }
        // Fitted on the rows that train only: without the validation split, which the Trainer holds out of the
        // same rows by the same seed (split here only when there is something to fit), applied to every part.
        Dataset fitOn = kind == Preprocessing.Kind.NONE || Trainer.validationRows(data.train(), fraction) == 0 ? data.train()
                : StratifiedSplit.of(data.train(), fraction, dataOptions.seed, "fit", "held").kept();
        Preprocessing preprocessing = Preprocessing.fit(kind, fitOn);
        if (expandAfterSplit) {
            Expansion.shifted(data.train().head(1));   // refuses non-square samples now, before any output is written
        } else if (expand) {
            data = new DataSplit(data.name() + " expanded", Expansion.shifted(data.train()), data.test());
        }
        data = preprocessing.apply(data);
        // On the file-order split the run records what the older backprop-cl did, so it resumes (and scores) on it again.
        DataFingerprint fingerprint = checkpoints == null && save == null ? null
                : loaded.fileOrderSplit() ? DataFingerprint.of(data.train(), dataName, dataOptions.trainSamples, expand,
                        dataOptions.testSamples)
                : DataFingerprint.of(data.train(), dataName, dataOptions.trainSamples, expand, dataOptions.testSamples,
                        dataOptions.csvAsRead(), preprocessing);
        if (from != null && from.fingerprint() != null) {
            String difference = from.fingerprint().differenceFrom(fingerprint);
            if (difference != null) {
                throw new UserError("--resume " + resume + ": " + difference);
            }
        }
        int held = Trainer.validationRows(data.train(), fraction);
        if (from == null && validation != null && held == 0) {
            throw new UserError("--validation " + OptionValues.typed(spec, "--validation") + " holds out no rows of " + data.train().name()
                    + ": a class needs 2 or more training rows to give one to the validation split");
        }
        // The rows each epoch trains: what stays after the split, five times that when expanded after it.
        int trained = (data.train().count() - held) * (expandAfterSplit ? 5 : 1);
        if (from != null) {
            int batches = Batches.count(trained, from.config().batchSize());
            if (from.next().batch() >= batches) {
                throw new UserError("--resume " + resume + ": the checkpoint's position, batch " + (from.next().batch() + 1)
                        + " of epoch " + (from.next().epoch() + 1) + ", is past the " + Plural.of(batches, "batch") + " of this data; "
                        + "was it trained on other data, or with --expand or --train-samples?");
            }
        }
        TrainingConfig config = from != null ? resumedConfig(from) : config(trained, net);
        MemoryBudget.checkBatch(net, engineOptions.engine, config.batchSize(), Batches.rows(trained, config.batchSize()));
        checkBatchNormRows(net, config.batchSize(), trained);
        if (metrics != null || plot != null) {
            config = config.withEvaluateTrain(true);
        }
        boolean continueOptimizer = savedState != null && savedState.optimizer().equals(config.optimizer());

        // The signals first: one that comes while the engine opens (an OpenCL build, tuning) stops the
        // run at its first batch, and the guard still removes its lock files.
        try (InterruptSignal interrupt = InterruptSignal.install(signal -> System.err.println("\nbackprop-cl: " + signal
                     + ": stopping after this batch" + (checkpoints != null ? " and writing the checkpoint" : "") + " ("
                     + (signal.equals("SIGINT") ? "Ctrl-C" : signal) + " again to quit at once)"));
             OutputGuard guard = acquire(outputs, from, checkpoints);
             EngineSelector.Choice choice = engineOptions.open(net, initial, replicaOptions);
             MetricsFile metricsFile = metrics == null ? null : MetricsFile.create(metrics, from == null ? List.of() : from.metrics(),
                     net.cost().cliName())) {
            Engine engine = choice.engine();
            out.printf(Locale.ROOT, "training %s on %s (%,d train / %,d test)%n", net, data.name(),
                    data.train().count(), data.test().count());
            if (net.isConvolutional()) {
                out.print(LayerSummary.of(net));
            }
            describeData(out, loaded, data, preprocessing, fitOn.count());
            out.printf(Locale.ROOT, "%s of mini-batches of %d%s, %s, %s, %s, %s%n", Plural.of(config.epochs(), "epoch"), config.batchSize(),
                    config.batchSize() > trained ? " (one batch of all " + Plural.grouped(trained, "sample") + ")" : "",
                    config.optimizer().describe(), config.schedule().describe(), config.shuffle() ? "shuffled" : "file order", origin);
            if (config.validates()) {
                out.printf(Locale.ROOT, "validation: %s of each class held out of the training set (seed %d); the best epoch by "
                        + "%s (%s) is kept%s; the test set is measured once, at the end%n", Double.toString(config.validation()),
                        config.seed(), config.monitor().words(), config.monitor() == Monitor.VAL_COST ? "lowest" : "highest",
                        config.earlyStop() > 0 ? ", stopping after " + Plural.of(config.earlyStop(), "epoch") + " without a better one" : "");
                if (expandAfterSplit) {
                    out.printf(Locale.ROOT, "--expand: the %s that stay are expanded after the split, to %s%n",
                            Plural.grouped(data.train().count() - held, "row"), Plural.grouped(trained, "row"));
                }
            }
            out.printf("engine: %s (%s)%n", engine.description(), choice.reason());
            if (continueOptimizer) {
                out.printf("optimizer state from %s (step %d)%n", initFrom, savedState.steps());
            }
            if (from != null && !from.data().equals(dataOptions.data)) {
                out.printf("warning: the checkpoint was trained on --data %s, this run uses %s%n", from.data(), dataOptions.data);
            }
            if (!takenFromCheckpoint.isEmpty()) {
                out.printf("data options from the checkpoint:%s%n", takenFromCheckpoint);
            }
            if (from != null && loaded.fileOrderSplit()) {
                out.println(DataSources.fileOrderNote(Checkpoint.file(resume)));
            }
            if (from != null && from.fingerprint() == null) {
                out.printf("warning: %s has no fingerprint of its training data (an older backprop-cl wrote it), so this data "
                        + "cannot be checked against it; give the --data, --train-samples and --expand it was trained with%n",
                        Checkpoint.file(resume));
            }
            out.flush();

            boolean bar = !noProgress && System.console() != null;
            TrainingListener listener = new ProgressReporter(out, bar, config.earlyStop() > 0, System.err, System::nanoTime);
            // With a validation split the chance level is the training set's: the split is stratified.
            listener = TrainingListener.both(listener, new ChanceWarning(out, net, config.validates() ? data.train() : data.test(),
                    config.learningRate(),
                    defaultLearningRate(config.optimizer().kind(), net),
                    from == null && initFrom == null ? networkOptions.initScheme() : null));
            if (metricsFile != null) {
                listener = TrainingListener.both(listener, new TrainingListener() {
                    @Override
                    public void epochDone(EpochResult r) {
                        metricsFile.write(EpochMetrics.of(r));
                    }
                });
            }
            Trainer trainer = new Trainer(config).checkpointTo(checkpoints).stopWhen(interrupt).dataSource(dataOptions.data)
                    .fingerprint(fingerprint);
            if (expandAfterSplit) {
                trainer.augmentTraining(Expansion::shifted);
            }
            // A model saved with the same optimizer's state goes on from that state, at epoch 1 of this run.
            Trainer.Start start = from != null ? Trainer.Start.resume(from)
                    : continueOptimizer ? Trainer.Start.from(savedState) : Trainer.Start.fresh();
            long t0 = System.nanoTime();
            Trainer.Run run = trainer.run(engine, data, start, listener);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<EpochResult> results = run.epochs();
            EpochResult lastEpoch = results.isEmpty() ? null : results.get(results.size() - 1);
            if (run.stopped() && !config.validates()) {
                Evaluation last = lastEpoch == null ? engine.evaluate(data.test()) : lastEpoch.test();
                out.printf(Locale.ROOT, "stopped before epoch %d batch %d: test accuracy %.4f after the last finished epoch%n",
                        run.next().epoch() + 1, run.next().batch() + 1, last.accuracy());
            } else if (run.stopped()) {
                out.printf(Locale.ROOT, "stopped before epoch %d batch %d%s%n", run.next().epoch() + 1, run.next().batch() + 1,
                        lastEpoch == null ? "" : String.format(Locale.ROOT, ": val accuracy %.4f after the last finished epoch",
                                lastEpoch.validation().accuracy()));
            }
            if (run.stoppedEarly()) {
                out.printf(Locale.ROOT, "early stop: the %s has not improved for %s since epoch %d; stopped after epoch %d of %d%n",
                        config.monitor().words(), Plural.of(run.best().epochsSince(), "epoch"), run.best().epoch(), run.next().epoch(),
                        config.epochs());
            }
            if (run.best() != null) {
                out.println(bestLine(run, config));
            }
            if (!run.stopped()) {
                Evaluation test = run.test();
                out.printf(Locale.ROOT, "done: test accuracy %.4f (%d/%d), test cost %.4f%s, %s in %.1f s%n", test.accuracy(),
                        test.correct(), test.count(), test.meanCost(),
                        run.best() != null ? " with epoch " + run.best().epoch() + "'s parameters" : "", Plural.of(results.size(), "epoch"), seconds);
            }
            // A checkpoint is written after each epoch and when stopped: --epochs 0 writes none, and says none.
            if (checkpoints != null && (run.stopped() || !results.isEmpty())) {
                out.println("checkpoint: " + Checkpoint.file(checkpoints) + (run.stopped() ? "; go on with: backprop-cl train --resume "
                        + checkpoints : ""));
            }
            if (metrics != null) {
                out.println("metrics: " + metrics);
            }
            if (save != null) {
                // With a validation split: the best epoch's state (the engine holds it at the end; a stopped run's is the best so far).
                ModelFile.save(save, run.best() != null ? run.best().state() : engine.state(), trainedOn(fingerprint, loaded), false);
                out.println("saved " + save + (run.best() == null ? "" : String.format(Locale.ROOT, " (epoch %d, the best%s by %s)",
                        run.best().epoch(), run.stopped() ? " so far" : "", config.monitor().words())));
            }
            if (plot != null && !run.metrics().isEmpty()) {
                drawPlots(out, net, run.best() != null ? run.best().state().parameters() : engine.parameters(), data, run.metrics());
            }
            out.flush();
            return run.stopped() ? interrupt.exitCode() : ExitCodes.OK;
        }
    }

    /**
     * What was found in a CSV file (header, separator, label column, classes) and how the test set
     * was made; the normalisation of any data that has one.
     */
    private void describeData(PrintWriter out, DataSources.Loaded loaded, DataSplit data, Preprocessing preprocessing, int fittedOn) {
        if (loaded.format() != null) {
            out.println("data: " + dataOptions.data + ": " + loaded.format().describe());
            out.println("classes: " + loaded.format().describeClasses(data.train().classes()));
        }
        if (loaded.howSplit() != null) {
            out.println("split: " + loaded.howSplit());
        }
        if (loaded.format() != null || preprocessing.kind() != Preprocessing.Kind.NONE) {
            out.println("normalize: " + preprocessing.describe(fittedOn));
        }
    }

    /** What --save records besides the network: the data's fingerprint, source, input shape and split seed. */
    private Map<String, String> trainedOn(DataFingerprint fingerprint, DataSources.Loaded loaded) {
        Map<String, String> m = new LinkedHashMap<>(fingerprint.toMetadata());
        m.putAll(ModelFile.dataMetadata(dataOptions.data, DataOptions.asPath(dataOptions.data), loaded.inputShape(), dataOptions.seed));
        if (loaded.fileOrderSplit()) {
            m.remove(ModelFile.SPLIT_SEED);   // no seed made its split: evaluate scores it on the file-order split too
        }
        return m;
    }

    /** "best epoch: 9 of 12 by val cost, val cost 0.3012, val accuracy 0.8933" ("so far" in a stopped run). */
    private static String bestLine(Trainer.Run run, TrainingConfig config) {
        EpochMetrics row = run.metrics().stream().filter(m -> m.epoch() == run.best().epoch()).findFirst().orElseThrow();
        return String.format(Locale.ROOT, "best epoch%s: %d of %d by %s, val cost %.4f, val accuracy %.4f", run.stopped() ? " so far" : "",
                row.epoch(), run.metrics().size(), config.monitor().words(), row.valCost(), row.valAccuracy());
    }

    /**
     * The pictures of --plot: curves, the confusion matrix (of {@code p}: the kept parameters), and
     * the decision boundary of a 2-input network.
     */
    private void drawPlots(PrintWriter out, Network net, Parameters p, DataSplit data, List<EpochMetrics> rows) {
        try {
            String title = net.shortName() + " on " + data.name();
            for (Path f : Plots.curves(rows, net.cost().cliName(), title, plot)) {
                out.println("plot: " + f);
            }
            ConfusionMatrix m = ConfusionMatrix.of(p, data.test());
            out.println("plot: " + Plots.confusion(m, title + ", test set", plot.resolve("confusion.png")));
            if (net.inputSize() == 2) {
                out.println("plot: " + Plots.boundary(p, data.train(), plot.resolve("boundary.png")));
            }
        } catch (java.io.UncheckedIOException e) {
            throw new UserError("--plot " + plot + ": " + e.getMessage(), e);
        }
    }

    /**
     * What this run reads and writes, checked before any work (see {@link OutputGuard}): the data,
     * the checkpoint it resumes and the model it starts from are never replaced by an output.
     */
    private OutputGuard.Plan outputPlan(Checkpoint from, Path checkpoints) {
        OutputGuard.Plan plan = new OutputGuard.Plan();
        String source = from != null && !spec.commandLine().getParseResult().hasMatchedOption("--data") ? from.data() : dataOptions.data;
        Path dataPath = DataOptions.asPath(source);
        plan.input("--data", dataPath);
        if (dataPath != null) {
            plan.input("--data", DataSources.csvTestFile(dataPath));   // X-test.csv beside X.csv or X-train.csv
        }
        if (resume != null) {
            plan.input("--resume", Checkpoint.file(resume)).ownedInput(Checkpoint.file(resume));
        }
        plan.input("--init-from", initFrom);
        plan.file("--save", save, OptionValues.typed(spec, "--save"));   // as typed: picocli's Path drops a trailing '/'
        plan.file("--metrics", metrics, OptionValues.typed(spec, "--metrics"));
        plan.directory("--checkpoint-dir", checkpoints, List.of(Checkpoint.FILE_NAME));
        plan.directory("--plot", plot, List.of("loss.png", "accuracy.png", "confusion.png", "boundary.png"));
        return plan;
    }

    /**
     * Takes the outputs' locks; then, holding the checkpoint directory's lock so that no other run
     * can write one meanwhile, refuses a fresh run in a directory that holds another run's checkpoint.
     */
    private OutputGuard acquire(OutputGuard.Plan plan, Checkpoint from, Path checkpoints) {
        OutputGuard guard = plan.acquire();
        if (from == null && checkpoints != null && !overwriteCheckpoint && Files.exists(Checkpoint.file(checkpoints))) {
            guard.close();
            String held;
            try {
                Checkpoint other = Checkpoint.load(checkpoints);
                held = "the checkpoint of a run of " + other.state().network().name() + " after " + other.next().epoch()
                        + " of " + Plural.of(other.config().epochs(), "epoch");
            } catch (RuntimeException e) {
                held = "a " + Checkpoint.FILE_NAME + " that cannot be read";
            }
            throw new UserError("--checkpoint-dir " + checkpoints + " already holds " + held + "; go on with it with "
                    + "--resume " + checkpoints + ", or start over with --overwrite-checkpoint (or use another directory)");
        }
        return guard;
    }

    /** After a reader's "label L is out of range; expected 0..K-1 (K classes)": where K came from, and what to do. */
    private String whereTheClassesCameFrom(Network net, Checkpoint from, backpropcl.data.LabelOutOfRangeException e) {
        int k = net.outputSize();
        int wanted = e.label() + 1;
        if (from != null) {
            return "the outputs of the checkpoint's network " + net.name() + "; resume on data of its " + Plural.of(k, "class");
        }
        if (initFrom != null) {
            return "the outputs of the network " + net.name() + " in --init-from " + initFrom + "; fix the label, or train a "
                    + "new network of " + wanted + " or more outputs";
        }
        if (networkOptions.arch != null) {
            return "the outputs of --arch " + networkOptions.arch + "; fix the label, or give an --arch whose last width is "
                    + wanted + " or more";
        }
        if (networkOptions.layers != null) {
            return "the outputs of --layers " + networkOptions.layers + "; fix the label, or give a last dense layer of "
                    + wanted + " or more";
        }
        if (classes != null) {
            return "as --classes " + classes + " says; fix the label, or give --classes " + wanted + " or more";
        }
        return "as the training labels run; a label the training set never has cannot be learnt: fix it (is a column a "
                + "row index?), or give --classes " + wanted + " (or --arch) to insist";
    }

    private Checkpoint loadCheckpoint() {
        var parsed = spec.commandLine().getParseResult();
        for (String option : FIXED_BY_CHECKPOINT) {
            if (parsed.hasMatchedOption(option)) {
                throw new UserError("--resume takes the network, optimizer, schedule, batch size and seed from the checkpoint; "
                        + "drop " + option);
            }
        }
        for (String option : VALIDATION_FIXED_BY_CHECKPOINT) {
            if (parsed.hasMatchedOption(option)) {
                throw new UserError("--resume takes the validation split, --early-stop and --monitor from the checkpoint (an exact "
                        + "resume needs the same ones); drop " + option);
            }
        }
        return Checkpoint.load(resume);
    }

    private TrainingConfig resumedConfig(Checkpoint from) {
        TrainingConfig c = from.config();
        if (spec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
            try {
                c = c.withEpochs(epochs);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage(), e);
            }
        }
        Position next = from.next();
        if (from.stoppedEarly()) {
            throw new UserError("--resume " + resume + ": the run stopped early after epoch " + next.epoch() + " (its "
                    + from.config().monitor().words() + " had not improved for " + Plural.of(from.best().epochsSince(), "epoch")
                    + " since epoch " + from.best().epoch() + "); there is nothing to go on with");
        }
        if (next.epoch() >= c.epochs()) {
            throw new UserError("--resume " + resume + ": the run has finished " + Plural.of(next.epoch(), "epoch") + "; give --epochs N "
                    + "with N above " + next.epoch() + " to train it further");
        }
        return evalTrain ? c.withEvaluateTrain(true) : c;
    }

    /** The configuration the options ask for; n is the training set size (for --l2), the validation split not counted. */
    /**
     * Refuses a batch of 1 row for a batchnorm over rows (PyTorch refuses it too, at that batch):
     * --batch 1, or a last batch of 1 row in the epoch.
     */
    static void checkBatchNormRows(Network net, int batch, int trained) {
        int k = net.rowBatchNorm();
        int last = trained % batch;
        if (k < 0 || (batch > 1 && last != 1 && trained != 1)) {
            return;
        }
        String which = batch == 1 ? "--batch 1" : trained == 1 ? "1 training row"
                : "the last batch of each epoch: " + Plural.grouped(trained, "row") + " in batches of " + batch;
        throw new UserError("layer " + (k + 1) + " 'batchnorm' normalises each feature over the rows of a batch, and a batch of 1 "
                + "row has no variance (" + which + "); give a --batch of 2 or more that leaves no last batch of 1 row");
    }

    private TrainingConfig config(int n, Network net) {
        try {
            Optimizer.Kind kind = Optimizer.Kind.parse(optimizer);
            if (weightDecay != null && l2 != null) {
                throw new UserError("--weight-decay and --l2 are two ways to say the same thing; give one");
            }
            double decay = weightDecay != null ? weightDecay : l2 != null ? l2 / n : 0;
            Optimizer o = new Optimizer(kind, momentum, beta1, beta2, epsilon, decay);
            double rate = lr != null ? lr : defaultLearningRate(kind, net);
            if (minLr > rate) {
                throw new UserError("--min-lr " + OptionValues.typed(spec, "--min-lr") + " is above the learning rate "
                        + (lr != null ? "--lr " + OptionValues.typed(spec, "--lr") : rate + " (" + kind.cliName() + "'s default)")
                        + "; give a --min-lr no larger than it");
            }
            LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.parse(schedule), rate, stepEpochs, gamma,
                    minLr, warmupEpochs);
            if (monitor != null && validation == null) {
                throw new UserError("--monitor needs --validation FRACTION: it chooses the best epoch by a validation split held out "
                        + "of the training set (choosing it by the test set would leak it)");
            }
            return new TrainingConfig(epochs, batch, s, o, !noShuffle, networkOptions.seed, evalTrain, validation == null ? 0 : validation,
                    earlyStop == null ? 0 : earlyStop, monitor == null ? Monitor.VAL_COST : Monitor.parse(monitor));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    /**
     * The learning rate when --lr is not given. SGD's follows the network (measured on mnist-10k,
     * docs/training.md): the lesson's 3.0 suits sigmoid hidden layers with the quadratic cost and a
     * sigmoid or softmax output, and kills relu layers (chance accuracy) and makes tanh with
     * cross-entropy blow up; of 3, 1, 0.3 and 0.1, 0.1 is the one at which no relu or leaky-relu
     * network dies or diverges, and 0.3 the one good for tanh, cross-entropy and identity outputs alike. Momentum and Nesterov take a tenth (the same step size at
     * mu = 0.9), Adam PyTorch's 0.001.
     */
    static double defaultLearningRate(Optimizer.Kind kind, Network net) {
        boolean relu = false;
        boolean sigmoid = true;
        for (int l = 0; l + 1 < net.denseLayers(); l++) {
            Activation a = net.activation(l);
            relu |= a == Activation.RELU || a == Activation.LEAKY_RELU;
            sigmoid &= a == Activation.SIGMOID;
        }
        Activation out = net.outputActivation();
        boolean lesson = sigmoid && net.cost() == Cost.QUADRATIC && (out == Activation.SIGMOID || out == Activation.SOFTMAX);
        return switch (kind) {
            case SGD -> relu ? 0.1 : lesson ? 3.0 : 0.3;
            case MOMENTUM, NESTEROV -> relu ? 0.01 : lesson ? 0.3 : 0.03;
            case ADAM, ADAMW -> 0.001;
        };
    }
}
