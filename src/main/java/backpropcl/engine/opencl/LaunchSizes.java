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

    /**
     * The work-group of the fused tail on CPU devices (elsewhere: {@link #REDUCTION_WG}). One
     * work-group runs the whole tail; on a CPU runtime it is a loop on one core, where a few
     * work-items cost less than many (each barrier region loops over all of them).
     */
    static final int TAIL_WG_CPU = 4;

    /** The largest work-group of the reduction kernels (softmax rows, metrics) and of the fused tail. */
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

    /**
     * Work-group sizes the tuner tries for the blocked family: small ones on CPU devices, where a
     * work-group is a loop on one core and more groups spread better over the cores; warp- and
     * wavefront-sized ones elsewhere. Few, because a runtime may compile a kernel anew for each
     * size. Sizes over {@code limit} (the device's and the kernel's) are left out; never empty.
     */
    static int[] blockedLocals(boolean cpu, long limit) {
        int[] want = cpu ? new int[] {1, 4, 16} : new int[] {32, 64, 256};
        int[] fit = java.util.Arrays.stream(want).filter(w -> w <= limit).toArray();
        return fit.length > 0 ? fit : new int[] {powerOfTwoAtMost(want[0], limit)};
    }

    /** The work-group of the fused tail: {@link #TAIL_WG_CPU} on CPU devices, else up to {@link #REDUCTION_WG}, within the limits. */
    static int tailWorkGroup(boolean cpu, long... limits) {
        return powerOfTwoAtMost(cpu ? TAIL_WG_CPU : REDUCTION_WG, limits);
    }

    /**
     * The tile edge to rebuild with when a built tiled kernel allows at most {@code kernelLimit}
     * work-items per group (a GPU short of registers): the largest of {@link #TILES} up to
     * {@code ts} whose square fits; {@code ts} itself when it fits. At least 1.
     */
    static int tileWithin(int ts, long kernelLimit) {
        for (int t : TILES) {
            if (t <= ts && (long) t * t <= kernelLimit) {
                return t;
            }
        }
        return 1;
    }

    /**
     * The work-group of a one-group-per-channel reduction (batch norm's statistics and backward):
     * the largest power of two up to {@code want} within the limits whose {@code floatsPerItem}
     * local floats per work-item fit {@code localMemBytes}. At least 1.
     */
    static int reductionWorkGroup(long want, int floatsPerItem, long localMemBytes, long... limits) {
        return powerOfTwoAtMost(Math.min(want, Math.max(1, localMemBytes / ((long) floatsPerItem * Float.BYTES))), limits);
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
