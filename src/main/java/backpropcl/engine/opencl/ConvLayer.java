package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import backpropcl.model.ParameterLayout;
import java.util.List;
import java.util.Locale;

/**
 * The convolution layer's routine: its own program from common.cl and conv.cl (no -D options),
 * the direct kernels of one conv layer on plain float buffers (layouts in conv.cl): {@link #forward}
 * with the activation after it as the epilogue, {@link #backward} (the delta of the input),
 * {@link #weightGradients} and {@link #biasGradients} of the batch-mean cost. Every method binds
 * its arguments and enqueues, never waiting; each launch is 1-D, one work-item per element it
 * writes, with the 1-D work-group the device and the kernel allow ({@link ClKernel#linearWorkGroup}).
 *
 * <p>The im2col variant ({@link #forwardIm2col}, {@link #backwardIm2col}, {@link #gradientsIm2col})
 * computes the same through the dense routine's matrix products, with the variant of each product
 * given, on the scratch blocks of an {@link Im2colScratch}.
 *
 * <p>{@link Instance} is one conv layer of a network on this routine (the engine's {@link ClLayer}),
 * with the activation after it as its forward kernel's epilogue and each pass run as
 * {@link ConvTuner} chose for its shape.
 */
final class ConvLayer implements AutoCloseable {
    static final String[] FILES = {"common.cl", "conv.cl"};

    private final ClProgram program;
    private final ClKernel forward;
    private final ClKernel backward;
    private final ClKernel weightGradients;
    private final ClKernel biasGradients;
    private final ClKernel im2col;
    private final ClKernel transpose;
    private final ClKernel col2im;
    private final ClKernel scale;

    /** The context's conv routine. */
    static ConvLayer of(ClKernels kernels) {
        return kernels.routine(ConvLayer.class, ConvLayer::new);
    }

