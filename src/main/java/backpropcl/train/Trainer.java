package backpropcl.train;

import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * Mini-batch SGD over epochs: each epoch takes the training set in a seeded order (or file
 * order), trains every batch including the last partial one, then evaluates on the test set.
 */
public final class Trainer {
    private final TrainingConfig config;

    public Trainer(TrainingConfig config) {
        this.config = config;
    }

    /** Trains the engine's parameters in place and returns one result per epoch. */
    public List<EpochResult> train(Engine engine, DataSplit data, TrainingListener listener) {
        int n = data.train().count();
        int batch = config.batchSize();
        int batches = (n + batch - 1) / batch;
        engine.setTrainingData(data.train());
        List<EpochResult> results = new ArrayList<>();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            engine.setOrder(config.shuffle() ? Shuffle.permutation(n, config.seed(), epoch - 1) : null);
            listener.epochStarted(epoch, config.epochs(), batches);
            long t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                int start = i * batch;
                int rows = Math.min(batch, n - start);
                engine.trainBatch(start, rows, config.learningRate());
                listener.batchDone(epoch, i + 1, start + rows);
            }
            // The evaluation reads results back, so it also waits for the queued batches to finish.
            Evaluation test = engine.evaluate(data.test());
            double seconds = (System.nanoTime() - t0) / 1e9;
            listener.trainingPassDone(epoch);
            Evaluation train = config.evaluateTrain() ? engine.evaluate(data.train()) : null;
            if (!Double.isFinite(test.meanCost())) {
                throw new DivergedException(epoch, test.meanCost(), config.learningRate());
            }
            EpochResult result = new EpochResult(epoch, test, train, seconds, n / seconds);
            results.add(result);
            listener.epochDone(result);
        }
        return results;
    }
}
