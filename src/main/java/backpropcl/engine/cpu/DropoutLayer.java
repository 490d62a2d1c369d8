package backpropcl.engine.cpu;

import backpropcl.model.DropoutMask;
import backpropcl.model.Philox4x32;

/**
 * A dropout layer of the cpu engine on a training step, by the one rule of {@link DropoutMask}:
 * element e (row-major in the (batch rows, width) block of its input) of layer k on step t is
 * kept iff {@link Philox4x32#uniform}(seed, t, k, e) {@code >= (float) p}, and a kept element is
 * scaled by {@link DropoutMask#floatScale}. The forward pass records which elements it kept, so
 * the backward pass does not draw them again. Evaluation never comes here.
 */
final class DropoutLayer {
    /**
     * What drawing one element costs, in FLOPs of the products, for cutting a step into chunks:
     * Philox4x32-10 took 11.5 - 24 ns per element on the 2-core development machine (under load),
     * the time the kernels take for a few hundred FLOPs.
     */
    static final long FLOPS_PER_ELEMENT = 256;

    private final int layer;
    private final int width;
    private final float threshold;
    private final float scale;

    /**
     * @param layer the dropout's index k in {@code Network.layers()}: its mask's layer number
     * @param width the width of its input (and output)
     * @param p the probability of dropping an element, in (0, 1)
     */
    DropoutLayer(int layer, int width, double p) {
        this.layer = layer;
        this.width = width;
        this.threshold = DropoutMask.threshold(p);
        this.scale = DropoutMask.floatScale(p);
    }

    /**
     * out = in * mask * scale on batch rows [r0, r1) of step {@code step}, and kept = the mask;
     * in (B, width) starts at inOffset, out and kept (B, width) at 0.
     */
    void forward(long seed, long step, float[] in, int inOffset, float[] out, boolean[] kept, int r0, int r1) {
        for (int e = r0 * width, end = r1 * width; e < end; e++) {
            boolean keep = Philox4x32.uniform(seed, step, layer, e) >= threshold;
            kept[e] = keep;
            out[e] = keep ? in[inOffset + e] * scale : 0f;
        }
    }

    /** g *= mask * scale on rows [r0, r1), in place: dC/d(input) from dC/d(output), with the forward pass's mask. */
    void backward(float[] g, boolean[] kept, int r0, int r1) {
        for (int e = r0 * width, end = r1 * width; e < end; e++) {
            g[e] = kept[e] ? g[e] * scale : 0f;
        }
    }
}
