package backpropcl.engine.cpu;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Gradients;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * The two trainable tensors {@code layers.{k}.weight} and {@code layers.{k}.bias} of a cpu layer
 * (a convolution's W and b, a batch norm's gamma and beta; k its index in
 * {@link backpropcl.model.Network#layers()}), their gradients and the optimizer's state of them,
 * with the copies to and from the engine's public forms that {@link ParameterLayer} asks for, by
 * the tensors' names in {@link backpropcl.model.ParameterLayout}. Flat float arrays in the
 * layout's order.
 * <pre>
 *   w (weights), b (biases)          the tensors, updated in place
 *   gradW, gradB                     gradients of the last batch
 *   slotW[s], slotB[s]               the optimizer's state tensors, shaped as w and b
 * </pre>
 */
final class WeightBiasTensors {
    /** Its index k in the network's layers. */
    final int layer;
    final String weightName;
    final String biasName;
    final float[] w;
    final float[] b;
    final float[] gradW;
    final float[] gradB;
    float[][] slotW = new float[0][];
    float[][] slotB = new float[0][];

    /** Zero tensors of layer k = {@code layer}: {@code weights} values in w, {@code biases} in b. */
    WeightBiasTensors(int layer, int weights, int biases) {
        this.layer = layer;
        this.weightName = "layers." + layer + ".weight";
        this.biasName = "layers." + layer + ".bias";
        this.w = new float[weights];
        this.b = new float[biases];
        this.gradW = new float[weights];
        this.gradB = new float[biases];
    }

    void setParameters(Parameters p) {
        System.arraycopy(p.copy(weightName), 0, w, 0, w.length);
        System.arraycopy(p.copy(biasName), 0, b, 0, b.length);
    }

    void copyParameters(Parameters p) {
        p.set(weightName, w);
        p.set(biasName, b);
    }

    void copyState(TrainingState s) {
        s.set(weightName, w);
        s.set(biasName, b);
        for (int k = 0; k < slotW.length; k++) {
            s.setSlot(k, weightName, TrainingState.doubles(slotW[k], slotW[k].length));
            s.setSlot(k, biasName, TrainingState.doubles(slotB[k], slotB[k].length));
        }
    }

    void setSlots(TrainingState s) {
        for (int k = 0; k < slotW.length; k++) {
            TrainingState.copy(s.copySlot(k, weightName), slotW[k]);
            TrainingState.copy(s.copySlot(k, biasName), slotB[k]);
        }
    }

    void copyGradients(Gradients g) {
        g.layout().tensor(weightName).copyIn(gradW, g.values());
        g.layout().tensor(biasName).copyIn(gradB, g.values());
    }

    /** Takes the gradients from g, rounded to float32. */
    void setGradients(Gradients g) {
        toFloats(g.layout().tensor(weightName).copyOut(g.values()), gradW);
        toFloats(g.layout().tensor(biasName).copyOut(g.values()), gradB);
    }

    private static void toFloats(double[] from, float[] to) {
        for (int i = 0; i < to.length; i++) {
            to[i] = (float) from[i];
        }
    }
    void resetSlots(int slots) {
        slotW = new float[slots][w.length];
        slotB = new float[slots][b.length];
    }

    boolean finiteBiases() {
        for (float v : b) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The optimizer's step on w[wFrom, wTo) and b[bFrom, bTo) from their gradients; weight decay on
     * w only when {@code decayWeights} (a convolution's W; not a batch norm's gamma, as the biases).
     */
    void update(OptimizerStep step, boolean decayWeights, int wFrom, int wTo, int bFrom, int bTo) {
        FloatUpdate.apply(step, decayWeights, w, gradW, slot(slotW, 0), slot(slotW, 1), wFrom, wTo);
        FloatUpdate.apply(step, false, b, gradB, slot(slotB, 0), slot(slotB, 1), bFrom, bTo);
    }

    private static float[] slot(float[][] slots, int k) {
        return slots.length > k ? slots[k] : null;
    }
}
