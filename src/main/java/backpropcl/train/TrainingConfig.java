package backpropcl.train;

import backpropcl.model.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to train.
 *
 * @param epochs        passes over the training set
 * @param batchSize     samples per mini-batch; the last, partial batch of an epoch is trained too
 * @param schedule      the learning rate of every step (its base rate is {@link #learningRate})
 * @param optimizer     how a step turns the gradient into a change of the parameters
 * @param shuffle       a fresh permutation each epoch (from the seed), or the file order
 * @param seed          seeds the permutations
 * @param evaluateTrain also measure cost and accuracy on the training set after each epoch
 * @param validation    the fraction of the training set held out as a validation split (seeded by
 *                      {@code seed}, stratified: {@link backpropcl.data.StratifiedSplit}), in (0, 1);
 *                      0 for none. With a split the run watches it every epoch instead of the test
 *                      set, keeps its best epoch by {@code monitor}, and reports the test set once at
 *                      the end for that epoch's parameters
 * @param earlyStop     stop when {@code monitor} has not improved for this many epochs (Keras'
 *                      patience); 0 for never. Needs a validation split
 * @param monitor       what chooses the best epoch (and stops early)
 */
public record TrainingConfig(int epochs, int batchSize, LearningRateSchedule schedule, Optimizer optimizer, boolean shuffle,
                             long seed, boolean evaluateTrain, double validation, int earlyStop, Monitor monitor) {

    public TrainingConfig {
        if (epochs < 0) {
            throw new IllegalArgumentException("--epochs must be 0 or more, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        if (schedule == null || optimizer == null) {
            throw new IllegalArgumentException("a training configuration needs a schedule and an optimizer");
        }
        if (!(validation == 0 || (validation > 0 && validation < 1))) {
            throw new IllegalArgumentException("--validation must be a fraction between 0 and 1 (exclusive), got " + validation);
        }
        if (earlyStop < 0) {
            throw new IllegalArgumentException("--early-stop must be 1 or more epochs, got " + earlyStop);
        }
        if (earlyStop > 0 && validation == 0) {
            throw new IllegalArgumentException("--early-stop needs --validation FRACTION: it watches a validation split held out "
                    + "of the training set (choosing the epoch by the test set would leak it)");
        }
        if (monitor == null) {
            throw new IllegalArgumentException("a training configuration needs a monitor (val-cost or val-accuracy)");
        }
    }

    /** No validation split, no early stopping. */
    public TrainingConfig(int epochs, int batchSize, LearningRateSchedule schedule, Optimizer optimizer, boolean shuffle,
                          long seed, boolean evaluateTrain) {
        this(epochs, batchSize, schedule, optimizer, shuffle, seed, evaluateTrain, 0, 0, Monitor.VAL_COST);
    }

    /** Plain SGD at a constant rate: the lesson's training. */
    public TrainingConfig(int epochs, int batchSize, double learningRate, boolean shuffle, long seed, boolean evaluateTrain) {
        this(epochs, batchSize, LearningRateSchedule.constant(learningRate), Optimizer.sgd(), shuffle, seed, evaluateTrain);
    }

    /** The base learning rate. */
    public double learningRate() {
        return schedule.lr();
    }

    /** Whether a validation split is held out of the training set. */
    public boolean validates() {
        return validation > 0;
    }

    /** The same run, for a different number of epochs (resuming a run to train it longer). */
    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(n, batchSize, schedule, optimizer, shuffle, seed, evaluateTrain, validation, earlyStop, monitor);
    }

    /** The same run, measuring the training set each epoch or not. */
    public TrainingConfig withEvaluateTrain(boolean evaluate) {
        return new TrainingConfig(epochs, batchSize, schedule, optimizer, shuffle, seed, evaluate, validation, earlyStop, monitor);
    }

    /** String pairs for a checkpoint's metadata; {@link #fromMetadata} reads them back. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("epochs", Integer.toString(epochs));
        m.put("batch", Integer.toString(batchSize));
        m.put("shuffle", Boolean.toString(shuffle));
        m.put("seed", Long.toString(seed));
        m.put("evaluate_train", Boolean.toString(evaluateTrain));
        m.put("validation", Double.toString(validation));
        m.put("early_stop", Integer.toString(earlyStop));
        m.put("monitor", monitor.cliName());
        m.putAll(schedule.toMetadata());
        m.putAll(optimizer.toMetadata());
        return m;
    }

    /**
     * Reads {@link #toMetadata}'s pairs back; a checkpoint written before validation splits has no
     * {@code validation}, {@code early_stop} or {@code monitor}: none, never, val-cost.
     *
     * @throws IllegalArgumentException naming a missing or malformed key
     */
    public static TrainingConfig fromMetadata(Map<String, String> m) {
        Optimizer optimizer = Optimizer.fromMetadata(m);
        if (optimizer == null) {
            throw new IllegalArgumentException("no 'optimizer' in the metadata");
        }
        try {
            return new TrainingConfig(Integer.parseInt(get(m, "epochs")), Integer.parseInt(get(m, "batch")),
                    LearningRateSchedule.fromMetadata(m), optimizer, Boolean.parseBoolean(get(m, "shuffle")),
                    Long.parseLong(get(m, "seed")), Boolean.parseBoolean(get(m, "evaluate_train")),
                    Double.parseDouble(m.getOrDefault("validation", "0")), Integer.parseInt(m.getOrDefault("early_stop", "0")),
                    Monitor.parse(m.getOrDefault("monitor", Monitor.VAL_COST.cliName())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number in the metadata is malformed: " + e.getMessage(), e);
        }
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + key + "' in the metadata");
        }
        return v;
    }

    /** A builder with the lesson's defaults: 30 epochs, batches of 10, SGD at lr 3.0, shuffled, seed 1. */
    public static Builder builder() {
        return new Builder();
    }

    /** Fluent construction for the Java API; {@link #build} checks every value. */
    public static final class Builder {
        private int epochs = 30;
        private int batchSize = 10;
        private LearningRateSchedule schedule = LearningRateSchedule.constant(3.0);
        private Optimizer optimizer = Optimizer.sgd();
        private boolean shuffle = true;
        private long seed = 1;
        private boolean evaluateTrain;
        private double validation;
        private int earlyStop;
        private Monitor monitor = Monitor.VAL_COST;

        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** A constant learning rate. */
        public Builder learningRate(double lr) {
            this.schedule = LearningRateSchedule.constant(lr);
            return this;
        }

        public Builder schedule(LearningRateSchedule s) {
            this.schedule = s;
            return this;
        }

        public Builder optimizer(Optimizer o) {
            this.optimizer = o;
            return this;
        }

        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder evaluateTrain(boolean on) {
            this.evaluateTrain = on;
            return this;
        }

        /** Hold out this fraction of the training set as a validation split (0, the default: none). */
        public Builder validation(double fraction) {
            this.validation = fraction;
            return this;
        }

        /** Stop when the monitored value has not improved for {@code patience} epochs (0, the default: never). */
        public Builder earlyStop(int patience) {
            this.earlyStop = patience;
            return this;
        }

        /** What chooses the best epoch (default: the validation cost). */
        public Builder monitor(Monitor m) {
            this.monitor = m;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(epochs, batchSize, schedule, optimizer, shuffle, seed, evaluateTrain, validation, earlyStop,
                    monitor);
        }
    }
}
