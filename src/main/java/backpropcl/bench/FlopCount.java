package backpropcl.bench;

import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.Shape;

/**
 * Floating-point operations of SGD training, counted the conventional way: the matrix products
 * (dense layers) and the convolutions, and the update, one multiply and one add each. For dense
 * layer l with m inputs and n outputs, and for a conv layer of F filters of K x K over C input
 * channels with an output of H' x W':
 * <pre>
 *   per sample:  dense forward          z = a_prev W^T        2 m n
 *                dense backward         delta_prev = delta W  2 m n
 *                dense weight gradient  delta^T a_prev        2 m n
 *                conv forward                                 2 F C K K H' W'
 *                conv backward          delta of the input    2 F C K K H' W'
 *                conv weight gradient                         2 F C K K H' W'
 *   per batch:   update           w -= eta grad_w, for every trainable value   2 per value
 * </pre>
 * A backward product is counted only after an earlier layer with parameters: the first such
 * layer's input delta is never needed (nothing needs dC/dx). Elementwise work is O(values) per
 * sample against O(m n) or O(F C K K H' W') and is left out, as FLOP counters for GEMM-based
 * training do: bias add, activation and its derivative, output error, bias gradients, max pooling
 * and its backward, batch normalisation and its backward.
 */
public final class FlopCount {
    private FlopCount() {
    }

    /** FLOPs of the products for one sample: forward, backward (after the first layer with parameters) and weight gradient. */
    public static long perSample(Network net) {
        long flops = 0;
        boolean trainableBefore = false;
        for (int k = 0; k < net.layers().size(); k++) {
            long products = products(net.layers().get(k), net.inputShape(k), net.shape(k));
            if (products == 0) {
                continue;
            }
            flops += 2 * products;                       // forward
            flops += trainableBefore ? 2 * products : 0; // backward
            flops += 2 * products;                       // weight gradient
            trainableBefore = true;
        }
        return flops;
    }

    /** Multiply-adds of layer k's forward pass for one sample; 0 for a layer without a product. */
    private static long products(Layer layer, Shape in, Shape out) {
        if (layer instanceof Layer.Dense d) {
            return (long) in.size() * d.width();
        }
        if (layer instanceof Layer.Conv c) {
            return (long) c.filters() * in.channels() * c.kernel() * c.kernel() * out.height() * out.width();
        }
        return 0;
    }

    /** FLOPs of one SGD update of every trainable value (weights, biases, batchnorm's gamma and beta): a multiply and a subtract each. */
    public static long perUpdate(Network net) {
        return 2 * net.parameterCount();
    }

    /** FLOPs of one epoch of {@code samples} samples in batches of {@code batch}, the last one partial. */
    public static double perEpoch(Network net, int samples, int batch) {
        long batches = ((long) samples + batch - 1) / batch;
        return (double) samples * perSample(net) + (double) batches * perUpdate(net);
    }
}
