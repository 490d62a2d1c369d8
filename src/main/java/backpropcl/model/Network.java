package backpropcl.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A network: its input width, a list of {@link Layer}s as PyTorch's {@code nn.Sequential} holds
 * modules, and a cost. Immutable; the parameters live in {@link Parameters}.
 *
 * <p>Besides the list, a network has a dense view that the engines and files read: dense layer l
 * (0-based, counting dense layers only) maps {@code size(l)} inputs to {@code size(l + 1)}
 * outputs, its activation is the layer right after it ({@code identity} when there is none), and
 * {@code dropoutBefore(l)} is the probability of a dropout layer on its input. The list must read
 * as: an optional {@code flatten}, then per dense layer an optional dropout on its input, the dense
 * layer and an optional activation; softmax only last. Anything else is refused with what to
 * write instead.
 */
public final class Network {
    /** Widths above this are refused: 10^6 x 10^6 weights would not fit anywhere. */
    public static final int MAX_WIDTH = 1 << 20;

    private final List<Layer> layers;
    private final int[] sizes;
    private final Activation[] activations;
    private final double[] dropoutBefore;
    private final int[] dropoutIndex;
    private final int[] denseIndex;
    private final Cost cost;

    /** The dense shorthand: widths (input first) and one activation per dense layer, as {@code --arch} gives. */
    public Network(int[] sizes, Activation[] activations, Cost cost) {
        this(inputWidth(sizes), denseChain(sizes, activations), cost);
    }

    /** A network of the given layers after an input of {@code inputs} values per sample. */
    public Network(int inputs, List<Layer> layers, Cost cost) {
        if (inputs < 1 || inputs > MAX_WIDTH) {
            throw new IllegalArgumentException("input width " + inputs + " is out of range 1.." + MAX_WIDTH);
        }
        this.layers = List.copyOf(layers);
        this.cost = cost;
        List<Integer> widths = new ArrayList<>();
        List<Activation> acts = new ArrayList<>();
        List<Double> drops = new ArrayList<>();
        List<Integer> dropAt = new ArrayList<>();
        List<Integer> denseAt = new ArrayList<>();
        widths.add(inputs);
        double pendingDrop = 0;
        int pendingDropAt = -1;
        // What the previous layer was: the start, a flatten, a dense, its activation, or a dropout.
        Layer previous = null;
        for (int k = 0; k < this.layers.size(); k++) {
            Layer layer = this.layers.get(k);
            String at = "layer " + (k + 1) + " '" + layer.spec() + "'";
            if (layer instanceof Layer.Flatten) {
                if (!denseAt.isEmpty() || previous != null) {
                    throw new IllegalArgumentException(at + ": flatten belongs first, before the first dense layer "
                            + "(a dense network's rows are flat already)");
                }
            } else if (layer instanceof Layer.Dropout d) {
                if (previous instanceof Layer.Dropout) {
                    throw new IllegalArgumentException(at + ": two dropout layers in a row; use one with the combined probability");
                }
                if (!denseAt.isEmpty() && acts.size() == denseAt.size() && acts.get(acts.size() - 1) == Activation.SOFTMAX) {
                    throw new IllegalArgumentException(at + ": dropout after softmax; softmax is only allowed on the output layer");
                }
                pendingDrop = d.p();
                pendingDropAt = k;
            } else if (layer instanceof Layer.Act a) {
                if (!(previous instanceof Layer.Dense)) {
                    throw new IllegalArgumentException(at + ": an activation goes right after its dense layer"
                            + (previous instanceof Layer.Dropout ? " (write dense:N," + a.spec() + ",dropout:P: "
                            + "dropout after the activation)" : previous instanceof Layer.Act ? " (two activations in a row)" : ""));
                }
                acts.set(acts.size() - 1, a.activation());
            } else if (layer instanceof Layer.Dense dense) {
                if (!acts.isEmpty() && acts.get(acts.size() - 1) == Activation.SOFTMAX) {
                    throw new IllegalArgumentException("softmax is only allowed on the output layer");
                }
                widths.add(dense.width());
                acts.add(Activation.IDENTITY);
                drops.add(pendingDrop);
                dropAt.add(pendingDropAt);
                denseAt.add(k);
                pendingDrop = 0;
                pendingDropAt = -1;
            }
            previous = layer;
        }
        if (denseAt.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one dense layer");
        }
        if (previous instanceof Layer.Dropout) {
            throw new IllegalArgumentException("dropout cannot be the last layer: the cost reads the output layer's activation");
        }
        this.sizes = widths.stream().mapToInt(Integer::intValue).toArray();
        this.activations = acts.toArray(new Activation[0]);
        this.dropoutBefore = drops.stream().mapToDouble(Double::doubleValue).toArray();
        this.dropoutIndex = dropAt.stream().mapToInt(Integer::intValue).toArray();
        this.denseIndex = denseAt.stream().mapToInt(Integer::intValue).toArray();
        Activation output = activations[activations.length - 1];
        if (!cost.supports(output)) {
            throw new IllegalArgumentException("cross-entropy cost needs a sigmoid or softmax output, not " + output.cliName());
        }
    }

