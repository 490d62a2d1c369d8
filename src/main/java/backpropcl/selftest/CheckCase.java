package backpropcl.selftest;

import backpropcl.data.Dataset;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.util.List;

/**
 * What one engine check runs: checked steps, evaluations and an unchecked training run.
 *
 * @param label         a short name for tables and messages
 * @param initial       the parameters both engines start from
 * @param train         the training set; the checked steps take consecutive slices of it
 * @param evaluations   the data sets evaluate() runs on, in this order (the training set may be one)
 * @param batches       the batch sizes of the checked steps, in order; together at most train.count()
 * @param shuffled      whether the checked steps go through a permutation (else file order, setOrder(null))
 * @param learningRate  the SGD learning rate of every step
 * @param trainingSteps steps of the final training run (0: none)
 * @param trainingBatch the batch size of that run (the last batch of each epoch is partial)
 * @param seed          for the permutations
 */
public record CheckCase(String label, Parameters initial, Dataset train, List<Dataset> evaluations, List<Integer> batches,
                        boolean shuffled, double learningRate, int trainingSteps, int trainingBatch, long seed) {

    public CheckCase {
        batches = List.copyOf(batches);
        evaluations = List.copyOf(evaluations);
        int total = 0;
        for (int b : batches) {
            if (b < 1) {
                throw new IllegalArgumentException(label + ": batch size " + b + " is not positive");
            }
            total += b;
        }
        if (total > train.count()) {
            throw new IllegalArgumentException(label + ": the checked steps take " + total + " samples, the training set has "
                    + train.count());
        }
        if (trainingSteps > 0 && (trainingBatch < 1 || train.count() == 0)) {
            throw new IllegalArgumentException(label + ": a training run needs samples and a positive batch, got "
                    + train.count() + " samples and batch " + trainingBatch);
        }
    }

    public Network network() {
        return initial.network();
    }
}
