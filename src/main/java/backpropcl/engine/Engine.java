package backpropcl.engine;

import backpropcl.data.Dataset;
import backpropcl.model.Gradients;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * Owns the parameters of one network on one device and trains them by mini-batch SGD. Every
 * engine starts from the same host-made parameters and sees the same batches in the same order, so
 * engines differ only by floating-point rounding.
 *
 * <p>Typical use: {@code setTrainingData} once, then for each epoch {@code setOrder} with the
 * epoch's permutation and {@code trainBatch} for consecutive slices of it; {@code evaluate} after
 * the epoch. {@link #trace} exposes the intermediate tensors of the last batch, layer by layer,
 * for {@code compare} and the tests.
 *
 * <p>A step has two halves that can be called apart: {@link #computeGradients} (forward, output
 * error, backward: the gradients of a batch slice into the engine's gradient buffer) and
 * {@link #applyGradients} (the optimizer's update from that buffer). {@link #trainBatch} is their
 * composition, and an engine may fuse them when nobody reads the gradients in between. Between
 * the halves, {@link #gradients} copies the buffer out and {@link #setGradients} replaces it (with
 * the sum of several replicas' gradients, say).
 */
public interface Engine extends AutoCloseable {

    /** A one-line description: engine name and device, e.g. "reference (double, Java)". */
    String description();

    Network network();

    /** Replaces the parameters (copied in). */
    void setParameters(Parameters parameters);

    /** The current parameters, copied out to the host in float32. */
    Parameters parameters();

    /**
     * The rule {@link #trainBatch} applies from now on, with a fresh state (zeros, step 0); the
     * parameters are kept. A new engine has {@link Optimizer#sgd()}.
     */
    void setOptimizer(Optimizer optimizer);

    Optimizer optimizer();

    /** The parameters and the optimizer's state, exactly as the engine holds them (a copy): what a checkpoint saves. */
    TrainingState state();

    /** Replaces the parameters, the optimizer and its state (copied in): what resuming from a checkpoint does. */
    void setState(TrainingState state);

    /** The training set that {@link #trainBatch} draws from; uploaded once where the engine has a device. */
    void setTrainingData(Dataset train);

    /**
     * The largest batch to come: an engine that sizes its buffers and picks its kernels for the
     * largest batch it has seen (OpenCL) makes them for this many rows now, so that its results
     * do not depend on which batch came first: a run resumed at an epoch's last, partial batch
     * then computes what the uninterrupted run computed. The trainer calls it with the batch size;
     * engines whose results never depend on it ignore it.
     */
    default void reserveBatch(int rows) {
    }

    /** The order of the training samples for the coming epoch (a permutation of 0..count-1), or null for file order. */
    void setOrder(int[] order);

    /**
     * The seed of the training step's own random draws, the dropout masks ({@code DropoutMask});
     * 0 until set. The trainer sets its run's seed, so a resumed run draws the same masks.
     */
    void setSeed(long seed);

    /**
     * One training step on the samples order[start .. start+rows): forward, output error, backward,
     * and the optimizer's update with the given learning rate from dC/dW, where C is the cost
     * averaged over the batch (plain SGD: W -= learningRate * dC/dW). The same as
     * {@code computeGradients(start, rows)} then {@code applyGradients(learningRate)}, bit for bit.
     */
    void trainBatch(int start, int rows, double learningRate);

    /**
     * The first half of a step: forward (dropout active, with the masks of step
     * {@code state().steps() + 1}), output error and backward on the samples
     * order[start .. start+rows), leaving dC/dW and dC/db, for C the cost averaged over those rows,
     * in the gradient buffer. The parameters and the optimizer state do not change. The rows are
     * a whole batch: {@code computeGradients(start, rows, 0)}.
     */
    default void computeGradients(int start, int rows) {
        computeGradients(start, rows, 0);
    }

    /**
     * The first half of a step on a slice of a batch: the gradients of the samples
     * order[start .. start+rows), which are rows {@code firstRow ..} of their batch, so that
     * dropout draws the whole batch's masks at those rows (element e = r * width + j of
     * {@code DropoutMask} with r the row within the batch). A data-parallel engine hands each
     * replica its slice this way; the gradients are averaged over the slice's rows.
     */
    void computeGradients(int start, int rows, int firstRow);

    /** The gradient buffer, copied out (in double, exactly as the engine holds it). */
    default Gradients gradients() {
        Gradients g = new Gradients(network());
        gradients(g);
        return g;
    }

    /**
     * The gradient buffer, values and rows, copied into {@code into} (a buffer of this engine's
     * network): {@link #gradients()} without a new buffer, for a caller that copies out every step.
     */
    void gradients(Gradients into);

    /**
     * {@link #gradients(Gradients)} started, not finished: sets {@code into}'s rows and returns
     * what fills its values range by range. An engine whose copy crosses a bus enqueues it without
     * blocking (so the caller can work on arrived ranges, or another device's, while it is in
     * flight); the default copies everything now. Each range is awaited once; disjoint ranges may
     * be awaited from different threads.
     */
    default GradientArrival gradientsArriving(Gradients into) {
        gradients(into);
        return (from, to) -> { };
    }

    /** The values of a gradient copy started by {@link #gradientsArriving}, range by range. */
    @FunctionalInterface
    interface GradientArrival {
        /** Waits until elements [from, to) of the flat buffer have arrived in the caller's buffer. */
        void await(int from, int to);
    }

    /** Replaces the gradient buffer (copied in; rounded to the engine's precision). */
    void setGradients(Gradients gradients);

    /** The second half of a step: the optimizer's update with the given learning rate from the gradient buffer; one step taken. */
    void applyGradients(double learningRate);

    /**
     * Whether the output layer's biases are all finite after the batches trained so far. A NaN or
     * infinite cost shows there in the step it appears (every output error feeds the bias
     * gradient), so this reads a handful of values, not all the parameters; on a device it waits
     * for the queued batches.
     */
    boolean outputFinite();

    /** Mean cost and accuracy over a whole data set with the current parameters. */
    Evaluation evaluate(Dataset data);

    /**
     * The tensors of dense layer l (0-based) from the last {@link #trainBatch}, as double: z, a,
     * delta and the gradients of that batch, and the weights and biases after its update.
     */
    LayerTrace trace(int layer);

    /**
     * Every layer's tensors from the last {@link #trainBatch}, in layer order: each layer's output
     * and, where backprop computes it, dC/d(output); each parameter tensor's gradient and its value
     * after the update. What {@code compare} prints for a network with conv, maxpool or batchnorm
     * layers; engines that compute only dense layers do not have it.
     *
     * @throws UnsupportedOperationException for an engine that traces dense layers only
     */
    default java.util.List<LayerTrace.Tensor> traceLayers() {
        throw new UnsupportedOperationException(description() + " traces dense layers only");
    }

    /**
     * Keeps what {@link #traceLayers} returns from the next {@link #trainBatch} on (an engine that
     * works in place copies the gradients it would overwrite); an engine that keeps it anyway
     * (the reference) ignores this.
     */
    default void keepLayerTraces() {
    }

    /** Releases what the engine holds; never throws for a release failure (it is logged). */
    @Override
    void close();
}
