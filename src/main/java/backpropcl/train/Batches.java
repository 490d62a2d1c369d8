package backpropcl.train;

/**
 * Batch counts without int overflow. {@code (n + batch - 1) / batch} wraps around for a batch near
 * {@link Integer#MAX_VALUE} ({@code --batch 2147483647} made zero batches and trained nothing);
 * here the sum is taken in long.
 */
public final class Batches {
    private Batches() {
    }

    /**
     * The number of mini-batches of {@code batch} samples that {@code n} samples make, the last one
     * partial: ceil(n / batch). A batch larger than the set gives one batch of all of it, as
     * PyTorch's {@code DataLoader} (with {@code drop_last=False}) gives one batch holding the whole
     * set; 0 samples give 0 batches.
     *
     * @throws IllegalArgumentException when n is negative or batch below 1
     */
    public static int count(int n, int batch) {
        if (n < 0 || batch < 1) {
            throw new IllegalArgumentException("batches of " + batch + " over " + n + " samples");
        }
        return (int) (((long) n + batch - 1) / batch);   // at most n: fits in an int
    }

    /** The rows of one batch: the batch size, or the whole set when that is smaller. */
    public static int rows(int n, int batch) {
        return Math.min(n, batch);
    }
}
