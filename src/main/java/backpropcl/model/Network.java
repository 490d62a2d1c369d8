package backpropcl.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A network: its input shape, a list of {@link Layer}s as PyTorch's {@code nn.Sequential} holds
 * modules, and a cost. Immutable; the parameters live in {@link Parameters}.
 *
 * <p>The input shape is the data's (1x28x28 for MNIST images) when a conv or maxpool layer reads
 * it, and flat otherwise (784): a network of dense layers sees rows whatever the data's shape, so
 * it is the same network (equal, same files, same numbers) on images and on tables.
 *
 * <p>Besides the list, a network has a dense view that the engines and files read: dense layer l
 * (0-based, counting dense layers only) maps {@code size(l)} inputs to {@code size(l + 1)}
 * outputs, its activation is the layer right after it ({@code identity} when there is none or a
 * batchnorm follows), and {@code dropoutBefore(l)} is the probability of a dropout layer on its
 * input. The list must read as: conv, maxpool and batchnorm layers on an image input, each
 * optionally followed by an activation, then {@code flatten} (written out), then per dense layer
 * an optional dropout on its input, the dense layer, an optional batchnorm and an optional
 * activation; the output layer is dense with its optional activation; softmax only last.
 * Anything else is refused with what to write instead.
 */
public final class Network {
    /** Widths above this are refused: 10^6 x 10^6 weights would not fit anywhere. */
    public static final int MAX_WIDTH = 1 << 20;

    private final Shape input;
    private final List<Layer> layers;
    private final Shape[] shapes;
    private final boolean[] imageInput;
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

    /** A network of the given layers after an input of {@code inputs} values per sample (a flat input). */
    public Network(int inputs, List<Layer> layers, Cost cost) {
        this(flatInput(inputs), layers, cost);
    }

