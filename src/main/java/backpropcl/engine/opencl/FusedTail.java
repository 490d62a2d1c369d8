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

    /** The tensors and blocks the kernel binds, by dense layer (entry 0 the first layer's, read as input only). */
    private final ClBuffer[] w;
    private final ClBuffer[] b;
    private final ClBuffer[] gw;
    private final ClBuffer[] gb;
    private final ClBuffer[] z;
    private final ClBuffer[] a;
    private final ClBuffer[] delta;

    private FusedTail(List<DenseLayer.Instance> dense, ClLayer.Blocks[] blocks) {
        int count = dense.size();
        w = new ClBuffer[count];
        b = new ClBuffer[count];
        gw = new ClBuffer[count];
        gb = new ClBuffer[count];
        z = new ClBuffer[count];
        a = new ClBuffer[count];
        delta = new ClBuffer[count];
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
    }

    /**
     * The tail of {@code layers} on the training pass whose blocks are {@code blocks} (one per
     * layer) at batches of {@code rows}, or null when the layers are not a short, small dense-only chain.
     */
    static FusedTail plan(List<ClLayer> layers, ClLayer.Blocks[] blocks, int rows) {
        if (layers.size() < 2 || layers.size() - 1 > OutputLayer.TAIL_MAX
                || !layers.stream().allMatch(l -> l instanceof DenseLayer.Instance)) {
            return null;
        }
        List<DenseLayer.Instance> dense = layers.stream().map(l -> (DenseLayer.Instance) l).toList();
        long macs = 0;
        for (int l = 1; l < dense.size(); l++) {
            macs += (long) rows * dense.get(l).outputs() * dense.get(l).inputs();
        }
        return macs <= MAX_MACS ? new FusedTail(dense, blocks) : null;
    }

    /** How many layers it takes after the first. */
    int layers() {
        return w.length - 1;
    }

    /** Enqueues the tail of a training step, SGD at {@code eta}. */
    void run(OutputLayer output, Network net, float eta, ClBuffer labels, ClBuffer order, int start, int rows) {
        output.trainTail(rows, net, eta, labels, order, start, w, b, gw, gb, z, a, delta);
    }
}
