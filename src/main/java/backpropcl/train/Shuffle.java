package backpropcl.train;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * The order in which an epoch visits the training samples: a Fisher-Yates permutation drawn from
 * the run's seed and the epoch number alone, so every engine sees the same batches and a resumed
 * run can rebuild any epoch's order without saved generator state.
 */
public final class Shuffle {
    private Shuffle() {
    }

    /** A permutation of 0..count-1 for the given epoch (0-based). */
    public static int[] permutation(int count, long seed, int epoch) {
        RandomGenerator rng = new Well19937c(new int[] {(int) (seed >>> 32), (int) seed, epoch, 0x5eed});
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
