package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.data.Dataset;
import backpropcl.model.Activation;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.train.EpochResult;
import backpropcl.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * After epoch 2, one line on stdout when the test (or validation) accuracy is still at chance: at
 * most the share of the watched set's most common class (what a network that always gives one answer scores, as dead
 * ReLUs do) plus {@link #MARGIN}. The line starts {@code warning: } and names the likely cause.
 */
final class ChanceWarning implements TrainingListener {
    /** Accuracy points above the most common class's share still counted as chance. */
    static final double MARGIN = 0.02;
    static final int EPOCH = 2;

    private final PrintWriter out;
    private final Network net;
    private final double lr;
    private final double defaultLr;
    private final Init init;
    private final double chance;

    /**
     * @param lr        the learning rate the run uses
     * @param defaultLr the default rate for this network and optimizer ({@link TrainCommand#defaultLearningRate})
     * @param init      the initialisation, or null when the parameters came from a file
     */
    ChanceWarning(PrintWriter out, Network net, Dataset test, double lr, double defaultLr, Init init) {
        this.out = out;
        this.net = net;
        this.lr = lr;
        this.defaultLr = defaultLr;
        this.init = init;
        this.chance = largestClassShare(test);
    }

    /** The share of the most common label: the accuracy of always answering it. */
    static double largestClassShare(Dataset d) {
        if (d.count() == 0) {
            return 0;
        }
        int[] counts = new int[Math.max(d.classes(), 1)];
        int most = 0;
        for (int i = 0; i < d.count(); i++) {
            int label = d.labels()[i];
            if (label >= 0 && label < counts.length) {
                most = Math.max(most, ++counts[label]);
            }
        }
        return (double) most / d.count();
    }

    @Override
    public void epochDone(EpochResult r) {
        // The set the run watches: the validation split when there is one (stratified, so its largest class's
        // share is the training set's), else the test set.
        var watched = r.watched();
        if (r.epoch() != EPOCH || watched.count() == 0 || watched.accuracy() > chance + MARGIN) {
            return;
        }
        out.printf(Locale.ROOT, "warning: %s accuracy %.4f after %s is chance level (always answering the most common "
                + "class scores %.4f); likely cause: %s%n", r.validation() != null ? "validation" : "test", watched.accuracy(),
                Plural.of(EPOCH, "epoch"), chance, cause());
        out.flush();
    }

    private String cause() {
        boolean relu = false;
        for (int l = 0; l + 1 < net.denseLayers(); l++) {
            relu |= net.activation(l) == Activation.RELU || net.activation(l) == Activation.LEAKY_RELU;
        }
        boolean normalForRelu = relu && init == Init.NORMAL;
        String he = normalForRelu ? " --init he" : "";
        if (lr > defaultLr) {
            return "--lr " + lr + " is too high for this network" + (relu ? " (a relu unit that a large step pushes below 0 "
                    + "for every input stops learning)" : "") + "; try --lr " + defaultLr + he;
        }
        if (lr < defaultLr / 10) {
            return "--lr " + lr + " is too low for this network; try --lr " + defaultLr + he;
        }
        if (normalForRelu) {
            return "N(0,1) initial weights (--init normal) are far too large for relu layers; try --init he";
        }
        return "the learning rate or the initial weights; try another --lr or --init, and check the data's labels";
    }
}
