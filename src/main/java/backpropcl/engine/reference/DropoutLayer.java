package backpropcl.engine.reference;

import backpropcl.model.DropoutMask;

/**
 * Inverted dropout with the mask of {@link DropoutMask}: in training
 * out[e] = in[e] * mask[e] / (1-p) and dC/d(in)[e] = dC/d(out)[e] * mask[e] / (1-p), where
 * mask[e] is drawn from (seed, step, this layer's index k in the network, e) and e is the element's
 * index in the (rows, width) block; in evaluation it is the identity. {@code index} is the layer's
 * k in the network, {@code outputs} its width (that of its input).
 */
record DropoutLayer(double p, int index, int outputs) implements ReferenceLayer {
    @Override
    public void forward(double[] in, double[] out, int rows, Mode mode) {
        masked(in, out, rows, mode);
    }

    @Override
    public void backward(double[] in, double[] out, double[] gradOut, double[] gradIn, int rows, Mode mode) {
        masked(gradOut, gradIn, rows, mode);
    }

    /** to = from * mask / (1-p) in training, from itself in evaluation: the same map forward and backward. */
    private void masked(double[] from, double[] to, int rows, Mode mode) {
        int count = rows * outputs;
        if (!mode.training()) {
            System.arraycopy(from, 0, to, 0, count);
            return;
        }
        double scale = DropoutMask.scale(p);
        int first = mode.firstRow() * outputs;   // the block's first element in its batch's block
        for (int e = 0; e < count; e++) {
            to[e] = DropoutMask.keeps(mode.seed(), mode.step(), index, first + e, p) ? from[e] * scale : 0;
        }
    }
}
