package backpropcl.engine.cpu;

/**
 * How a step of {@code units} rows, each costing {@code flopsPerUnit}, is cut into chunks for the
 * {@link WorkerPool}. The cut depends on the shape alone, never on the number of threads, so every
 * output element is summed in the same order on 1, 2 or 16 threads and results are bitwise the
 * same on any of them.
 *
 * <p>A chunk below {@link #MIN_FLOPS} (~50 us of sgemv) is not worth a hand-over to another
 * thread. So the 784-16-16-10 network at batch 10 (0.25 MFLOP per product) stays on one thread:
 * cut at 2^16 FLOPs it ran up to 40 % slower on 2 cores and spent more CPU time in spinning
 * workers. 784-128-64-10 at batch 100 is cut in 8 (its first layer) or not at all (the small
 * layers); a limit of 2^18 measured the same there. At most {@link #MAX} chunks, so that no chunk
 * gets too thin.
 */
final class Chunks {
    /** The least work (floating-point operations) a chunk gets. */
    static final long MIN_FLOPS = 1L << 20;
    /** The most chunks a step is cut into. */
    static final int MAX = 8;

    private Chunks() {
    }

    /** The number of chunks for {@code units} rows of {@code flopsPerUnit} each: 1 .. min(MAX, units). */
    static int count(int units, long flopsPerUnit) {
        long byWork = units * flopsPerUnit / MIN_FLOPS;
        return (int) Math.max(1, Math.min(Math.min(MAX, units), byWork));
    }

    /** Chunk boundaries fall on multiples of this when every chunk gets that many units: the kernels' row block. */
    static final int ALIGN = 4;  // VectorKernels.ROWS, not read from there: that class needs jdk.incubator.vector

    /**
     * The first unit of chunk c of {@code chunks} over {@code units}; chunk c is [start(c), start(c + 1)).
     * Rounded to a multiple of {@link #ALIGN} when the chunks are at least that long, so that no
     * chunk but the last ends in a partial row block (which computes 4 rows and keeps fewer).
     */
    static int start(int c, int chunks, int units) {
        if (c == 0 || c >= chunks) {
            return c == 0 ? 0 : units;
        }
        if (units < ALIGN * chunks) {
            return (int) ((long) units * c / chunks);
        }
        return (int) Math.min(units, ((long) units * c + (long) chunks * ALIGN / 2) / ((long) chunks * ALIGN) * ALIGN);
    }
}
