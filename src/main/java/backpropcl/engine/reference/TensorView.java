package backpropcl.engine.reference;

import backpropcl.model.ParameterLayout;

/**
 * One parameter tensor of the reference engine: a view of its place in the engine's flat
 * parameter buffer and, for a trainable tensor, in the flat gradient buffer of the same layout.
 * Element i is {@code values()[at(i)]}; layers index the buffers directly, as the kernels do.
 */
record TensorView(ParameterLayout.Tensor tensor, double[] values, double[] gradients) {

    /** The buffer index of element i. */
    int at(int i) {
        return (int) tensor.offset() + i;
    }

    int length() {
        return tensor.length();
    }

    /** Sets this tensor's gradients to zero. */
    void clearGradients() {
        java.util.Arrays.fill(gradients, at(0), at(0) + length(), 0.0);
    }

    /** Divides this tensor's gradients by the rows of the batch: the gradient of the batch-mean cost. */
    void divideGradients(int rows) {
        for (int i = at(0); i < at(0) + length(); i++) {
            gradients[i] /= rows;
        }
    }

    /** This tensor's values, copied out. */
    double[] copyValues() {
        return tensor.copyOut(values);
    }

    /** This tensor's gradients, copied out. */
    double[] copyGradients() {
        return tensor.copyOut(gradients);
    }
}
