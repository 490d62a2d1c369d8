package backpropcl.model;

import java.util.Arrays;

/**
 * The gradients of one batch slice: dC/dW and dC/db of every dense layer, for C the cost averaged
 * over the slice's {@link #rows()}, in one flat double buffer laid out by {@link ParameterLayout}
 * (weights then biases per layer). What an engine's first half-step produces and its second
 * half-step reads; double so that a float32 engine's gradients convert without loss and sums of
 * several replicas' gradients are taken in one precision.
 */
public final class Gradients {
    private final Network network;
    private final ParameterLayout layout;
    private final double[] values;
    private int rows;

    public Gradients(Network network) {
        this.network = network;
        this.layout = ParameterLayout.of(network);
        this.values = new double[Math.toIntExact(layout.size())];
    }

    public Network network() {
        return network;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The flat buffer, live. */
    public double[] values() {
        return values;
    }

    /** The rows the gradients were averaged over (0 for a fresh buffer). */
    public int rows() {
        return rows;
    }

    public void setRows(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be 0 or more, got " + rows);
        }
        this.rows = rows;
    }

    /** dC/dW of dense layer l, (out, in) row-major, copied out. */
    public double[] weights(int l) {
        return slice(layout.weight(l));
    }

    /** dC/db of dense layer l, copied out. */
    public double[] biases(int l) {
        return slice(layout.bias(l));
    }

    /** Copies {@code from} into the weight gradient of dense layer l. */
    public void setWeights(int l, double[] from) {
        put(layout.weight(l), from);
    }

    /** Copies {@code from} into the bias gradient of dense layer l. */
    public void setBiases(int l, double[] from) {
        put(layout.bias(l), from);
    }

    /** Copies float values into the weight gradient of dense layer l (exact). */
    public void setWeights(int l, float[] from) {
        put(layout.weight(l), from);
    }

    /** Copies float values into the bias gradient of dense layer l (exact). */
    public void setBiases(int l, float[] from) {
        put(layout.bias(l), from);
    }

    private double[] slice(ParameterLayout.Tensor t) {
        int o = (int) t.offset();
        return Arrays.copyOfRange(values, o, o + t.length());
    }

    private void put(ParameterLayout.Tensor t, double[] from) {
        check(t, from.length);
        System.arraycopy(from, 0, values, (int) t.offset(), t.length());
    }

    private void put(ParameterLayout.Tensor t, float[] from) {
        check(t, from.length);
        int o = (int) t.offset();
        for (int i = 0; i < t.length(); i++) {
            values[o + i] = from[i];
        }
    }

    private static void check(ParameterLayout.Tensor t, int length) {
        if (length < t.length()) {
            throw new IllegalArgumentException(t.name() + " needs " + t.length() + " values, got " + length);
        }
    }

    /** A deep copy. */
    public Gradients copy() {
        Gradients g = new Gradients(network);
        System.arraycopy(values, 0, g.values, 0, values.length);
        g.rows = rows;
        return g;
    }
}
