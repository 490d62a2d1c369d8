package backpropcl.cli;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Shape;
import picocli.CommandLine.Option;

/** The options that describe a network and its initialisation. Unset values stay null so that a model file can supply them. */
public final class NetworkOptions {
    static final String DEFAULT_ARCH = "784-16-16-10";

    @Option(names = "--arch", paramLabel = "SIZES",
            description = "Layer widths from input to output joined by '-' (default for train: the data's width, 16, 16, "
                    + "its classes: " + DEFAULT_ARCH + " on MNIST, the lesson network; 2-16-16-2 on points): the dense "
                    + "shorthand of --layers, with --activation and --output.")
    String arch;

    /** The architecture used when --arch is not given; train sets it from the data. */
    String defaultArch = DEFAULT_ARCH;

    @Option(names = "--layers", paramLabel = "SPEC",
            description = "The network as a list of layers in order, comma-separated, as PyTorch's nn.Sequential holds "
                    + "modules (the model file's tensors are named as that nn.Sequential's: layers.K.weight for "
                    + "module K, from 0): dense:N (a Linear layer of N outputs), conv:FxKxK[:sS][:pP] (a Conv2d of F square "
                    + "KxK filters, stride S default 1, zero padding P default 0), maxpool:K[:sS] (a MaxPool2d, stride "
                    + "default K), batchnorm (BatchNorm2d after conv layers, BatchNorm1d after dense ones), the activations "
                    + "sigmoid, tanh, relu, leaky-relu, softmax (output only) and identity, dropout:P (zeroes each value with "
                    + "probability P in training, scales the rest by 1/(1-P); identity in evaluate and predict) and flatten "
                    + "(written out between the last conv or maxpool layer and the first dense one). The input shape "
                    + "comes from the data (1x28x28 for MNIST images, N values for a CSV file). E.g. "
                    + "dense:128,relu,dropout:0.5,dense:10,softmax with --cost cross-entropy, or LeNet-5: "
                    + "conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,"
                    + "dense:10,softmax (conv layers run on every engine). "
                    + "--arch 784-16-10 with its activations is the dense shorthand of dense:16,sigmoid,dense:10,sigmoid; "
                    + "--layers replaces --arch, --activation and --output (--cost still applies).")
    String layers;

    /** The input shape a --layers network takes; set from the data (or the model it is checked against) before {@link #network}. */
    Shape inputShape;

    @Option(names = "--activation", paramLabel = "NAME",
            description = "Activation of the hidden layers: sigmoid, tanh, relu, leaky-relu (default: sigmoid).")
    String activation;

    @Option(names = "--output", paramLabel = "NAME",
            description = "Activation of the output layer: sigmoid, softmax, identity (default: sigmoid; softmax for --cost cross-entropy).")
    String output;

    @Option(names = "--cost", paramLabel = "NAME",
            description = "Cost: quadratic = 1/(2B) sum ||a - y||^2, or cross-entropy (default: quadratic).")
    String cost;

    @Option(names = "--init", paramLabel = "NAME",
            description = "Initial weights: normal = N(0,1) weights and biases (the lesson setting), xavier, he (default: normal).")
    String init;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the initial weights, of the shuffling and of a CSV file's stratified test split "
                    + "(default: ${DEFAULT-VALUE}).")
    long seed;

    /** True when any option that shapes the network was given. */
    boolean anyNetworkOptionSet() {
        return arch != null || activation != null || output != null || cost != null || layers != null;
    }

    /** The network these options describe, defaults filled in. */
    Network network() {
        try {
            Cost c = cost == null ? Cost.QUADRATIC : Cost.parse(cost);
            if (layers != null) {
                return layersNetwork(c);
            }
            Activation hidden = activation == null ? Activation.SIGMOID : Activation.parse(activation);
            Activation out = output != null ? Activation.parse(output)
                    : c == Cost.CROSS_ENTROPY ? Activation.SOFTMAX : Activation.SIGMOID;
            if (hidden == Activation.SOFTMAX) {
                throw new UserError("--activation softmax is only allowed for the output layer (use --output softmax)");
            }
            return Network.of(arch == null ? defaultArch : arch, hidden, out, c);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    /** The network of --layers, refused beside the options it replaces. */
    private Network layersNetwork(Cost c) {
        String[][] replaced = {{"--arch", arch}, {"--activation", activation}, {"--output", output}};
        for (String[] option : replaced) {
            if (option[1] != null) {
                throw new UserError("--layers and " + option[0] + " cannot be given together: --layers lists every layer "
                        + "(dense:N per width, each activation after its dense layer); drop " + option[0]);
            }
        }
        if (inputShape == null) {
            throw new IllegalStateException("the input shape of --layers is not set");
        }
        return Network.parse(inputShape, layers, c);
    }

    Init initScheme() {
        try {
            return init == null ? Init.NORMAL : Init.parse(init);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }
}
