package backpropcl.selftest;

/**
 * What part of a training step a check covers, named after the kernel family that computes it, so
 * that a failure on a user's GPU points at one kernel. Each role has one tolerance (docs/DESIGN:
 * one step float32 against double 1e-5; weights after many steps 1e-4).
 */
public enum Role {
    FORWARD("forward (z)", "z = a_prev W^T + b of every layer (gather + dense_forward)", 1e-5),
    ACTIVATION("activation (a)", "a = f(z) of every layer, softmax included", 1e-5),
    OUTPUT_ERROR("output error", "delta of the output layer (cost derivative through f')", 1e-5),
    BACKWARD("backward (delta)", "delta of the hidden layers (delta W times f'(z))", 1e-5),
    WEIGHT_GRADIENTS("weight gradients", "dC/dW of the batch-mean cost", 1e-5),
    BIAS_GRADIENTS("bias gradients", "dC/db of the batch-mean cost", 1e-5),
    SGD_UPDATE("SGD update", "W and b after the step", 1e-5),
    METRICS_COST("metrics: cost", "evaluate(): mean cost over a data set", 1e-5),
    // A near-tie of two outputs may flip the argmax between float and double: allow 1 in 1000.
    METRICS_CORRECT("metrics: correct", "evaluate(): fraction of samples whose correctness differs", 1e-3),
    TRAINING("training", "W and b after many steps with nothing read back in between", 1e-4);

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
