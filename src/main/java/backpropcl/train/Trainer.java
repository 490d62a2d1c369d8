package backpropcl.train;

import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.StratifiedSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.io.ModelFile;
import backpropcl.model.Network;
import backpropcl.model.TrainingState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Mini-batch training over epochs: each epoch takes the training set in a seeded order (or file
 * order), trains every batch including the last partial one at the schedule's rate, then
 * evaluates on the test set. With a validation split ({@link TrainingConfig#validation}) the
 * training set first loses a seeded, stratified part ({@link #validationSplit}); each epoch then
 * evaluates that instead, keeps the best epoch's state by the configuration's {@link Monitor}
 * ({@link BestEpoch}), stops early when it has not improved for {@link TrainingConfig#earlyStop}
 * epochs, and at the end puts the best epoch's state into the engine and measures the test set
 * once ({@link Run#test}). With a checkpoint directory it writes a {@link Checkpoint} after every
 * epoch, and when asked to stop (Ctrl-C) it finishes the current batch, writes one and returns.
 * Every {@link #DIVERGENCE_CHECK_BATCHES} batches and after each epoch it checks that the cost is
 * still finite; when it is not, it throws {@link DivergedException} naming the epoch and batch,
 * and writes no checkpoint, so the last one (of the last good epoch) stays. After each epoch (and
 * before a checkpoint on stopping) every parameter and optimizer-state value must be finite, and the
 * watched cost (test or validation) must not have exploded: more than {@link #EXPLOSION_FACTOR}
 * times the larger of that cost before this run's first batch and {@link #knowNothingCost} is a
 * divergence too.
 *
 * <pre>
 *   Trainer trainer = new Trainer(config).checkpointTo(dir);
 *   Trainer.Run run = trainer.run(engine, data, Trainer.Start.fresh(), listener);   // from the engine's parameters
 *   Trainer.Run more = trainer.run(engine, data, Trainer.Start.resume(Checkpoint.load(dir)), listener);
 * </pre>
 */
public final class Trainer {
    private final TrainingConfig config;
    /** Batches between two checks for a cost gone NaN or infinite (and one after every epoch's last batch). */
    public static final int DIVERGENCE_CHECK_BATCHES = 100;
    /**
     * A test cost more than this many times the run's reference (the test cost before its first batch,
     * but at least {@link #knowNothingCost}) is a divergence. On the bundled digits healthy runs stay
     * below 0.3 times the cost before training (1.7 after 300 epochs of Adam overfitting 1,000 samples),
     * and runs that blow up reach 15 to 235 times it (docs/reliability.md).
     */
    public static final double EXPLOSION_FACTOR = 10;

    private Path checkpointDir;
    private BooleanSupplier stopRequested = () -> false;
    private UnaryOperator<Dataset> augment = UnaryOperator.identity();
    private String dataSource;
    private DataFingerprint fingerprint;
    /** The data {@link #fingerprint} was computed for, when the trainer computed it. */
    private Object fingerprinted;

    public Trainer(TrainingConfig config) {
        this.config = config;
    }

    /** Write a checkpoint into {@code dir} after every epoch and when stopped; null for none. */
    public Trainer checkpointTo(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /** Polled after every batch: when true, the run checkpoints and returns (Ctrl-C sets it). */
    public Trainer stopWhen(BooleanSupplier stop) {
        this.stopRequested = stop;
        return this;
    }

    /**
     * Applied to the rows that stay after the validation split is held out, before training them
     * (the command line's --expand: their shifted copies); default: none. Held-out rows are never
     * augmented, so no copy of one is trained on. Applied to the whole training set when there is
     * no split.
     */
    public Trainer augmentTraining(UnaryOperator<Dataset> f) {
        this.augment = f;
        return this;
    }

    /** What checkpoints record as the data (e.g. the --data option, so a resume can load it again); default: the data set's name. */
    public Trainer dataSource(String source) {
        this.dataSource = source;
        return this;
    }

    /**
     * The fingerprint checkpoints record of the training data (train passes one that names its
     * --train-samples and --expand); default: computed from the data on the first checkpoint.
     */
    public Trainer fingerprint(DataFingerprint f) {
        this.fingerprint = f;
        this.fingerprinted = null;
        return this;
    }

    public TrainingConfig config() {
        return config;
    }

    /**
     * How a run ended.
     *
     * @param epochs       the epochs finished by this call
     * @param metrics      one row per epoch of the whole run, those before a resume included
     * @param stopped      whether it stopped because it was asked to (then the engine holds the state
     *                     it stopped in, and {@code test} is null)
     * @param next         where a resumed run would go on
     * @param best         the best epoch by the configuration's monitor, with a validation split;
     *                     else null
     * @param stoppedEarly whether early stopping ended it (the monitor had not improved for
     *                     {@code --early-stop} epochs)
     * @param test         the test set's evaluation of the parameters the engine holds at the end:
     *                     the best epoch's with a validation split, else the last epoch's
     */
    public record Run(List<EpochResult> epochs, List<EpochMetrics> metrics, boolean stopped, Position next, BestEpoch best,
                      boolean stoppedEarly, Evaluation test) {
    }

    /**
     * Where a run starts: the engine's parameters with a fresh optimizer state ({@link #fresh}), a
     * saved state of parameters and optimizer both ({@link #from}), or a checkpoint's state, position,
     * metrics and best epoch ({@link #resume}).
     */
    public static final class Start {
        private static final Start FRESH = new Start(null, null);
        /** The state put into the engine first; null: the engine's parameters and a fresh optimizer state. */
        private final TrainingState state;
        /** The checkpoint the run goes on from; null: from epoch 1, batch 1, with no epochs before. */
        private final Checkpoint checkpoint;

        private Start(TrainingState state, Checkpoint checkpoint) {
            this.state = state;
            this.checkpoint = checkpoint;
        }

        /** From the engine's parameters with a fresh state of the configured optimizer. */
        public static Start fresh() {
            return FRESH;
        }

        /** From {@code state}, parameters and optimizer state both (a model saved with its optimizer's state), at epoch 1. */
        public static Start from(TrainingState state) {
            return new Start(Objects.requireNonNull(state, "state"), null);
        }

        /**
         * From the checkpoint's state and position, as if never stopped: the same validation split
         * (from the configuration's fraction and seed), the same best epoch and patience counter.
         * The run refuses data whose fingerprint differs from the checkpoint's.
         */
        public static Start resume(Checkpoint checkpoint) {
            return new Start(checkpoint.state(), checkpoint);
        }
    }

    /**
     * Trains the engine from {@code start} (its parameters are trained in place) over the
     * configuration's epochs, or until stopped, diverged or stopped early.
     *
     * @throws IllegalArgumentException when resuming a checkpoint of other data than {@code data}
     */
    public Run run(Engine engine, DataSplit data, Start start, TrainingListener listener) {
        Checkpoint from = start.checkpoint;
        if (from != null && from.fingerprint() != null) {
            String difference = from.fingerprint().differenceFrom(fingerprintOf(data));
            if (difference != null) {
                throw new IllegalArgumentException(difference);
            }
        }
        if (start.state == null) {
            engine.setOptimizer(config.optimizer());
        } else {
            engine.setState(start.state);
        }
        return from == null ? loop(engine, data, listener, Position.START, List.of(), null)
                : loop(engine, data, listener, from.next(), from.metrics(), from.best());
    }

    /**
     * The validation split of {@code train} that a run of {@code config} holds out: {@code
     * config.validation()} of every class, seeded by {@code config.seed()}; the part that stays
     * keeps {@code train}'s name. The same data and configuration give the same split, here, in a
     * resumed run and through the command line.
     *
     * @throws IllegalArgumentException when the configuration has no validation split
     */
    public static StratifiedSplit validationSplit(Dataset train, TrainingConfig config) {
        if (!config.validates()) {
            throw new IllegalArgumentException("the configuration holds out no validation split");
        }
        String base = train.name().endsWith("/train") ? train.name().substring(0, train.name().length() - "/train".length())
                : train.name();
        return StratifiedSplit.of(train, config.validation(), config.seed(), train.name(), base + "/validation");
    }

    /** How many of {@code train}'s rows a validation split of {@code fraction} (0: none) holds out, without making it. */
    public static int validationRows(Dataset train, double fraction) {
        if (fraction == 0) {
            return 0;
        }
        int held = 0;
        for (int count : train.classCounts()) {
            held += StratifiedSplit.heldCount(count, fraction);
        }
        return held;
    }

    private Run loop(Engine engine, DataSplit data, TrainingListener listener, Position from, List<EpochMetrics> earlier,
                     BestEpoch bestBefore) {
        Dataset train = data.train();
        Dataset validation = null;
        if (config.validates()) {
            StratifiedSplit split = validationSplit(data.train(), config);
            if (split.held().count() == 0) {
                throw new IllegalArgumentException("--validation " + config.validation() + " holds out no rows of " + train.name()
                        + ": a class needs 2 or more rows to give one to the validation split");
            }
            train = split.kept();
            validation = split.held();
            listener.validationSplit(split);
        }
        train = augment.apply(train);
        // What the run watches every epoch: the validation split when there is one (the test set is then
        // measured once, at the end), else the test set, as before validation splits.
        Dataset watchedSet = validation != null ? validation : data.test();
        String watchedName = validation != null ? "validation" : "test";
        int n = train.count();
        int batch = config.batchSize();
        int batches = Batches.count(n, batch);
        int epochs = config.epochs();
        engine.setTrainingData(train);
        engine.setSeed(config.seed());
        engine.reserveBatch(Math.max(1, Math.min(batch, n)));
        List<EpochResult> results = new ArrayList<>();
        List<EpochMetrics> metrics = new ArrayList<>(earlier);
        BestEpoch best = bestBefore;
        boolean early = best != null && best.patienceRanOut(config.earlyStop());
        // The cost explosion's reference: what the parameters this run starts from cost (read-only: the
        // evaluation changes nothing the training sees), and never less than a network that knows nothing.
        double reference = Double.NaN;
        String before = "";
        if (from.epoch() < epochs && !early) {
            double start = engine.evaluate(watchedSet).meanCost();
            double nothing = knowNothingCost(engine.network());
            reference = Math.max(start, nothing);
            before = start >= nothing ? (from.epoch() == 0 && from.batch() == 0 && earlier.isEmpty() ? "before training" : "when this run resumed")
                    : "of a network that knows nothing (output z = 0 for every input)";
        }
        Position next = from;
        for (int epoch = from.epoch(); epoch < epochs && !early; epoch++) {
            engine.setOrder(config.shuffle() ? Shuffle.permutation(n, config.seed(), epoch) : null);
            int first = epoch == from.epoch() ? Math.min(from.batch(), batches) : 0;
            listener.epochStarted(epoch + 1, epochs, batches);
            long t0 = System.nanoTime();
            double lr = config.learningRate();
            for (int i = first; i < batches; i++) {
                int start = i * batch;
                int rows = Math.min(batch, n - start);
                lr = config.schedule().rate(epoch, i, epochs, batches);
                engine.trainBatch(start, rows, lr);
                if (((i + 1) % DIVERGENCE_CHECK_BATCHES == 0 || i + 1 == batches) && !engine.outputFinite()) {
                    throw new DivergedException(epoch + 1, i + 1, "the output layer's parameters are no longer finite numbers",
                            config.learningRate(), kept());
                }
                listener.batchDone(epoch + 1, i + 1, start + rows);
                if (i + 1 < batches && stopRequested.getAsBoolean()) {
                    listener.trainingPassDone(epoch + 1);
                    TrainingState state = finiteState(engine, epoch + 1, i + 1);
                    Position at = new Position(epoch, i + 1);
                    checkpoint(state, at, metrics, data, best);
                    return new Run(results, metrics, true, at, best, false, null);
                }
            }
            // The evaluation reads results back, so it also waits for the queued batches to finish.
            Evaluation watched = engine.evaluate(watchedSet);
            double seconds = (System.nanoTime() - t0) / 1e9;
            listener.trainingPassDone(epoch + 1);
            Evaluation trainEvaluation = config.evaluateTrain() ? engine.evaluate(train) : null;
            if (!Double.isFinite(watched.meanCost())) {
                throw new DivergedException(epoch + 1, batches, "the " + watchedName + " cost after it is " + watched.meanCost(),
                        config.learningRate(), kept());
            }
            TrainingState state = finiteState(engine, epoch + 1, batches);
            if (Double.isFinite(reference) && watched.meanCost() > EXPLOSION_FACTOR * reference) {
                throw new DivergedException(epoch + 1, batches, String.format(Locale.ROOT,
                        "the %s cost after it is %.4f (accuracy %.4f), more than %.0f times the %.4f %s", watchedName,
                        watched.meanCost(), watched.accuracy(), EXPLOSION_FACTOR, reference, before), config.learningRate(), kept());
            }
            boolean improved = false;
            if (validation != null) {
                best = BestEpoch.after(best, epoch + 1, config.monitor().value(watched), state, config.monitor());
                improved = best.epoch() == epoch + 1;
                early = best.patienceRanOut(config.earlyStop());
            }
            int trained = (int) (n - Math.min(n, (long) first * batch));
            EpochResult result = new EpochResult(epoch + 1, validation == null ? watched : null, trainEvaluation, seconds,
                    trained / seconds, lr, validation == null ? null : watched, improved);
            results.add(result);
            metrics.add(EpochMetrics.of(result));
            next = new Position(epoch + 1, 0);
            checkpoint(state, next, metrics, data, best);
            listener.epochDone(result);
            if (!early && epoch + 1 < epochs && stopRequested.getAsBoolean()) {
                return new Run(results, metrics, true, next, best, false, null);
            }
        }
        if (!early) {
            next = new Position(epochs, 0);
        }
        // As Keras' EarlyStopping(restore_best_weights=True), but also when the run went to its last epoch: the
        // engine ends with the best epoch's state, and the test set is measured once, for it.
        if (best != null) {
            engine.setState(best.state());
        }
        Evaluation test = validation == null && !results.isEmpty() ? results.get(results.size() - 1).test() : engine.evaluate(data.test());
        return new Run(results, metrics, false, next, best, early, test);
    }

    /**
     * The engine's state, read once for both the check and the checkpoint; throws when a parameter
     * or optimizer-state value is NaN or infinite: such a state is never checkpointed or returned.
     */
    private TrainingState finiteState(Engine engine, int epoch, int batch) {
        TrainingState state = engine.state();
        String bad = ModelFile.nonFinite(state);
        if (bad != null) {
            throw new DivergedException(epoch, batch, bad, config.learningRate(), kept());
        }
        return state;
    }

    /**
     * The cost of a network that knows nothing: its output layer's z is 0 for every input (softmax:
     * 1/n each, sigmoid: 0.5, identity: 0). Cross-entropy with a softmax over 10 classes: ln 10 = 2.3026;
     * the quadratic cost of 10 sigmoid outputs: 1.25.
     */
    public static double knowNothingCost(Network net) {
        int n = net.outputSize();
        double[] z = new double[n];
        double[] a = new double[n];
        double[] y = new double[n];
        net.outputActivation().apply(z, a, 1, n);
        y[0] = 1;
        return net.cost().sampleCost(net.outputActivation(), z, a, y, 0, n);
    }

    /** What a diverged run leaves, for its message: the checkpoint of the last good epoch, if any. */
    private String kept() {
        if (checkpointDir == null || !Checkpoint.exists(checkpointDir)) {
            return "";
        }
        return " (the last checkpoint, " + Checkpoint.file(checkpointDir) + ", is kept)";
    }

    private void checkpoint(TrainingState state, Position next, List<EpochMetrics> metrics, DataSplit data, BestEpoch best) {
        if (checkpointDir != null) {
            new Checkpoint(state, config, next, List.copyOf(metrics), dataSource != null ? dataSource : data.name(),
                    fingerprintOf(data), best).save(checkpointDir);
        }
    }

    /** The given fingerprint, else one computed once for this data. */
    private DataFingerprint fingerprintOf(DataSplit data) {
        if (fingerprint == null || (fingerprinted != null && fingerprinted != data.train())) {
            fingerprint = DataFingerprint.of(data.train(), data.name(), null, false, null);
            fingerprinted = data.train();
        }
        return fingerprint;
    }
}
