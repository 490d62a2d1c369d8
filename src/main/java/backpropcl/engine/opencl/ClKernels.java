package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import java.util.logging.Logger;

/**
 * The kernels of kernels/*.cl, built once for one context, with launch sizes chosen from the
 * device's limits; one typed method per kernel that binds its arguments and enqueues it (never
 * waiting). The engine and the kernel tests both launch through here.
 *
 * <p>Tile edge TS: the largest of 16, 8, 4, 2, 1 that fits the device's max work-group size, max
 * work-item sizes and local memory; after the build, a smaller one is tried when any tiled kernel
 * reports a CL_KERNEL_WORK_GROUP_SIZE below TS x TS (e.g. a GPU short of registers).
 *
 * <p>Buffers named {@code order} may be null: the rows are then taken in file order from
 * {@code start}.
 */
final class ClKernels implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClKernels.class.getName());

    private static final String[] TILED = {"dense_forward", "backward", "weight_gradients_sgd"};

    private final ClContext ctx;
    private final ClProgram program;
    private final String shapeOptions;
    private final int ts;
    private final ClBuffer noOrder;

    private final ClKernel gatherF32;
    private final ClKernel gatherU8;
    private final ClKernel denseForward;
    private final ClKernel softmaxRows;
    private final ClKernel outputError;
    private final ClKernel outputErrorSoftmaxQuadratic;
    private final ClKernel backward;
    private final ClKernel weightGradients;
    private final ClKernel biasGradients;
    private final ClKernel metrics;
    private final ClKernel forwardBlocked;
    private final ClKernel backwardBlocked;
    private final ClKernel gradientsBlocked;
    private final ClKernel trainTail;
    private final ClKernel optimizerStep;
    private final ClKernel sgdStep;
    private final ClKernel dropoutForward;
    private final ClKernel dropoutBackward;
    private final BlockedShape blocked;

    // Work-group sizes of the 1-D kernels, from the device's and each kernel's limits.
    private final int wgGatherF32;
    private final int wgGatherU8;
    private final int wgOutputError;
    private final int wgOutputErrorSq;
    private final int wgBias;
    private final int wgSoftmaxMax;
    private final int wgMetrics;
    private final int wgTail;
    private final int wgOptimizer;
    private final int wgSgd;
    private final int wgDropoutForward;
    private final int wgDropoutBackward;

    /** Builds the kernels for the context with the largest tile that fits. */
    ClKernels(ClContext ctx) {
        this(ctx, LaunchSizes.TILES[0]);
    }

    /** Builds the kernels with a tile edge of at most {@code maxTile} (tests force small tiles with it). */
    ClKernels(ClContext ctx, int maxTile) {
        this(ctx, maxTile, BlockedShape.forDevice(ctx.preferredFloatWidth()));
    }

    /** ... and the given register blocks (tests run the four-lane kernels on eight-lane devices with it). */
    ClKernels(ClContext ctx, int maxTile, BlockedShape blockedShape) {
        this.ctx = ctx;
        int tile = LaunchSizes.tile(maxTile, ctx.maxWorkGroupSize(), ctx.maxWorkItemSize(0), ctx.maxWorkItemSize(1),
                ctx.localMemBytes());
        this.blocked = blockedShape;
        ClProgram built = null;
        String shape;
        while (true) {
            shape = "-D TS=" + tile + " " + blocked.defines();
            built = ctx.program(KernelSources.all(), shape);
            long fits = Long.MAX_VALUE;
            for (String name : TILED) {
                fits = Math.min(fits, built.kernel(name).workGroupSize());
            }
            int within = LaunchSizes.tileWithin(tile, fits);
            if (within == tile) {
                break;
            }
            int t = tile;
            long f = fits;
            LOG.fine(() -> "tiled kernels allow work-groups of " + f + " items on " + ctx.deviceName() + ", not "
                    + t * t + "; trying a smaller tile");
            built.close();
            tile = within;
        }
        this.program = built;
        this.shapeOptions = shape;
        this.ts = tile;
        ClBuffer placeholder = null;
        try {
            placeholder = ctx.buffer(Integer.BYTES, "no-order placeholder");
            placeholder.write(new int[] {0});
            gatherF32 = program.kernel("gather_rows_f32");
            gatherU8 = program.kernel("gather_rows_u8");
            denseForward = program.kernel("dense_forward");
            softmaxRows = program.kernel("softmax_rows");
            outputError = program.kernel("output_error");
            outputErrorSoftmaxQuadratic = program.kernel("output_error_softmax_quadratic");
            backward = program.kernel("backward");
            weightGradients = program.kernel("weight_gradients_sgd");
            biasGradients = program.kernel("bias_gradients_sgd");
            metrics = program.kernel("metrics_reduce");
            forwardBlocked = program.kernel("dense_forward_blocked");
            backwardBlocked = program.kernel("backward_blocked");
            gradientsBlocked = program.kernel("weight_gradients_sgd_blocked");
            trainTail = program.kernel("train_tail");
            optimizerStep = program.kernel("optimizer_step");
            sgdStep = program.kernel("sgd_step");
            dropoutForward = program.kernel("dropout_forward");
            dropoutBackward = program.kernel("dropout_backward");
        } catch (RuntimeException e) {
            if (placeholder != null) {
                placeholder.close();
            }
            program.close();
            throw e;
        }
        this.noOrder = placeholder;
        long dev = ctx.maxWorkGroupSize();
        long item0 = ctx.maxWorkItemSize(0);
        wgGatherF32 = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, gatherF32.workGroupSize());
        wgGatherU8 = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, gatherU8.workGroupSize());
        wgOutputError = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, outputError.workGroupSize());
        wgOutputErrorSq = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, outputErrorSoftmaxQuadratic.workGroupSize());
        wgOptimizer = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, optimizerStep.workGroupSize());
        wgSgd = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, sgdStep.workGroupSize());
        wgDropoutForward = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, dropoutForward.workGroupSize());
        wgDropoutBackward = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, dropoutBackward.workGroupSize());
        wgBias = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, dev, item0, biasGradients.workGroupSize());
        long localFloats = Math.max(1, ctx.localMemBytes() / Float.BYTES);
        wgSoftmaxMax = LaunchSizes.powerOfTwoAtMost(LaunchSizes.REDUCTION_WG, dev, item0, softmaxRows.workGroupSize(), localFloats);
        wgTail = LaunchSizes.tailWorkGroup(ctx.info().isCpu(), dev, item0, trainTail.workGroupSize());
        wgMetrics = LaunchSizes.powerOfTwoAtMost(LaunchSizes.REDUCTION_WG, dev, item0, metrics.workGroupSize(), localFloats / 2);
    }

    /** The tile edge the program was built with. */
    int tile() {
        return ts;
    }

    /**
     * The build options that shape the kernels (tile and register blocks): the tuning cache's key.
     * The program's full options ({@link #programOptions()}) add the codes, which are the same in
     * every build.
     */
    String buildOptions() {
        return shapeOptions;
    }

    /** Every option the program was built with. */
    String programOptions() {
        return program.options();
    }

    /** The register blocks of the blocked family this program was built with. */
    BlockedShape blockedShape() {
        return blocked;
    }

    /** The device's limit on the work-group size of a kernel of {@code product} in {@code family}. */
    long workGroupLimit(Product product, Variant.Family family) {
        ClKernel kernel = switch (product) {
            case FORWARD -> family == Variant.Family.TILED ? denseForward : forwardBlocked;
            case BACKWARD -> family == Variant.Family.TILED ? backward : backwardBlocked;
            case GRADIENTS -> family == Variant.Family.TILED ? weightGradients : gradientsBlocked;
        };
        return Math.min(kernel.workGroupSize(), Math.min(ctx.maxWorkGroupSize(), ctx.maxWorkItemSize(0)));
    }

    /** The tiled family at this program's tile edge. */
    Variant tiled() {
        return Variant.tiled(ts);
    }

    static int activationCode(Activation a) {
        return a.kernelCode();
    }

    static int costCode(Cost c) {
        return c.kernelCode();
    }

    /** x (rows, width) = features[order[start + r]] of a float data set. */
    void gatherF32(ClBuffer x, ClBuffer features, ClBuffer order, int start, int rows, int width) {
        long total = (long) rows * width;
        gatherF32.arg(x).arg(features).arg(order == null ? noOrder : order).arg(order == null ? 0 : 1)
                .arg(start).arg(rows).arg(width)
                .launch(new long[] {roundUp(total, wgGatherF32)}, new long[] {wgGatherF32});
    }

    /** x (rows, width) = table[features[order[start + r]]] of a byte data set with a 256-entry table. */
    void gatherU8(ClBuffer x, ClBuffer features, ClBuffer table, ClBuffer order, int start, int rows, int width) {
        long total = (long) rows * width;
        gatherU8.arg(x).arg(features).arg(table).arg(order == null ? noOrder : order).arg(order == null ? 0 : 1)
                .arg(start).arg(rows).arg(width)
                .launch(new long[] {roundUp(total, wgGatherU8)}, new long[] {wgGatherU8});
    }

    /**
     * z = x W^T + b, a = f(z) for x (rows, m), W (n, m), with the kernel family and work-group size
     * of {@code v}; softmax is finished by softmax_rows.
     */
    void denseForward(ClBuffer z, ClBuffer a, ClBuffer x, ClBuffer w, ClBuffer b, int rows, int n, int m, Activation act,
                      Variant v) {
        if (v.family() == Variant.Family.TILED) {
            denseForward.arg(z).arg(a).arg(x).arg(w).arg(b).arg(rows).arg(n).arg(m).arg(activationCode(act))
                    .launch(new long[] {roundUp(n, ts), roundUp(rows, ts)}, new long[] {ts, ts});
        } else {
            long items = (n + blocked.fc() - 1) / blocked.fc();
            forwardBlocked.arg(z).arg(a).arg(x).arg(w).arg(b).arg(rows).arg(n).arg(m).arg(activationCode(act))
                    .launch(new long[] {roundUp(items, v.local()), (rows + blocked.fr() - 1) / blocked.fr()},
                            new long[] {v.local(), 1});
        }
        if (act == Activation.SOFTMAX) {
            softmaxRows(a, z, rows, n);
        }
    }

    /** a = softmax(z) per row of (rows, n). */
    void softmaxRows(ClBuffer a, ClBuffer z, int rows, int n) {
        int wg = Math.min(wgSoftmaxMax, LaunchSizes.powerOfTwoAtLeast(n));
        softmaxRows.arg(a).arg(z).arg(n).local((long) wg * Float.BYTES)
                .launch(new long[] {(long) rows * wg}, new long[] {wg});
    }

    /** delta (rows, n) of the output layer against the one-hot targets of labels[order[start + r]]. */
    void outputError(ClBuffer delta, ClBuffer z, ClBuffer a, ClBuffer labels, ClBuffer order, int start, int rows, int n,
                     Cost cost, Activation act) {
        ClBuffer o = order == null ? noOrder : order;
        int ordered = order == null ? 0 : 1;
        if (cost == Cost.QUADRATIC && act == Activation.SOFTMAX) {
            outputErrorSoftmaxQuadratic.arg(delta).arg(a).arg(labels).arg(o).arg(ordered).arg(start).arg(rows).arg(n)
                    .launch(new long[] {roundUp(rows, wgOutputErrorSq)}, new long[] {wgOutputErrorSq});
            return;
        }
        outputError.arg(delta).arg(z).arg(a).arg(labels).arg(o).arg(ordered).arg(start).arg(rows).arg(n)
                .arg(costCode(cost)).arg(activationCode(act))
                .launch(new long[] {roundUp((long) rows * n, wgOutputError)}, new long[] {wgOutputError});
    }

    /**
     * deltaPrev (rows, m) = (delta (rows, n) W (n, m)) * f'(zPrev), f the previous layer's
     * activation, with the kernel family and work-group size of {@code v}.
     */
    void backward(ClBuffer deltaPrev, ClBuffer delta, ClBuffer w, ClBuffer zPrev, ClBuffer aPrev, int rows, int n, int m,
                  Activation prevAct, Variant v) {
        if (v.family() == Variant.Family.BLOCKED) {
            long items = (m + blocked.vw() - 1) / blocked.vw();
            backwardBlocked.arg(deltaPrev).arg(delta).arg(w).arg(zPrev).arg(aPrev).arg(rows).arg(n).arg(m)
                    .arg(activationCode(prevAct))
                    .launch(new long[] {roundUp(items, v.local()), (rows + blocked.br() - 1) / blocked.br()},
                            new long[] {v.local(), 1});
            return;
        }
        backward.arg(deltaPrev).arg(delta).arg(w).arg(zPrev).arg(aPrev).arg(rows).arg(n).arg(m).arg(activationCode(prevAct))
                .launch(new long[] {roundUp(m, ts), roundUp(rows, ts)}, new long[] {ts, ts});
    }

    /** gradW (n, m) = 1/rows delta^T aPrev; W -= eta gradW. */
    private void weightGradientsSgd(ClBuffer gradW, ClBuffer w, ClBuffer delta, ClBuffer aPrev, int rows, int n, int m, float eta) {
        weightGradients.arg(gradW).arg(w).arg(delta).arg(aPrev).arg(rows).arg(n).arg(m).arg(eta)
                .launch(new long[] {roundUp(m, ts), roundUp(n, ts)}, new long[] {ts, ts});
    }

    /**
     * The weight and bias gradients and their SGD steps with the kernels of {@code v}: one fused
     * kernel in the blocked family, two in the tiled one.
     */
    void gradientsSgd(ClBuffer gradW, ClBuffer w, ClBuffer gradB, ClBuffer b, ClBuffer delta, ClBuffer aPrev, int rows,
                      int n, int m, float eta, Variant v) {
        if (v.family() == Variant.Family.TILED) {
            weightGradientsSgd(gradW, w, delta, aPrev, rows, n, m, eta);
            biasGradientsSgd(gradB, b, delta, rows, n, eta);
            return;
        }
        long items = (m + blocked.vw() - 1) / blocked.vw();
        gradientsBlocked.arg(gradW).arg(w).arg(gradB).arg(b).arg(delta).arg(aPrev).arg(rows).arg(n).arg(m).arg(eta)
                .launch(new long[] {roundUp(items, v.local()), (n + blocked.gc() - 1) / blocked.gc()},
                        new long[] {v.local(), 1});
    }

    /** The most layers {@link #trainTail} takes after the first (kernels/fused_tail.cl). */
    static final int TAIL_MAX = 3;

    /**
     * Layers 1..L-1 of a training step in one work-group (kernels/fused_tail.cl): their forward
     * pass from a[0], the output error, backward down to delta[0], and their gradients and SGD.
     * Arrays are indexed by dense layer (entry 0 is the first layer's, read as input only).
     */
    void trainTail(int rows, Network net, float eta, ClBuffer labels, ClBuffer order, int start,
                   ClBuffer[] w, ClBuffer[] b, ClBuffer[] gw, ClBuffer[] gb, ClBuffer[] z, ClBuffer[] a, ClBuffer[] delta) {
        int tail = net.denseLayers() - 1;
        if (tail < 1 || tail > TAIL_MAX) {
            throw new IllegalArgumentException("the fused tail takes 1 to " + TAIL_MAX + " layers after the first, not " + tail);
        }
        ClKernel k = trainTail.arg(tail).arg(rows);
        for (int t = 0; t <= TAIL_MAX; t++) {
            k.arg(t <= tail ? net.size(t + 1) : 0);
        }
        for (int t = 0; t <= TAIL_MAX; t++) {
            k.arg(t <= tail ? activationCode(net.activation(t)) : 0);
        }
        k.arg(costCode(net.cost())).arg(eta).arg(labels).arg(order == null ? noOrder : order).arg(order == null ? 0 : 1).arg(start)
                .arg(z[0]).arg(a[0]).arg(delta[0]);
        for (int t = 1; t <= TAIL_MAX; t++) {
            int l = Math.min(t, tail);   // unused slots repeat the last layer's buffers, never touched
            k.arg(w[l]).arg(b[l]).arg(gw[l]).arg(gb[l]).arg(z[l]).arg(a[l]).arg(delta[l]);
        }
        k.launch(new long[] {wgTail}, new long[] {wgTail});
    }

    /** gradB (n) = 1/rows column sums of delta; b -= eta gradB. */
    private void biasGradientsSgd(ClBuffer gradB, ClBuffer b, ClBuffer delta, int rows, int n, float eta) {
        biasGradients.arg(gradB).arg(b).arg(delta).arg(rows).arg(n).arg(eta)
                .launch(new long[] {roundUp(n, wgBias)}, new long[] {wgBias});
    }

    /**
     * One optimizer step (kernels/update.cl) on the n values of p from their gradient g; s1 and s2
     * are the rule's state (null when it has none); weights get the step's weight decay, biases none.
     */
    void optimizerStep(ClBuffer p, ClBuffer g, ClBuffer s1, ClBuffer s2, int n, OptimizerStep c, boolean weights) {
        optimizerStep.arg(p).arg(g).arg(s1 == null ? noOrder : s1).arg(s2 == null ? noOrder : s2).arg(n).arg(c.kind())
                .arg(c.lr()).arg(c.momentum()).arg(c.beta1()).arg(c.oneMinusBeta1()).arg(c.beta2()).arg(c.oneMinusBeta2())
                .arg(c.epsilon()).arg(c.stepSize()).arg(c.sqrtCorrection2())
                .arg(weights ? c.weightDecay() : 0f).arg(weights ? c.decoupledKeep() : 1f)
                .launch(new long[] {roundUp(n, wgOptimizer)}, new long[] {wgOptimizer});
    }

    /** p (n) -= eta g (n): plain SGD on its own (kernels/gradients.cl's sgd_step, the fused kernels' formula). */
    void sgdStep(ClBuffer p, ClBuffer g, int n, float eta) {
        sgdStep.arg(p).arg(g).arg(n).arg(eta).launch(new long[] {roundUp(n, wgSgd)}, new long[] {wgSgd});
    }

    /**
     * out (n) = in with {@code mask}'s dropped elements 0 and its kept ones scaled (kernels/dropout.cl),
     * the n = rows * width elements of a dropout's input block.
     */
    void dropoutForward(ClBuffer out, ClBuffer in, int n, DropoutDraw mask) {
        mask.bind(dropoutForward.arg(out).arg(in).arg(n))
                .launch(new long[] {roundUp(n, wgDropoutForward)}, new long[] {wgDropoutForward});
    }

    /** delta (n) in place: dC/d(input) of the dropout drawn by {@code mask} from dC/d(output) (kernels/dropout.cl). */
    void dropoutBackward(ClBuffer delta, int n, DropoutDraw mask) {
        mask.bind(dropoutBackward.arg(delta).arg(n))
                .launch(new long[] {roundUp(n, wgDropoutBackward)}, new long[] {wgDropoutBackward});
    }

    /** costSum[slot], hits[slot] = summed sample cost and correct answers of a (rows, n) output block. */
    void metricsReduce(ClBuffer costSum, ClBuffer hits, int slot, ClBuffer z, ClBuffer a, ClBuffer labels, ClBuffer order,
                       int start, int rows, int n, Cost cost, Activation act) {
        int wg = wgMetrics;
        metrics.arg(costSum).arg(hits).arg(slot).arg(z).arg(a).arg(labels).arg(order == null ? noOrder : order)
                .arg(order == null ? 0 : 1).arg(start).arg(rows).arg(n).arg(costCode(cost)).arg(activationCode(act))
                .local((long) wg * Float.BYTES).local((long) wg * Integer.BYTES)
                .launch(new long[] {wg}, new long[] {wg});
    }

    @Override
    public void close() {
        noOrder.close();
        program.close();
    }
}
