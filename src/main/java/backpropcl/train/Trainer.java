package backpropcl.train;

import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.io.ModelFile;
import backpropcl.model.Network;
import backpropcl.model.TrainingState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Mini-batch training over epochs: each epoch takes the training set in a seeded order (or file
 * order), trains every batch including the last partial one at the schedule's rate, then
 * evaluates on the test set. With a checkpoint directory it writes a {@link Checkpoint} after every
 * epoch, and when asked to stop (Ctrl-C) it finishes the current batch, writes one and returns.
 * Every {@link #DIVERGENCE_CHECK_BATCHES} batches and after each epoch it checks that the cost is
 * still finite; when it is not, it throws {@link DivergedException} naming the epoch and batch,
 * and writes no checkpoint, so the last one (of the last good epoch) stays. After each epoch (and
 * before a checkpoint on stopping) every parameter and optimizer-state value must be finite, and the
 * test cost must not have exploded: more than {@link #EXPLOSION_FACTOR} times the larger of the test
 * cost before this run's first batch and {@link #knowNothingCost} is a divergence too.
 *
 * <pre>
 *   Trainer trainer = new Trainer(config).checkpointTo(dir);
 *   Trainer.Run run = trainer.run(engine, data, listener);          // from the engine's parameters
 *   Trainer.Run more = trainer.resume(engine, data, Checkpoint.load(dir), listener);
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
     * @param epochs  the epochs finished by this call
     * @param metrics one row per epoch of the whole run, those before a resume included
     * @param stopped whether it stopped early because it was asked to
     * @param next    where a resumed run would go on
     */
    public record Run(List<EpochResult> epochs, List<EpochMetrics> metrics, boolean stopped, Position next) {
    }

    /** Trains the engine's parameters in place with a fresh optimizer state; returns one result per epoch. */
    public List<EpochResult> train(Engine engine, DataSplit data, TrainingListener listener) {
        return run(engine, data, listener).epochs();
    }

    /** Trains from the engine's parameters with a fresh state of the configured optimizer. */
    public Run run(Engine engine, DataSplit data, TrainingListener listener) {
        engine.setOptimizer(config.optimizer());
        return loop(engine, data, listener, Position.START, List.of());
    }

    /** Puts the checkpoint's state into the engine and goes on from its position, as if never stopped. */
    public Run resume(Engine engine, DataSplit data, Checkpoint from, TrainingListener listener) {
        if (from.fingerprint() != null) {
            String difference = from.fingerprint().differenceFrom(fingerprintOf(data));
            if (difference != null) {
                throw new IllegalArgumentException(difference);
            }
        }
        engine.setState(from.state());
        return loop(engine, data, listener, from.next(), from.metrics());
    }

    /** Trains from {@code state}, parameters and optimizer state both (a model saved with its optimizer's state). */
    public Run runFrom(Engine engine, DataSplit data, TrainingState state, TrainingListener listener) {
        engine.setState(state);
        return loop(engine, data, listener, Position.START, List.of());
    }

    private Run loop(Engine engine, DataSplit data, TrainingListener listener, Position from, List<EpochMetrics> earlier) {
        int n = data.train().count();
        int batch = config.batchSize();
        int batches = Batches.count(n, batch);
        int epochs = config.epochs();
        engine.setTrainingData(data.train());
        List<EpochResult> results = new ArrayList<>();
        List<EpochMetrics> metrics = new ArrayList<>(earlier);
        // The cost explosion's reference: what the parameters this run starts from cost (read-only: the
        // evaluation changes nothing the training sees), and never less than a network that knows nothing.
        double reference = Double.NaN;
        String before = "";
        if (from.epoch() < epochs) {
            double start = engine.evaluate(data.test()).meanCost();
            double nothing = knowNothingCost(engine.network());
            reference = Math.max(start, nothing);
            before = start >= nothing ? (from.epoch() == 0 && from.batch() == 0 && earlier.isEmpty() ? "before training" : "when this run resumed")
                    : "of a network that knows nothing (output z = 0 for every input)";
        }
        for (int epoch = from.epoch(); epoch < epochs; epoch++) {
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
                    checkpoint(state, at, metrics, data);
                    return new Run(results, metrics, true, at);
                }
            }
            // The evaluation reads results back, so it also waits for the queued batches to finish.
            Evaluation test = engine.evaluate(data.test());
            double seconds = (System.nanoTime() - t0) / 1e9;
            listener.trainingPassDone(epoch + 1);
            Evaluation train = config.evaluateTrain() ? engine.evaluate(data.train()) : null;
            if (!Double.isFinite(test.meanCost())) {
                throw new DivergedException(epoch + 1, batches, "the test cost after it is " + test.meanCost(), config.learningRate(), kept());
            }
            TrainingState state = finiteState(engine, epoch + 1, batches);
            if (Double.isFinite(reference) && test.meanCost() > EXPLOSION_FACTOR * reference) {
                throw new DivergedException(epoch + 1, batches, String.format(Locale.ROOT,
                        "the test cost after it is %.4f (accuracy %.4f), more than %.0f times the %.4f %s", test.meanCost(),
                        test.accuracy(), EXPLOSION_FACTOR, reference, before), config.learningRate(), kept());
            }
            int trained = (int) (n - Math.min(n, (long) first * batch));
            EpochResult result = new EpochResult(epoch + 1, test, train, seconds, trained / seconds, lr);
            results.add(result);
            metrics.add(EpochMetrics.of(result));
            Position next = new Position(epoch + 1, 0);
            checkpoint(state, next, metrics, data);
            listener.epochDone(result);
            if (epoch + 1 < epochs && stopRequested.getAsBoolean()) {
                return new Run(results, metrics, true, next);
            }
        }
        return new Run(results, metrics, false, new Position(epochs, 0));
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

    private void checkpoint(TrainingState state, Position next, List<EpochMetrics> metrics, DataSplit data) {
        if (checkpointDir != null) {
            new Checkpoint(state, config, next, List.copyOf(metrics), dataSource != null ? dataSource : data.name(),
                    fingerprintOf(data)).save(checkpointDir);
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
