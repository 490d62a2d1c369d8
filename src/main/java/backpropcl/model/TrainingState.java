package backpropcl.model;

import java.util.Arrays;

/**
 * Everything a training step reads and changes, exactly: the parameters and the optimizer's state
 * (its step count and per-parameter tensors), in double. A float32 engine's values convert to
 * double and back without loss, so a checkpoint of this resumes any engine bit for bit.
 *
 * <p>The parameters are one flat buffer laid out by {@link ParameterLayout}, as in
 * {@link Parameters}; each optimizer slot s (counting {@link Optimizer.Kind#slots()}) is one flat
 * buffer of the same layout, zero at the tensors that are not trainable (batchnorm's statistics).
 * Per-tensor reads are copies; writes go through the setters.
 */
public final class TrainingState {
    private final Network network;
    private final Optimizer optimizer;
    private final ParameterLayout layout;
    private long steps;
    private final double[] values;
    private final double[][] slots;

    private TrainingState(Network network, Optimizer optimizer, ParameterLayout layout, long steps, double[] values, double[][] slots) {
        this.network = network;
        this.optimizer = optimizer;
        this.layout = layout;
        this.steps = steps;
        this.values = values;
        this.slots = slots;
    }

    /** All zeros, step 0. */
    public static TrainingState zeros(Network net, Optimizer optimizer) {
        ParameterLayout layout = ParameterLayout.of(net);
        int size = Math.toIntExact(layout.size());
        return new TrainingState(net, optimizer, layout, 0, new double[size], new double[optimizer.kind().slots()][size]);
    }

    /** The given parameters with a fresh optimizer state (zeros, step 0). */
    public static TrainingState fresh(Parameters p, Optimizer optimizer) {
        TrainingState s = zeros(p.network(), optimizer);
        copy(p.values(), s.values);
        return s;
    }

    public Network network() {
        return network;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** Optimizer steps taken so far (Adam's t). */
    public long steps() {
        return steps;
    }

    public void setSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be 0 or more, got " + steps);
        }
        this.steps = steps;
    }

    /** The parameters' flat buffer, live. */
    public double[] values() {
        return values;
    }

    /** Optimizer slot s's flat buffer (same layout), live. */
    public double[] slot(int s) {
        return slots[s];
    }

    /** The tensor of that name (e.g. {@code layers.1.running_var}), copied out. */
    public double[] copy(String name) {
        return layout.tensor(name).copyOut(values);
    }

    /** Copies {@code from} into the tensor of that name. */
    public void set(String name, double[] from) {
        layout.tensor(name).copyIn(from, values);
    }

    /** Copies float values into the tensor of that name (exact). */
    public void set(String name, float[] from) {
        layout.tensor(name).copyIn(from, values);
    }

    /** Slot s's tensor for the parameter tensor of that name, copied out (zeros for a tensor that is not trainable). */
    public double[] copySlot(int s, String name) {
        return layout.tensor(name).copyOut(slots[s]);
    }

    /**
     * Copies {@code from} into slot s's tensor for the parameter tensor of that name.
     *
     * @throws IllegalArgumentException for a tensor that is not trainable: it has no optimizer state
     */
    public void setSlot(int s, String name, double[] from) {
        ParameterLayout.Tensor t = layout.tensor(name);
        if (!t.trainable()) {
            throw new IllegalArgumentException(name + " is not trained: it has no optimizer state");
        }
        t.copyIn(from, slots[s]);
    }

    /** Weights of dense layer l, (out, in) row-major, copied out. */
    public double[] copyWeights(int l) {
        return layout.weight(l).copyOut(values);
    }

    /** Biases of dense layer l, copied out. */
    public double[] copyBiases(int l) {
        return layout.bias(l).copyOut(values);
    }

    /** Slot s's tensor for the weights of dense layer l, copied out. */
    public double[] copySlotWeights(int s, int l) {
        return layout.weight(l).copyOut(slots[s]);
    }

