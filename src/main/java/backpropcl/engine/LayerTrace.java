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

    /**
     * One tensor of any layer after one training step (the view {@link Engine#traceLayers} gives of
     * conv, maxpool and batchnorm layers too).
     *
     * @param layer  the layer's index k in {@code Network.layers()}
     * @param name   "out" (the layer's output, B x its shape), "grad out" (dC_x/d out per sample),
     *               "grad weight" and the like (the batch-mean gradient of a trainable tensor), or a
     *               tensor's own name ("weight", "running_var", ...) for its value after the update
     * @param values the values, as double
     */
    public record Tensor(int layer, String name, double[] values) {
    }
}
