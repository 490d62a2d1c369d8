package backpropcl.selftest;

import static backpropcl.engine.Tolerances.AFTER_STEPS_F32;
import static backpropcl.engine.Tolerances.CORRECT_FRACTION_F32;
import static backpropcl.engine.Tolerances.ONE_STEP_F32;

/**
 * What part of a training step a check covers, named after the kernel family that computes it, so
 * that a failure on a user's GPU points at one kernel. Each role has one tolerance, the design's
 * ({@link backpropcl.engine.Tolerances}: one step float32 against double; weights after many steps).
 */
public enum Role {
    FORWARD("forward (z)", "z = a_prev W^T + b of every layer (gather + dense_forward)", ONE_STEP_F32),
    ACTIVATION("activation (a)", "a = f(z) of every layer, softmax included", ONE_STEP_F32),
    OUTPUT_ERROR("output error", "delta of the output layer (cost derivative through f')", ONE_STEP_F32),
    BACKWARD("backward (delta)", "delta of the hidden layers (delta W times f'(z))", ONE_STEP_F32),
    WEIGHT_GRADIENTS("weight gradients", "dC/dW of the batch-mean cost", ONE_STEP_F32),
    BIAS_GRADIENTS("bias gradients", "dC/db of the batch-mean cost", ONE_STEP_F32),
    SGD_UPDATE("SGD update", "W and b after the step", ONE_STEP_F32),
    CONV("conv", "out, dC/d out and the weight and bias gradients of conv layers (direct or im2col)", ONE_STEP_F32),
    MAXPOOL("max pooling", "out and dC/d out of max-pool layers", ONE_STEP_F32),
    BATCHNORM("batch norm", "out, dC/d out, the gamma and beta gradients and the running statistics of batch-norm layers",
            ONE_STEP_F32),
    METRICS_COST("metrics: cost", "evaluate(): mean cost over a data set", ONE_STEP_F32),
    // A near-tie of two outputs may flip the argmax between float and double: allow 1 in 1000.
    METRICS_CORRECT("metrics: correct", "evaluate(): fraction of samples whose correctness differs", CORRECT_FRACTION_F32),
    TRAINING("training", "W and b after many steps with nothing read back in between", AFTER_STEPS_F32);

    private final String label;
    private final String meaning;
    private final double tolerance;

    Role(String label, String meaning, double tolerance) {
        this.label = label;
        this.meaning = meaning;
        this.tolerance = tolerance;
    }

    /** The short name printed in tables. */
    public String label() {
        return label;
    }

    /** One line on what is compared. */
    public String meaning() {
        return meaning;
    }

    /** The largest error that passes. */
    public double tolerance() {
        return tolerance;
    }
}
