package backpropcl.engine.cpu;

import backpropcl.model.Network;

/**
 * The float blocks of one pass over up to {@code capacity} rows, allocated once and replaced only
 * when a larger batch comes:
 * <pre>
 *   x (capacity, m0)          the gathered input rows (a shuffled training batch)
 *   labels (capacity)         the label of each training row
 *   z[l], a[l] (capacity, n)  weighted inputs and activations of dense layer l
 *   delta[l] (capacity, n)    dC_x/dz per sample
 *   deltaT (widest n, capacity)  scratch: one layer's delta transposed for the weight gradient
 *   dropped[l], kept[l] (capacity, m)  a training pass's input of dense layer l after the dropout
 *                             on it, and which elements that dropout kept (null where none)
 * </pre>
 */
final class PassBuffers {
    final int capacity;
    final float[] x;
    final int[] labels;
    final float[][] z;
    final float[][] a;
    final float[][] delta;
    final float[] deltaT;
    final float[][] dropped;
    final byte[][] kept;

    /** @param training whether the pass needs x, labels, delta and deltaT (an evaluation reads its data in place) */
    PassBuffers(Network net, int capacity, boolean training) {
        int layers = net.denseLayers();
        this.capacity = capacity;
        this.x = training ? new float[Math.multiplyExact(capacity, net.inputSize())] : null;
        this.labels = training ? new int[capacity] : null;
        this.z = new float[layers][];
        this.a = new float[layers][];
        this.delta = training ? new float[layers][] : null;
        this.dropped = new float[layers][];
        this.kept = new byte[layers][];
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            if (training && net.dropoutBefore(l) > 0) {
                int in = Math.multiplyExact(capacity, net.size(l));
                dropped[l] = new float[in];
                kept[l] = new byte[in];
            }
            int n = net.size(l + 1);
            int size = Math.multiplyExact(capacity, n);
            z[l] = new float[size];
            a[l] = new float[size];
            if (training) {
                delta[l] = new float[size];
            }
            widest = Math.max(widest, n);
        }
        this.deltaT = training ? new float[Math.multiplyExact(capacity, widest)] : null;
    }
}
