package backpropcl.model;

import java.util.Arrays;

/**
 * The weights and biases of a network, in float32 as every engine and model file keeps them.
 * Layer l has weights of shape (out, in), row-major (PyTorch's nn.Linear layout), and biases of
 * shape (out).
 */
public final class Parameters {
    private final Network network;
    private final float[][] weights;
    private final float[][] biases;

    private Parameters(Network network, float[][] weights, float[][] biases) {
        this.network = network;
        this.weights = weights;
        this.biases = biases;
    }

    /** All-zero parameters of the right shapes. */
    public static Parameters zeros(Network net) {
        float[][] w = new float[net.denseLayers()][];
        float[][] b = new float[net.denseLayers()][];
        for (int l = 0; l < net.denseLayers(); l++) {
            w[l] = new float[Math.multiplyExact(net.size(l + 1), net.size(l))];
            b[l] = new float[net.size(l + 1)];
        }
        return new Parameters(net, w, b);
    }

    public Network network() {
        return network;
    }

    /** Weights of dense layer l, (out, in) row-major; the live array, not a copy. */
    public float[] weights(int l) {
        return weights[l];
    }

    /** Biases of dense layer l, (out); the live array, not a copy. */
    public float[] biases(int l) {
        return biases[l];
    }

    /** A deep copy. */
    public Parameters copy() {
        float[][] w = new float[weights.length][];
        float[][] b = new float[biases.length][];
        for (int l = 0; l < weights.length; l++) {
            w[l] = weights[l].clone();
            b[l] = biases[l].clone();
        }
        return new Parameters(network, w, b);
    }

    /** True when every weight and bias is bitwise the same. */
    public boolean bitwiseEquals(Parameters o) {
        if (!network.equals(o.network)) {
            return false;
        }
        for (int l = 0; l < weights.length; l++) {
            if (!Arrays.equals(weights[l], o.weights[l]) || !Arrays.equals(biases[l], o.biases[l])) {
                return false;
            }
        }
        return true;
    }
}