    /** Slot s's tensor for the biases of dense layer l, copied out. */
    public double[] copySlotBiases(int s, int l) {
        return layout.bias(l).copyOut(slots[s]);
    }

    /** Copies {@code from} into the weights of dense layer l. */
    public void setWeights(int l, double[] from) {
        layout.weight(l).copyIn(from, values);
    }

    /** Copies {@code from} into the biases of dense layer l. */
    public void setBiases(int l, double[] from) {
        layout.bias(l).copyIn(from, values);
    }

    /** Copies float values into the weights of dense layer l (exact). */
    public void setWeights(int l, float[] from) {
        layout.weight(l).copyIn(from, values);
    }

    /** Copies float values into the biases of dense layer l (exact). */
    public void setBiases(int l, float[] from) {
        layout.bias(l).copyIn(from, values);
    }

    /** Copies {@code from} into slot s's tensor for the weights of dense layer l. */
    public void setSlotWeights(int s, int l, double[] from) {
        layout.weight(l).copyIn(from, slots[s]);
    }

    /** Copies {@code from} into slot s's tensor for the biases of dense layer l. */
    public void setSlotBiases(int s, int l, double[] from) {
        layout.bias(l).copyIn(from, slots[s]);
    }

    /** Copies float values into slot s's tensor for the weights of dense layer l (exact). */
    public void setSlotWeights(int s, int l, float[] from) {
        layout.weight(l).copyIn(from, slots[s]);
    }

    /** Copies float values into slot s's tensor for the biases of dense layer l (exact). */
    public void setSlotBiases(int s, int l, float[] from) {
        layout.bias(l).copyIn(from, slots[s]);
    }

    /** Weight i (row-major index) of dense layer l. */
    public double weight(int l, int i) {
        return values[layout.weight(l).index(i)];
    }

    /** Bias i of dense layer l. */
    public double bias(int l, int i) {
        return values[layout.bias(l).index(i)];
    }

    public void setWeight(int l, int i, double v) {
        values[layout.weight(l).index(i)] = v;
    }

    public void setBias(int l, int i, double v) {
        values[layout.bias(l).index(i)] = v;
    }

    public void setSlotWeight(int s, int l, int i, double v) {
        slots[s][layout.weight(l).index(i)] = v;
    }

    public void setSlotBias(int s, int l, int i, double v) {
        slots[s][layout.bias(l).index(i)] = v;
    }

    /** The parameters rounded to float32. */
    public Parameters parameters() {
        Parameters p = Parameters.zeros(network);
        copy(values, p.values());
        return p;
    }

    /** True when the network, optimizer, step count and every value are bitwise the same. */
    public boolean bitwiseEquals(TrainingState o) {
        if (!network.equals(o.network) || !optimizer.equals(o.optimizer) || steps != o.steps || !Arrays.equals(values, o.values)) {
            return false;
        }
        for (int s = 0; s < slots.length; s++) {
            if (!Arrays.equals(slots[s], o.slots[s])) {
                return false;
            }
        }
        return true;
    }

    /** Copies floats into doubles (exact). */
    public static void copy(float[] from, double[] to) {
        for (int i = 0; i < from.length; i++) {
            to[i] = from[i];
        }
    }

    /** Copies doubles into floats (rounded). */
    public static void copy(double[] from, float[] to) {
        for (int i = 0; i < from.length; i++) {
            to[i] = (float) from[i];
        }
    }

    /** The first {@code count} floats as a new double array (exact). */
    public static double[] doubles(float[] from, int count) {
        double[] d = new double[count];
        for (int i = 0; i < count; i++) {
            d[i] = from[i];
        }
        return d;
    }

    /** The doubles as a new float array (rounded). */
    public static float[] floats(double[] from) {
        float[] f = new float[from.length];
        copy(from, f);
        return f;
    }
}
