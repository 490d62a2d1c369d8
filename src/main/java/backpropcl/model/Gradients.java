package backpropcl.model;

/**
 * The gradients of one batch slice: dC/dT of every trainable tensor T (weights and biases, batchnorm's
 * gamma and beta), for C the cost averaged over the slice's {@link #rows()}, in one flat double
 * buffer laid out by {@link ParameterLayout}; zeros at the tensors that are not trainable
 * (batchnorm's running statistics). What an engine's first half-step produces and its second
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
        return layout.weight(l).copyOut(values);
    }

    /** dC/db of dense layer l, copied out. */
    public double[] biases(int l) {
        return layout.bias(l).copyOut(values);
    }

    /** Copies {@code from} into the weight gradient of dense layer l. */
    public void setWeights(int l, double[] from) {
        layout.weight(l).copyIn(from, values);
    }

    /** Copies {@code from} into the bias gradient of dense layer l. */
    public void setBiases(int l, double[] from) {
        layout.bias(l).copyIn(from, values);
    }

    /** Copies float values into the weight gradient of dense layer l (exact). */
    public void setWeights(int l, float[] from) {
        layout.weight(l).copyIn(from, values);
    }

    /** Copies float values into the bias gradient of dense layer l (exact). */
    public void setBiases(int l, float[] from) {
        layout.bias(l).copyIn(from, values);
    }

    /** A deep copy. */
    public Gradients copy() {
        Gradients g = new Gradients(network);
        System.arraycopy(values, 0, g.values, 0, values.length);
        g.rows = rows;
        return g;
    }
}
