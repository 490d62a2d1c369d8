package backpropcl.train;

import backpropcl.model.TrainingState;

/**
 * The best epoch of a run with a validation split so far, by its {@link Monitor}, and how many
 * epochs have ended since without improving on it (Keras' {@code EarlyStopping.wait}).
 *
 * @param epoch       1-based
 * @param value       the monitored value after it
 * @param epochsSince epochs after it that did not improve on it
 * @param state       the parameters and optimizer state after it
 */
public record BestEpoch(int epoch, double value, int epochsSince, TrainingState state) {

    public BestEpoch {
        if (epoch < 1 || epochsSince < 0 || state == null) {
            throw new IllegalArgumentException("a best epoch counts from 1 and has a state, got epoch " + epoch + ", "
                    + epochsSince + " since");
        }
    }

    /**
     * The best epoch after epoch {@code epoch} ended with {@code value}: that epoch when it improves
     * on {@code best} (or there is none yet), else {@code best} one epoch older.
     */
    static BestEpoch after(BestEpoch best, int epoch, double value, TrainingState state, Monitor monitor) {
        if (best == null || monitor.improves(value, best.value)) {
            return new BestEpoch(epoch, value, 0, state);
        }
        return new BestEpoch(best.epoch, best.value, best.epochsSince + 1, best.state);
    }

    /** Whether early stopping with this patience (0: none) ends the run now. */
    boolean patienceRanOut(int patience) {
        return patience > 0 && epochsSince >= patience;
    }
}
