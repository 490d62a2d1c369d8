package backpropcl.model;

import java.util.Arrays;

/**
 * The parameter tensors of a network (weights, biases, batchnorm's statistics), in float32 as
 * every engine and model file keeps them, in one flat buffer laid out by {@link ParameterLayout}
 * (as {@link Gradients}): per dense layer its weights (out, in) row-major (PyTorch's nn.Linear
 * layout), then its biases (out); conv and batchnorm tensors in PyTorch's shapes. One buffer to
 * upload, checkpoint and compare.
 *
 * <p>Per-tensor reads are copies ({@link #copyWeights}); writes go through the setters, so no
 * caller holds a per-layer array that could silently stop being the parameters.
 */
public final class Parameters {
    private final Network network;
    private final ParameterLayout layout;
    private final float[] values;

    private Parameters(Network network, ParameterLayout layout, float[] values) {
        this.network = network;
        this.layout = layout;
        this.values = values;
    }

    /** All-zero parameters of the right shapes. */
    public static Parameters zeros(Network net) {
        ParameterLayout layout = ParameterLayout.of(net);
        return new Parameters(net, layout, new float[Math.toIntExact(layout.size())]);
    }

    public Network network() {
        return network;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The flat buffer, live. */
    public float[] values() {
        return values;
    }

    /** Weights of dense layer l, (out, in) row-major, copied out. */
    public float[] copyWeights(int l) {
        return layout.weight(l).copyOut(values);
    }

    /** Biases of dense layer l, (out), copied out. */
    public float[] copyBiases(int l) {
        return layout.bias(l).copyOut(values);
    }

    /** Copies {@code from} into the weights of dense layer l. */
    public void setWeights(int l, float[] from) {
        layout.weight(l).copyIn(from, values);
    }

    /** Copies {@code from} into the biases of dense layer l. */
    public void setBiases(int l, float[] from) {
        layout.bias(l).copyIn(from, values);
    }

    /** The tensor of that name (e.g. {@code layers.1.running_var}), copied out. */
    public float[] copy(String name) {
        return layout.tensor(name).copyOut(values);
    }

    /** Copies {@code from} into the tensor of that name. */
    public void set(String name, float[] from) {
        layout.tensor(name).copyIn(from, values);
    }

    /** Weight i (row-major index) of dense layer l. */
    public float weight(int l, int i) {
        return values[layout.weight(l).index(i)];
    }

    /** Bias i of dense layer l. */
    public float bias(int l, int i) {
        return values[layout.bias(l).index(i)];
    }

    public void setWeight(int l, int i, float v) {
        values[layout.weight(l).index(i)] = v;
    }

    public void setBias(int l, int i, float v) {
        values[layout.bias(l).index(i)] = v;
    }

    /** A deep copy. */
    public Parameters copy() {
        return new Parameters(network, layout, values.clone());
    }

    /** True when every weight and bias is bitwise the same. */
    public boolean bitwiseEquals(Parameters o) {
        return network.equals(o.network) && Arrays.equals(values, o.values);
    }
}
