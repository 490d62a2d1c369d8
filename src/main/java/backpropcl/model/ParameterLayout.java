package backpropcl.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor of a network sits in one flat buffer: every parameterised layer's
 * tensors in layer order, as PyTorch's {@code state_dict()} lists them: dense weight (out, in) and
 * bias (out); conv weight (F, C, K, K) and bias (F); batchnorm weight (C, gamma), bias (C, beta),
 * running_mean (C), running_var (C) and num_batches_tracked (shape [], one value). The names are
 * those of the equivalent {@code nn.Sequential} held as {@code layers}: {@code layers.{k}.weight}
 * with k the layer's index in {@link Network#layers()}. The flat gradient buffer has this layout,
 * so summing two replicas' gradients is one loop over one array. A tensor that is not
 * {@code trainable} (batchnorm's statistics) has no gradient (zeros), no optimizer state and no
 * weight decay; it changes only in the update half-step.
 */
public final class ParameterLayout {
    /**
     * One tensor: its name, PyTorch shape, and place in the flat buffer; its copies in and out of a
     * flat buffer of any precision (Parameters, TrainingState and Gradients all go through these).
     *
     * @param trainable whether backprop computes its gradient and the optimizer steps it (not batchnorm's statistics)
     * @param decayed   whether weight decay applies to it: the weights of dense and conv layers only
     */
    public record Tensor(String name, int[] shape, long offset, int length, boolean trainable, boolean decayed) {
        /** The buffer's index of this tensor's element i. */
        public int index(int i) {
            if (i < 0 || i >= length) {
                throw new IndexOutOfBoundsException(name + " has " + length + " values, no index " + i);
            }
            return (int) offset + i;
        }

        /** This tensor's values in {@code buffer}, copied out. */
        public float[] copyOut(float[] buffer) {
            return Arrays.copyOfRange(buffer, (int) offset, (int) offset + length);
        }

        /** This tensor's values in {@code buffer}, copied out. */
        public double[] copyOut(double[] buffer) {
            return Arrays.copyOfRange(buffer, (int) offset, (int) offset + length);
        }

        /** The first {@link #length} values of {@code from} into this tensor's place in {@code buffer}. */
        public void copyIn(float[] from, float[] buffer) {
            check(from.length);
            System.arraycopy(from, 0, buffer, (int) offset, length);
        }

        /** The same, double into double. */
        public void copyIn(double[] from, double[] buffer) {
            check(from.length);
            System.arraycopy(from, 0, buffer, (int) offset, length);
        }

        /** The same, float into double (exact). */
        public void copyIn(float[] from, double[] buffer) {
            check(from.length);
            int o = (int) offset;
            for (int i = 0; i < length; i++) {
                buffer[o + i] = from[i];
            }
        }

        private void check(int given) {
            if (given < length) {
                throw new IllegalArgumentException(name + " needs " + length + " values, got " + given);
            }
        }
    }

    private final Network network;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName = new HashMap<>();
    private final long size;

    private ParameterLayout(Network network, List<Tensor> tensors, long size) {
        this.network = network;
        this.tensors = List.copyOf(tensors);
        this.size = size;
        for (Tensor t : tensors) {
            byName.put(t.name(), t);
        }
    }

    public static ParameterLayout of(Network net) {
        Builder b = new Builder();
        List<Layer> layers = net.layers();
        for (int k = 0; k < layers.size(); k++) {
            String prefix = "layers." + k + ".";
            int in = net.inputShape(k).channels();
            int inSize = net.inputShape(k).size();
            if (layers.get(k) instanceof Layer.Dense d) {
                b.add(prefix + "weight", true, true, d.width(), inSize);
                b.add(prefix + "bias", true, false, d.width());
            } else if (layers.get(k) instanceof Layer.Conv c) {
                b.add(prefix + "weight", true, true, c.filters(), in, c.kernel(), c.kernel());
                b.add(prefix + "bias", true, false, c.filters());
            } else if (layers.get(k) instanceof Layer.BatchNorm) {
                b.add(prefix + "weight", true, false, in);
                b.add(prefix + "bias", true, false, in);
                b.add(prefix + "running_mean", false, false, in);
                b.add(prefix + "running_var", false, false, in);
                b.add(prefix + "num_batches_tracked", false, false);
            }
        }
        return new ParameterLayout(net, b.list, b.offset);
    }

    /** Tensors one after the other; a shape of no dimensions is a scalar of one value. */
    private static final class Builder {
        private final List<Tensor> list = new ArrayList<>();
        private long offset;

        void add(String name, boolean trainable, boolean decayed, int... shape) {
            int n = 1;
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            list.add(new Tensor(name, shape, offset, n, trainable, decayed));
            offset += n;
        }
    }

    /** The tensors in buffer order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The tensor of that name, e.g. {@code layers.1.running_var}. */
    public Tensor tensor(String name) {
        Tensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the network " + network + " has no tensor '" + name + "'");
        }
        return t;
    }

    /** Whether the network has a tensor of that name. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The weight tensor of dense layer l. */
    public Tensor weight(int l) {
        return tensor("layers." + network.denseIndex(l) + ".weight");
    }

    /** The bias tensor of dense layer l. */
    public Tensor bias(int l) {
        return tensor("layers." + network.denseIndex(l) + ".bias");
    }

    /** The tensors of layer k (index in {@link Network#layers()}) in buffer order; none for a layer without parameters. */
    public List<Tensor> tensorsOf(int k) {
        String prefix = "layers." + k + ".";
        return tensors.stream().filter(t -> t.name().startsWith(prefix)).toList();
    }

    /** The number of trainable values: what {@link Network#parameterCount()} reports. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.trainable() ? t.length() : 0;
        }
        return n;
    }

    /** The number of values in the flat buffer. */
    public long size() {
        return size;
    }
}
