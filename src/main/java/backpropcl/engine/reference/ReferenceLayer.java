package backpropcl.engine.reference;

/**
 * One layer of the reference engine, as one entry of {@link backpropcl.model.Network#layers()}:
 * its forward and backward pass on (rows, width) row-major blocks, outputs after inputs as in
 * the kernels. {@code in} is the layer's input, {@code out} its output; in backward,
 * {@code gradOut} is dC/d(out) and the layer writes {@code gradIn} = dC/d(in) (null where no
 * layer before it needs it).
 */
interface ReferenceLayer {

    /**
     * How a pass runs: in training (dropout draws the mask of the seed and step, the block's row r
     * being row firstRow + r of its batch) or in evaluation.
     */
    record Mode(boolean training, long seed, long step, int firstRow) {
        /** Evaluation: dropout is the identity. */
        static final Mode EVALUATION = new Mode(false, 0, 0, 0);
    }

    /** Values per row of this layer's output. */
    int outputs();

    /** out = this layer of in, for a batch of rows. */
    void forward(double[] in, double[] out, int rows, Mode mode);

    /** gradIn = dC/d(in) from gradOut = dC/d(out), after the forward pass that left in and out. */
    void backward(double[] in, double[] out, double[] gradOut, double[] gradIn, int rows, Mode mode);
}
