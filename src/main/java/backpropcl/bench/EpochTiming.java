package backpropcl.bench;

import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.KernelProfiling;
import backpropcl.train.EpochResult;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import backpropcl.train.TrainingListener;
import java.util.List;

/**
 * Times training epochs of one engine with the {@link Trainer}'s own loop (seeded shuffle, every
 * batch including the last partial one). The trainer ends each epoch with a test evaluation; the
 * timed runs give it a one-sample test set, so what it times is the training pass plus the
 * smallest read-back that waits for an asynchronous engine's queued batches.
 */
public final class EpochTiming {

    /**
     * @param epochSeconds   wall time of each timed epoch
     * @param test           the full test set's cost and accuracy after the timed epochs
     * @param outsideKernels for {@link KernelProfiling} engines, the fraction of one extra epoch's
     *                       wall time not spent in kernels; NaN for the others
     */
    public record Measurement(List<Double> epochSeconds, Evaluation test, double outsideKernels) {
    }

    private EpochTiming() {
    }

    /**
     * Trains {@code epochs} timed epochs, evaluates the test set, then, when the engine can
     * profile its kernels, one more epoch with profiling on. The engine's parameters are trained
     * in place.
     */
    public static Measurement run(Engine engine, Workload w, DataSplit data, int epochs, long seed, TrainingListener progress) {
        DataSplit timed = new DataSplit(data.name(), data.train(), data.test().head(1));
        TrainingConfig config = new TrainingConfig(epochs, w.batch(), w.learningRate(), true, seed, false);
        List<Double> seconds = new Trainer(config).run(engine, timed, Trainer.Start.fresh(), progress).epochs().stream()
                .map(EpochResult::seconds).toList();
        Evaluation test = engine.evaluate(data.test());
        double outside = engine instanceof KernelProfiling profiling ? profiledEpoch(engine, profiling, w, timed, seed) : Double.NaN;
        return new Measurement(seconds, test, outside);
    }

    /** One more epoch with kernel profiling on; 1 - kernel time / wall time, clamped to 0..1. */
    private static double profiledEpoch(Engine engine, KernelProfiling profiling, Workload w, DataSplit timed, long seed) {
        long[] kernelNanos = new long[1];
        TrainingListener listener = new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                profiling.startKernelProfiling();
            }

            @Override
            public void trainingPassDone(int epoch) {
                // Called after the epoch's closing evaluation, so the queue is drained.
                kernelNanos[0] = profiling.kernelNanos();
            }
        };
        TrainingConfig one = new TrainingConfig(1, w.batch(), w.learningRate(), true, seed, false);
        double wall = new Trainer(one).run(engine, timed, Trainer.Start.fresh(), listener).epochs().get(0).seconds();
        return Math.min(1, Math.max(0, 1 - kernelNanos[0] / 1e9 / wall));
    }
}
