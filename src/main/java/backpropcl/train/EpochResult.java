package backpropcl.train;

import backpropcl.engine.Evaluation;

/**
 * What one epoch achieved.
 *
 * @param epoch            1-based
 * @param test             cost and accuracy on the test set, or null when the run holds out a
 *                         validation split (it then watches that, and measures the test set once at
 *                         the end: {@link Trainer.Run#test})
 * @param train            the same on the training set, or null when not asked for
 * @param seconds          wall time of the training pass and the evaluation of the watched set
 *                         (reading the evaluation back is what waits for a device's queued batches)
 * @param samplesPerSecond training samples over those seconds
 * @param learningRate     the rate of the epoch's last batch
 * @param validation       the same on the validation split, or null when there is none
 * @param best             whether this epoch is the best so far by the run's {@link Monitor} (always
 *                         false without a validation split)
 */
public record EpochResult(int epoch, Evaluation test, Evaluation train, double seconds, double samplesPerSecond,
                          double learningRate, Evaluation validation, boolean best) {

    /** An epoch of a run without a validation split. */
    public EpochResult(int epoch, Evaluation test, Evaluation train, double seconds, double samplesPerSecond, double learningRate) {
        this(epoch, test, train, seconds, samplesPerSecond, learningRate, null, false);
    }

    /** The evaluation the run watches each epoch: the validation split's when there is one, else the test set's. */
    public Evaluation watched() {
        return validation != null ? validation : test;
    }
}
