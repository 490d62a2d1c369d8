package backpropcl.engine.opencl;

/**
 * The routines of one context, each with its own program built from its own kernels/*.cl files
 * and options (CLBlast's routine/kernel split): {@link Gather}, {@link DenseLayer} (the matrix
 * products, their tile and register-block variants, plain SGD), {@link OutputLayer} (output
 * error, evaluation metrics, the fused tail), {@link DropoutLayer} and {@link OptimizerUpdate}.
 * The engine and the kernel tests both launch through them; a routine's methods bind their
 * arguments and enqueue, never waiting. Owns the routines and the one-int placeholder buffer they
 * bind where an order or an optimizer state is absent.
 */
final class ClKernels implements AutoCloseable {
    private final ClBuffer placeholder;
    private final Gather gather;
    private final DenseLayer dense;
    private final OutputLayer output;
    private final DropoutLayer dropout;
    private final OptimizerUpdate update;

    /** Builds the routines for the context with the largest tile that fits. */
    ClKernels(ClContext ctx) {
        this(ctx, LaunchSizes.TILES[0]);
    }

    /** Builds the routines with a tile edge of at most {@code maxTile} (tests force small tiles with it). */
    ClKernels(ClContext ctx, int maxTile) {
        this(ctx, maxTile, BlockedShape.forDevice(ctx.preferredFloatWidth()));
    }

    /** ... and the given register blocks (tests run the four-lane kernels on eight-lane devices with it). */
    ClKernels(ClContext ctx, int maxTile, BlockedShape blockedShape) {
        ClBuffer none = null;
        Gather g = null;
        DenseLayer d = null;
        OutputLayer o = null;
        DropoutLayer p = null;
        try {
            none = ctx.buffer(Integer.BYTES, "no-order placeholder");
            none.write(new int[] {0});
            g = new Gather(ctx, none);
            d = new DenseLayer(ctx, maxTile, blockedShape);
            o = new OutputLayer(ctx, none);
            p = new DropoutLayer(ctx);
            this.update = new OptimizerUpdate(ctx, none);
        } catch (RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {p, o, d, g, none}) {
                closeQuietly(c, e);
            }
            throw e;
        }
        this.placeholder = none;
        this.gather = g;
        this.dense = d;
        this.output = o;
        this.dropout = p;
    }

    private static void closeQuietly(AutoCloseable c, RuntimeException cause) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }

    Gather gather() {
        return gather;
    }

    DenseLayer dense() {
        return dense;
    }

    OutputLayer output() {
        return output;
    }

    DropoutLayer dropout() {
        return dropout;
    }

    OptimizerUpdate update() {
        return update;
    }

    @Override
    public void close() {
        update.close();
        dropout.close();
        output.close();
        dense.close();
        gather.close();
        placeholder.close();
    }
}
