package backpropcl.engine.cpu;

import backpropcl.model.DropoutMask;
import backpropcl.model.Philox4x32;

/**
 * A dropout layer of the cpu engine on a training step, by the one rule of {@link DropoutMask}:
 * element e (row-major in the (batch rows, width) block of its input) of layer k on step t is
 * kept iff {@link Philox4x32#uniform}(seed, t, k, e) {@code >= (float) p}, and a kept element is
 * scaled by {@link DropoutMask#floatScale}. The forward pass records which elements it kept (a
 * byte each, in its {@link DropoutBlocks}), so the backward pass does not draw them again. An
 * evaluation pass skips it (the identity).
 */
final class DropoutLayer implements CpuLayer {
    /** A training pass's blocks of a dropout layer: out = its input dropped and scaled, kept = its mask (capacity, width). */
    static final class DropoutBlocks extends Blocks {
        final byte[] kept;

        DropoutBlocks(int size) {
            super(new float[size]);
            this.kept = new byte[size];
        }
    }

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
    /** The mask's element number of the block's element 0: firstRow * width for a slice of a batch, else 0. */
    private int firstElement;

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

    /** The coming training pass's rows are rows firstRow.. of their batch (a data-parallel replica's slice). */
    void setFirstRow(int firstRow) {
        firstElement = Math.multiplyExact(firstRow, width);
    }

    @Override
    public int outputs() {
        return width;
    }

    @Override
    public long flopsPerRow() {
        return FLOPS_PER_ELEMENT * width;
    }

    @Override
    public boolean identityInEvaluation() {
        return true;
    }

    /** Blocks in training only: an evaluation pass never runs it. */
    @Override
    public Blocks blocks(int capacity, boolean training) {
        return training ? new DropoutBlocks(Math.multiplyExact(capacity, width)) : new Blocks(null);
    }

    /**
     * out = in * mask * scale on batch rows [r0, r1) of step {@code step}, and kept = the mask
     * (-1 where kept, 0 where dropped); in (B, width) starts at inOffset, out and kept (B, width) at 0.
     */
    @Override
    public void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1) {
        DropoutBlocks p = (DropoutBlocks) own;
        float[] out = p.out;
        byte[] kept = p.kept;
        for (int e = r0 * width, end = r1 * width; e < end; e++) {
            // Kept iff u >= threshold iff u - threshold has no sign bit (an exact sign: both are in [0, 1]).
            int keep = ~(Float.floatToRawIntBits(Philox4x32.uniform(seed, step, layer, firstElement + e) - threshold) >> 31);
            kept[e] = (byte) keep;
            out[e] = select(in[inOffset + e] * scale, keep);
        }
    }

    /** g *= mask * scale on rows [r0, r1), in place: dC/d(input) from dC/d(output), with the forward pass's mask. */
    @Override
    public void backwardInPlace(Blocks own, float[] g, int r0, int r1) {
        byte[] kept = ((DropoutBlocks) own).kept;
        for (int e = r0 * width, end = r1 * width; e < end; e++) {
            g[e] = select(g[e] * scale, kept[e]);
        }
    }

    /**
     * v where mask is -1, +0 where it is 0: the reference's {@code kept ? v : 0} without a branch,
     * which half the elements would mispredict at p = 0.5.
     */
    private static float select(float v, int mask) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(v) & mask);
    }
}
