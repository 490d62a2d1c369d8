package backpropcl.engine.opencl;

import backpropcl.model.Activation;

/**
 * The max-pooling layer's routine: its own program from common.cl and maxpool.cl (no -D options),
 * on plain buffers (layouts in maxpool.cl): {@link #forward} writes the maxima and the index of
 * each window's first maximum (an int buffer of the output's size), {@link #backward} gathers the
 * delta of each input element from the outputs whose first maximum it is, deterministically and
 * without atomics. Each launch is 1-D, one work-item per element written; methods never wait.
 */
final class MaxPoolLayer implements AutoCloseable {
    static final String[] FILES = {"common.cl", "maxpool.cl"};

    private final ClProgram program;
    private final ClKernel forward;
    private final ClKernel backward;

    /** The context's max-pooling routine. */
    static MaxPoolLayer of(ClKernels kernels) {
        return kernels.routine(MaxPoolLayer.class, MaxPoolLayer::new);
    }

    MaxPoolLayer(ClContext ctx) {
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("maxpool_forward", "maxpool_backward");
        forward = k[0];
        backward = k[1];
    }

    /** out (rows, C, OH, OW) = the windows' maxima of in (rows, C, H, W); argmax (ints, same size) = y W + x of the first. */
    void forward(ClBuffer out, ClBuffer argmax, ClBuffer in, int rows, PoolGeometry g) {
        g.bind(forward.arg(out).arg(argmax).arg(in), rows);
        forward.launchLinear((long) rows * g.outputs());
    }

    /**
     * deltaPrev (rows, C, H, W) = the sum of delta (rows, C, OH, OW) over the outputs whose argmax
     * is the element, times f'(zPrev) of {@code prevAct}, the activation that produced the input.
     */
    void backward(ClBuffer deltaPrev, ClBuffer delta, ClBuffer argmax, ClBuffer zPrev, ClBuffer aPrev, int rows, PoolGeometry g,
                  Activation prevAct) {
        g.bind(backward.arg(deltaPrev).arg(delta).arg(argmax).arg(zPrev).arg(aPrev), rows)
                .arg(ConvLayer.elementwise(prevAct).kernelCode());
        backward.launchLinear((long) rows * g.inputs());
    }

    @Override
    public void close() {
        program.close();
    }
}
