package backpropcl.model;

/**
 * The shape of one sample as a layer sees it: channels x height x width, PyTorch's (C, H, W) of
 * an (N, C, H, W) batch. A row of n features is the flat shape (n, 1, 1). In memory a sample is
 * one row of {@link #size()} values in NCHW order (channel, then row y, then column x), so a
 * flatten moves no data.
 */
public record Shape(int channels, int height, int width) {
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " needs every size 1 or more");
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " has more than 2^31 values");
        }
    }

    /** A row of n features: (n, 1, 1). */
    public static Shape flat(int n) {
        return new Shape(n, 1, 1);
    }

    /** The values per sample: C*H*W. */
    public int size() {
        return channels * height * width;
    }

    /** Whether the sample is a row of features (height and width 1). */
    public boolean isFlat() {
        return height == 1 && width == 1;
    }

    /** "1x28x28", or "784" for a flat shape: what a model file's {@code input_shape} metadata holds. */
    @Override
    public String toString() {
        return isFlat() ? Integer.toString(channels) : channels + "x" + height + "x" + width;
    }

    /**
     * The shape {@link #toString} writes: "1x28x28" or "784".
     *
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static Shape parse(String text) {
        String[] parts = text.trim().split("x", -1);
        if (parts.length != 1 && parts.length != 3) {
            throw new IllegalArgumentException("shape '" + text + "' is not N or CxHxW (e.g. 784 or 1x28x28)");
        }
        int[] n = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                n[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape '" + text + "': '" + parts[i] + "' is not a whole number (expected N or CxHxW, "
                        + "e.g. 784 or 1x28x28)");
            }
        }
        return n.length == 1 ? flat(n[0]) : new Shape(n[0], n[1], n[2]);
    }
}
