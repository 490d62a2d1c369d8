package backpropcl.train;

/**
 * One row of a metrics file: what an epoch achieved, in the units a plot wants. A value that was
 * not measured is NaN.
 *
 * @param epoch            1-based
 * @param learningRate     the rate of the epoch's last batch (schedules change it within an epoch)
 * @param trainCost        mean cost on the training set, NaN when it was not measured
 * @param trainAccuracy    fraction correct on the training set, NaN when it was not measured
 * @param testCost         mean cost on the test set, NaN when the run had a validation split (the test
 *                         set is then measured once, at the end)
 * @param testAccuracy     fraction correct on the test set, NaN likewise
 * @param samplesPerSecond training samples over the epoch's seconds
 * @param seconds          wall time of the training pass and the evaluation of the watched set
 * @param valCost          mean cost on the validation split, NaN when there was none
 * @param valAccuracy      fraction correct on the validation split, NaN when there was none
 */
public record EpochMetrics(int epoch, double learningRate, double trainCost, double trainAccuracy, double testCost,
                           double testAccuracy, double samplesPerSecond, double seconds, double valCost, double valAccuracy) {

    /** A row without validation values. */
    public EpochMetrics(int epoch, double learningRate, double trainCost, double trainAccuracy, double testCost,
                        double testAccuracy, double samplesPerSecond, double seconds) {
        this(epoch, learningRate, trainCost, trainAccuracy, testCost, testAccuracy, samplesPerSecond, seconds, Double.NaN, Double.NaN);
    }

    /** The row of an epoch's result. */
    public static EpochMetrics of(EpochResult r) {
        return new EpochMetrics(r.epoch(), r.learningRate(), cost(r.train()), accuracy(r.train()), cost(r.test()), accuracy(r.test()),
                r.samplesPerSecond(), r.seconds(), cost(r.validation()), accuracy(r.validation()));
    }

    private static double cost(backpropcl.engine.Evaluation e) {
        return e == null ? Double.NaN : e.meanCost();
    }

    private static double accuracy(backpropcl.engine.Evaluation e) {
        return e == null ? Double.NaN : e.accuracy();
    }
}
