package backpropcl.train;

import backpropcl.data.StratifiedSplit;

/** Hears about a training run as it goes; every method has a default that does nothing. */
public interface TrainingListener {

    /** Once before the first batch of a run with a validation split: how the training set was split. */
    default void validationSplit(StratifiedSplit split) {
    }

    /** Before the first batch of an epoch (1-based) of the given number of batches. */
    default void epochStarted(int epoch, int epochs, int batches) {
    }

    /** After each batch; samplesDone counts the samples of this epoch so far. */
    default void batchDone(int epoch, int batch, int samplesDone) {
    }

    /**
     * After an epoch's training pass and its evaluation of the watched set, test or validation (which
     * waits for queued work), before the optional training-set evaluation.
     */
    default void trainingPassDone(int epoch) {
    }

    /** After an epoch's evaluation. */
    default void epochDone(EpochResult result) {
    }

    /** Both listeners, {@code a} first, for every event. */
    static TrainingListener both(TrainingListener a, TrainingListener b) {
        return new TrainingListener() {
            @Override
            public void validationSplit(StratifiedSplit split) {
                a.validationSplit(split);
                b.validationSplit(split);
            }

            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                a.epochStarted(epoch, epochs, batches);
                b.epochStarted(epoch, epochs, batches);
            }

            @Override
            public void batchDone(int epoch, int batch, int samplesDone) {
                a.batchDone(epoch, batch, samplesDone);
                b.batchDone(epoch, batch, samplesDone);
            }

            @Override
            public void trainingPassDone(int epoch) {
                a.trainingPassDone(epoch);
                b.trainingPassDone(epoch);
            }

            @Override
            public void epochDone(EpochResult result) {
                a.epochDone(result);
                b.epochDone(result);
            }
        };
    }
}
