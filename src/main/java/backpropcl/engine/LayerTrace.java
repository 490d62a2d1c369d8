package backpropcl.engine;

/**
 * The tensors of one dense layer after one training step, for comparing engines. B is the batch
 * size of the step, n the layer's width, m the width of the layer before.
 *
 * @param z           (B, n) weighted inputs
 * @param a           (B, n) activations
 * @param delta       (B, n) dC_x/dz per sample (not divided by B)
 * @param gradW (n, m) dC/dW of the batch-mean cost
 * @param gradB  (n) dC/db of the batch-mean cost
 * @param weights     (n, m) after the update
 * @param biases      (n) after the update
 */
public record LayerTrace(double[] z, double[] a, double[] delta, double[] gradW, double[] gradB,
                         double[] weights, double[] biases) {
}