    /**
     * A network of the given layers on samples of the data's shape {@code data}; its input shape is
     * {@code data} when a conv or maxpool layer reads it, else {@code data} flattened.
     */
    public Network(Shape data, List<Layer> layers, Cost cost) {
        this.layers = List.copyOf(layers);
        this.cost = cost;
        boolean spatial = this.layers.stream().anyMatch(l -> l instanceof Layer.Conv || l instanceof Layer.MaxPool);
        this.input = spatial ? data : flatInput(data.size());
        int n = this.layers.size();
        this.shapes = new Shape[n];
        this.imageInput = new boolean[n];
        List<Integer> widths = new ArrayList<>();
        List<Activation> acts = new ArrayList<>();
        List<Double> drops = new ArrayList<>();
        List<Integer> dropAt = new ArrayList<>();
        List<Integer> denseAt = new ArrayList<>();
        double pendingDrop = 0;
        int pendingDropAt = -1;
        boolean softmax = false;
        Shape shape = input;
        boolean image = !input.isFlat();
        // The layer that made the rows flat (a flatten or a dense one), -1 while they are the data's.
        int flattenedAt = -1;
        Layer previous = null;
        for (int k = 0; k < n; k++) {
            Layer layer = this.layers.get(k);
            String at = "layer " + (k + 1) + " '" + layer.spec() + "'";
            if (softmax) {
                throw new IllegalArgumentException(layer instanceof Layer.Dropout
                        ? at + ": dropout after softmax; softmax is only allowed on the output layer"
                        : "softmax is only allowed on the output layer");
            }
            if (pendingDropAt >= 0 && !(layer instanceof Layer.Dense || layer instanceof Layer.Flatten
                    || layer instanceof Layer.Dropout || layer instanceof Layer.Act)) {
                throw new IllegalArgumentException(at + ": dropout goes on the input of a dense layer (dropout:P,dense:N, or "
                        + "dropout:P,flatten,dense:N after conv layers)");
            }
            imageInput[k] = image;
            if (layer instanceof Layer.Flatten) {
                if (!denseAt.isEmpty()) {
                    throw new IllegalArgumentException(at + ": flatten belongs first, before the first dense layer "
                            + "(a dense network's rows are flat already)");
                }
                if (previous instanceof Layer.Flatten) {
                    throw new IllegalArgumentException(at + ": two flatten layers in a row; one is enough");
                }
                image = false;
                flattenedAt = k;
            } else if (layer instanceof Layer.Dropout d) {
                if (previous instanceof Layer.Dropout) {
                    throw new IllegalArgumentException(at + ": two dropout layers in a row; use one with the combined probability");
                }
                pendingDrop = d.p();
                pendingDropAt = k;
            } else if (layer instanceof Layer.Act a) {
                if (!(previous instanceof Layer.Dense || previous instanceof Layer.Conv || previous instanceof Layer.MaxPool
                        || previous instanceof Layer.BatchNorm)) {
                    throw new IllegalArgumentException(at + ": an activation goes right after a dense, conv, maxpool or batchnorm layer"
                            + (previous instanceof Layer.Dropout ? " (write dense:N," + a.spec() + ",dropout:P: "
                            + "dropout after the activation)" : previous instanceof Layer.Act ? " (two activations in a row)" : ""));
                }
                if (previous instanceof Layer.Dense) {
                    acts.set(acts.size() - 1, a.activation());
                }
                softmax = a.activation() == Activation.SOFTMAX;
            } else if (layer instanceof Layer.Dense dense) {
                if (image) {
                    throw new IllegalArgumentException(at + ": write flatten before the first dense layer after conv and maxpool "
                            + "layers (..." + (previous == null ? "" : previous.spec() + ",") + "flatten," + dense.spec() + ")");
                }
                if (widths.isEmpty()) {
                    widths.add(shape.size());
                }
                widths.add(dense.width());
                acts.add(Activation.IDENTITY);
                drops.add(pendingDrop);
                dropAt.add(pendingDropAt);
                denseAt.add(k);
                pendingDrop = 0;
                pendingDropAt = -1;
                flattenedAt = k;
            } else if (layer instanceof Layer.Conv || layer instanceof Layer.MaxPool) {
                if (!image) {
                    throw new IllegalArgumentException(at + ": " + layer.kind() + " needs images (CxHxW); " + (flattenedAt < 0
                            ? "the data gives rows of " + input.size() + " values"
                            : "after layer " + (flattenedAt + 1) + " '" + this.layers.get(flattenedAt).spec() + "' the rows are flat ("
                            + shape.size() + " values)"));
                }
            } else if (layer instanceof Layer.BatchNorm) {
                if (!(previous instanceof Layer.Dense || previous instanceof Layer.Conv || previous instanceof Layer.MaxPool
                        || previous instanceof Layer.Act)) {
                    throw new IllegalArgumentException(at + ": batchnorm goes right after a dense, conv, maxpool or activation layer");
                }
            }
            try {
                shape = layer.outputShape(shape);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(at + ": " + (m.startsWith(layer.spec() + ": ") ? m.substring(layer.spec().length() + 2) : m));
            }
            shapes[k] = shape;
            previous = layer;
        }
        if (denseAt.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one dense layer");
        }
        if (previous instanceof Layer.Dropout) {
            throw new IllegalArgumentException("dropout cannot be the last layer: the cost reads the output layer's activation");
        }
        if (previous instanceof Layer.BatchNorm) {
            throw new IllegalArgumentException("batchnorm cannot be the last layer: the output layer is dense with its optional activation");
        }
        if (!(previous instanceof Layer.Dense || previous instanceof Layer.Act && this.layers.get(n - 2) instanceof Layer.Dense)) {
            throw new IllegalArgumentException("layer " + n + " '" + previous.spec() + "': the output layer is dense with its optional "
                    + "activation (the list ends with ...," + this.layers.get(n - 2).spec() + "," + previous.spec() + ")");
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

    private static Shape flatInput(int inputs) {
        if (inputs < 1 || inputs > MAX_WIDTH) {
            throw new IllegalArgumentException("input width " + inputs + " is out of range 1.." + MAX_WIDTH);
        }
        return Shape.flat(inputs);
    }

    /** A network of a {@code --layers} spec on data of the given shape, e.g. {@code parse(Shape.parse("1x28x28"), "conv:6x5x5,relu,flatten,dense:10,softmax", CROSS_ENTROPY)}. */
    public static Network parse(Shape data, String spec, Cost cost) {
        return new Network(data, LayerSpec.parse(spec), cost);
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
        return new Builder(flatInput(inputs));
    }

    /** A builder on samples of the given shape: {@code builder(new Shape(1, 28, 28)).layer(new Layer.Conv(6, 5, 1, 2))...}. */
    public static Builder builder(Shape data) {
        return new Builder(data);
    }

    /** Dense layers one by one, then the cost (quadratic when not given); {@link #build} checks the whole. */
    public static final class Builder {
        private final Shape data;
        private final List<Layer> layers = new ArrayList<>();
        private Cost cost = Cost.QUADRATIC;

        private Builder(Shape data) {
            this.data = data;
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
            return new Network(data, layers, cost);
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

    /** Width of dense layer i's output, where 0 is the input of the first dense layer (the flattened conv output, if any). */
    public int size(int i) {
        return sizes[i];
    }

    /** Values per sample of the input: the data's width. */
    public int inputSize() {
        return input.size();
    }

    /** The input shape: the data's for a network with conv or maxpool layers, flat otherwise. */
    public Shape inputShape() {
        return input;
    }

    /** The output shape of layer k (per sample). */
    public Shape shape(int k) {
        return shapes[k];
    }

    /** The input shape of layer k: the output shape of layer k - 1, or the network's input shape. */
    public Shape inputShape(int k) {
        return k == 0 ? input : shapes[k - 1];
    }

    /**
     * The index of the first batchnorm layer that normalises each value over the rows of a batch
     * alone (one value per row and channel: on flat rows or a 1x1 image), -1 when there is none.
     * Such a layer needs batches of 2 rows or more in training: one row has no variance.
     */
    public int rowBatchNorm() {
        for (int k = 0; k < layers.size(); k++) {
            Shape in = inputShape(k);
            if (layers.get(k) instanceof Layer.BatchNorm && in.height() * in.width() == 1) {
                return k;
            }
        }
        return -1;
    }

    /** Whether any layer is a conv, maxpool or batchnorm layer (layers that only the reference engine computes in this version). */
    public boolean isConvolutional() {
        return layers.stream().anyMatch(l -> l instanceof Layer.Conv || l instanceof Layer.MaxPool || l instanceof Layer.BatchNorm);
    }

    /**
     * The PyTorch module of layer k, as written in Python: {@link Layer#torchModule} on its input
     * shape, except that a batchnorm between conv layers and the flatten is {@code nn.BatchNorm2d}
     * even on a 1x1 image (which {@link Shape} writes as flat).
     */
    public String torchModule(int k) {
        Layer l = layers.get(k);
        Shape in = inputShape(k);
        if (l instanceof Layer.BatchNorm && imageInput[k]) {
            return "nn.BatchNorm2d(" + in.channels() + ")";
        }
        return l.torchModule(in);
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    public int[] sizes() {
        return sizes.clone();
    }

    /** Activation of dense layer l (0-based): the layer right after it, identity if none or a batchnorm. */
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

    /**
     * The network as messages and titles name it: its widths for a network of dense layers
     * ("784-16-16-10"), its input shape and layers for a conv network ("1x28x28 -> conv:6x5x5,...");
     * the widths alone would name only its dense part.
     */
    public String name() {
        return isConvolutional() ? input + " -> " + spec() : archString();
    }

    /**
     * A name short enough for a chart's title: the widths of a dense network, and for a conv
     * network its input shape and its parameterised layers by their sizes
     * ("1x28x28 conv6-conv16-dense120-dense84-dense10"); the whole spec does not fit a title.
     */
    public String shortName() {
        if (!isConvolutional()) {
            return archString();
        }
        StringBuilder sb = new StringBuilder(input.toString()).append(' ');
        String sep = "";
        for (Layer layer : layers) {
            if (layer instanceof Layer.Conv c) {
                sb.append(sep).append("conv").append(c.filters());
                sep = "-";
            } else if (layer instanceof Layer.Dense d) {
                sb.append(sep).append("dense").append(d.width());
                sep = "-";
            }
        }
        return sb.toString();
    }

    /** Total number of trainable values (weights, biases, batchnorm's gamma and beta; not its running statistics). */
    public long parameterCount() {
        // In long, without laying the tensors out: a network too large for one buffer still has a count (MemoryBudget refuses it).
        long n = 0;
        for (int k = 0; k < layers.size(); k++) {
            Shape in = inputShape(k);
            if (layers.get(k) instanceof Layer.Dense d) {
                n += (long) d.width() * in.size() + d.width();
            } else if (layers.get(k) instanceof Layer.Conv c) {
                n += (long) c.filters() * in.channels() * c.kernel() * c.kernel() + c.filters();
            } else if (layers.get(k) instanceof Layer.BatchNorm) {
                n += 2L * in.channels();
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && input.equals(n.input) && layers.equals(n.layers) && cost == n.cost;
    }

    @Override
    public int hashCode() {
        return (input.hashCode() * 31 + layers.hashCode()) * 7 + cost.hashCode();
    }

    @Override
    public String toString() {
        if (!isDenseChain()) {
            return input + " -> " + spec() + " " + cost.cliName();
        }
        StringBuilder sb = new StringBuilder(archString()).append(" [");
        for (int l = 0; l < denseLayers(); l++) {
            sb.append(l == 0 ? "" : ",").append(activations[l].cliName());
        }
        return sb.append("] ").append(cost.cliName()).toString();
    }
}
