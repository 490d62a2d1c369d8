package backpropcl.engine.cpu;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Activation;
import backpropcl.model.Optimizer;

/**
 * One dense layer of the cpu engine with the activation after it as its epilogue (the fusion rule:
 * an activation right after a dense layer is computed inside it, while the rows it just wrote are
 * in cache). It owns its parameters, their gradients and the optimizer's state of them; the
 * engine owns the batch blocks it reads and writes, and cuts every call into chunks by rows.
 * <pre>
 *   W (n, m), b (n)               parameters, updated in place
 *   wT (m, n)                     W transposed, for the forward kernel; updated with W
 *   gradW (n, m), gradB (n)       gradients of the last batch
 *   slotW[s], slotB[s]            the optimizer's state tensors, shaped as W and b
 * </pre>
 */
final class DenseLayer {
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

    DenseLayer(int m, int n, Activation activation, DenseProducts products) {
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

    /** Copies in W and b (and makes W^T). */
    void setParameters(float[] weights, float[] biases) {
        System.arraycopy(weights, 0, w, 0, w.length);
        System.arraycopy(biases, 0, b, 0, b.length);
        DenseProducts.transposeWeights(w, wT, n, m, 0, n);
    }

    /** Fresh zero state tensors for an optimizer with {@code slots} of them. */
    void resetSlots(int slots) {
        slotW = new float[slots][w.length];
        slotB = new float[slots][b.length];
    }

    /** z = in W^T + b and a = f(z) on rows [r0, r1); in (B, m) starts at inOffset. */
    void forward(float[] in, int inOffset, float[] z, float[] a, int r0, int r1) {
        products.forward(z, in, inOffset, w, wT, b, n, m, r0, r1);
        FloatActivations.apply(activation, z, a, n, r0, r1);
    }

    /** g = delta W on rows [r0, r1): dC/d(input) of this layer from its delta (B, n), g (B, m). */
    void backward(float[] delta, float[] g, int r0, int r1) {
        products.backward(g, delta, w, n, m, r0, r1);
    }

    /**
     * The epilogue's way back on rows [r0, r1): g *= f'(z), in place, g holding dC/da of this
     * layer's output on entry and its delta dC/dz on return.
     */
    void activationBackward(float[] z, float[] a, float[] g, int r0, int r1) {
        FloatActivations.multiplyByDerivative(activation, z, a, g, n, r0, r1);
    }

    /**
     * gradW and gradB of rows [j0, j1) of W for a batch of {@code rows}: 1/B delta^T in and 1/B
     * the column sums of delta; in (B, m) is this layer's input from inOffset, deltaT scratch of
     * (n, B).
     */
    void gradients(float[] delta, float[] deltaT, float[] in, int inOffset, int rows, int j0, int j1) {
        DenseProducts.transpose(delta, deltaT, rows, n, j0, j1);
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
    void update(Optimizer optimizer, OptimizerStep step, int j0, int j1) {
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
