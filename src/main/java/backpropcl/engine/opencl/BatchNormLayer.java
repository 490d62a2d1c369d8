package backpropcl.engine.opencl;

import backpropcl.model.Activation;

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
}
