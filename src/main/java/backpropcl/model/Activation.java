package backpropcl.model;

import java.util.Locale;

/**
 * The activation function of one dense layer. Every function but softmax works element by element;
 * softmax works on a whole row (one sample) at a time.
 *
 * <p>Values are double: the reference engine is written against these, and the fast engines
 * re-implement the same formulas in float (kernels/ and engine.cpu).
 */
public enum Activation {
    SIGMOID("sigmoid", 0),
    TANH("tanh", 1),
    RELU("relu", 2),
    LEAKY_RELU("leaky-relu", 3),
    SOFTMAX("softmax", 5),
    IDENTITY("identity", 4);

    /** The slope of leaky ReLU for negative inputs, as in PyTorch's default. */
    public static final double LEAKY_SLOPE = 0.01;

    private final String cliName;
    private final int kernelCode;

    Activation(String cliName, int kernelCode) {
        this.cliName = cliName;
        this.kernelCode = kernelCode;
    }

    /**
     * The number the OpenCL kernels know this function by ({@code -D ACT_<NAME>=<code>}, generated
     * by engine.opencl.KernelCodes). Fixed here, not the ordinal, so that reordering the constants
     * changes no kernel argument.
     */
    public int kernelCode() {
        return kernelCode;
    }

    /** The name used on the command line and in model files. */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name such as {@code leaky-relu}; throws with the accepted names. */
    public static Activation parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Activation a : values()) {
            if (a.cliName.equals(wanted)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name
                + "' (expected sigmoid, tanh, relu, leaky-relu, softmax or identity)");
    }

    /** True where the function is applied to each element alone (all but softmax). */
    public boolean isElementwise() {
        return this != SOFTMAX;
    }

    /**
     * a = f(z) for a (rows, cols) row-major block; softmax is taken per row and is shifted by the
     * row maximum so that it never overflows.
     */
    public void apply(double[] z, double[] a, int rows, int cols) {
        if (this == SOFTMAX) {
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, z[o + j]);
                }
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    a[o + j] = Math.exp(z[o + j] - max);
                    sum += a[o + j];
                }
                for (int j = 0; j < cols; j++) {
                    a[o + j] /= sum;
                }
            }
            return;
        }
        for (int i = 0; i < rows * cols; i++) {
            a[i] = value(z[i]);
        }
    }

    /** f(z) for an element-wise function. */
    public double value(double z) {
        switch (this) {
            case SIGMOID:
                return 1.0 / (1.0 + Math.exp(-z));
            case TANH:
                return Math.tanh(z);
            case RELU:
                return z > 0 ? z : 0.0;
            case LEAKY_RELU:
                return z > 0 ? z : LEAKY_SLOPE * z;
            case IDENTITY:
                return z;
            default:
                throw new IllegalStateException(this + " is not element-wise");
        }
    }

    /** f'(z) for an element-wise function, given z and a = f(z). ReLU'(0) is taken as 0, as in PyTorch. */
    public double derivative(double z, double a) {
        switch (this) {
            case SIGMOID:
                return a * (1.0 - a);
            case TANH:
                return 1.0 - a * a;
            case RELU:
                return z > 0 ? 1.0 : 0.0;
            case LEAKY_RELU:
                return z > 0 ? 1.0 : LEAKY_SLOPE;
            case IDENTITY:
                return 1.0;
            default:
                throw new IllegalStateException(this + " is not element-wise");
        }
    }

    /**
     * delta = dC/dz from dC/da (the chain rule through this function), for a (rows, cols) block.
     * Element-wise: delta = dC/da * f'(z). Softmax: delta_j = a_j * (g_j - sum_k g_k a_k), the
     * product with its Jacobian, so softmax works with any cost.
     */
    public void backward(double[] z, double[] a, double[] gradA, double[] delta, int rows, int cols) {
        if (this == SOFTMAX) {
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += gradA[o + j] * a[o + j];
                }
                for (int j = 0; j < cols; j++) {
                    delta[o + j] = a[o + j] * (gradA[o + j] - dot);
                }
            }
            return;
        }
        for (int i = 0; i < rows * cols; i++) {
            delta[i] = gradA[i] * derivative(z[i], a[i]);
        }
    }
}
