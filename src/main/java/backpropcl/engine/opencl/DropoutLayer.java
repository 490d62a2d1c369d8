package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

/**
 * The dropout layer's routine: its own program from philox.cl and dropout.cl (no -D options):
 * {@link #forward} and {@link #backward} of one dropout layer on one step, with the mask that
 * {@link DropoutDraw} names drawn on the device (model.DropoutMask's rule), never stored.
 * {@link Instance} is one dropout layer of a network on this routine (the engine's {@link ClLayer}).
 */
final class DropoutLayer implements AutoCloseable {
    static final String[] FILES = {"philox.cl", "dropout.cl"};

    private final ClProgram program;
    private final ClKernel forward;
    private final ClKernel backward;
    private final int wgForward;
    private final int wgBackward;

    /** The context's dropout routine. */
    static DropoutLayer of(ClKernels kernels) {
        return kernels.routine(DropoutLayer.class, DropoutLayer::new);
    }

    DropoutLayer(ClContext ctx) {
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("dropout_forward", "dropout_backward");
        forward = k[0];
        backward = k[1];
        wgForward = forward.linearWorkGroup();
        wgBackward = backward.linearWorkGroup();
    }

    /** out (n) = in with the mask's dropped elements 0 and its kept ones scaled, the n = rows * width elements of the block. */
    void forward(ClBuffer out, ClBuffer in, int n, DropoutDraw mask) {
        mask.bind(forward.arg(out).arg(in).arg(n)).launch(new long[] {roundUp(n, wgForward)}, new long[] {wgForward});
    }

    /** delta (n) in place: dC/d(input) of the dropout drawn by {@code mask} from dC/d(output). */
    void backward(ClBuffer delta, int n, DropoutDraw mask) {
        mask.bind(backward.arg(delta).arg(n)).launch(new long[] {roundUp(n, wgBackward)}, new long[] {wgBackward});
    }

    @Override
    public void close() {
        program.close();
    }

    /**
     * Dropout with probability p on a width of values per row, layer {@code index} of
     * Network.layers() (its mask's layer number). In training its output block holds the kept
     * values and its backward masks, in place, the gradient the layer after it handed down; in
     * evaluation it is the identity and has no blocks.
     */
    static final class Instance implements ClLayer {
        private final ClContext ctx;
        private final DropoutLayer routine;
        private final double p;
        private final int index;
        private final int width;

        Instance(ClContext ctx, DropoutLayer routine, double p, int index, int width) {
            this.ctx = ctx;
            this.routine = routine;
            this.p = p;
            this.index = index;
            this.width = width;
        }

        /** The output block of a training pass (null in evaluation); the gradient and epilogue are those below it. */
        private static final class PassBlocks implements ClLayer.Blocks {
            private final ClLayer.Blocks below;
            final ClBuffer dropped;

            PassBlocks(ClLayer.Blocks below, ClBuffer dropped) {
                this.below = below;
                this.dropped = dropped;
            }

            @Override
            public ClBuffer gradient() {
                return below == null ? null : below.gradient();
            }

            @Override
            public Epilogue epilogue() {
                return below == null ? null : below.epilogue();
            }

            @Override
            public void close() {
                if (dropped != null) {
                    dropped.close();
                }
            }
        }

        @Override
        public int outputs() {
            return width;
        }

        @Override
        public ClLayer.Blocks blocks(ClLayer.Blocks below, int capacity, boolean training, String name) {
            return new PassBlocks(below, training
                    ? ctx.buffer((long) capacity * width * Float.BYTES, name + " dropped[" + index + "]") : null);
        }

        @Override
        public ClBuffer forward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            if (!mode.training()) {
                return in;
            }
            ClBuffer out = ((PassBlocks) own).dropped;
            routine.forward(out, in, rows * width, mask(mode));
            return out;
        }

        @Override
        public void backward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            ClBuffer gradient = own.gradient();
            if (gradient != null) {
                routine.backward(gradient, rows * width, mask(mode));
            }
        }

        /** This layer's mask on the pass's step (model.DropoutMask). */
        private DropoutDraw mask(Mode mode) {
            return DropoutDraw.of(mode.seed(), mode.step(), index, p, Math.multiplyExact(mode.firstRow(), width));
        }
    }
}
