package backpropcl.bench;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.reference.NearTies;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.train.Batches;
import backpropcl.train.Shuffle;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs two engines through the same SGD steps: the same batches in the same order (epoch e takes
 * {@link Shuffle#permutation} of (seed, e), as the trainer does), so that, started from the same
 * parameters, they differ only by floating-point rounding. Used by {@code compare} and by the
 * benchmark's correctness check.
 * <p>
 * When the second engine is the reference and the network is convolutional, the reference
 * follows the first engine's choice of a maxpool window's maximum and of a relu's side of zero
 * where they are near-ties in its own numbers ({@link ReferenceEngine#preferChoices}, from the
 * first engine's trace of the same step): float32 rounding may resolve such a tie either way, and
 * the whole gradient of the window (or of the input) would otherwise go elsewhere, an error far
 * above any tolerance that says nothing of the engine.
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
     * at learning rate {@code lr} on each; an epoch's last batch may be partial. Returns what the
     * reference made of the first engine's choices, per maxpool or relu layer and step (empty when
     * it had none to follow: see the class comment).
     */
    public static List<NearTies> run(Engine a, Engine b, Dataset train, int steps, int batch, double lr, long seed,
                                        AfterStep afterStep) {
        ReferenceEngine follower = followsChoices(b) ? (ReferenceEngine) b : null;
        if (follower != null) {
            a.keepLayerTraces();
        }
        List<NearTies> ties = new ArrayList<>();
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
            if (follower != null) {
                try {
                    follower.preferChoices(a.traceLayers());
                } catch (UnsupportedOperationException e) {
                    follower = null;   // an engine that traces dense layers only: nothing to follow
                }
            }
            b.trainBatch(start, rows, lr);
            if (follower != null) {
                ties.addAll(follower.choiceTies());
            }
            afterStep.stepDone(s, a, b);
        }
        return ties;
    }

    /**
     * Whether b is the reference and the network is convolutional (where a conv's and batchnorm's
     * rounding meets a maxpool's window or a relu's kink; a dense network is compared as before).
     */
    static boolean followsChoices(Engine b) {
        return b instanceof ReferenceEngine && b.network().isConvolutional();
    }
}
