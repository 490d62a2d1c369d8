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
 */
public record TrainingConfig(int epochs, int batchSize, LearningRateSchedule schedule, Optimizer optimizer, boolean shuffle,
                             long seed, boolean evaluateTrain) {

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
    }

    /** Plain SGD at a constant rate: the lesson's training. */
    public TrainingConfig(int epochs, int batchSize, double learningRate, boolean shuffle, long seed, boolean evaluateTrain) {
        this(epochs, batchSize, LearningRateSchedule.constant(learningRate), Optimizer.sgd(), shuffle, seed, evaluateTrain);
    }

    /** The base learning rate. */
    public double learningRate() {
        return schedule.lr();
    }

    /** The same run, for a different number of epochs (resuming a run to train it longer). */
    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(n, batchSize, schedule, optimizer, shuffle, seed, evaluateTrain);
    }

    /** The same run, measuring the training set each epoch or not. */
    public TrainingConfig withEvaluateTrain(boolean evaluate) {
        return new TrainingConfig(epochs, batchSize, schedule, optimizer, shuffle, seed, evaluate);
    }

    /** String pairs for a checkpoint's metadata; {@link #fromMetadata} reads them back. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("epochs", Integer.toString(epochs));
        m.put("batch", Integer.toString(batchSize));
        m.put("shuffle", Boolean.toString(shuffle));
        m.put("seed", Long.toString(seed));
        m.put("evaluate_train", Boolean.toString(evaluateTrain));
        m.putAll(schedule.toMetadata());
        m.putAll(optimizer.toMetadata());
        return m;
    }

    /** @throws IllegalArgumentException naming a missing or malformed key */
    public static TrainingConfig fromMetadata(Map<String, String> m) {
        Optimizer optimizer = Optimizer.fromMetadata(m);
        if (optimizer == null) {
            throw new IllegalArgumentException("no 'optimizer' in the metadata");
        }
        try {
            return new TrainingConfig(Integer.parseInt(get(m, "epochs")), Integer.parseInt(get(m, "batch")),
                    LearningRateSchedule.fromMetadata(m), optimizer, Boolean.parseBoolean(get(m, "shuffle")),
                    Long.parseLong(get(m, "seed")), Boolean.parseBoolean(get(m, "evaluate_train")));
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

        public TrainingConfig build() {
            return new TrainingConfig(epochs, batchSize, schedule, optimizer, shuffle, seed, evaluateTrain);
        }
    }
}
