package backpropcl.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where each named tensor of a network sits in one flat buffer: per dense layer l its weight (out,
 * in) then its bias (out), in layer order, as PyTorch's {@code state_dict()} lists them. The names
 * are those of the equivalent {@code nn.Sequential} held as {@code layers}: {@code layers.{k}.weight}
 * with k the layer's index in {@link Network#layers()}. The flat gradient buffer has this layout,
 * so summing two replicas' gradients is one loop over one array.
 */
public final class ParameterLayout {
    /**
     * One tensor: its name, PyTorch shape, and place in the flat buffer; its copies in and out of a
     * flat buffer of any precision (Parameters, TrainingState and Gradients all go through these).
     */
    public record Tensor(String name, int[] shape, long offset, int length) {
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

    private final List<Tensor> tensors;
    private final long size;

    private ParameterLayout(List<Tensor> tensors, long size) {
        this.tensors = List.copyOf(tensors);
        this.size = size;
    }

    public static ParameterLayout of(Network net) {
        List<Tensor> list = new ArrayList<>();
        long offset = 0;
        for (int l = 0; l < net.denseLayers(); l++) {
            int n = net.size(l + 1);
            int m = net.size(l);
            String prefix = "layers." + net.denseIndex(l) + ".";
            int w = Math.multiplyExact(n, m);
            list.add(new Tensor(prefix + "weight", new int[] {n, m}, offset, w));
            offset += w;
            list.add(new Tensor(prefix + "bias", new int[] {n}, offset, n));
            offset += n;
        }
        return new ParameterLayout(list, offset);
    }

    /** The tensors in buffer order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The weight tensor of dense layer l. */
    public Tensor weight(int l) {
        return tensors.get(2 * l);
    }

    /** The bias tensor of dense layer l. */
    public Tensor bias(int l) {
        return tensors.get(2 * l + 1);
    }

    /** The number of values in the flat buffer. */
    public long size() {
        return size;
    }
}
