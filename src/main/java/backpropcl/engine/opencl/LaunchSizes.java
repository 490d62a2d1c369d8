package backpropcl.engine.opencl;

/**
 * Pure functions that choose tile and work-group sizes from what a device reports, so that they
 * can be tested with the limits of devices we do not have.
 */
final class LaunchSizes {
    /** Tile edges tried, largest first: TS x TS work-items per group of the matrix-product kernels. */
    static final int[] TILES = {16, 8, 4, 2, 1};

    /** The work-group size of the 1-D element-wise kernels when the device allows it. */
    static final int LINEAR_WG = 64;

    /** The largest work-group of the reduction kernels (softmax rows, metrics). */
    static final int REDUCTION_WG = 256;

    private LaunchSizes() {
    }

    /** Local memory the tiled kernels declare for tile edge ts: two ts x (ts + 1) float tiles. */
    static long tileLocalBytes(int ts) {
        return 2L * ts * (ts + 1) * Float.BYTES;
    }

    /**
     * The largest tile edge, at most {@code atMost}, whose TS x TS work-group fits the device's
     * max work-group size and max work-item sizes of dimensions 0 and 1, and whose two tiles fit
     * its local memory. Always at least 1.
     */
    static int tile(int atMost, long maxWorkGroupSize, long maxItems0, long maxItems1, long localMemBytes) {
        for (int ts : TILES) {
            if (ts <= atMost && (long) ts * ts <= maxWorkGroupSize && ts <= maxItems0 && ts <= maxItems1
                    && tileLocalBytes(ts) <= localMemBytes) {
                return ts;
            }
        }
        return 1;
    }

    /** The largest power of two <= min(want, every limit), at least 1. */
    static int powerOfTwoAtMost(long want, long... limits) {
        long cap = want;
        for (long l : limits) {
            cap = Math.min(cap, l);
        }
        int p = 1;
        while ((long) p * 2 <= cap) {
            p *= 2;
        }
        return p;
    }

    /** The smallest power of two >= n (n >= 1). */
    static int powerOfTwoAtLeast(int n) {
        int p = 1;
        while (p < n) {
            p *= 2;
        }
        return p;
    }

    /** n rounded up to a multiple of m. */
    static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }
}
