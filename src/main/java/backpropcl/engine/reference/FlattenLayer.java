package backpropcl.engine.reference;

/** Flatten: a dense network's rows are flat already, so it copies its input forward and its gradient back. */
record FlattenLayer(int outputs) implements ReferenceLayer {

    @Override
    public void forward(double[] in, double[] out, int rows, Mode mode) {
        System.arraycopy(in, 0, out, 0, rows * outputs);
    }

    @Override
    public void backward(double[] in, double[] out, double[] gradOut, double[] gradIn, int rows, Mode mode) {
        System.arraycopy(gradOut, 0, gradIn, 0, rows * outputs);
    }
}
