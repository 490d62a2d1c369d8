package backpropcl.engine.cpu;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Gradients;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * The two tensors of a cpu layer that are its {@code ParameterLayout.weight(l)} and
 * {@code bias(l)} (a convolution's W and b, a batch norm's gamma and beta), their gradients and
 * the optimizer's state of them, with the copies to and from the engine's public forms that
 * {@link ParameterLayer} asks for. Flat float arrays in the layout's order.
 * <pre>
 *   w (weights), b (biases)          the tensors, updated in place
 *   gradW, gradB                     gradients of the last batch
 *   slotW[s], slotB[s]               the optimizer's state tensors, shaped as w and b
 * </pre>
 */
final class WeightBiasTensors {
    /** Its place l among the layers with tensors. */
    final int index;
    final float[] w;
    final float[] b;
    final float[] gradW;
    final float[] gradB;
    float[][] slotW = new float[0][];
    float[][] slotB = new float[0][];

    /** Zero tensors of layer {@code index}: {@code weights} values in w, {@code biases} in b. */
    WeightBiasTensors(int index, int weights, int biases) {
        this.index = index;
        this.w = new float[weights];
        this.b = new float[biases];
        this.gradW = new float[weights];
        this.gradB = new float[biases];
    }

    void setParameters(Parameters p) {
        System.arraycopy(p.copyWeights(index), 0, w, 0, w.length);
        System.arraycopy(p.copyBiases(index), 0, b, 0, b.length);
    }

    void copyParameters(Parameters p) {
        p.setWeights(index, w);
        p.setBiases(index, b);
    }

    void copyState(TrainingState s) {
        s.setWeights(index, w);
        s.setBiases(index, b);
        for (int k = 0; k < slotW.length; k++) {
            s.setSlotWeights(k, index, slotW[k]);
            s.setSlotBiases(k, index, slotB[k]);
        }
    }

    void setSlots(TrainingState s) {
        for (int k = 0; k < slotW.length; k++) {
            TrainingState.copy(s.copySlotWeights(k, index), slotW[k]);
            TrainingState.copy(s.copySlotBiases(k, index), slotB[k]);
        }
    }

    void copyGradients(Gradients g) {
        g.setWeights(index, gradW);
        g.setBiases(index, gradB);
    }

    /** Takes the gradients from g, rounded to float32. */
    void setGradients(Gradients g) {
        double[] from = g.values();
        int wAt = (int) g.layout().weight(index).offset();
        int bAt = (int) g.layout().bias(index).offset();
        for (int i = 0; i < gradW.length; i++) {
            gradW[i] = (float) from[wAt + i];
        }
        for (int i = 0; i < gradB.length; i++) {
            gradB[i] = (float) from[bAt + i];
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