    /** A network of a {@code --layers} spec, e.g. {@code parse(784, "dense:128,relu,dropout:0.5,dense:10,softmax", CROSS_ENTROPY)}. */
    public static Network parse(int inputs, String spec, Cost cost) {
        return new Network(inputs, LayerSpec.parse(spec), cost);
    }

    private static int inputWidth(int[] sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs at least an input and an output layer");
        }
        return sizes[0];
    }

    /** dense, activation, dense, activation, ...: the layer list of the dense shorthand. */
    private static List<Layer> denseChain(int[] sizes, Activation[] activations) {
        if (activations.length != sizes.length - 1) {
            throw new IllegalArgumentException("need one activation per dense layer: " + (sizes.length - 1)
                    + ", got " + activations.length);
        }
        for (int s : sizes) {
            if (s < 1 || s > MAX_WIDTH) {
                throw new IllegalArgumentException("layer width " + s + " is out of range 1.." + MAX_WIDTH);
            }
        }
        List<Layer> list = new ArrayList<>();
        for (int l = 0; l < activations.length; l++) {
            list.add(new Layer.Dense(sizes[l + 1]));
            list.add(new Layer.Act(activations[l]));
        }
        return list;
    }

    /** A network whose hidden layers share one activation, e.g. {@code of("784-16-16-10", SIGMOID, SIGMOID, QUADRATIC)}. */
    public static Network of(String arch, Activation hidden, Activation output, Cost cost) {
        int[] sizes = parseArch(arch);
        Activation[] acts = new Activation[sizes.length - 1];
        Arrays.fill(acts, hidden);
        acts[acts.length - 1] = output;
        return new Network(sizes, acts, cost);
    }

    /**
     * A builder starting from the input width:
     * {@code Network.builder(784).dense(16, SIGMOID).dense(16, SIGMOID).dense(10, SIGMOID).cost(QUADRATIC).build()}.
     */
    public static Builder builder(int inputs) {
        return new Builder(inputs);
    }

    /** Dense layers one by one, then the cost (quadratic when not given); {@link #build} checks the whole. */
    public static final class Builder {
        private final int inputs;
        private final List<Layer> layers = new ArrayList<>();
        private Cost cost = Cost.QUADRATIC;

        private Builder(int inputs) {
            this.inputs = inputs;
        }

        /** A dense layer of {@code width} neurons followed by its activation (softmax only last). */
        public Builder dense(int width, Activation activation) {
            layers.add(new Layer.Dense(width));
            layers.add(new Layer.Act(activation));
            return this;
        }

        /** Any layer, in order: {@code builder(784).layer(new Layer.Dense(10)).layer(new Layer.Act(SOFTMAX))}. */
        public Builder layer(Layer layer) {
            layers.add(layer);
            return this;
        }

        /** Inverted dropout with probability p on what the layers so far output. */
        public Builder dropout(double p) {
            return layer(new Layer.Dropout(p));
        }

        public Builder cost(Cost c) {
            this.cost = c;
            return this;
        }

        /** @throws IllegalArgumentException saying what is wrong (no layer, bad width, softmax inside, cost mismatch) */
        public Network build() {
            return new Network(inputs, layers, cost);
        }
    }

    /** Parses "784-16-16-10" into widths; throws with a message saying what is wrong. */
    public static int[] parseArch(String arch) {
        String[] parts = arch.trim().split("-", -1);
        if (parts.length < 2) {
            throw new IllegalArgumentException("--arch '" + arch + "' needs at least two widths, e.g. 784-16-16-10");
        }
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--arch '" + arch + "': '" + parts[i]
                        + "' is not a layer width (expected positive integers joined by '-', e.g. 784-16-16-10)");
            }
            if (sizes[i] < 1 || sizes[i] > MAX_WIDTH) {
                throw new IllegalArgumentException("--arch '" + arch + "': width " + sizes[i] + " is out of range 1.." + MAX_WIDTH);
            }
        }
        return sizes;
    }

    /** The layers in order, as nn.Sequential's modules. */
    public List<Layer> layers() {
        return layers;
    }

    /** The layer list as a {@code --layers} spec. */
    public String spec() {
        return LayerSpec.format(layers);
    }

    /** Number of dense layers (widths minus one): the dense view's l runs over 0..denseLayers()-1. */
    public int denseLayers() {
        return sizes.length - 1;
    }

    /** Index in {@link #layers()} of dense layer l: the k of its tensors' names {@code layers.{k}.weight}. */
    public int denseIndex(int l) {
        return denseIndex[l];
    }

    /** The probability of the dropout layer on the input of dense layer l, 0 when there is none. */
    public double dropoutBefore(int l) {
        return dropoutBefore[l];
    }

    /** Index in {@link #layers()} of the dropout layer on the input of dense layer l, -1 when there is none (its mask's layer number). */
    public int dropoutIndex(int l) {
        return dropoutIndex[l];
    }

    /** Whether any layer is a dropout layer (the training step then differs from evaluation). */
    public boolean hasDropout() {
        for (double p : dropoutBefore) {
            if (p > 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code --arch} with one activation per dense layer says this network: dense and activation layers only, alternating. */
    public boolean isDenseChain() {
        return layers.equals(denseChain(sizes, activations));
    }

    /** Width of layer i, where 0 is the input. */
    public int size(int i) {
        return sizes[i];
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    public int[] sizes() {
        return sizes.clone();
    }

    /** Activation of dense layer l (0-based). */
    public Activation activation(int l) {
        return activations[l];
    }

    public Activation outputActivation() {
        return activations[activations.length - 1];
    }

    public Cost cost() {
        return cost;
    }

    /** "784-16-16-10". */
    public String archString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            sb.append(i == 0 ? "" : "-").append(sizes[i]);
        }
        return sb.toString();
    }

    /** Total number of weights and biases. */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < denseLayers(); l++) {
            n += (long) sizes[l + 1] * sizes[l] + sizes[l + 1];
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && sizes[0] == n.sizes[0] && layers.equals(n.layers) && cost == n.cost;
    }

    @Override
    public int hashCode() {
        return (sizes[0] * 31 + layers.hashCode()) * 7 + cost.hashCode();
    }

    @Override
    public String toString() {
        if (!isDenseChain()) {
            return sizes[0] + " -> " + spec() + " " + cost.cliName();
        }
        StringBuilder sb = new StringBuilder(archString()).append(" [");
        for (int l = 0; l < denseLayers(); l++) {
            sb.append(l == 0 ? "" : ",").append(activations[l].cliName());
        }
        return sb.append("] ").append(cost.cliName()).toString();
    }
}
