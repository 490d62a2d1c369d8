package backpropcl.engine.reference;

import backpropcl.model.Activation;

/**
 * An activation function as a layer: forward a = f(z); backward dC/dz = dC/da * f'(z), or for
 * softmax its Jacobian-vector product (see {@link Activation#backward}). The output layer's
 * activation is not run backward here: the cost fuses it ({@link backpropcl.model.Cost#outputError}).
 */
record ActivationLayer(Activation activation, int outputs) implements ReferenceLayer {
    @Override
    public void forward(double[] z, double[] a, int rows, Mode mode) {
        activation.apply(z, a, rows, outputs);
    }

    @Override
    public void backward(double[] z, double[] a, double[] gradA, double[] delta, int rows, Mode mode) {
        activation.backward(z, a, gradA, delta, rows, outputs);
    }
}
