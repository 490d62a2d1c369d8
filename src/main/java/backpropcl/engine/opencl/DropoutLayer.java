package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

/**
 * The dropout layer's routine: its own program from philox.cl and dropout.cl (no -D options):
 * {@link #forward} and {@link #backward} of one dropout layer on one step, with the mask that
 * {@link DropoutDraw} names drawn on the device (model.DropoutMask's rule), never stored.
 */
final class DropoutLayer implements AutoCloseable {
    static final String[] FILES = {"philox.cl", "dropout.cl"};

    private final ClProgram program;
    private final ClKernel forward;
    private final ClKernel backward;
    private final int wgForward;
    private final int wgBackward;

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
}
