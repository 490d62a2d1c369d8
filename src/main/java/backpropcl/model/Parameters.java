package backpropcl.model;

import java.util.Arrays;

/**
 * The weights and biases of a network, in float32 as every engine and model file keeps them, in
 * one flat buffer laid out by {@link ParameterLayout} (as {@link Gradients}): per dense layer l
 * its weights (out, in) row-major (PyTorch's nn.Linear layout), then its biases (out). One buffer
 * to upload, checkpoint and compare.
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
        return slice(layout.weight(l));
    }

    /** Biases of dense layer l, (out), copied out. */
    public float[] copyBiases(int l) {
        return slice(layout.bias(l));
    }

    /** Copies {@code from} into the weights of dense layer l. */
    public void setWeights(int l, float[] from) {
        put(layout.weight(l), from);
    }

    /** Copies {@code from} into the biases of dense layer l. */
    public void setBiases(int l, float[] from) {
        put(layout.bias(l), from);
    }

    /** Weight i (row-major index) of dense layer l. */
    public float weight(int l, int i) {
        return values[index(layout.weight(l), i)];
    }

    /** Bias i of dense layer l. */
    public float bias(int l, int i) {
        return values[index(layout.bias(l), i)];
    }

    public void setWeight(int l, int i, float v) {
        values[index(layout.weight(l), i)] = v;
    }

    public void setBias(int l, int i, float v) {
        values[index(layout.bias(l), i)] = v;
    }

    private float[] slice(ParameterLayout.Tensor t) {
        int o = (int) t.offset();
        return Arrays.copyOfRange(values, o, o + t.length());
    }

    private void put(ParameterLayout.Tensor t, float[] from) {
        if (from.length < t.length()) {
            throw new IllegalArgumentException(t.name() + " needs " + t.length() + " values, got " + from.length);
        }
        System.arraycopy(from, 0, values, (int) t.offset(), t.length());
    }

    static int index(ParameterLayout.Tensor t, int i) {
        if (i < 0 || i >= t.length()) {
            throw new IndexOutOfBoundsException(t.name() + " has " + t.length() + " values, no index " + i);
        }
        return (int) t.offset() + i;
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
