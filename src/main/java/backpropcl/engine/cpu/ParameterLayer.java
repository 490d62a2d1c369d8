package backpropcl.engine.cpu;

import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Gradients;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * A cpu layer with tensors (dense now): it holds them, their gradients and the optimizer's state
 * of them, and copies each to and from the engine's public forms by its tensors' names in
 * {@link backpropcl.model.ParameterLayout} (its place {@link #index} among the layers with
 * tensors). Its way back is a product ({@link #backward}, cut by batch rows) and its gradients
 * and update ({@link #gradients}, {@link #update}), cut by {@link #units} (rows of W).
 */
interface ParameterLayer {

    /** Its place among the network's layers with tensors: l of {@code ParameterLayout.weight(l)}. */
    int index();

    /** The block of a training pass that holds the gradient its {@link #gradients} read (dense: delta); the way back from above lands in it. */
    float[] delta(CpuLayer.Blocks own);

    /** FLOPs one batch row of {@link #backward} costs. */
    long backwardFlopsPerRow();

    /** g = dC/d(its input) on rows [r0, r1), from its {@link #delta}; g (rows, inputs). */
    void backward(CpuLayer.Blocks own, float[] g, int r0, int r1);

    /** The units {@link #gradients} and {@link #update} are cut by (rows of W). */
    int units();

    /** FLOPs one unit of {@link #gradients} costs for a batch of {@code rows}. */
    long gradientFlopsPerUnit(int rows);

    /**
     * Its gradients on units [j0, j1) for a batch of {@code rows}: in (rows, inputs) is its input
     * from inOffset, scratch a block of (units, rows).
     */
    void gradients(CpuLayer.Blocks own, float[] scratch, float[] in, int inOffset, int rows, int j0, int j1);

    /** The optimizer's step from the gradients on units [j0, j1). */
    void update(Optimizer optimizer, OptimizerStep step, int j0, int j1);

    /** Fresh zero state tensors for an optimizer with {@code slots} of them. */
    void resetSlots(int slots);

    /** Copies in its tensors from p. */
    void setParameters(Parameters p);

    /** Copies out its tensors into p. */
    void copyParameters(Parameters p);

    /** Copies out its tensors and its optimizer state into s. */
    void copyState(TrainingState s);

    /** Copies in its optimizer state from s (after {@link #resetSlots} for s's optimizer). */
    void setSlots(TrainingState s);

    /** Copies out its gradients into g. */
    void copyGradients(Gradients g);

    /** Takes its gradients from g, rounded to float32. */
    void setGradients(Gradients g);

    /** Whether its biases, where a divergence shows first, are all finite. */
    boolean finiteBiases();

    /** Its blocks of the last training batch of {@code rows} and its tensors, for {@code Engine.trace}. */
    LayerTrace trace(CpuLayer.Blocks own, int rows);
}
