package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

import backpropcl.engine.LayerTrace;
import backpropcl.model.Activation;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The dense layer's routine: its own program from common.cl, dense_forward.cl, dense_backward.cl,
 * dense_gradients.cl and dense_blocked.cl, built with the tile edge and register blocks as -D options, and
 * the kernel variants of each product ({@link Variant}: tiled or blocked) that {@link KernelTuner}
 * chooses among. {@link #forward}, {@link #backward} and {@link #gradientsSgd} as in the reference
 * engine; every method binds its arguments and enqueues, never waiting.
 *
 * <p>{@link Instance} is one dense layer of a network on this routine (the engine's
 * {@link ClLayer}), with the activation after it as the epilogue of its forward kernel.
 *
 * <p>Tile edge TS: the largest of 16, 8, 4, 2, 1 that fits the device's max work-group size, max
 * work-item sizes and local memory; after the build, a smaller one is tried when any tiled kernel
 * reports a CL_KERNEL_WORK_GROUP_SIZE below TS x TS (e.g. a GPU short of registers).
 */
final class DenseLayer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DenseLayer.class.getName());

    static final String[] FILES = {"common.cl", "dense_forward.cl", "dense_backward.cl", "dense_gradients.cl", "dense_blocked.cl"};
    private static final String[] TILED = {"dense_forward", "dense_backward", "dense_weight_gradients_sgd"};

    private final ClContext ctx;
    private final ClProgram program;
    private final String shapeOptions;
    private final int ts;
    private final BlockedShape blocked;

    private final ClKernel denseForward;
    private final ClKernel softmaxRows;
    private final ClKernel backward;
    private final ClKernel weightGradients;
    private final ClKernel biasGradients;
    private final ClKernel forwardBlocked;
    private final ClKernel backwardBlocked;
    private final ClKernel gradientsBlocked;
    private final ClKernel sgdStep;

    private final int wgBias;
    private final int wgSoftmaxMax;
    private final int wgSgd;

    /** The context's dense routine, with the largest tile that fits and the device's register blocks. */
    static DenseLayer of(ClKernels kernels) {
        return kernels.routine(DenseLayer.class,
                ctx -> new DenseLayer(ctx, LaunchSizes.TILES[0], BlockedShape.forDevice(ctx.preferredFloatWidth())));
    }

    /** Builds the routine with a tile edge of at most {@code maxTile} and the given register blocks. */
    DenseLayer(ClContext ctx, int maxTile, BlockedShape blockedShape) {
        this.ctx = ctx;
        int tile = LaunchSizes.tile(maxTile, ctx.maxWorkGroupSize(), ctx.maxWorkItemSize(0), ctx.maxWorkItemSize(1),
                ctx.localMemBytes());
        this.blocked = blockedShape;
        ClProgram built;
        String shape;
        while (true) {
            shape = "-D TS=" + tile + " " + blocked.defines();
            built = ctx.program(KernelSources.sources(FILES), shape);
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
        ClKernel[] k = program.kernelsOrClose("dense_forward", "softmax_rows", "dense_backward", "dense_weight_gradients_sgd",
                "dense_bias_gradients_sgd", "dense_forward_blocked", "dense_backward_blocked", "dense_weight_gradients_sgd_blocked", "sgd_step");
        denseForward = k[0];
        softmaxRows = k[1];
        backward = k[2];
        weightGradients = k[3];
        biasGradients = k[4];
        forwardBlocked = k[5];
        backwardBlocked = k[6];
        gradientsBlocked = k[7];
        sgdStep = k[8];
        wgBias = biasGradients.linearWorkGroup();
        wgSgd = sgdStep.linearWorkGroup();
        long localFloats = Math.max(1, ctx.localMemBytes() / Float.BYTES);
        wgSoftmaxMax = LaunchSizes.powerOfTwoAtMost(LaunchSizes.REDUCTION_WG, ctx.maxWorkGroupSize(), ctx.maxWorkItemSize(0),
                softmaxRows.workGroupSize(), localFloats);
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

    /**
     * z = x W^T + b, a = f(z) for x (rows, m), W (n, m), with the kernel family and work-group size
     * of {@code v}; softmax is finished by softmax_rows.
     */
    void forward(ClBuffer z, ClBuffer a, ClBuffer x, ClBuffer w, ClBuffer b, int rows, int n, int m, Activation act, Variant v) {
        if (v.family() == Variant.Family.TILED) {
            denseForward.arg(z).arg(a).arg(x).arg(w).arg(b).arg(rows).arg(n).arg(m).arg(act.kernelCode())
                    .launch(new long[] {roundUp(n, ts), roundUp(rows, ts)}, new long[] {ts, ts});
        } else {
            long items = (n + blocked.fc() - 1) / blocked.fc();
            forwardBlocked.arg(z).arg(a).arg(x).arg(w).arg(b).arg(rows).arg(n).arg(m).arg(act.kernelCode())
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

    /**
     * deltaPrev (rows, m) = (delta (rows, n) W (n, m)) * f'(zPrev), f the previous layer's
     * activation, with the kernel family and work-group size of {@code v}.
     */
    void backward(ClBuffer deltaPrev, ClBuffer delta, ClBuffer w, ClBuffer zPrev, ClBuffer aPrev, int rows, int n, int m,
                  Activation prevAct, Variant v) {
        if (v.family() == Variant.Family.BLOCKED) {
            long items = (m + blocked.vw() - 1) / blocked.vw();
            backwardBlocked.arg(deltaPrev).arg(delta).arg(w).arg(zPrev).arg(aPrev).arg(rows).arg(n).arg(m)
                    .arg(prevAct.kernelCode())
                    .launch(new long[] {roundUp(items, v.local()), (rows + blocked.br() - 1) / blocked.br()},
                            new long[] {v.local(), 1});
            return;
        }
        backward.arg(deltaPrev).arg(delta).arg(w).arg(zPrev).arg(aPrev).arg(rows).arg(n).arg(m).arg(prevAct.kernelCode())
                .launch(new long[] {roundUp(m, ts), roundUp(rows, ts)}, new long[] {ts, ts});
    }

    /**
     * The weight and bias gradients and their SGD steps with the kernels of {@code v}: one fused
     * kernel in the blocked family, two in the tiled one.
     */
    void gradientsSgd(ClBuffer gradW, ClBuffer w, ClBuffer gradB, ClBuffer b, ClBuffer delta, ClBuffer aPrev, int rows,
                      int n, int m, float eta, Variant v) {
        if (v.family() == Variant.Family.TILED) {
            // gradW (n, m) = 1/rows delta^T aPrev; W -= eta gradW. gradB (n) = 1/rows column sums of delta; b -= eta gradB.
            weightGradients.arg(gradW).arg(w).arg(delta).arg(aPrev).arg(rows).arg(n).arg(m).arg(eta)
                    .launch(new long[] {roundUp(m, ts), roundUp(n, ts)}, new long[] {ts, ts});
            biasGradients.arg(gradB).arg(b).arg(delta).arg(rows).arg(n).arg(eta)
                    .launch(new long[] {roundUp(n, wgBias)}, new long[] {wgBias});
            return;
        }
        long items = (m + blocked.vw() - 1) / blocked.vw();
        gradientsBlocked.arg(gradW).arg(w).arg(gradB).arg(b).arg(delta).arg(aPrev).arg(rows).arg(n).arg(m).arg(eta)
                .launch(new long[] {roundUp(items, v.local()), (n + blocked.gc() - 1) / blocked.gc()},
                        new long[] {v.local(), 1});
    }

    /** p (n) -= eta g (n): plain SGD on its own (dense_gradients.cl's sgd_step, the fused kernels' formula). */
    void sgdStep(ClBuffer p, ClBuffer g, int n, float eta) {
        sgdStep.arg(p).arg(g).arg(n).arg(eta).launch(new long[] {roundUp(n, wgSgd)}, new long[] {wgSgd});
    }

    @Override
    public void close() {
        program.close();
    }

    /**
     * Dense layer l of a network, (n, m), with its activation as its forward kernel's epilogue:
     * W (n, m), b (n) and their gradients as {@link DeviceTensor}s; per pass z, a and, in training,
     * delta = dC/dz (rows, n), and the variant the tuner chose for each product.
     */
    static final class Instance implements ClLayer {
        private final DenseLayer routine;
        private final KernelTuner tuner;
        private final int l;
        private final int n;
        private final int m;
        private final Activation act;
        private final DeviceTensor w;
        private final DeviceTensor b;

        /** Dense layer {@code l} of {@code grads}' network, of {@code m} inputs, {@code n} units and activation {@code act}; its gradients in {@code grads}. */
        Instance(ClContext ctx, DenseLayer routine, KernelTuner tuner, DeviceGradients grads, int l, int n, int m, Activation act) {
            this.routine = routine;
            this.tuner = tuner;
            this.l = l;
            this.n = n;
            this.m = m;
            this.act = act;
            this.w = new DeviceTensor(ctx, grads, l, true, routine::sgdStep);
            DeviceTensor bias;
            try {
                bias = new DeviceTensor(ctx, grads, l, false, routine::sgdStep);
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
            this.b = bias;
        }

        /** Its pass blocks: z, a, delta (training) and the plan. */
        final class PassBlocks implements ClLayer.Blocks {
            private final ClLayer.Blocks below;
            private final boolean training;
            final ClBuffer z;
            final ClBuffer a;
            final ClBuffer delta;
            private final Epilogue epilogue;
            /** The variant of each {@link Product}, null where the pass launches none (or no plan was made). */
            final Variant[] plan = new Variant[Product.values().length];

            PassBlocks(ClContext ctx, ClLayer.Blocks below, int capacity, boolean training, String name) {
                this.below = below;
                this.training = training;
                long size = (long) capacity * n * Float.BYTES;
                ClBuffer zb = null;
                ClBuffer ab = null;
                try {
                    zb = ctx.buffer(size, name + " z[" + l + "]");
                    ab = ctx.buffer(size, name + " a[" + l + "]");
                    this.delta = training ? ctx.buffer(size, name + " delta[" + l + "]") : null;
                } catch (RuntimeException e) {
                    DeviceTensor.release(new ClBuffer[] {zb, ab});
                    throw e;
                }
                this.z = zb;
                this.a = ab;
                this.epilogue = new Epilogue(act, zb, ab);
            }

            @Override
            public ClBuffer gradient() {
                return delta;
            }

            @Override
            public Epilogue epilogue() {
                return epilogue;
            }

            /** Whether backward hands a gradient down (the input layer has no error to pass back). */
            boolean handsDown() {
                return below != null && below.gradient() != null;
            }

            @Override
            public String describe() {
                StringBuilder sb = new StringBuilder(" layer ").append(l);
                for (Product product : Product.values()) {
                    Variant v = plan[product.ordinal()];
                    if (v != null) {
                        sb.append(' ').append(product.name().toLowerCase(Locale.ROOT)).append(' ').append(v);
                    }
                }
                return sb.toString();
            }

            @Override
            public void close() {
                DeviceTensor.release(new ClBuffer[] {z, a, delta});
            }
        }

        private ClContext ctx() {
            return routine.ctx;
        }

        /** This layer's index among the network's dense layers. */
        int index() {
            return l;
        }

        int inputs() {
            return m;
        }

        Activation activation() {
            return act;
        }

        DeviceTensor weight() {
            return w;
        }

        DeviceTensor bias() {
            return b;
        }

        @Override
        public int outputs() {
            return n;
        }

        @Override
        public PassBlocks blocks(ClLayer.Blocks below, int capacity, boolean training, String name) {
            return new PassBlocks(ctx(), below, capacity, training, name);
        }

        @Override
        public void plan(ClLayer.Blocks own, int rows) {
            PassBlocks p = (PassBlocks) own;
            for (Product product : Product.values()) {
                if (product == Product.FORWARD || p.training && (product != Product.BACKWARD || p.handsDown())) {
                    p.plan[product.ordinal()] = tuner.choose(product, rows, n, m);
                }
            }
        }

        @Override
        public ClBuffer forward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            routine.forward(p.z, p.a, in, w.value, b.value, rows, n, m, act, p.plan[Product.FORWARD.ordinal()]);
            return p.a;
        }

        @Override
        public void backward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            if (p.handsDown()) {
                // Uses W before its update, which the in-order queue runs after this.
                Epilogue e = p.below.epilogue();
                routine.backward(p.below.gradient(), p.delta, w.value, e.z(), e.a(), rows, n, m, e.activation(),
                        p.plan[Product.BACKWARD.ordinal()]);
            }
            routine.gradientsSgd(w.grad, w.value, b.grad, b.value, p.delta, in, rows, n, m, mode.eta(),
                    p.plan[Product.GRADIENTS.ordinal()]);
        }

        /** z, a, delta of the last {@code rows} of training pass {@code own}, the gradients and the parameters. */
        LayerTrace trace(ClLayer.Blocks own, int rows) {
            PassBlocks p = (PassBlocks) own;
            int block = rows * n;
            return new LayerTrace(read(p.z, block), read(p.a, block), read(p.delta, block),
                    read(w.grad, n * m), read(b.grad, n), read(w.value, n * m), read(b.value, n));
        }

        private static double[] read(ClBuffer buf, int count) {
            double[] d = new double[count];
            DeviceTensor.readInto(buf, d);
            return d;
        }

        @Override
        public List<DeviceTensor> tensors() {
            return List.of(w, b);
        }
    }
}
