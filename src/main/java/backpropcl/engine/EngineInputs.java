package backpropcl.engine;

import backpropcl.text.Plural;
import backpropcl.data.Dataset;
import backpropcl.model.Network;

/** The checks every fast engine makes of what it is given, with the same messages everywhere. */
public final class EngineInputs {
    private EngineInputs() {
    }

    /** What is handed in was made for the engine's network; {@code whatIs} names it with its verb, e.g. "parameters are". */
    public static void checkNetwork(Network engine, Network given, String whatIs) {
        if (!given.equals(engine)) {
            throw new IllegalArgumentException(whatIs + " for " + given + ", engine is for " + engine);
        }
    }

    /**
     * A training batch gives the batch norm at {@code layer} (its index k) {@code count} values per
     * channel (rows * H * W): at least 2, or there is no variance to normalise by.
     */
    public static void checkBatchNormCount(int layer, long count) {
        if (count < 2) {
            throw new IllegalArgumentException("layer " + (layer + 1) + " 'batchnorm': a batch of 1 row gives 1 value per feature, no "
                    + "variance to normalise by; train with batches of 2 rows or more (PyTorch refuses this too)");
        }
    }

    /** The data set's width is the network's input and its labels fit the output layer. */
    public static void checkShape(Network net, Dataset data) {
        if (data.width() != net.inputSize()) {
            throw new IllegalArgumentException(data.name() + " has " + Plural.of(data.width(), "feature") + " per sample, the network "
                    + "takes " + net.inputSize());
        }
        if (data.classes() > net.outputSize()) {
            throw new IllegalArgumentException(data.name() + " has " + Plural.of(data.classes(), "class") + ", the network has "
                    + Plural.of(net.outputSize(), "output"));
        }
    }

    /** The batch [start, start + rows) is non-empty and inside a training set of {@code count} samples. */
    public static void checkBatch(int start, int rows, int count) {
        if (rows < 1 || start < 0 || start > count - rows) {
            throw new IllegalArgumentException("batch [" + start + ", " + start + " + " + rows + ") is outside the training set of "
                    + count);
        }
    }

    /** {@code order} is a permutation of 0..count-1. */
    public static void checkPermutation(int[] order, int count) {
        if (order.length != count) {
            throw new IllegalArgumentException("the order has " + order.length + " entries, the training set " + count);
        }
        boolean[] seen = new boolean[count];
        for (int i = 0; i < count; i++) {
            int v = order[i];
            if (v < 0 || v >= count || seen[v]) {
                throw new IllegalArgumentException("the order is not a permutation of 0.." + (count - 1) + ": entry " + i + " is " + v);
            }
            seen[v] = true;
        }
    }
}
