package backpropcl.engine.cpu;

import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Activation;
import backpropcl.model.Gradients;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * One dense layer of the cpu engine with the activation after it as its epilogue (the fusion rule:
 * an activation right after a dense layer is computed inside it, while the rows it just wrote are
 * in cache). It owns its parameters, their gradients and the optimizer's state of them; the
 * engine owns the batch blocks it reads and writes ({@link DenseBlocks}), and cuts every call into
 * chunks by rows.
 * <pre>
 *   W (n, m), b (n)               parameters, updated in place
 *   wT (m, n)                     W transposed, for the forward kernel; updated with W
 *   gradW (n, m), gradB (n)       gradients of the last batch
 *   slotW[s], slotB[s]            the optimizer's state tensors, shaped as W and b
 * </pre>
 */
final class DenseLayer implements CpuLayer, ParameterLayer {
    /** A pass's blocks of a dense layer: out = a = f(z) and z (capacity, n); in training delta = dC/dz (capacity, n). */
    static final class DenseBlocks extends Blocks {
        final float[] z;
        final float[] delta;

        DenseBlocks(int capacity, int n, boolean training) {
            super(new float[Math.multiplyExact(capacity, n)]);
            this.z = new float[out.length];
            this.delta = training ? new float[out.length] : null;
        }
    }

    /** Its place l in the dense view: its tensors are ParameterLayout's weight(l) and bias(l). */
    private final int index;
    /** Input width m and output width n. */
    final int m;
    final int n;
    final Activation activation;
    final float[] w;
    final float[] wT;
    final float[] b;
    final float[] gradW;
    final float[] gradB;
    float[][] slotW = new float[0][];
    float[][] slotB = new float[0][];
    private final DenseProducts products;

