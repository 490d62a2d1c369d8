package backpropcl.cli;

import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.Shape;
import backpropcl.text.Plural;

/**
 * The check, before training, that every batch gives each batchnorm 2 values per channel or more
 * (rows x H x W): a batch of 1 row before a batchnorm on flat rows has no variance to normalise by,
 * which the engines refuse in the middle of an epoch (PyTorch refuses it too).
 */
final class BatchNormBatches {
    private BatchNormBatches() {
    }

    /** Refuses, naming --batch, a run of {@code trained} rows per epoch in batches of {@code batch} whose smallest batch is too small. */
    static void check(Network net, int batch, int trained) {
        boolean partial = trained > batch && trained % batch != 0;
        int smallest = partial ? trained % batch : Math.min(batch, trained);
        for (int k = 0; k < net.layers().size(); k++) {
            Shape in = net.inputShape(k);
            if (net.layers().get(k) instanceof Layer.BatchNorm && (long) smallest * in.height() * in.width() < 2) {
                throw new UserError("--batch " + batch + ": " + (partial ? "the last batch of the " + Plural.grouped(trained, "training row")
                        + " per epoch has 1 row" : "a batch of 1 row") + ", which gives layer " + (k + 1) + " 'batchnorm' 1 value per "
                        + "feature, no variance to normalise by; give a --batch that leaves 2 rows or more for every batch (PyTorch "
                        + "refuses this too)");
            }
        }
    }
}
