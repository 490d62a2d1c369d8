package backpropcl.engine.cpu;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Gradients;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * A cpu layer with tensors (dense, conv, batchnorm): it holds them, their gradients and the
 * optimizer's state of them, and copies each to and from the engine's public forms by its tensors'
 * names in {@link backpropcl.model.ParameterLayout}. Its update is cut by {@link #units}.
 */
interface TensorLayer {

    /** Its index: dense l of {@code ParameterLayout.weight(l)} for a dense layer, k in the network's layers otherwise. */
    int index();

    /** The units {@link #update} is cut by (rows of W, filters, channels). */
    int units();

    /** FLOPs one unit of its gradients costs for a batch of {@code rows}. */
    long gradientFlopsPerUnit(int rows);

    /** The optimizer's step from the gradients on units [j0, j1) (a batch norm's running statistics too). */
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
}
