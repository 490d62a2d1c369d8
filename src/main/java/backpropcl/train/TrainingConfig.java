package backpropcl.train;

/**
 * How to train: plain mini-batch SGD.
 *
 * @param epochs        passes over the training set
 * @param batchSize     samples per mini-batch; the last, partial batch of an epoch is trained too
 * @param learningRate  eta in W -= eta dC/dW, C the batch-mean cost
 * @param shuffle       a fresh permutation each epoch (from the seed), or the file order
 * @param seed          seeds the permutations
 * @param evaluateTrain also measure cost and accuracy on the training set after each epoch
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, boolean shuffle, long seed,
                             boolean evaluateTrain) {

    public TrainingConfig {
        if (epochs < 0) {
            throw new IllegalArgumentException("--epochs must be 0 or more, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("--lr must be a positive finite number, got " + learningRate);
        }
    }
}
