package backpropcl.bench;

import backpropcl.engine.RelativeError;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Tolerances;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Parameters;

/**
 * What the benchmark runs before it times an engine: a few SGD steps on the engine and on the
 * reference engine (double precision) from the same parameters and batches; the weights must
 * then agree within {@link #TOLERANCE}, the design's bound for weights after many steps, float32
 * against double.
 */
public final class CorrectnessCheck {
    /** SGD steps: enough for every kernel to run and for an error in the update to show. */
    public static final int STEPS = 3;
    /** Largest relative error ||w - w_ref|| / ||w_ref|| of any weight or bias tensor. */
    public static final double TOLERANCE = Tolerances.AFTER_STEPS_F32;

    private CorrectnessCheck() {
    }

    /**
     * Takes {@link #STEPS} steps of the workload on {@code engine}, which must hold {@code initial},
     * and on a fresh reference engine; returns the largest relative error over the weights and
     * biases. The engine is left trained by those steps: reset its parameters before timing.
     */
    public static double run(Engine engine, Workload w, Parameters initial, Dataset train, long seed) {
        try (ReferenceEngine reference = new ReferenceEngine(w.network(), initial)) {
            LockstepRun.run(engine, reference, train, STEPS, w.batch(), w.learningRate(), seed, (s, a, b) -> {
            });
            return RelativeError.ofParameters(engine, reference);
        }
    }

    public static boolean passes(double error) {
        return error <= TOLERANCE;
    }
}
