package backpropcl.engine.cpu;

import java.util.Arrays;

/**
 * Max pooling of the cpu engine ({@code nn.MaxPool2d(K, S)}, no padding): each sample (C, H, W)
 * in NCHW order to (C, H', W'), H' = (H - K) / S + 1. The forward pass keeps, per output, where
 * its maximum came from: the FIRST maximum of the window in row-major order (dy, then dx; a later
 * value replaces it only when strictly greater), PyTorch's CPU choice; the backward pass scatters
 * each output's gradient to that input. Both are cut by samples and each sample's outputs are
 * taken in order, so overlapping windows (S &lt; K) add in a fixed order on any number of threads.
 *
 * <p>Its backward maps a gradient of the output's width to one of the input's ({@link #maxpoolBackward}),
 * so it is not an in-place {@link CpuLayer#backwardInPlace}: the derivative of the activation that
 * produced its input is applied afterwards by the layer that produced it, as for every layer.
 */
final class MaxPoolLayer implements CpuLayer {
    /**
     * A pass's blocks: out (capacity, C*H'*W'); argmax, per output, its input's index within the
     * sample (C*H*W order); in training gradient = dC/d(out), the same shape, where the way back
     * from above lands.
     */
    static final class MaxPoolBlocks extends CpuLayer.Blocks {
        final int[] argmax;
        final float[] gradient;

        MaxPoolBlocks(int capacity, int outputs, boolean training) {
            super(new float[Math.multiplyExact(capacity, outputs)]);
            this.argmax = new int[out.length];
            this.gradient = training ? new float[out.length] : null;
        }
    }

    final int channels;
    final int height;
    final int width;
    final int kernel;
    final int stride;
    final int outHeight;
    final int outWidth;

    /** K x K windows of stride S over (C, H, W) samples. */
    MaxPoolLayer(int channels, int height, int width, int kernel, int stride) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.kernel = kernel;
        this.stride = stride;
        this.outHeight = (height - kernel) / stride + 1;
        this.outWidth = (width - kernel) / stride + 1;
        if (kernel < 1 || stride < 1 || kernel > height || kernel > width) {
            throw new IllegalArgumentException("no output for a " + kernel + "x" + kernel + " window of stride " + stride + " on " + channels
                    + "x" + height + "x" + width);
        }
    }

    /** Values per sample of its input, C*H*W. */
    int inputs() {
        return channels * height * width;
    }

    /** Values per sample of its output, C*H'*W'. */
    @Override
    public int outputs() {
        return channels * outHeight * outWidth;
    }

    /** Comparisons per sample, for cutting a pass into chunks ({@link Chunks}). */
    @Override
    public long flopsPerRow() {
        return (long) outputs() * kernel * kernel;
    }

    /** Its blocks of a pass over up to {@code capacity} samples (the argmax is kept in evaluation too: one int per output). */
    @Override
    public MaxPoolBlocks blocks(int capacity, boolean training) {
        return new MaxPoolBlocks(capacity, outputs(), training);
    }

    /** out and argmax on samples [r0, r1) ({@link #maxpoolForward}); no random draws. */
    @Override
    public void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1) {
        maxpoolForward((MaxPoolBlocks) own, in, inOffset, r0, r1);
    }

    /** Never called: its way back changes the width ({@link #maxpoolBackward} from its blocks' gradient). */
    @Override
    public void backwardInPlace(Blocks own, float[] g, int r0, int r1) {
        throw new UnsupportedOperationException("maxpool's way back is maxpoolBackward, not in place");
    }

    /**
     * out and argmax on samples [r0, r1) from in (rows, C*H*W) at inOffset. The scan compares
     * {@link #key}s without a branch: a branch on v &gt; max mispredicts on data, and a scan with one
     * took 1.8 - 1.9x as long (ConvBench, 2x2 windows on one core: 632 against 356 us for LeNet-5's
     * 6x28x28 at batch 32, 7,011 against 3,876 us for W5's 32x28x28 at batch 64).
     */
    void maxpoolForward(MaxPoolBlocks own, float[] in, int inOffset, int r0, int r1) {
        float[] out = own.out;
        int[] argmax = own.argmax;
        int plane = height * width;
        for (int s = r0; s < r1; s++) {
            int xAt = inOffset + s * inputs();
            int o = s * outputs();
            for (int c = 0; c < channels; c++) {
                for (int oy = 0; oy < outHeight; oy++) {
                    for (int ox = 0; ox < outWidth; ox++, o++) {
                        int first = c * plane + oy * stride * width + ox * stride;
                        int best = first;
                        int max = key(in[xAt + first]);
                        for (int dy = 0; dy < kernel; dy++) {
                            for (int dx = 0, i = first + dy * width; dx < kernel; dx++, i++) {
                                int k = key(in[xAt + i]);
                                long greater = ((long) max - k) >> 63;   // -1 where k > max, else 0
                                best = (int) ((best & ~greater) | (i & greater));
                                max = Math.max(max, k);
                            }
                        }
                        out[o] = in[xAt + best];
                        argmax[o] = best;
                    }
                }
            }
        }
    }

    /**
     * An int that orders as the float v does: its bits, the magnitude bits flipped for a negative v;
     * -0 is taken as +0 first (v + 0 is +0 for both), so the two zeros tie as v &gt; max says. A NaN
     * of positive sign orders above every number (it wins the window, as PyTorch's pooling propagates it).
     */
    static int key(float v) {
        int bits = Float.floatToRawIntBits(v + 0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /**
     * gIn = dC/d(input) on samples [r0, r1) from gOut = dC/d(output): each output's gradient added to
     * the input at its argmax, outputs in order; gOut (rows, C*H'*W'), gIn (rows, C*H*W), both from 0.
     */
    void maxpoolBackward(MaxPoolBlocks own, float[] gOut, float[] gIn, int r0, int r1) {
        int[] argmax = own.argmax;
        int outputs = outputs();
        for (int s = r0; s < r1; s++) {
            int gAt = s * inputs();
            Arrays.fill(gIn, gAt, gAt + inputs(), 0f);
            for (int o = s * outputs, end = o + outputs; o < end; o++) {
                gIn[gAt + argmax[o]] += gOut[o];
            }
        }
    }
}
