package backpropcl.model;

/**
 * Which elements a dropout layer keeps on a training step: element e of dropout layer k (its
 * index in {@link Network#layers()}) on step t is kept when {@link Philox4x32#uniform}(seed, t,
 * k, e) is at least p, as a float. The element is its index in the layer's (batch rows, width)
 * block, row-major. A kept element is scaled by 1/(1-p) (inverted dropout, as nn.Dropout), so
 * evaluation needs no scaling. One rule for every engine: the reference, the cpu engine and
 * kernels/dropout.cl keep the same elements, so engines still agree element by element, and a
 * resumed run draws what an uninterrupted one would.
 */
public final class DropoutMask {
    private DropoutMask() {
    }

    /** Whether element {@code element} of dropout layer {@code layer} is kept on step {@code step}. */
    public static boolean keeps(long seed, long step, int layer, int element, double p) {
        return Philox4x32.uniform(seed, step, layer, element) >= threshold(p);
    }

    /** p as the float the uniform number is compared with (the kernels get this float). */
    public static float threshold(double p) {
        return (float) p;
    }

    /** The factor of a kept element in double: 1/(1-p). */
    public static double scale(double p) {
        return 1.0 / (1.0 - p);
    }

    /** The factor of a kept element in float32, as the float engines apply it (made once on the host). */
    public static float floatScale(double p) {
        return (float) (1.0 / (1.0 - p));
    }
}
