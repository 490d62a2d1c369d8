package backpropcl.bench;

import backpropcl.model.Network;

/**
 * Floating-point operations of SGD training, counted the conventional way: the matrix products
 * and the update, one multiply and one add each. For dense layer l with m inputs and n outputs:
 * <pre>
 *   per sample:  forward          z = a_prev W^T        2 m n
 *                backward         delta_prev = delta W  2 m n   (not for l = 0: nothing needs dC/dx)
 *                weight gradient  delta^T a_prev        2 m n
 *   per batch:   update           W -= eta gradW, b -= eta gradB   2 (m n + n)
 * </pre>
 * Elementwise work (bias add, activation and its derivative, output error, bias gradient) is O(n)
 * per sample against O(m n) and is left out, as FLOP counters for GEMM-based training do.
 */
public final class FlopCount {
    private FlopCount() {
    }

    /** FLOPs of the matrix products for one sample: forward, backward and weight gradient. */
    public static long perSample(Network net) {
        long flops = 0;
        for (int l = 0; l < net.denseLayers(); l++) {
            long mn = (long) net.size(l) * net.size(l + 1);
            flops += 2 * mn;                 // forward
            flops += l > 0 ? 2 * mn : 0;     // backward
            flops += 2 * mn;                 // weight gradient
        }
        return flops;
    }

    /** FLOPs of one SGD update of every weight and bias: a multiply and a subtract each. */
    public static long perUpdate(Network net) {
        return 2 * net.parameterCount();
    }

    /** FLOPs of one epoch of {@code samples} samples in batches of {@code batch}, the last one partial. */
    public static double perEpoch(Network net, int samples, int batch) {
        long batches = ((long) samples + batch - 1) / batch;
        return (double) samples * perSample(net) + (double) batches * perUpdate(net);
    }
}
