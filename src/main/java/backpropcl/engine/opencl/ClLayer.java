package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import java.util.List;

/**
 * One layer of the OpenCL engine's walk, made by the engine's factory from one or more entries of
 * {@link backpropcl.model.Network#layers()} (a dense layer with the activation after it as its
 * epilogue; as engine.reference's ReferenceLayer otherwise). The engine walks the layers forward
 * and in reverse backward and owns only what they share: the pass's input rows, the training data
 * and order, the optimizer's step count and evaluation. A layer makes its own device blocks of a
 * pass ({@link #blocks}), enqueues its kernels through the routines it holds (each its own
 * program, shared by the layers of its kind through {@link ClKernels#routine}) and, where it has
 * parameters, holds their device tensors ({@link #tensors}).
 *
 * <p>The gradient handed down is dC/dz of the layer below (dense, conv, max-pool or batch-norm: its
 * activation's derivative applied by the layer above, the fused epilogue of its backward kernel);
 * an elementwise layer in between (dropout) applies its own backward to that buffer in place,
 * after. A layer without parameters whose layers below take no gradient (max pooling on the
 * input) hands none: its {@link Blocks#gradient} is null.
 */
interface ClLayer extends AutoCloseable {

    /**
     * How a pass runs: in training (dropout draws the mask of the seed and step, the block's row r
     * being row firstRow + r of its batch; SGD at eta) or in evaluation.
     */
    record Mode(boolean training, long seed, long step, int firstRow, float eta) {
        /** Evaluation: forward only, dropout is the identity. */
        static final Mode EVALUATION = new Mode(false, 0, 0, 0, 0f);
    }

    /** The activation epilogue of a dense layer: its function and its z and a = f(z) blocks. */
    record Epilogue(Activation activation, ClBuffer z, ClBuffer a) {
    }

    /** A layer's device blocks of one pass over up to a capacity of rows. */
    interface Blocks extends AutoCloseable {
        /**
         * Where the layer after this one writes the gradient it hands down (dC/dz of the dense
         * layer at or below this one), null where no layer below needs one.
         */
        ClBuffer gradient();

        /** The epilogue whose derivative that gradient is taken through, null at the input. */
        Epilogue epilogue();

        /** The kernel variants chosen for this pass, as " layer 0 forward tiled/16 ...", or "". */
        default String describe() {
            return "";
        }

        /** Releases the blocks; release errors are logged, never thrown. */
        @Override
        void close();
    }

    /** Values per row of this layer's output. */
    int outputs();

    /**
     * Makes this layer's blocks of a pass over up to {@code capacity} rows, named after
     * {@code name}; {@code below} are the blocks of the layer before it, null for the first.
     */
    Blocks blocks(Blocks below, int capacity, boolean training, String name);

    /** Chooses the kernels of a pass over batches of {@code rows} into {@code own} (none by default). */
    default void plan(Blocks own, int rows) {
    }

    /** Enqueues this layer of {@code in} for a batch of rows; returns the buffer the next layer reads. */
    ClBuffer forward(Blocks own, ClBuffer in, int rows, Mode mode);

    /**
     * Enqueues this layer's backward pass after the forward pass that read {@code in}: from the
     * gradient the layer after it left in {@code own.gradient()}, the one it hands down (into
     * the blocks below) and its parameters' gradients, with their SGD step at {@code mode.eta()}.
     */
    void backward(Blocks own, ClBuffer in, int rows, Mode mode);

    /**
     * The update half's work beside the optimizer step: batch norm folds the batch statistics its
     * last training forward kept into its running ones (nothing by default, and nothing when none
     * are kept).
     */
    default void updateRunningStatistics() {
    }

    /** Its parameter tensors in {@link backpropcl.model.ParameterLayout} order; none by default. */
    default List<DeviceTensor> tensors() {
        return List.of();
    }

    /** Releases its device tensors (the routines belong to {@link ClKernels}). */
    @Override
    default void close() {
        for (DeviceTensor t : tensors()) {
            t.close();
        }
    }
}