    /** Dense layer {@code index} of the dense view, from m inputs to n outputs, with {@code activation} as its epilogue. */
    DenseLayer(int index, int m, int n, Activation activation, DenseProducts products) {
        this.index = index;
        this.m = m;
        this.n = n;
        this.activation = activation;
        int size = Math.multiplyExact(n, m);
        this.w = new float[size];
        this.wT = new float[size];
        this.b = new float[n];
        this.gradW = new float[size];
        this.gradB = new float[n];
        this.products = products;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int outputs() {
        return n;
    }

    @Override
    public long flopsPerRow() {
        return 2L * m * n;
    }

    @Override
    public boolean runsWhole(int rows) {
        return products.gemm(rows, n, m);
    }

    @Override
    public Blocks blocks(int capacity, boolean training) {
        return new DenseBlocks(capacity, n, training);
    }

    @Override
    public ParameterLayer parameterised() {
        return this;
    }

    @Override
    public void setParameters(Parameters p) {
        setParameters(p.copyWeights(index), p.copyBiases(index));
    }

    @Override
    public void copyParameters(Parameters p) {
        p.setWeights(index, w);
        p.setBiases(index, b);
    }

    @Override
    public void copyState(TrainingState s) {
        s.setWeights(index, w);
        s.setBiases(index, b);
        for (int k = 0; k < slotW.length; k++) {
            s.setSlotWeights(k, index, slotW[k]);
            s.setSlotBiases(k, index, slotB[k]);
        }
    }

    @Override
    public void setSlots(TrainingState s) {
        for (int k = 0; k < slotW.length; k++) {
            TrainingState.copy(s.copySlotWeights(k, index), slotW[k]);
            TrainingState.copy(s.copySlotBiases(k, index), slotB[k]);
        }
    }

    @Override
    public void copyGradients(Gradients g) {
        g.setWeights(index, gradW);
        g.setBiases(index, gradB);
    }

    @Override
    public void setGradients(Gradients g) {
        toFloats(g.values(), (int) g.layout().weight(index).offset(), gradW);
        toFloats(g.values(), (int) g.layout().bias(index).offset(), gradB);
    }

    private static void toFloats(double[] from, int offset, float[] to) {
        for (int i = 0; i < to.length; i++) {
            to[i] = (float) from[offset + i];
        }
    }

    @Override
    public boolean finiteBiases() {
        for (float v : b) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public LayerTrace trace(Blocks own, int rows) {
        DenseBlocks p = (DenseBlocks) own;
        int block = rows * n;
        return new LayerTrace(TrainingState.doubles(p.z, block), TrainingState.doubles(p.out, block), TrainingState.doubles(p.delta, block),
                TrainingState.doubles(gradW, gradW.length), TrainingState.doubles(gradB, gradB.length), TrainingState.doubles(w, w.length),
                TrainingState.doubles(b, b.length));
    }

    /** Copies in W and b (and makes W^T). */
    private void setParameters(float[] weights, float[] biases) {
        System.arraycopy(weights, 0, w, 0, w.length);
        System.arraycopy(biases, 0, b, 0, b.length);
        DenseProducts.transposeWeights(w, wT, n, m, 0, n);
    }

    @Override
    public void resetSlots(int slots) {
        slotW = new float[slots][w.length];
        slotB = new float[slots][b.length];
    }

    /** z = in W^T + b and a = f(z) on rows [r0, r1); in (B, m) starts at inOffset. */
    @Override
    public void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1) {
        DenseBlocks p = (DenseBlocks) own;
        products.forward(p.z, in, inOffset, w, wT, b, n, m, r0, r1);
        FloatActivations.apply(activation, p.z, p.out, n, r0, r1);
    }

    @Override
    public float[] delta(Blocks own) {
        return ((DenseBlocks) own).delta;
    }

    @Override
    public long backwardFlopsPerRow() {
        return 2L * m * n;
    }

    /** g = delta W on rows [r0, r1): dC/d(input) of this layer from its delta (B, n), g (B, m). */
    @Override
    public void backward(Blocks own, float[] g, int r0, int r1) {
        products.backward(g, ((DenseBlocks) own).delta, w, n, m, r0, r1);
    }

    /**
     * The epilogue's way back on rows [r0, r1): g *= f'(z), in place, g holding dC/da of this
     * layer's output on entry and its delta dC/dz on return.
     */
    @Override
    public void backwardInPlace(Blocks own, float[] g, int r0, int r1) {
        DenseBlocks p = (DenseBlocks) own;
        FloatActivations.multiplyByDerivative(activation, p.z, p.out, g, n, r0, r1);
    }

    @Override
    public int units() {
        return n;
    }

    @Override
    public long gradientFlopsPerUnit(int rows) {
        return 2L * rows * m;
    }

    /**
     * gradW and gradB of rows [j0, j1) of W for a batch of {@code rows}: 1/B delta^T in and 1/B
     * the column sums of delta; in (B, m) is this layer's input from inOffset, deltaT scratch of
     * (n, B).
     */
    @Override
    public void gradients(Blocks own, float[] deltaT, float[] in, int inOffset, int rows, int j0, int j1) {
        DenseProducts.transpose(((DenseBlocks) own).delta, deltaT, rows, n, j0, j1);
        products.weightGradient(gradW, deltaT, in, inOffset, rows, m, 1f / rows, j0, j1);
        // gradB[j] summed in double over the rows of deltaT.
        for (int j = j0; j < j1; j++) {
            double s = 0;
            for (int r = j * rows; r < (j + 1) * rows; r++) {
                s += deltaT[r];
            }
            gradB[j] = (float) (s / rows);
        }
    }

    /** The optimizer's step from gradW and gradB on rows [j0, j1) of W and b, and the same columns of W^T. */
    @Override
    public void update(Optimizer optimizer, OptimizerStep step, int j0, int j1) {
        if (optimizer.isPlainSgd()) {
            sgd(step.lr(), j0, j1);
            return;
        }
        float[] s1w = slotW.length > 0 ? slotW[0] : null;
        float[] s2w = slotW.length > 1 ? slotW[1] : null;
        float[] s1b = slotB.length > 0 ? slotB[0] : null;
        float[] s2b = slotB.length > 1 ? slotB[1] : null;
        FloatUpdate.apply(step, true, w, gradW, s1w, s2w, j0 * m, j1 * m);
        FloatUpdate.apply(step, false, b, gradB, s1b, s2b, j0, j1);
        DenseProducts.transposeWeights(w, wT, n, m, j0, j1);
    }

    /** W -= eta gradW, b -= eta gradB on rows [j0, j1), and the same columns of W^T. */
    private void sgd(float eta, int j0, int j1) {
        // Locals, as the loops read them: no field loads for C2 to hoist.
        float[] wl = w;
        float[] gl = gradW;
        float[] bl = b;
        float[] gb = gradB;
        if (products.simd()) {
            // In tiles of 64 columns of W: 64 rows of wT (one line per row) stay in L1 while the chunk's rows pass.
            float[] t = wT;
            for (int k0 = 0; k0 < m; k0 += 64) {
                int k1 = Math.min(m, k0 + 64);
                for (int j = j0; j < j1; j++) {
                    for (int k = k0, i = j * m + k0; k < k1; k++, i++) {
                        float v = wl[i] - eta * gl[i];
                        wl[i] = v;
                        t[k * n + j] = v;
                    }
                }
            }
        } else {
            for (int i = j0 * m; i < j1 * m; i++) {
                wl[i] -= eta * gl[i];
            }
        }
        for (int j = j0; j < j1; j++) {
            bl[j] -= eta * gb[j];
        }
    }
}