    ConvLayer(ClContext ctx) {
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("conv_forward", "conv_backward", "conv_weight_gradients", "conv_bias_gradients",
                "conv_im2col", "conv_transpose", "conv_col2im", "conv_scale");
        forward = k[0];
        backward = k[1];
        weightGradients = k[2];
        biasGradients = k[3];
        im2col = k[4];
        transpose = k[5];
        col2im = k[6];
        scale = k[7];
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

    /** The im2col variant's blocks for up to {@code capacity} rows of one geometry: cols and dcols (rows P, CKK), zt, at, dt (rows P, F). */
    static final class Im2colScratch implements AutoCloseable {
        final ClBuffer cols;
        final ClBuffer dcols;
        final ClBuffer zt;
        final ClBuffer at;
        final ClBuffer dt;

        /** New blocks on {@code ctx}. */
        static Im2colScratch of(ClContext ctx, ConvGeometry g, int capacity, String name) {
            long positions = (long) capacity * g.outHeight() * g.outWidth();
            long patch = positions * g.channels() * g.kernel() * g.kernel() * Float.BYTES;
            long out = positions * g.filters() * Float.BYTES;
            ClBuffer[] made = new ClBuffer[5];
            try {
                made[0] = ctx.buffer(patch, name + " cols");
                made[1] = ctx.buffer(patch, name + " dcols");
                made[2] = ctx.buffer(out, name + " z positions");
                made[3] = ctx.buffer(out, name + " a positions");
                made[4] = ctx.buffer(out, name + " delta positions");
            } catch (RuntimeException e) {
                DeviceTensor.release(made);
                throw e;
            }
            return new Im2colScratch(made[0], made[1], made[2], made[3], made[4]);
        }

        /** These blocks, which {@link #close} releases: cols and dcols of rows P x CKK floats at least, zt, at and dt of rows P x F. */
        Im2colScratch(ClBuffer cols, ClBuffer dcols, ClBuffer zt, ClBuffer at, ClBuffer dt) {
            this.cols = cols;
            this.dcols = dcols;
            this.zt = zt;
            this.at = at;
            this.dt = dt;
        }

        @Override
        public void close() {
            DeviceTensor.release(new ClBuffer[] {cols, dcols, zt, at, dt});
        }
    }

    /** cols (rows P, CKK) = the windows of x (rows, C, H, W), one row per output position, 0 in the padding. */
    void im2col(ClBuffer cols, ClBuffer x, int rows, ConvGeometry g) {
        g.bind(im2col.arg(cols).arg(x), rows);
        im2col.launchLinear((long) rows * g.outHeight() * g.outWidth() * g.channels() * g.kernel() * g.kernel());
    }

    /** {@link #forward} as im2col, then z^T = cols W^T + b with a = f(z^T) by the dense forward of {@code v}, then back to (rows, F, OH, OW). */
    void forwardIm2col(ClBuffer z, ClBuffer a, ClBuffer x, ClBuffer w, ClBuffer b, int rows, ConvGeometry g, Activation act,
                       DenseLayer dense, Variant v, Im2colScratch s) {
        int positions = g.outHeight() * g.outWidth();
        im2col(s.cols, x, rows, g);
        dense.forward(s.zt, s.at, s.cols, w, b, rows * positions, g.filters(), patch(g), elementwise(act), v);
        toChannels(z, s.zt, rows, g);
        toChannels(a, s.at, rows, g);
    }

    /**
     * {@link #backward} as dcols = delta^T W by the dense backward of {@code v} (no derivative
     * there: identity, with cols as its unused z and a, which therefore must be as large), then
     * col2im with the derivative of {@code prevAct}.
     */
    void backwardIm2col(ClBuffer deltaPrev, ClBuffer delta, ClBuffer w, ClBuffer zPrev, ClBuffer aPrev, int rows, ConvGeometry g,
                        Activation prevAct, DenseLayer dense, Variant v, Im2colScratch s) {
        int positions = g.outHeight() * g.outWidth();
        toPositions(s.dt, delta, rows, g);
        dense.backward(s.dcols, s.dt, w, s.cols, s.cols, rows * positions, g.filters(), patch(g), Activation.IDENTITY, v);
        g.bind(col2im.arg(deltaPrev).arg(s.dcols).arg(zPrev).arg(aPrev), rows).arg(elementwise(prevAct).kernelCode());
        col2im.launchLinear((long) rows * g.inputs());
    }

    /**
     * {@link #weightGradients} and {@link #biasGradients} as the dense gradients of {@code v} on
     * (delta^T, im2col(x)) with eta 0 (w and b are not changed), which divide by rows P, times P.
     */
    void gradientsIm2col(ClBuffer gradW, ClBuffer gradB, ClBuffer w, ClBuffer b, ClBuffer delta, ClBuffer x, int rows, ConvGeometry g,
                         DenseLayer dense, Variant v, Im2colScratch s) {
        int positions = g.outHeight() * g.outWidth();
        im2col(s.cols, x, rows, g);
        toPositions(s.dt, delta, rows, g);
        dense.gradientsSgd(gradW, w, gradB, b, s.dt, s.cols, rows * positions, g.filters(), patch(g), 0f, v);
        scale.arg(gradW).arg(g.weights()).arg((float) positions).launchLinear(g.weights());
        scale.arg(gradB).arg(g.filters()).arg((float) positions).launchLinear(g.filters());
    }

    private static int patch(ConvGeometry g) {
        return g.channels() * g.kernel() * g.kernel();
    }

    /** out (rows, F, P) from in (rows, P, F). */
    private void toChannels(ClBuffer out, ClBuffer in, int rows, ConvGeometry g) {
        int positions = g.outHeight() * g.outWidth();
        transpose.arg(out).arg(in).arg(rows).arg(g.filters()).arg(positions).launchLinear((long) rows * g.filters() * positions);
    }

    /** out (rows, P, F) from in (rows, F, P). */
    private void toPositions(ClBuffer out, ClBuffer in, int rows, ConvGeometry g) {
        int positions = g.outHeight() * g.outWidth();
        transpose.arg(out).arg(in).arg(rows).arg(positions).arg(g.filters()).launchLinear((long) rows * g.filters() * positions);
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

    /**
     * Conv layer {@code index} of a network (its place in Network.layers()), of geometry {@code g},
     * with the activation after it as its forward epilogue: W (F, C, K, K), b (F) and their
     * gradients as {@link DeviceTensor}s; per pass z, a and, in training, delta = dC/dz (rows, F,
     * OH, OW), the tuner's choice of each pass and, where one is im2col, its scratch blocks.
     */
    static final class Instance implements ClLayer {
        private final ClContext ctx;
        private final ConvLayer routine;
        private final DenseLayer dense;
        private final ConvTuner tuner;
        private final int index;
        private final ConvGeometry g;
        private final Activation act;
        private final DeviceTensor w;
        private final DeviceTensor b;

        Instance(ClContext ctx, ConvLayer routine, DenseLayer dense, ConvTuner tuner, DeviceGradients grads, int index, ConvGeometry g,
                 Activation act) {
            this.ctx = ctx;
            this.routine = routine;
            this.dense = dense;
            this.tuner = tuner;
            this.index = index;
            this.g = g;
            this.act = elementwise(act);
            ParameterLayout layout = grads.layout();
            this.w = new DeviceTensor(ctx, grads, layout.tensor("layers." + index + ".weight"), "convW[" + index + "]", dense::sgdStep);
            DeviceTensor bias;
            try {
                bias = new DeviceTensor(ctx, grads, layout.tensor("layers." + index + ".bias"), "convB[" + index + "]", dense::sgdStep);
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
            this.b = bias;
        }

        /** Its pass blocks: z, a, delta (training), the plan and the im2col scratch where the plan needs it. */
        private final class PassBlocks extends OwnedBlocks {
            private final boolean training;
            private final int capacity;
            private final String name;
            /** The choice of each {@link Product}, null where the pass runs none. */
            final ConvTuner.Choice[] plan = new ConvTuner.Choice[Product.values().length];
            Im2colScratch scratch;

            PassBlocks(ClLayer.Blocks below, int capacity, boolean training, String name, ClBuffer[] b) {
                super(below, b, new Epilogue(act, b[0], b[1]), b[2]);
                this.training = training;
                this.capacity = capacity;
                this.name = name;
            }

            @Override
            public String describe() {
                StringBuilder sb = new StringBuilder(" conv ").append(index);
                for (Product product : Product.values()) {
                    ConvTuner.Choice c = plan[product.ordinal()];
                    if (c != null) {
                        sb.append(' ').append(product.name().toLowerCase(Locale.ROOT)).append(' ').append(c);
                    }
                }
                return sb.toString();
            }

            @Override
            public void close() {
                super.close();
                if (scratch != null) {
                    scratch.close();
                }
            }
        }

        @Override
        public int outputs() {
            return g.outputs();
        }

        @Override
        public ClLayer.Blocks blocks(ClLayer.Blocks below, int capacity, boolean training, String name) {
            return new PassBlocks(below, capacity, training, name, OwnedBlocks.buffers(ctx, (long) capacity * g.outputs() * Float.BYTES,
                    name + " conv ", "z[" + index + "]", "a[" + index + "]", training ? "delta[" + index + "]" : null));
        }

        @Override
        public void plan(ClLayer.Blocks own, int rows) {
            PassBlocks p = (PassBlocks) own;
            boolean im2col = false;
            for (Product product : Product.values()) {
                if (product == Product.FORWARD || p.training && (product != Product.BACKWARD || p.handsDown())) {
                    p.plan[product.ordinal()] = tuner.choose(product, rows, g);
                    im2col |= p.plan[product.ordinal()].im2col();
                }
            }
            if (im2col && p.scratch == null) {
                p.scratch = Im2colScratch.of(ctx, g, p.capacity, p.name + " conv[" + index + "]");
            }
        }

        @Override
        public ClBuffer forward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            ConvTuner.Choice c = p.plan[Product.FORWARD.ordinal()];
            if (c.im2col()) {
                routine.forwardIm2col(p.epilogue.z(), p.epilogue.a(), in, w.value, b.value, rows, g, act, dense, c.dense(), p.scratch);
            } else {
                routine.forward(p.epilogue.z(), p.epilogue.a(), in, w.value, b.value, rows, g, act);
            }
            return p.epilogue.a();
        }

        /** The input delta (with W before its step, which the in-order queue runs after), the gradients, then SGD at a nonzero eta. */
        @Override
        public void backward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            if (p.handsDown()) {
                Epilogue e = p.below.epilogue();
                ConvTuner.Choice c = p.plan[Product.BACKWARD.ordinal()];
                if (c.im2col()) {
                    routine.backwardIm2col(p.below.gradient(), p.delta, w.value, e.z(), e.a(), rows, g, e.activation(), dense, c.dense(),
                            p.scratch);
                } else {
                    routine.backward(p.below.gradient(), p.delta, w.value, e.z(), e.a(), rows, g, e.activation());
                }
            }
            ConvTuner.Choice c = p.plan[Product.GRADIENTS.ordinal()];
            if (c.im2col()) {
                routine.gradientsIm2col(w.grad, b.grad, w.value, b.value, p.delta, in, rows, g, dense, c.dense(), p.scratch);
            } else {
                routine.weightGradients(w.grad, p.delta, in, rows, g);
                routine.biasGradients(b.grad, p.delta, rows, g);
            }
            if (mode.eta() != 0f) {
                w.sgdStep(mode.eta());
                b.sgdStep(mode.eta());
            }
        }

        @Override
        public List<DeviceTensor> tensors() {
            return List.of(w, b);
        }
    }
}
