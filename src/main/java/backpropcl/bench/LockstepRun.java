package backpropcl.bench;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.train.Batches;
import backpropcl.train.Shuffle;

/**
 * Runs two engines through the same SGD steps: the same batches in the same order (epoch e takes
 * {@link Shuffle#permutation} of (seed, e), as the trainer does), so that, started from the same
 * parameters, they differ only by floating-point rounding. Used by {@code compare} and by the
 * benchmark's correctness check.
 */
public final class LockstepRun {

    /** Called after both engines have taken step {@code step} (1-based). */
    @FunctionalInterface
    public interface AfterStep {
        void stepDone(int step, Engine a, Engine b);
    }

    private LockstepRun() {
    }

    /**
     * Gives both engines the training set, then takes {@code steps} steps of {@code batch} samples
     * at learning rate {@code lr} on each; an epoch's last batch may be partial.
     */
    public static void run(Engine a, Engine b, Dataset train, int steps, int batch, double lr, long seed, AfterStep afterStep) {
        a.setTrainingData(train);
        b.setTrainingData(train);
        int perEpoch = Batches.count(train.count(), batch);
        for (int s = 1; s <= steps; s++) {
            int epoch = (s - 1) / perEpoch;
            int i = (s - 1) % perEpoch;
            if (i == 0) {
                int[] order = Shuffle.permutation(train.count(), seed, epoch);
                a.setOrder(order);
                b.setOrder(order);
            }
            int start = i * batch;
            int rows = Math.min(batch, train.count() - start);
            a.trainBatch(start, rows, lr);
            b.trainBatch(start, rows, lr);
            afterStep.stepDone(s, a, b);
        }
    }
}
