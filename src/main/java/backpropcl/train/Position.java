package backpropcl.train;

/**
 * Where a run stands: the next batch to train is batch {@code batch} (0-based) of epoch
 * {@code epoch} (0-based). Batches come from the seed and the epoch alone ({@link Shuffle}), so a
 * position is all a resumed run needs to see the same batches as one never interrupted.
 */
public record Position(int epoch, int batch) {

    public static final Position START = new Position(0, 0);

    public Position {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("a position counts from 0, got epoch " + epoch + " batch " + batch);
        }
    }
}
