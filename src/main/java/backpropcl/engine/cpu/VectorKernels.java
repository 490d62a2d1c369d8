package backpropcl.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A register-blocked float32 matrix product on jdk.incubator.vector, for the three products of a
 * dense layer ({@link DenseProducts}):
 * <pre>
 *   c[i][j] = scale * sum_k a[i][k] b[k][j]  (+ bias[j])      i &lt; rows, j &lt; cols, k &lt; depth
 *   a (rows, depth), b (depth, cols), c (rows, cols): row-major, each with its offset and row stride
 * </pre>
 * Columns of b and c are the vector lanes ({@code L} = {@link FloatVector#SPECIES_PREFERRED}'s
 * length, 8 on AVX2): a block of {@link #ROWS} rows x 2L columns keeps 8 accumulators in
 * registers and takes, per k, one broadcast of a[i][k] per row and two loads of b's row k. Columns
 * left over take one vector of L, then scalar code (4 rows at a time). A last block with fewer than
 * 4 rows repeats its last row in the missing ones and stores only the valid rows: one block shape
 * per column kind keeps the code that C2 must compile small (a separate 1-row block, called
 * rarely, stayed in C1's boxed vector code for epochs and halved the small network's speed).
 *
 * <p>Every element of c is the same chain whichever block computes it: acc = 0, then
 * acc = fma(a[i][k], b[k][j], acc) for k = 0, 1, ..., depth - 1 (lane-wise or {@link Math#fma},
 * both rounded once), then scale * acc, or fma(acc, scale, bias[j]) with a bias. So the result
 * does not depend on which rows or columns a call covers (a cut into chunks changes no bit) nor
 * on the vector length, and no horizontal reduction (whose lane order the API leaves open) is used.
 *
 * <p>The blocks take the bias branch around their stores rather than pass vectors to a helper: a
 * vector that crosses a call C2 does not inline, or is merged from two (a conditional), is boxed
 * on the heap in JDK 17, which cost 2 - 3x on short products.
 *
 * <p>Load this class only when the jdk.incubator.vector module is present
 * ({@link DenseProducts#vectorModule}): its first use fails with NoClassDefFoundError otherwise.
 */
final class VectorKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int L = S.length();
    /** Rows of a per register block. */
    static final int ROWS = 4;

    private VectorKernels() {
    }

    /** The species in use, e.g. "8 x float (256 bits)". */
    static String species() {
        return L + " x float (" + S.vectorBitSize() + " bits)";
    }

    /**
     * c = scale * a b (+ bias): a (rows, depth) at aOff with row stride lda, b (depth, cols) at bOff
     * with ldb, c (rows, cols) at cOff with ldc, bias (cols) or null. c may not overlap a or b.
     */
    static void multiply(int rows, int cols, int depth, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
            int cOff, int ldc, float scale, float[] bias) {
        int j = 0;
        for (; j + 2 * L <= cols; j += 2 * L) {
            for (int i = 0; i < rows; i += ROWS) {
                block4x2(Math.min(ROWS, rows - i), depth, a, aOff + i * lda, lda, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, scale, bias,
                        j);
            }
        }
        if (j + L <= cols) {
            for (int i = 0; i < rows; i += ROWS) {
                block4x1(Math.min(ROWS, rows - i), depth, a, aOff + i * lda, lda, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, scale, bias,
                        j);
            }
            j += L;
        }
        for (; j < cols; j++) {
            for (int i = 0; i < rows; i += ROWS) {
                scalar4(Math.min(ROWS, rows - i), depth, a, aOff + i * lda, lda, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, scale, bias,
                        j);
            }
        }
    }

    /** scale * acc (+ bias[j]), as the vector blocks round it. */
    private static float put(float acc, float scale, float[] bias, int j) {
        return bias == null ? acc * scale : Math.fma(acc, scale, bias[j]);
    }

    /** 4 rows x 1 column in scalar code: four independent fma chains (one chain waits on fma's latency). */
    private static void scalar4(int valid, int depth, float[] a, int a0, int lda, float[] b, int bk, int ldb, float[] c, int c0,
            int ldc, float scale, float[] bias, int j) {
        float acc0 = 0f;
        float acc1 = 0f;
        float acc2 = 0f;
        float acc3 = 0f;
        // Rows past the valid ones repeat the last valid row: computed, never stored.
        int a1 = valid > 1 ? a0 + lda : a0;
        int a2 = valid > 2 ? a1 + lda : a1;
        int a3 = valid > 3 ? a2 + lda : a2;
        for (int k = 0; k < depth; k++, bk += ldb) {
            float bkj = b[bk];
            acc0 = Math.fma(a[a0 + k], bkj, acc0);
            acc1 = Math.fma(a[a1 + k], bkj, acc1);
            acc2 = Math.fma(a[a2 + k], bkj, acc2);
            acc3 = Math.fma(a[a3 + k], bkj, acc3);
        }
        c[c0] = put(acc0, scale, bias, j);
        if (valid > 1) {
            c[c0 + ldc] = put(acc1, scale, bias, j);
        }
        if (valid > 2) {
            c[c0 + 2 * ldc] = put(acc2, scale, bias, j);
        }
        if (valid > 3) {
            c[c0 + 3 * ldc] = put(acc3, scale, bias, j);
        }
    }

    /** 4 rows x 2L columns: 8 accumulators. */
    private static void block4x2(int valid, int depth, float[] a, int a0, int lda, float[] b, int bk, int ldb, float[] c, int c0,
            int ldc, float scale, float[] bias, int j) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        // Rows past the valid ones repeat the last valid row: computed, never stored.
        int a1 = valid > 1 ? a0 + lda : a0;
        int a2 = valid > 2 ? a1 + lda : a1;
        int a3 = valid > 3 ? a2 + lda : a2;
        for (int k = 0; k < depth; k++, bk += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        FloatVector sv = FloatVector.broadcast(S, scale);
        if (bias == null) {
            c00.mul(sv).intoArray(c, c0);
            c01.mul(sv).intoArray(c, c0 + L);
            if (valid > 1) {
                c10.mul(sv).intoArray(c, c0 + ldc);
                c11.mul(sv).intoArray(c, c0 + ldc + L);
            }
            if (valid > 2) {
                c20.mul(sv).intoArray(c, c0 + 2 * ldc);
                c21.mul(sv).intoArray(c, c0 + 2 * ldc + L);
            }
            if (valid > 3) {
                c30.mul(sv).intoArray(c, c0 + 3 * ldc);
                c31.mul(sv).intoArray(c, c0 + 3 * ldc + L);
            }
        } else {
            c00.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0);
            c01.fma(sv, FloatVector.fromArray(S, bias, j + L)).intoArray(c, c0 + L);
            if (valid > 1) {
                c10.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0 + ldc);
                c11.fma(sv, FloatVector.fromArray(S, bias, j + L)).intoArray(c, c0 + ldc + L);
            }
            if (valid > 2) {
                c20.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0 + 2 * ldc);
                c21.fma(sv, FloatVector.fromArray(S, bias, j + L)).intoArray(c, c0 + 2 * ldc + L);
            }
            if (valid > 3) {
                c30.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0 + 3 * ldc);
                c31.fma(sv, FloatVector.fromArray(S, bias, j + L)).intoArray(c, c0 + 3 * ldc + L);
            }
        }
    }

    /** 4 rows x L columns. */
    private static void block4x1(int valid, int depth, float[] a, int a0, int lda, float[] b, int bk, int ldb, float[] c, int c0,
            int ldc, float scale, float[] bias, int j) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = c00;
        FloatVector c20 = c00;
        FloatVector c30 = c00;
        // Rows past the valid ones repeat the last valid row: computed, never stored.
        int a1 = valid > 1 ? a0 + lda : a0;
        int a2 = valid > 2 ? a1 + lda : a1;
        int a3 = valid > 3 ? a2 + lda : a2;
        for (int k = 0; k < depth; k++, bk += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            c00 = FloatVector.broadcast(S, a[a0 + k]).fma(b0, c00);
            c10 = FloatVector.broadcast(S, a[a1 + k]).fma(b0, c10);
            c20 = FloatVector.broadcast(S, a[a2 + k]).fma(b0, c20);
            c30 = FloatVector.broadcast(S, a[a3 + k]).fma(b0, c30);
        }
        FloatVector sv = FloatVector.broadcast(S, scale);
        if (bias == null) {
            c00.mul(sv).intoArray(c, c0);
            if (valid > 1) {
                c10.mul(sv).intoArray(c, c0 + ldc);
            }
            if (valid > 2) {
                c20.mul(sv).intoArray(c, c0 + 2 * ldc);
            }
            if (valid > 3) {
                c30.mul(sv).intoArray(c, c0 + 3 * ldc);
            }
        } else {
            c00.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0);
            if (valid > 1) {
                c10.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0 + ldc);
            }
            if (valid > 2) {
                c20.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0 + 2 * ldc);
            }
            if (valid > 3) {
                c30.fma(sv, FloatVector.fromArray(S, bias, j)).intoArray(c, c0 + 3 * ldc);
            }
        }
    }


}
