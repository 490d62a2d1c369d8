package backpropcl.engine.cpu;

/**
 * One layer of the cpu engine, as {@code CpuEngine.plan} builds it from an entry of
 * {@link backpropcl.model.Network#layers()}: its forward pass and the elementwise part of its way
 * back on batch rows [r0, r1) of (rows, width) row-major blocks, so that the engine can cut any
 * layer into chunks of rows and run a layer and the ones next to it in the same chunk. A layer
 * says what its blocks of a pass are ({@link #blocks}); the engine allocates them through it and
 * hands them back on every call. A layer with tensors is also a {@link ParameterLayer}.
 */
interface CpuLayer {

    /** A layer's blocks of one pass over up to {@code capacity} rows: its output, and what else it keeps for the way back. */
    class Blocks {
        /** The layer's output (capacity, outputs); null where a pass never writes it (an evaluation skips dropout). */
        final float[] out;

        Blocks(float[] out) {
            this.out = out;
        }
    }

    /** Values per row of this layer's output. */
    int outputs();

    /** FLOPs one batch row of its forward pass costs (for cutting a pass into chunks, {@link Chunks}). */
    long flopsPerRow();

    /** Whether at {@code rows} its forward is a product a native sgemm runs whole (it then takes one chunk). */
    default boolean runsWhole(int rows) {
        return false;
    }

    /** Whether it is the identity in evaluation: an evaluation pass skips it and hands its input on. */
    default boolean identityInEvaluation() {
        return false;
    }

    /** Its blocks of a pass over up to {@code capacity} rows; {@code training}: a training pass (with the way back). */
    Blocks blocks(int capacity, boolean training);

    /**
     * own.out on rows [r0, r1) from in (rows, inputs), which starts at inOffset; seed and step
     * pick a training pass's random draws (dropout's mask).
     */
    void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1);

    /**
     * The elementwise part of its way back on rows [r0, r1), in place: g holds dC/d(out) on entry
     * and, on return, dC/d(in) (dropout) or, for a layer whose product comes after it, the
     * gradient its product needs (dense: delta = dC/dz, through its epilogue's derivative).
     */
    void backwardInPlace(Blocks own, float[] g, int r0, int r1);

    /** This layer as one with tensors, or null. */
    default ParameterLayer parameterised() {
        return null;
    }
}
