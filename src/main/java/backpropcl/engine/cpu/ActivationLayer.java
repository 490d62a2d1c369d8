package backpropcl.engine.cpu;

import backpropcl.model.Activation;

/**
 * An activation of the cpu engine that no layer before it takes as its epilogue: one after a
 * maxpool (dense, conv and batchnorm layers compute the activation after them themselves). It
 * keeps its input z, which its derivative reads on the way back.
 */
final class ActivationLayer implements CpuLayer {
    /** A pass's blocks: out = f(z) and z, its input (capacity, width). */
    static final class ActivationBlocks extends Blocks {
        final float[] z;

        ActivationBlocks(int size) {
            super(new float[size]);
            this.z = new float[size];
        }
    }

    private final int width;
    private final Activation activation;

    /** {@code activation} on rows of {@code width} values. */
    ActivationLayer(int width, Activation activation) {
        this.width = width;
        this.activation = activation;
    }

    @Override
    public int outputs() {
        return width;
    }

    @Override
    public long flopsPerRow() {
        return 4L * width;
    }

    @Override
    public Blocks blocks(int capacity, boolean training) {
        return new ActivationBlocks(Math.multiplyExact(capacity, width));
    }

    /** z = in and out = f(z) on rows [r0, r1); in (rows, width) starts at inOffset. */
    @Override
    public void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1) {
        ActivationBlocks p = (ActivationBlocks) own;
        System.arraycopy(in, inOffset + r0 * width, p.z, r0 * width, (r1 - r0) * width);
        FloatActivations.apply(activation, p.z, p.out, width, r0, r1);
    }

    /** g *= f'(z) on rows [r0, r1), in place: dC/d(out) on entry, dC/d(in) on return. */
    @Override
    public void backwardInPlace(Blocks own, float[] g, int r0, int r1) {
        ActivationBlocks p = (ActivationBlocks) own;
        FloatActivations.multiplyByDerivative(activation, p.z, p.out, g, width, r0, r1);
    }
}
