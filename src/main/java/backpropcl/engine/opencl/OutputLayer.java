package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;

/**
 * The output layer's routine: its own program from common.cl, output_error.cl, metrics.cl and
 * fused_tail.cl (no -D options of its own): the output error of a training batch
 * ({@link #error}), the cost and hits of an evaluation block ({@link #metrics}), and the fused tail
 * ({@link #trainTail}: the layers after the first, through the output error, in one work-group).
 * Buffers named {@code order} may be null: the rows are then taken in file order from {@code start}.
 */
final class OutputLayer implements AutoCloseable {
    static final String[] FILES = {"common.cl", "output_error.cl", "metrics.cl", "fused_tail.cl"};

    /** The most layers {@link #trainTail} takes after the first (kernels/fused_tail.cl). */
    static final int TAIL_MAX = 3;

    private final ClProgram program;
    private final ClBuffer noOrder;
    private final ClKernel outputError;
    private final ClKernel outputErrorSoftmaxQuadratic;
    private final ClKernel metrics;
    private final ClKernel trainTail;
    private final int wgOutputError;
    private final int wgOutputErrorSq;
    private final int wgMetrics;
    private final int wgTail;

    /** Builds the routine; {@code noOrder} stands in for a null order (not owned). */
    OutputLayer(ClContext ctx, ClBuffer noOrder) {
        this.noOrder = noOrder;
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("output_error", "output_error_softmax_quadratic", "metrics_reduce", "train_tail");
        outputError = k[0];
        outputErrorSoftmaxQuadratic = k[1];
        metrics = k[2];
        trainTail = k[3];
        long dev = ctx.maxWorkGroupSize();
        long item0 = ctx.maxWorkItemSize(0);
        wgOutputError = outputError.linearWorkGroup();
        wgOutputErrorSq = outputErrorSoftmaxQuadratic.linearWorkGroup();
        long localFloats = Math.max(1, ctx.localMemBytes() / Float.BYTES);
        wgMetrics = LaunchSizes.powerOfTwoAtMost(LaunchSizes.REDUCTION_WG, dev, item0, metrics.workGroupSize(), localFloats / 2);
        wgTail = LaunchSizes.tailWorkGroup(ctx.info().isCpu(), dev, item0, trainTail.workGroupSize());
    }

    private ClBuffer or(ClBuffer order) {
        return order == null ? noOrder : order;
    }

    /** delta (rows, n) of the output layer against the one-hot targets of labels[order[start + r]]. */
    void error(ClBuffer delta, ClBuffer z, ClBuffer a, ClBuffer labels, ClBuffer order, int start, int rows, int n,
               Cost cost, Activation act) {
        int shuffled = order == null ? 0 : 1;
        if (cost == Cost.QUADRATIC && act == Activation.SOFTMAX) {
            outputErrorSoftmaxQuadratic.arg(delta).arg(a).arg(labels).arg(or(order)).arg(shuffled).arg(start).arg(rows).arg(n)
                    .launch(new long[] {roundUp(rows, wgOutputErrorSq)}, new long[] {wgOutputErrorSq});
            return;
        }
        outputError.arg(delta).arg(z).arg(a).arg(labels).arg(or(order)).arg(shuffled).arg(start).arg(rows).arg(n)
                .arg(cost.kernelCode()).arg(act.kernelCode())
                .launch(new long[] {roundUp((long) rows * n, wgOutputError)}, new long[] {wgOutputError});
    }

    /** costSum[block], hits[block] = summed sample cost and correct answers of a (rows, n) output block. */
    void metrics(ClBuffer costSum, ClBuffer hits, int block, ClBuffer z, ClBuffer a, ClBuffer labels, ClBuffer order,
                 int start, int rows, int n, Cost cost, Activation act) {
        int wg = wgMetrics;
        metrics.arg(costSum).arg(hits).arg(block).arg(z).arg(a).arg(labels).arg(or(order))
                .arg(order == null ? 0 : 1).arg(start).arg(rows).arg(n).arg(cost.kernelCode()).arg(act.kernelCode())
                .local((long) wg * Float.BYTES).local((long) wg * Integer.BYTES)
                .launch(new long[] {wg}, new long[] {wg});
    }

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
            k.arg(t <= tail ? net.activation(t).kernelCode() : 0);
        }
        k.arg(net.cost().kernelCode()).arg(eta).arg(labels).arg(or(order)).arg(order == null ? 0 : 1).arg(start)
                .arg(z[0]).arg(a[0]).arg(delta[0]);
        for (int t = 1; t <= TAIL_MAX; t++) {
            int l = Math.min(t, tail);   // unused slots repeat the last layer's buffers, never touched
            k.arg(w[l]).arg(b[l]).arg(gw[l]).arg(gb[l]).arg(z[l]).arg(a[l]).arg(delta[l]);
        }
        k.launch(new long[] {wgTail}, new long[] {wgTail});
    }

    @Override
    public void close() {
        program.close();
    }
}
