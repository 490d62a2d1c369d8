package backpropcl.engine.cpu;

import backpropcl.engine.LayerTrace;

/**
 * A cpu layer whose way back is a product (dense, conv): its tensors ({@link TensorLayer}), its
 * input-gradient product ({@link #backward}, cut by batch rows) and its gradients
 * ({@link #gradients}, cut by {@link #units}).
 */
interface ParameterLayer extends TensorLayer {

    /** The block of a training pass that holds the gradient its {@link #gradients} read (dense: delta); the way back from above lands in it. */
    float[] delta(CpuLayer.Blocks own);

    /** FLOPs one batch row of {@link #backward} costs. */
    long backwardFlopsPerRow();

    /** g = dC/d(its input) on rows [r0, r1), from its {@link #delta}; g (rows, inputs). */
    void backward(CpuLayer.Blocks own, float[] g, int r0, int r1);

    /**
     * Its gradients on units [j0, j1) for a batch of {@code rows}: in (rows, inputs) is its input
     * from inOffset, scratch a block of (units, rows).
     */
    void gradients(CpuLayer.Blocks own, float[] scratch, float[] in, int inOffset, int rows, int j0, int j1);

    /** The fewest units a chunk of its {@link #gradients} should get (its product's vector width over the units), 1 where any cut is as fast. */
    default int gradientUnitsPerChunk() {
        return 1;
    }

    /** Whether its biases, where a divergence shows first, are all finite. */
    boolean finiteBiases();

    /** Its blocks of the last training batch of {@code rows} and its tensors, for {@code Engine.trace}. */
    LayerTrace trace(CpuLayer.Blocks own, int rows);
}
