package backpropcl.engine.opencl;

import backpropcl.model.Activation;

/**
 * The max-pooling layer's routine: its own program from common.cl and maxpool.cl (no -D options),
 * on plain buffers (layouts in maxpool.cl): {@link #forward} writes the maxima and the index of
 * each window's first maximum (an int buffer of the output's size), {@link #backward} gathers the
 * delta of each input element from the outputs whose first maximum it is, deterministically and
 * without atomics; {@link #activation} applies an activation written after the pooling. Each
 * launch is 1-D, one work-item per element written; methods never wait. {@link Instance} is one
 * max-pooling layer of a network on this routine (the engine's {@link ClLayer}).
 */
final class MaxPoolLayer implements AutoCloseable {
    static final String[] FILES = {"common.cl", "maxpool.cl"};

    private final ClProgram program;
    private final ClKernel forward;
    private final ClKernel backward;
    private final ClKernel activation;

    /** The context's max-pooling routine. */
    static MaxPoolLayer of(ClKernels kernels) {
        return kernels.routine(MaxPoolLayer.class, MaxPoolLayer::new);
    }

    MaxPoolLayer(ClContext ctx) {
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("maxpool_forward", "maxpool_backward", "maxpool_activation");
        forward = k[0];
        backward = k[1];
        activation = k[2];
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

    /** a (n) = f(z) for an element-wise {@code act}. */
    void activation(ClBuffer a, ClBuffer z, int n, Activation act) {
        activation.arg(a).arg(z).arg(n).arg(ConvLayer.elementwise(act).kernelCode());
        activation.launchLinear(n);
    }

    @Override
    public void close() {
        program.close();
    }

    /**
     * One max-pooling layer of geometry {@code g}, with the activation written after it (identity
     * if none). Per pass: the pooled block z, a = f(z) (z itself under identity), the argmax of
     * each output and, in training where a layer below takes a gradient, delta = dC/dz.
     */
    static final class Instance implements ClLayer {
        private final ClContext ctx;
        private final MaxPoolLayer routine;
        private final int index;
        private final PoolGeometry g;
        private final Activation act;

        Instance(ClContext ctx, MaxPoolLayer routine, int index, PoolGeometry g, Activation act) {
            this.ctx = ctx;
            this.routine = routine;
            this.index = index;
            this.g = g;
            this.act = ConvLayer.elementwise(act);
        }

        /** Its pass blocks: the pooled block z, a (z under identity), argmax, delta (null where nothing is handed down). */
        private final class PassBlocks extends OwnedBlocks {
            final ClBuffer argmax;

            PassBlocks(ClLayer.Blocks below, ClBuffer[] b) {
                super(below, b, new Epilogue(act, b[0], b[1] != null ? b[1] : b[0]), b[3]);
                this.argmax = b[2];
            }
        }

        @Override
        public int outputs() {
            return g.outputs();
        }

        @Override
        public ClLayer.Blocks blocks(ClLayer.Blocks below, int capacity, boolean training, String name) {
            boolean handsDown = training && below != null && below.gradient() != null;
            // argmax holds ints, as wide as floats.
            return new PassBlocks(below, OwnedBlocks.buffers(ctx, (long) capacity * g.outputs() * Float.BYTES, name + " ",
                    "pooled[" + index + "]", act == Activation.IDENTITY ? null : "pooled a[" + index + "]", "argmax[" + index + "]",
                    handsDown ? "pooled delta[" + index + "]" : null));
        }

        @Override
        public ClBuffer forward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            routine.forward(p.epilogue.z(), p.argmax, in, rows, g);
            if (act != Activation.IDENTITY) {
                routine.activation(p.epilogue.a(), p.epilogue.z(), rows * g.outputs(), act);
            }
            return p.epilogue.a();
        }

        @Override
        public void backward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            if (p.delta != null) {
                Epilogue e = p.below.epilogue();
                routine.backward(p.below.gradient(), p.delta, p.argmax, e.z(), e.a(), rows, g, e.activation());
            }
        }
    }
}
