package backpropcl.model;

import java.util.Arrays;

/**
 * Everything a training step reads and changes, exactly: the parameters and the optimizer's state
 * (its step count and per-parameter tensors), in double. A float32 engine's values convert to
 * double and back without loss, so a checkpoint of this resumes any engine bit for bit.
 *
 * <p>Layout as {@link Parameters}: weights[l] (out, in) row-major, biases[l] (out);
 * slotWeights[s][l] and slotBiases[s][l] have the same shapes, s counting
 * {@link Optimizer.Kind#slots()}.
 */
public final class TrainingState {
    private final Network network;
    private final Optimizer optimizer;
    private long steps;
    private final double[][] weights;
    private final double[][] biases;
    private final double[][][] slotWeights;
    private final double[][][] slotBiases;

    private TrainingState(Network network, Optimizer optimizer, long steps, double[][] weights, double[][] biases,
                          double[][][] slotWeights, double[][][] slotBiases) {
        this.network = network;
        this.optimizer = optimizer;
        this.steps = steps;
        this.weights = weights;
        this.biases = biases;
        this.slotWeights = slotWeights;
        this.slotBiases = slotBiases;
    }

    /** All zeros, step 0. */
    public static TrainingState zeros(Network net, Optimizer optimizer) {
        int layers = net.denseLayers();
        int slots = optimizer.kind().slots();
        double[][] w = new double[layers][];
        double[][] b = new double[layers][];
        double[][][] sw = new double[slots][layers][];
        double[][][] sb = new double[slots][layers][];
        for (int l = 0; l < layers; l++) {
            int size = Math.multiplyExact(net.size(l + 1), net.size(l));
            w[l] = new double[size];
            b[l] = new double[net.size(l + 1)];
            for (int s = 0; s < slots; s++) {
                sw[s][l] = new double[size];
                sb[s][l] = new double[net.size(l + 1)];
            }
        }
        return new TrainingState(net, optimizer, 0, w, b, sw, sb);
    }

    /** The given parameters with a fresh optimizer state (zeros, step 0). */
    public static TrainingState fresh(Parameters p, Optimizer optimizer) {
        TrainingState s = zeros(p.network(), optimizer);
        for (int l = 0; l < s.network.denseLayers(); l++) {
            copy(p.weights(l), s.weights[l]);
            copy(p.biases(l), s.biases[l]);
        }
        return s;
    }

    public Network network() {
        return network;
    }

    public Optimizer optimizer() {
        return optimizer;
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

    /** The live arrays, not copies. */
    public double[] weights(int l) {
        return weights[l];
    }

    public double[] biases(int l) {
        return biases[l];
    }

    public double[] slotWeights(int slot, int l) {
        return slotWeights[slot][l];
    }

    public double[] slotBiases(int slot, int l) {
        return slotBiases[slot][l];
    }

    /** The parameters rounded to float32. */
    public Parameters parameters() {
        Parameters p = Parameters.zeros(network);
        for (int l = 0; l < network.denseLayers(); l++) {
            copy(weights[l], p.weights(l));
            copy(biases[l], p.biases(l));
        }
        return p;
    }

    /** True when the network, optimizer, step count and every value are bitwise the same. */
    public boolean bitwiseEquals(TrainingState o) {
        if (!network.equals(o.network) || !optimizer.equals(o.optimizer) || steps != o.steps) {
            return false;
        }
        for (int l = 0; l < network.denseLayers(); l++) {
            if (!Arrays.equals(weights[l], o.weights[l]) || !Arrays.equals(biases[l], o.biases[l])) {
                return false;
            }
            for (int s = 0; s < slotWeights.length; s++) {
                if (!Arrays.equals(slotWeights[s][l], o.slotWeights[s][l]) || !Arrays.equals(slotBiases[s][l], o.slotBiases[s][l])) {
                    return false;
                }
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
