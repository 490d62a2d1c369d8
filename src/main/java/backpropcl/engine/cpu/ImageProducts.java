package backpropcl.engine.cpu;

/**
 * The products of the image layers ({@link ConvLayer}): c = a b on row-major float blocks, on the
 * Vector API kernels ({@link VectorKernels#multiply}) when jdk.incubator.vector is present, else
 * on a scalar loop that computes every element by the same chain (acc = 0, acc = fma(a[i][k],
 * b[k][j], acc) for k = 0, 1, ...), so the two give the same bits.
 */
final class ImageProducts {
    private final boolean simd;

    /** Products on the Vector API kernels when {@code simd} (the module is present, {@link DenseProducts#vectorModule}). */
    ImageProducts(boolean simd) {
        this.simd = simd;
    }

    /** Whether the products run on {@link VectorKernels}. */
    boolean simd() {
        return simd;
    }

    /** c = a b: a (rows, depth) at aOff with row stride lda, b (depth, cols) at bOff with ldb, c (rows, cols) at cOff with ldc. */
    void multiply(int rows, int cols, int depth, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (simd) {
            VectorKernels.multiply(rows, cols, depth, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, 1f, null);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < cols; j++) {
                c[ci + j] = 0f;
            }
            // k outside j: each c[i][j] still takes its terms in k order, one fma each.
            for (int k = 0; k < depth; k++) {
                float aik = a[aOff + i * lda + k];
                int bk = bOff + k * ldb;
                for (int j = 0; j < cols; j++) {
                    c[ci + j] = Math.fma(aik, b[bk + j], c[ci + j]);
                }
            }
        }
    }
}
