package backpropcl.engine.opencl;

import backpropcl.model.Network;
import java.util.List;

/**
 * The fused tail as a plan for dense-only chains: the dense layers after the first, through the
 * output error, run as one work-group of kernels/fused_tail.cl ({@link OutputLayer#trainTail})
 * when they are few and small; the engine then runs the first layer's forward and backward around
 * it. A network with any other layer kind (dropout) never takes it.
 */
final class FusedTail {
    /**
     * The tail runs in one work-group when its multiply-adds per batch are at most this: below it
     * a launch costs more than the arithmetic (784-16-16-10 at batch 10: 4,160), above it one core
     * is too few (784-128-64-10 at batch 100: 883,200).
     */
    static final long MAX_MACS = 65_536;

    private final List<DenseLayer.Instance> dense;

    private FusedTail(List<DenseLayer.Instance> dense) {
        this.dense = dense;
    }

    /** The tail of {@code layers} at batches of {@code rows}, or null when they are not a short, small dense-only chain. */
    static FusedTail plan(List<ClLayer> layers, int rows) {
        if (layers.size() < 2 || layers.size() - 1 > OutputLayer.TAIL_MAX
                || !layers.stream().allMatch(l -> l instanceof DenseLayer.Instance)) {
            return null;
        }
        List<DenseLayer.Instance> dense = layers.stream().map(l -> (DenseLayer.Instance) l).toList();
        long macs = 0;
        for (int l = 1; l < dense.size(); l++) {
            macs += (long) rows * dense.get(l).outputs() * dense.get(l).inputs();
        }
        return macs <= MAX_MACS ? new FusedTail(dense) : null;
    }

    /** How many layers it takes after the first. */
    int layers() {
        return dense.size() - 1;
    }

    /** Enqueues the tail of a training pass whose blocks are {@code blocks} (one per layer), SGD at {@code eta}. */
    void run(OutputLayer output, Network net, float eta, ClBuffer labels, ClBuffer order, int start, int rows,
             ClLayer.Blocks[] blocks) {
        int count = dense.size();
        ClBuffer[] w = new ClBuffer[count];
        ClBuffer[] b = new ClBuffer[count];
        ClBuffer[] gw = new ClBuffer[count];
        ClBuffer[] gb = new ClBuffer[count];
        ClBuffer[] z = new ClBuffer[count];
        ClBuffer[] a = new ClBuffer[count];
        ClBuffer[] delta = new ClBuffer[count];
        for (int l = 0; l < count; l++) {
            DenseLayer.Instance d = dense.get(l);
            DenseLayer.Instance.PassBlocks p = (DenseLayer.Instance.PassBlocks) blocks[l];
            w[l] = d.weight().value;
            b[l] = d.bias().value;
            gw[l] = d.weight().grad;
            gb[l] = d.bias().grad;
            z[l] = p.z;
            a[l] = p.a;
            delta[l] = p.delta;
        }
        output.trainTail(rows, net, eta, labels, order, start, w, b, gw, gb, z, a, delta);
    }
}
