package backpropcl.model;

import java.util.Arrays;

/**
 * The shape of a multi-layer perceptron: layer widths (input first), the activation of each dense
 * layer and the cost. Immutable; the parameters live in {@link Parameters}.
 */
public final class Network {
    /** Widths above this are refused: 10^6 x 10^6 weights would not fit anywhere. */
    public static final int MAX_WIDTH = 1 << 20;

    private final int[] sizes;
    private final Activation[] activations;
    private final Cost cost;

    public Network(int[] sizes, Activation[] activations, Cost cost) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs at least an input and an output layer");
        }
        if (activations.length != sizes.length - 1) {
            throw new IllegalArgumentException("need one activation per dense layer: " + (sizes.length - 1)
                    + ", got " + activations.length);
        }
        for (int s : sizes) {
            if (s < 1 || s > MAX_WIDTH) {
                throw new IllegalArgumentException("layer width " + s + " is out of range 1.." + MAX_WIDTH);
            }
        }
        for (int l = 0; l < activations.length - 1; l++) {
            if (activations[l] == Activation.SOFTMAX) {
                throw new IllegalArgumentException("softmax is only allowed on the output layer");
            }
        }
        Activation output = activations[activations.length - 1];
        if (!cost.supports(output)) {
            throw new IllegalArgumentException("cross-entropy cost needs a sigmoid or softmax output, not " + output.cliName());
        }
        this.sizes = sizes.clone();
        this.activations = activations.clone();
        this.cost = cost;
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
        private final java.util.List<Integer> sizes = new java.util.ArrayList<>();
        private final java.util.List<Activation> activations = new java.util.ArrayList<>();
        private Cost cost = Cost.QUADRATIC;

        private Builder(int inputs) {
            sizes.add(inputs);
        }

        /** A dense layer of {@code width} neurons with the given activation (softmax only last). */
        public Builder dense(int width, Activation activation) {
            sizes.add(width);
            activations.add(activation);
            return this;
        }

        public Builder cost(Cost c) {
            this.cost = c;
            return this;
        }

        /** @throws IllegalArgumentException saying what is wrong (no layer, bad width, softmax inside, cost mismatch) */
        public Network build() {
            return new Network(sizes.stream().mapToInt(Integer::intValue).toArray(), activations.toArray(new Activation[0]), cost);
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

    /** Number of dense layers (widths minus one). */
    public int layers() {
        return sizes.length - 1;
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
        for (int l = 0; l < layers(); l++) {
            n += (long) sizes[l + 1] * sizes[l] + sizes[l + 1];
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && Arrays.equals(sizes, n.sizes)
                && Arrays.equals(activations, n.activations) && cost == n.cost;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes) * 31 + Arrays.hashCode(activations) * 7 + cost.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(archString()).append(" [");
        for (int l = 0; l < layers(); l++) {
            sb.append(l == 0 ? "" : ",").append(activations[l].cliName());
        }
        return sb.append("] ").append(cost.cliName()).toString();
    }
}
