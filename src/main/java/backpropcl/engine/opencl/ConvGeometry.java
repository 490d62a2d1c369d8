package backpropcl.engine.opencl;

/**
 * The shape of one convolution as its kernels take it: an input of {@code channels} planes of
 * {@code height} x {@code width}, {@code filters} filters of {@code kernel} x {@code kernel},
 * {@code stride} and zero {@code padding}; the output is (filters, outHeight, outWidth), with
 * nn.Conv2d's floor rule.
 */
record ConvGeometry(int channels, int height, int width, int filters, int kernel, int stride, int padding) {
    ConvGeometry {
        if (channels < 1 || height < 1 || width < 1 || filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("a convolution needs positive sizes and stride and padding >= 0, not " + describe(channels,
                    height, width, filters, kernel, stride, padding));
        }
        if (height + 2 * padding < kernel || width + 2 * padding < kernel) {
            throw new IllegalArgumentException("the kernel of " + describe(channels, height, width, filters, kernel, stride, padding)
                    + " is larger than its padded input");
        }
    }

    private static String describe(int c, int h, int w, int f, int k, int s, int p) {
        return String.format(java.util.Locale.ROOT, "%dx%dx%d conv:%dx%dx%d:s%d:p%d", c, h, w, f, k, k, s, p);
    }

    /** (H + 2P - K) / S + 1. */
    int outHeight() {
        return (height + 2 * padding - kernel) / stride + 1;
    }

    /** (W + 2P - K) / S + 1. */
    int outWidth() {
        return (width + 2 * padding - kernel) / stride + 1;
    }

    /** Values of one sample's input: C * H * W. */
    int inputs() {
        return channels * height * width;
    }

    /** Values of one sample's output: F * OH * OW. */
    int outputs() {
        return filters * outHeight() * outWidth();
    }

    /** Elements of the weight tensor (F, C, K, K). */
    int weights() {
        return filters * channels * kernel * kernel;
    }

    /** Binds conv.cl's CONV_GEOMETRY arguments for a block of {@code rows}: rows, C, H, W, F, K, S, P, OH, OW. */
    ClKernel bind(ClKernel k, int rows) {
        return k.arg(rows).arg(channels).arg(height).arg(width).arg(filters).arg(kernel).arg(stride).arg(padding)
                .arg(outHeight()).arg(outWidth());
    }

    @Override
    public String toString() {
        return describe(channels, height, width, filters, kernel, stride, padding);
    }
}
