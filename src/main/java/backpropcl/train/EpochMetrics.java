package backpropcl.train;

/**
 * One row of a metrics file: what an epoch achieved, in the units a plot wants.
 *
 * @param epoch            1-based
 * @param learningRate     the rate of the epoch's last batch (schedules change it within an epoch)
 * @param trainCost        mean cost on the training set, NaN when it was not measured
 * @param trainAccuracy    fraction correct on the training set, NaN when it was not measured
 * @param testCost         mean cost on the test set
 * @param testAccuracy     fraction correct on the test set
 * @param samplesPerSecond training samples over the epoch's seconds
 * @param seconds          wall time of the training pass and the test evaluation
 */
public record EpochMetrics(int epoch, double learningRate, double trainCost, double trainAccuracy, double testCost,
                           double testAccuracy, double samplesPerSecond, double seconds) {

    /** The row of an epoch's result. */
    public static EpochMetrics of(EpochResult r) {
        return new EpochMetrics(r.epoch(), r.learningRate(),
                r.train() == null ? Double.NaN : r.train().meanCost(),
                r.train() == null ? Double.NaN : r.train().accuracy(),
                r.test().meanCost(), r.test().accuracy(), r.samplesPerSecond(), r.seconds());
    }
}
