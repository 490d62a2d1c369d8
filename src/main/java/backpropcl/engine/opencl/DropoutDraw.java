package backpropcl.engine.opencl;

import backpropcl.model.DropoutMask;

/**
 * The arguments kernels/dropout.cl draws one dropout layer's mask from on one step, as
 * {@link DropoutMask} defines it: the run's seed and the step (64-bit, passed as 32-bit words),
 * the layer's index in {@code Network.layers()}, the float threshold p and the float scale 1/(1-p).
 */
record DropoutDraw(long seed, long step, int layer, float threshold, float scale) {

    /** Dropout layer {@code layer} with probability {@code p} on step {@code step} of a run seeded {@code seed}. */
    static DropoutDraw of(long seed, long step, int layer, double p) {
        return new DropoutDraw(seed, step, layer, DropoutMask.threshold(p), DropoutMask.floatScale(p));
    }

    /** Binds the kernels' trailing arguments: seed lo/hi, step lo/hi, layer, threshold, scale. */
    ClKernel bind(ClKernel k) {
        return k.arg((int) seed).arg((int) (seed >>> 32)).arg((int) step).arg((int) (step >>> 32)).arg(layer)
                .arg(threshold).arg(scale);
    }
}
