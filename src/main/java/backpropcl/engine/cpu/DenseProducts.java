package backpropcl.engine.cpu;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The three matrix products of a dense layer on row-major float blocks, as runs of the BLAS
 * Level-2 routine sgemv:
 * <pre>
 *   forward   z_r = W x_r + b                      sgemv "T" on W (n, m), per sample r
 *   backward  g_r = W^T delta_r                    sgemv "N" on W, per sample r
 *   gradient  nablaW_j = s sum_r deltaT_j[r] x_r   sgemv "N" on the batch x, per row j of W
 * </pre>
 * The gradient reads delta transposed to (n, B) ({@link #transpose}), so that each row of W
 * takes a contiguous vector: netlib's SIMD paths need unit strides.
 *
 * <p>Why not sgemm: netlib 3.0.3's VectorBLAS has SIMD (jdk.incubator.vector) in its Level-1 and
 * Level-2 routines only; its sgemm is the scalar Java11BLAS code. On our shapes sgemm measured 3
 * to 19 GFLOP/s, these runs of sgemv 15 to 30, and rank-1 updates (sger) for the gradient 11 to 22
 * (docs/cpu.md).
 *
 * <p>Each output element is computed by one routine call whose arguments do not depend on how a
 * step is cut into chunks (by samples, or by rows of W), so a cut changes no bit of the result.
 */
final class DenseProducts {
    /** Rows of W that one forward pass over the samples covers: 32 x 784 floats stay in L2 meanwhile. */
    static final int FORWARD_BLOCK = 32;

    private final BLAS blas;

    DenseProducts(BLAS blas) {
        this.blas = blas;
    }

    /** z rows [r0, r1) = x rows [r0, r1) W^T + b; x (B, m) starts at xOffset, W (n, m), z (B, n). */
    void forward(float[] z, float[] x, int xOffset, float[] w, float[] b, int n, int m, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            System.arraycopy(b, 0, z, r * n, n);
        }
        for (int j0 = 0; j0 < n; j0 += FORWARD_BLOCK) {
            int rowsOfW = Math.min(FORWARD_BLOCK, n - j0);
            for (int r = r0; r < r1; r++) {
                blas.sgemv("T", m, rowsOfW, 1f, w, j0 * m, m, x, xOffset + r * m, 1, 1f, z, r * n + j0, 1);
            }
        }
    }

    /** g rows [r0, r1) = delta rows [r0, r1) W: delta (B, n), W (n, m), g (B, m). */
    void backward(float[] g, float[] delta, float[] w, int n, int m, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            blas.sgemv("N", m, n, 1f, w, 0, m, delta, r * n, 1, 0f, g, r * m, 1);
        }
    }

    /** Columns [j0, j1) of delta (rows, n) into rows [j0, j1) of deltaT (n, rows). */
    static void transpose(float[] delta, float[] deltaT, int rows, int n, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            for (int r = 0; r < rows; r++) {
                deltaT[j * rows + r] = delta[r * n + j];
            }
        }
    }

    /**
     * nablaW rows [j0, j1) = scale deltaT x over the batch rows 0..rows-1: deltaT (n, B) from
     * {@link #transpose}, x (B, m) from xOffset, nablaW (n, m).
     */
    void weightGradient(float[] gradW, float[] deltaT, float[] x, int xOffset, int rows, int m, float scale, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            blas.sgemv("N", m, rows, scale, x, xOffset, m, deltaT, j * rows, 1, 0f, gradW, j * m, 1);
        }
    }
}
