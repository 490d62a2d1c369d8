package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import backpropcl.model.Layer;
import backpropcl.model.ParameterLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch-norm layer's routine: its own program from common.cl and batchnorm.cl (no -D options),
 * on plain buffers (layouts and formulas in batchnorm.cl) of a block (rows, C, HW): HW = H * W on
 * an image (nn.BatchNorm2d), 1 on flat rows with the features as channels (nn.BatchNorm1d).
 * {@link #statistics} (the batch's mean and biased variance), {@link #forward} (batch or running
 * statistics), {@link #backward} (the delta of the input and the gamma and beta gradients) and
 * {@link #updateRunning} (the running statistics and num_batches_tracked). The statistics and the
 * backward run one work-group per channel with a fixed-order tree in local memory: the work-group
 * is the largest power of two up to {@link LaunchSizes#REDUCTION_WG} that the device, the kernel
 * and its local memory allow ({@link LaunchSizes#reductionWorkGroup}). Methods never wait.
 * {@link Instance} is one batch-norm layer of a network on this routine (the engine's {@link ClLayer}).
 */
final class BatchNormLayer implements AutoCloseable {
    static final String[] FILES = {"common.cl", "batchnorm.cl"};

    /** Floats of local memory per work-item: the statistics' one sum, the backward's two. */
    static final int STATISTICS_LOCALS = 1;
    static final int BACKWARD_LOCALS = 2;

    private final ClProgram program;
    private final ClKernel statistics;
    private final ClKernel forward;
    private final ClKernel backward;
    private final ClKernel running;
    private final int wgStatistics;
    private final int wgBackward;

    /** The context's batch-norm routine. */
    static BatchNormLayer of(ClKernels kernels) {
        return kernels.routine(BatchNormLayer.class, BatchNormLayer::new);
    }

    BatchNormLayer(ClContext ctx) {
        this(ctx, LaunchSizes.REDUCTION_WG);
    }

    /** Builds the routine with reduction work-groups of at most {@code maxReduction} items (a test's small groups). */
    BatchNormLayer(ClContext ctx, int maxReduction) {
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("batchnorm_statistics", "batchnorm_forward", "batchnorm_backward",
                "batchnorm_running_update");
        statistics = k[0];
        forward = k[1];
        backward = k[2];
        running = k[3];
        wgStatistics = LaunchSizes.reductionWorkGroup(maxReduction, STATISTICS_LOCALS, ctx.localMemBytes(), ctx.maxWorkGroupSize(),
                ctx.maxWorkItemSize(0), statistics.workGroupSize());
        wgBackward = LaunchSizes.reductionWorkGroup(maxReduction, BACKWARD_LOCALS, ctx.localMemBytes(), ctx.maxWorkGroupSize(),
                ctx.maxWorkItemSize(0), backward.workGroupSize());
    }

    /** The work-groups of the statistics and of the backward, in that order. */
    int[] reductionWorkGroups() {
        return new int[] {wgStatistics, wgBackward};
    }

    /** mean, var (C) = the batch mean and biased variance of each channel of x (rows, C, HW). */
    void statistics(ClBuffer mean, ClBuffer var, ClBuffer x, int rows, int channels, int hw) {
        statistics.arg(mean).arg(var).arg(x).arg(rows).arg(channels).arg(hw).local((long) wgStatistics * STATISTICS_LOCALS * Float.BYTES)
                .launch(new long[] {(long) channels * wgStatistics}, new long[] {wgStatistics});
    }

    /**
     * z, a (rows, C, HW) = gamma (x - m) / sqrt(v + eps) + beta and f(z) for an element-wise
     * {@code act}; (m, v) = (mean, var) when {@code training}, else (runningMean, runningVar).
     */
    void forward(ClBuffer z, ClBuffer a, ClBuffer x, ClBuffer mean, ClBuffer var, ClBuffer runningMean, ClBuffer runningVar,
                 ClBuffer gamma, ClBuffer beta, int rows, int channels, int hw, boolean training, float eps, Activation act) {
        forward.arg(z).arg(a).arg(x).arg(mean).arg(var).arg(runningMean).arg(runningVar).arg(gamma).arg(beta).arg(rows)
                .arg(channels).arg(hw).arg(training ? 1 : 0).arg(eps).arg(ConvLayer.elementwise(act).kernelCode());
        forward.launchLinear((long) rows * channels * hw);
    }

    /**
     * deltaPrev (rows, C, HW) = dC/dx of the batch-mean cost's chain (PyTorch's batch_norm
     * backward) from delta = dC/dz, times f'(zPrev) of {@code prevAct}; gradGamma, gradBeta (C) =
     * the batch-mean cost's gradients, with the batch statistics mean, var.
     */
    void backward(ClBuffer deltaPrev, ClBuffer gradGamma, ClBuffer gradBeta, ClBuffer delta, ClBuffer x, ClBuffer mean, ClBuffer var,
                  ClBuffer gamma, ClBuffer zPrev, ClBuffer aPrev, int rows, int channels, int hw, float eps, Activation prevAct) {
        backward.arg(deltaPrev).arg(gradGamma).arg(gradBeta).arg(delta).arg(x).arg(mean).arg(var).arg(gamma).arg(zPrev).arg(aPrev)
                .arg(rows).arg(channels).arg(hw).arg(eps).arg(ConvLayer.elementwise(prevAct).kernelCode())
                .local((long) wgBackward * BACKWARD_LOCALS * Float.BYTES)
                .launch(new long[] {(long) channels * wgBackward}, new long[] {wgBackward});
    }

    /**
     * runningMean, runningVar (C) and tracked (1, num_batches_tracked) in place from the batch's
     * mean and biased var over {@code count} = rows * HW values per channel (at least 2: the
     * unbiased variance divides by count - 1).
     */
    void updateRunning(ClBuffer runningMean, ClBuffer runningVar, ClBuffer tracked, ClBuffer mean, ClBuffer var, int channels, int count,
                       float momentum) {
        if (count < 2) {
            throw new IllegalArgumentException("batch norm's running variance needs at least 2 values per channel, not " + count);
        }
        running.arg(runningMean).arg(runningVar).arg(tracked).arg(mean).arg(var).arg(channels).arg(count).arg(momentum);
        running.launchLinear(channels);
    }

    @Override
    public void close() {
        program.close();
    }

    /**
     * Batch-norm layer {@code index} of a network over (rows, C, HW) blocks, with the activation
     * after it as its forward epilogue: gamma, beta, running_mean, running_var and
     * num_batches_tracked as {@link DeviceTensor}s (the last three not trainable), and the batch's
     * mean and biased variance of the last training forward, which the backward reads and
     * {@link #updateRunningStatistics} (the update half) folds into the running ones. Per pass:
     * z, a and, in training, delta = dC/dz.
     */
    static final class Instance implements ClLayer {
        private static final String[] TENSORS = {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"};
        private static final float EPS = (float) Layer.BatchNorm.EPSILON;
        private static final float MOMENTUM = (float) Layer.BatchNorm.MOMENTUM;

        private final ClContext ctx;
        private final BatchNormLayer routine;
        private final int index;
        private final int channels;
        private final int hw;
        private final Activation act;
        /** gamma, beta, running_mean, running_var, num_batches_tracked. */
        private final List<DeviceTensor> tensors;
        private final ClBuffer mean;
        private final ClBuffer var;
        /** Values per channel of the batch whose statistics are kept, 0 when none is (none yet, or folded in). */
        private int kept;

        Instance(ClContext ctx, BatchNormLayer routine, DenseLayer dense, DeviceGradients grads, int index, int channels, int hw,
                 Activation act) {
            this.ctx = ctx;
            this.routine = routine;
            this.index = index;
            this.channels = channels;
            this.hw = hw;
            this.act = ConvLayer.elementwise(act);
            ParameterLayout layout = grads.layout();
            List<DeviceTensor> made = new ArrayList<>();
            ClBuffer m = null;
            try {
                for (String t : TENSORS) {
                    made.add(new DeviceTensor(ctx, grads, layout.tensor("layers." + index + "." + t), "bn " + t + "[" + index + "]",
                            dense::sgdStep));
                }
                m = ctx.buffer((long) channels * Float.BYTES, "bn batch mean[" + index + "]");
                this.var = ctx.buffer((long) channels * Float.BYTES, "bn batch var[" + index + "]");
            } catch (RuntimeException e) {
                made.forEach(DeviceTensor::close);
                DeviceTensor.release(new ClBuffer[] {m});
                throw e;
            }
            this.mean = m;
            this.tensors = List.copyOf(made);
        }

        private DeviceTensor gamma() {
            return tensors.get(0);
        }

        private DeviceTensor beta() {
            return tensors.get(1);
        }

        /** Its pass blocks: z, a, delta (training) and, where no layer below takes a gradient, the block its backward writes instead. */
        private final class PassBlocks extends OwnedBlocks {
            /** Where the backward writes the input delta: the gradient of the layer below, or an unread block. */
            final ClBuffer handedDown;

            PassBlocks(ClLayer.Blocks below, ClBuffer[] b) {
                super(below, b, new Epilogue(act, b[0], b[1]), b[2]);
                this.handedDown = b[3] != null ? b[3] : b[2] != null ? below.gradient() : null;
            }
        }

        @Override
        public int outputs() {
            return channels * hw;
        }

        @Override
        public ClLayer.Blocks blocks(ClLayer.Blocks below, int capacity, boolean training, String name) {
            boolean sink = training && (below == null || below.gradient() == null);
            return new PassBlocks(below, OwnedBlocks.buffers(ctx, (long) capacity * channels * hw * Float.BYTES, name + " bn ",
                    "z[" + index + "]", "a[" + index + "]", training ? "delta[" + index + "]" : null,
                    sink ? "unread input delta[" + index + "]" : null));
        }

        /** In training the batch statistics first (kept for the backward and the update half), else the running ones. */
        @Override
        public ClBuffer forward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            if (mode.training()) {
                int count = rows * hw;
                if (count < 2) {
                    throw new IllegalArgumentException("layer " + (index + 1) + " 'batchnorm': a batch of 1 row gives 1 value per feature, "
                            + "no variance to normalise by; train with batches of 2 rows or more (PyTorch refuses this too)");
                }
                routine.statistics(mean, var, in, rows, channels, hw);
                kept = count;
            }
            routine.forward(p.epilogue.z(), p.epilogue.a(), in, mean, var, tensors.get(2).value, tensors.get(3).value, gamma().value,
                    beta().value, rows, channels, hw, mode.training(), EPS, act);
            return p.epilogue.a();
        }

        @Override
        public void backward(ClLayer.Blocks own, ClBuffer in, int rows, Mode mode) {
            PassBlocks p = (PassBlocks) own;
            Epilogue e = p.below != null ? p.below.epilogue() : new Epilogue(Activation.IDENTITY, in, in);
            routine.backward(p.handedDown, gamma().grad, beta().grad, p.delta, in, mean, var, gamma().value, e.z(), e.a(), rows, channels,
                    hw, EPS, e.activation());
            if (mode.eta() != 0f) {
                gamma().sgdStep(mode.eta());
                beta().sgdStep(mode.eta());
            }
        }

        @Override
        public void updateRunningStatistics() {
            if (kept > 0) {
                routine.updateRunning(tensors.get(2).value, tensors.get(3).value, tensors.get(4).value, mean, var, channels, kept, MOMENTUM);
                kept = 0;
            }
        }

        @Override
        public List<DeviceTensor> tensors() {
            return tensors;
        }

        @Override
        public void close() {
            ClLayer.super.close();
            DeviceTensor.release(new ClBuffer[] {mean, var});
        }
    }
}
