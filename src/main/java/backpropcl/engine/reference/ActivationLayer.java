package backpropcl.engine.reference;

import backpropcl.model.Activation;

/**
 * An activation function as a layer: forward a = f(z); backward dC/dz = dC/da * f'(z), or for
 * softmax its Jacobian-vector product (see {@link Activation#backward}). The output layer's
 * activation is not run backward here: the cost fuses it ({@link backpropcl.model.Cost#outputError}).
 * <p>
 * A relu can be given, for one training step, another engine's side of zero per input
 * ({@link #prefer}): where its own z is within {@link ReferenceEngine#TIE_TOLERANCE} of the step's
 * largest |z| from zero and the other engine's is on the other side, backward takes the other's
 * derivative (1 above zero, 0 at or below), a kink that float32 rounding may put either way.
 */
final class ActivationLayer implements ReferenceLayer {
    private final Activation activation;
    private final int outputs;
    private int index;
    /** Whether the other engine's z is above zero, per input of the step; null when none is set. */
    private boolean[] otherAbove;
    private TieTally tally;

    ActivationLayer(Activation activation, int outputs) {
        this.activation = activation;
        this.outputs = outputs;
    }

    Activation activation() {
        return activation;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public void forward(double[] z, double[] a, int rows, Mode mode) {
        activation.apply(z, a, rows, outputs);
    }

    @Override
    public void backward(double[] z, double[] a, double[] gradA, double[] delta, int rows, Mode mode) {
        activation.backward(z, a, gradA, delta, rows, outputs);
        if (otherAbove == null || !mode.training()) {
            return;
        }
        if (otherAbove.length != rows * outputs) {
            throw new IllegalArgumentException("relu layer " + index + ": the preferred sides are for "
                    + otherAbove.length / outputs + " rows, the step has " + rows);
        }
        double scale = ReferenceEngine.largestMagnitude(z, rows * outputs);
        for (int i = 0; i < rows * outputs; i++) {
            if (z[i] > 0 != otherAbove[i] && tally.near(Math.abs(z[i]) / scale)) {
                delta[i] = otherAbove[i] ? gradA[i] : 0.0;
            }
        }
    }

    /** For the next training step of this relu (layer k): the other engine's z, rows x outputs. */
    void prefer(int k, double[] otherZ, int rows) {
        if (activation != Activation.RELU || otherZ.length != rows * outputs) {
            throw new IllegalArgumentException("layer " + k + ": a preferred side of zero needs a relu and " + rows + " rows of "
                    + outputs + " values");
        }
        index = k;
        otherAbove = new boolean[otherZ.length];
        for (int i = 0; i < otherZ.length; i++) {
            otherAbove[i] = otherZ[i] > 0;
        }
        tally = new TieTally();
    }

    /** What the step made of the preference ({@link #prefer}), which it then forgets; null when none was set. */
    NearTies clearPreference(long step, int rows) {
        if (otherAbove == null) {
            return null;
        }
        otherAbove = null;
        return tally.report("relu", step, index, rows * outputs);
    }
}
