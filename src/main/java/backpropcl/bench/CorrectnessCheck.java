package backpropcl.bench;

import backpropcl.engine.RelativeError;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Tolerances;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Layer;
import backpropcl.model.ParameterLayout;
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
     * biases of the dense layers, each tensor on its own, and of the conv and batchnorm layers,
     * each layer's trainable tensors together. The engine is left trained by those steps: reset its
     * parameters before timing.
     */
    public static double run(Engine engine, Workload w, Parameters initial, Dataset train, long seed) {
        try (ReferenceEngine reference = new ReferenceEngine(w.network(), initial)) {
            LockstepRun.run(engine, reference, train, STEPS, w.batch(), w.learningRate(), seed, (s, a, b) -> {
            });
            double worst = RelativeError.ofParameters(engine, reference);
            return w.network().isConvolutional() ? Math.max(worst, ofImageLayers(engine.parameters(), reference.parameters())) : worst;
        }
    }

    /**
     * The largest relative error of a conv or batchnorm layer's trainable tensors taken together
     * (weight and bias; gamma and beta). Together, because a conv bias right before a batchnorm gets
     * no gradient in exact arithmetic: both engines leave it at rounding noise around its initial
     * zero, and its error on its own would compare two roundings of zero.
     */
    static double ofImageLayers(Parameters a, Parameters b) {
        double worst = 0;
        for (int k = 0; k < a.network().layers().size(); k++) {
            Layer layer = a.network().layers().get(k);
            if (layer instanceof Layer.Conv || layer instanceof Layer.BatchNorm) {
                worst = Math.max(worst, RelativeError.of(trainable(a, k), trainable(b, k)));
            }
        }
        return worst;
    }

    /** Layer k's trainable tensors, one after the other, in double. */
    private static double[] trainable(Parameters p, int k) {
        String prefix = "layers." + k + ".";
        java.util.List<ParameterLayout.Tensor> tensors = p.layout().tensors().stream()
                .filter(t -> t.trainable() && t.name().startsWith(prefix)).toList();
        double[] values = new double[tensors.stream().mapToInt(ParameterLayout.Tensor::length).sum()];
        int n = 0;
        for (ParameterLayout.Tensor t : tensors) {
            for (int i = 0; i < t.length(); i++) {
                values[n++] = p.values()[t.index(i)];
            }
        }
        return values;
    }

    public static boolean passes(double error) {
        return error <= TOLERANCE;
    }
}
