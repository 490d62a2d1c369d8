package backpropcl.engine.opencl;

import backpropcl.model.DropoutMask;

/**
 * The arguments kernels/dropout.cl draws one dropout layer's mask from on one step, as
 * {@link DropoutMask} defines it: the run's seed and the step (64-bit, passed as 32-bit words),
 * the layer's index in {@code Network.layers()}, the element number of the block's first element in
 * its batch's block (nonzero for a slice of a batch: a data-parallel replica's), the float
 * threshold p and the float scale 1/(1-p).
 */
record DropoutDraw(long seed, long step, int layer, int first, float threshold, float scale) {

    /** Dropout layer {@code layer} with probability {@code p} on step {@code step} of a run seeded {@code seed}, a whole batch. */
    static DropoutDraw of(long seed, long step, int layer, double p) {
        return of(seed, step, layer, p, 0);
    }

    /** The same on a block whose first element is element {@code first} of its batch's block. */
    static DropoutDraw of(long seed, long step, int layer, double p, int first) {
        return new DropoutDraw(seed, step, layer, first, DropoutMask.threshold(p), DropoutMask.floatScale(p));
    }

    /** Binds the kernels' trailing arguments: seed lo/hi, step lo/hi, layer, first, threshold, scale. */
    ClKernel bind(ClKernel k) {
        return k.arg((int) seed).arg((int) (seed >>> 32)).arg((int) step).arg((int) (step >>> 32)).arg(layer)
                .arg(first).arg(threshold).arg(scale);
    }
}
