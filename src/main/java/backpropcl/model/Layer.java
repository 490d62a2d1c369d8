package backpropcl.model;

import java.util.Locale;

/**
 * One layer of a network, as one module of PyTorch's {@code nn.Sequential}: the list of layers
 * maps one to one onto the modules, and a layer's index in the list is its index k in the tensor
 * names {@code layers.{k}.weight}. A layer is only its spec; the engines hold one class per kind
 * that computes it ({@code forward}, {@code backward}), and {@link Network} checks that the list
 * makes a network.
 *
 * <p>Adding a kind: a record here, its token in {@link LayerSpec}, one class per engine, one .cl
 * file and its kernel test (docs/design.md).
 */
public sealed interface Layer {

    /** The layer's token in a {@code --layers} spec, e.g. {@code dense:16} or {@code dropout:0.5}. */
    String spec();

    /** The PyTorch module this layer is, as written in Python, e.g. {@code nn.Linear(784, 16)}; {@code inputs} is its input width. */
    String torchModule(int inputs);

    /** A fully connected layer of {@code width} units: z = x W^T + b, W of shape (width, in). Its activation is the layer after it. */
    record Dense(int width) implements Layer {
        public Dense {
            if (width < 1 || width > Network.MAX_WIDTH) {
                throw new IllegalArgumentException("dense width " + width + " is out of range 1.." + Network.MAX_WIDTH);
            }
        }

        @Override
        public String spec() {
            return "dense:" + width;
        }

        @Override
        public String torchModule(int inputs) {
            return "nn.Linear(" + inputs + ", " + width + ")";
        }
    }

    /** An activation function as a layer of its own (PyTorch's nn.Sigmoid, nn.ReLU, ...). */
    record Act(Activation activation) implements Layer {
        @Override
        public String spec() {
            return activation.cliName();
        }

        @Override
        public String torchModule(int inputs) {
            return switch (activation) {
                case SIGMOID -> "nn.Sigmoid()";
                case TANH -> "nn.Tanh()";
                case RELU -> "nn.ReLU()";
                case LEAKY_RELU -> "nn.LeakyReLU(" + Activation.LEAKY_SLOPE + ")";
                case SOFTMAX -> "nn.Softmax(dim=1)";
                case IDENTITY -> "nn.Identity()";
            };
        }
    }

    /** Reshapes its input to one row per sample; on the flat rows of a dense network it changes nothing. */
    record Flatten() implements Layer {
        @Override
        public String spec() {
            return "flatten";
        }

        @Override
        public String torchModule(int inputs) {
            return "nn.Flatten()";
        }
    }

    /**
     * Inverted dropout, as PyTorch's {@code nn.Dropout(p)}: in training each element is zeroed
     * with probability p and the others are scaled by 1/(1-p); in evaluation it is the identity.
     * The mask is a function of the seed, the step, the layer and the element ({@link DropoutMask}).
     */
    record Dropout(double p) implements Layer {
        public Dropout {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("dropout probability " + p + " is out of range: need 0 <= p < 1");
            }
        }

        @Override
        public String spec() {
            return "dropout:" + LayerSpec.number(p);
        }

        @Override
        public String torchModule(int inputs) {
            return "nn.Dropout(" + LayerSpec.number(p) + ")";
        }
    }

    /** The layer's kind as written in a spec: dense, dropout, flatten, or the activation's name. */
    default String kind() {
        String s = spec();
        int colon = s.indexOf(':');
        return (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    }
}
