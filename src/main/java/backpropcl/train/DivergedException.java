package backpropcl.train;

import java.util.Locale;

/** The cost became NaN or infinite: training cannot recover from it. */
public final class DivergedException extends RuntimeException {
    private final int epoch;
    private final int batch;

    /**
     * @param epoch  1-based
     * @param batch  1-based batch of that epoch after which it was seen (the last one when the epoch's test evaluation found it)
     * @param what   what was not finite, e.g. "the test cost is NaN"
     * @param lr     the base learning rate, to suggest a lower one
     * @param kept   what the user still has, e.g. " (the checkpoint of epoch 2 in run1 is kept)", or ""
     */
    public DivergedException(int epoch, int batch, String what, double lr, String kept) {
        super(String.format(Locale.ROOT, "training diverged in epoch %d%s: %s; try a lower learning rate than --lr %s%s",
                epoch, " at batch " + batch, what, lr, kept));
        this.epoch = epoch;
        this.batch = batch;
    }

    public int epoch() {
        return epoch;
    }

    /** 1-based. */
    public int batch() {
        return batch;
    }
}
