package backpropcl.train;

import backpropcl.engine.Evaluation;

/**
 * What one epoch achieved.
 *
 * @param epoch            1-based
 * @param test             cost and accuracy on the test set
 * @param train            the same on the training set, or null when not asked for
 * @param seconds          wall time of the training pass and the test evaluation (reading the
 *                         evaluation back is what waits for a device's queued batches)
 * @param samplesPerSecond training samples over those seconds
 * @param learningRate     the rate of the epoch's last batch
 */
public record EpochResult(int epoch, Evaluation test, Evaluation train, double seconds, double samplesPerSecond,
                          double learningRate) {
}
