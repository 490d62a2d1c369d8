package backpropcl.engine.opencl;

import backpropcl.model.Activation;

/**
 * The convolution layer's routine: its own program from common.cl and conv.cl (no -D options),
 * the direct kernels of one conv layer on plain float buffers (layouts in conv.cl): {@link #forward}
 * with the activation after it as the epilogue, {@link #backward} (the delta of the input),
 * {@link #weightGradients} and {@link #biasGradients} of the batch-mean cost. Every method binds
 * its arguments and enqueues, never waiting; each launch is 1-D, one work-item per element it
 * writes, with the 1-D work-group the device and the kernel allow ({@link ClKernel#linearWorkGroup}).
 */
final class ConvLayer implements AutoCloseable {
    static final String[] FILES = {"common.cl", "conv.cl"};

    private final ClProgram program;
    private final ClKernel forward;
    private final ClKernel backward;
    private final ClKernel weightGradients;
    private final ClKernel biasGradients;

    /** The context's conv routine. */
    static ConvLayer of(ClKernels kernels) {
        return kernels.routine(ConvLayer.class, ConvLayer::new);
    }

    ConvLayer(ClContext ctx) {
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("conv_forward", "conv_backward", "conv_weight_gradients", "conv_bias_gradients");
        forward = k[0];
        backward = k[1];
        weightGradients = k[2];
        biasGradients = k[3];
    }

    /** z, a (rows, F, OH, OW) = conv(x (rows, C, H, W), W (F, C, K, K)) + b (F), a = f(z) for an element-wise {@code act}. */
    void forward(ClBuffer z, ClBuffer a, ClBuffer x, ClBuffer w, ClBuffer b, int rows, ConvGeometry g, Activation act) {
        g.bind(forward.arg(z).arg(a).arg(x).arg(w).arg(b), rows).arg(elementwise(act).kernelCode());
        forward.launchLinear((long) rows * g.outputs());
    }

    /**
     * deltaPrev (rows, C, H, W) = the delta of the input from delta (rows, F, OH, OW), times
     * f'(zPrev) of {@code prevAct}, the activation that produced the input.
     */
    void backward(ClBuffer deltaPrev, ClBuffer delta, ClBuffer w, ClBuffer zPrev, ClBuffer aPrev, int rows, ConvGeometry g,
                  Activation prevAct) {
        g.bind(backward.arg(deltaPrev).arg(delta).arg(w).arg(zPrev).arg(aPrev), rows).arg(elementwise(prevAct).kernelCode());
        backward.launchLinear((long) rows * g.inputs());
    }

    /** gradW (F, C, K, K) = 1/rows sum over the rows and output positions of delta times the input it multiplied. */
    void weightGradients(ClBuffer gradW, ClBuffer delta, ClBuffer x, int rows, ConvGeometry g) {
        g.bind(weightGradients.arg(gradW).arg(delta).arg(x), rows);
        weightGradients.launchLinear(g.weights());
    }

    /** gradB (F) = 1/rows sum over the rows and output positions of delta. */
    void biasGradients(ClBuffer gradB, ClBuffer delta, int rows, ConvGeometry g) {
        biasGradients.arg(gradB).arg(delta).arg(rows).arg(g.filters()).arg(g.outHeight() * g.outWidth());
        biasGradients.launchLinear(g.filters());
    }

    /** {@code act}, refused unless element-wise: softmax works on whole rows, not as an epilogue. */
    static Activation elementwise(Activation act) {
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("a convolution, pooling or batch-norm kernel applies element-wise activations only, not "
                    + act.cliName());
        }
        return act;
    }

    @Override
    public void close() {
        program.close();
    }
}
