package backpropcl.train;

/** The cost became NaN or infinite: training cannot recover from it. */
public final class DivergedException extends RuntimeException {
    private final int epoch;

    public DivergedException(int epoch, double cost, double learningRate) {
        super("training diverged in epoch " + epoch + ": the test cost is " + cost
                + "; try a lower learning rate than --lr " + learningRate);
        this.epoch = epoch;
    }

    public int epoch() {
        return epoch;
    }
}
