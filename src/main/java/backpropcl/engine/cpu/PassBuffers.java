package backpropcl.engine.cpu;

import java.util.List;

/**
 * The blocks of one pass over up to {@code capacity} rows, allocated once and replaced only when
 * a larger batch comes: what the engine owns, and each layer's own blocks as the layer shapes
 * them ({@link CpuLayer#blocks}).
 * <pre>
 *   x (capacity, m0)             the gathered input rows (a shuffled training batch)
 *   labels (capacity)            the label of each training row
 *   layer[i]                     layer i's blocks: its output (capacity, width) and what its way back keeps
 *   scratch (most units, capacity)  one layer's gradients at a time (dense: its delta transposed)
 *   inputGradient (capacity, m0)  dC/dx, where a batch norm with only in-place layers below it writes one; else null
 * </pre>
 */
final class PassBuffers {
    final int capacity;
    final boolean training;
    final float[] x;
    final int[] labels;
    final CpuLayer.Blocks[] layer;
    final float[] scratch;
    final float[] inputGradient;

    /**
     * @param training whether the pass needs x, labels and the way back (an evaluation reads its data in place)
     * @param inputGradient whether the way back writes a gradient of the input
     */
    PassBuffers(List<CpuLayer> layers, int inputs, int capacity, boolean training, boolean inputGradient) {
        this.capacity = capacity;
        this.training = training;
        this.x = training ? new float[Math.multiplyExact(capacity, inputs)] : null;
        this.labels = training ? new int[capacity] : null;
        this.layer = new CpuLayer.Blocks[layers.size()];
        int units = 0;
        for (int i = 0; i < layer.length; i++) {
            layer[i] = layers.get(i).blocks(capacity, training);
            ParameterLayer p = layers.get(i).parameterised();
            units = p == null ? units : Math.max(units, p.units());
        }
        this.scratch = training ? new float[Math.multiplyExact(capacity, units)] : null;
        this.inputGradient = training && inputGradient ? new float[Math.multiplyExact(capacity, inputs)] : null;
    }
}
