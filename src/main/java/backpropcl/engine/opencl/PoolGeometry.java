package backpropcl.engine.opencl;

/**
 * The shape of one max pooling as its kernels take it: {@code channels} planes of {@code height} x
 * {@code width}, windows of {@code kernel} x {@code kernel} every {@code stride}, no padding; the
 * output is (channels, outHeight, outWidth), with nn.MaxPool2d's floor rule.
 */
record PoolGeometry(int channels, int height, int width, int kernel, int stride) {
    PoolGeometry {
        if (channels < 1 || height < 1 || width < 1 || kernel < 1 || stride < 1 || kernel > height || kernel > width) {
            throw new IllegalArgumentException("max pooling needs positive sizes and a window within the input, not " + channels
                    + "x" + height + "x" + width + " maxpool:" + kernel + ":s" + stride);
        }
    }

    /** (H - K) / S + 1. */
    int outHeight() {
        return (height - kernel) / stride + 1;
    }

    /** (W - K) / S + 1. */
    int outWidth() {
        return (width - kernel) / stride + 1;
    }

    /** Values of one sample's input: C * H * W. */
    int inputs() {
        return channels * height * width;
    }

    /** Values of one sample's output: C * OH * OW. */
    int outputs() {
        return channels * outHeight() * outWidth();
    }

    /** Binds maxpool.cl's geometry arguments for a block of {@code rows}: rows * C, H, W, K, S, OH, OW. */
    ClKernel bind(ClKernel k, int rows) {
        return k.arg(Math.multiplyExact(rows, channels)).arg(height).arg(width).arg(kernel).arg(stride).arg(outHeight()).arg(outWidth());
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width + " maxpool:" + kernel + ":s" + stride;
    }
}
