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

    /** The PyTorch module this layer is, as written in Python, e.g. {@code nn.Linear(784, 16)}, on an input of that shape. */
    String torchModule(Shape input);

    /**
     * The shape of one sample after this layer, given the shape before it.
     *
     * @throws IllegalArgumentException naming the layer and the shapes when the input does not fit it
     */
    default Shape outputShape(Shape input) {
        return input;
    }

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
        public String torchModule(Shape input) {
            return "nn.Linear(" + input.size() + ", " + width + ")";
        }

        @Override
        public Shape outputShape(Shape input) {
            if (!input.isFlat()) {
                throw new IllegalArgumentException(spec() + " takes flat rows, not the " + input + " input (write flatten before it)");
            }
            return Shape.flat(width);
        }
    }

    /** An activation function as a layer of its own (PyTorch's nn.Sigmoid, nn.ReLU, ...). */
    record Act(Activation activation) implements Layer {
        @Override
        public String spec() {
            return activation.cliName();
        }

        @Override
        public String torchModule(Shape input) {
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
        public String torchModule(Shape input) {
            return "nn.Flatten()";
        }

        @Override
        public Shape outputShape(Shape input) {
            return Shape.flat(input.size());
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
        public String torchModule(Shape input) {
            return "nn.Dropout(" + LayerSpec.number(p) + ")";
        }
    }

    /**
     * A 2-D convolution of {@code filters} square kernels of {@code kernel} x {@code kernel}, with
     * bias, as PyTorch's {@code nn.Conv2d}: the input zero-padded by {@code padding} on each side,
     * the kernel moved by {@code stride}; output height (H + 2P - K) / S + 1, rounded down. Weight
     * (F, C, K, K), bias (F).
     */
    record Conv(int filters, int kernel, int stride, int padding) implements Layer {
        public Conv {
            LayerSpec.checkRange("conv filters", filters, 1, Network.MAX_WIDTH);
            LayerSpec.checkRange("conv kernel", kernel, 1, Network.MAX_WIDTH);
            LayerSpec.checkRange("conv stride", stride, 1, Network.MAX_WIDTH);
            LayerSpec.checkRange("conv padding", padding, 0, Network.MAX_WIDTH);
        }

        @Override
        public String spec() {
            return "conv:" + filters + "x" + kernel + "x" + kernel + (stride == 1 ? "" : ":s" + stride) + (padding == 0 ? "" : ":p" + padding);
        }

        @Override
        public String torchModule(Shape input) {
            return "nn.Conv2d(" + input.channels() + ", " + filters + ", kernel_size=" + kernel + ", stride=" + stride + ", padding="
                    + padding + ")";
        }

        @Override
        public Shape outputShape(Shape input) {
            if (input.height() + 2 * padding < kernel || input.width() + 2 * padding < kernel) {
                throw new IllegalArgumentException(spec() + ": a " + kernel + "x" + kernel + " kernel does not fit the " + input
                        + " input" + (padding == 0 ? "" : " padded by " + padding));
            }
            return new Shape(filters, (input.height() + 2 * padding - kernel) / stride + 1,
                    (input.width() + 2 * padding - kernel) / stride + 1);
        }
    }

    /**
     * Max pooling over {@code kernel} x {@code kernel} windows moved by {@code stride}, per channel,
     * no padding, as PyTorch's {@code nn.MaxPool2d(K, S)}: output height (H - K) / S + 1, rounded
     * down. The gradient goes to the first maximum of a window in row-major order (PyTorch's CPU
     * choice on ties).
     */
    record MaxPool(int kernel, int stride) implements Layer {
        public MaxPool {
            LayerSpec.checkRange("maxpool window", kernel, 1, Network.MAX_WIDTH);
            LayerSpec.checkRange("maxpool stride", stride, 1, Network.MAX_WIDTH);
        }

        @Override
        public String spec() {
            return "maxpool:" + kernel + (stride == kernel ? "" : ":s" + stride);
        }

        @Override
        public String torchModule(Shape input) {
            return "nn.MaxPool2d(kernel_size=" + kernel + ", stride=" + stride + ")";
        }

        @Override
        public Shape outputShape(Shape input) {
            if (input.height() < kernel || input.width() < kernel) {
                throw new IllegalArgumentException(spec() + ": a " + kernel + "x" + kernel + " window does not fit the " + input + " input");
            }
            return new Shape(input.channels(), (input.height() - kernel) / stride + 1, (input.width() - kernel) / stride + 1);
        }
    }

    /**
     * Batch normalisation with PyTorch's defaults (eps 1e-5, momentum 0.1): per channel over rows x
     * H x W on images ({@code nn.BatchNorm2d(C)}), per feature over rows on flat rows
     * ({@code nn.BatchNorm1d(N)}). Trainable weight (gamma) and bias (beta); running_mean,
     * running_var and num_batches_tracked are statistics, not trained. {@link Network#torchModule}
     * says which of the two modules a batchnorm in a network is (a conv output of 1x1 is still an image).
     */
    record BatchNorm() implements Layer {
        /** PyTorch's eps. */
        public static final double EPSILON = 1e-5;
        /** PyTorch's momentum: running = (1 - momentum) running + momentum batch. */
        public static final double MOMENTUM = 0.1;

        @Override
        public String spec() {
            return "batchnorm";
        }

        @Override
        public String torchModule(Shape input) {
            return (input.isFlat() ? "nn.BatchNorm1d(" : "nn.BatchNorm2d(") + input.channels() + ")";
        }
    }

    /** The layer's kind as written in a spec: dense, dropout, flatten, or the activation's name. */
    default String kind() {
        String s = spec();
        int colon = s.indexOf(':');
        return (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    }
}
