package backpropcl.engine.cpu;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The three matrix products of a dense layer on row-major float blocks:
 * <pre>
 *   forward   z = x W^T + b            x (B, m), W (n, m), z (B, n)
 *   backward  g = delta W              delta (B, n), g (B, m)
 *   gradient  gradW = s deltaT x      deltaT (n, B), gradW (n, m)
 * </pre>
 * With jdk.incubator.vector present, each is one call of {@link VectorKernels#multiply}, whose
 * second operand is read row by row: the forward product reads W transposed, {@code wT} (m, n),
 * which the engine keeps beside W; the gradient reads delta transposed ({@link #transpose}).
 *
 * <p>Without the module (the engine has warned) each is a run of the BLAS Level-2 routine sgemv of
 * the scalar Java11BLAS: per sample forward ("T" on W, 32 rows of W at a time) and backward ("N"
 * on W), per row of W for the gradient. With the module, VectorBLAS's sgemv is not used at all:
 * alone it still beat the kernels on a short sum into wide rows (the 784-16-16-10 network's first
 * gradient at batch 10: 28 - 32 GFLOP/s against 14 - 24), but called beside the kernels in the
 * engine it ran the Vector API's unintrinsified fallback code and made that network 3x slower
 * (docs/cpu.md). netlib's sgemm is scalar code, slower than either.
 *
 * <p>When libblas.so.3 is an optimised BLAS (OpenBLAS, MKL, BLIS) a product of at least
 * {@link #GEMM_MIN_FLOPS} is one sgemm of it over the whole batch ({@link #gemm}), and that
 * library's threads share the work; in a single-threaded replica ({@link CpuEngine#replica}) every
 * product of at least {@link #REPLICA_GEMM_MIN_FLOPS} goes to a single-threaded sgemm.
 *
 * <p>Either way each output element is computed by one chain whose arguments do not depend on how
 * a step is cut into chunks (by samples, or by rows of W), so a cut changes no bit of the result.
 */
final class DenseProducts {
    /** Rows of W that one sgemv pass over the samples covers: 32 x 784 floats stay in L2 meanwhile. */
    static final int FORWARD_BLOCK = 32;

    /**
     * The least work of a product (2 rows n m FLOPs) that goes to a native sgemm: on the two-core
     * development machine OpenBLAS (2 threads) and our kernels tie on W2's 20-MFLOP first layer,
     * and OpenBLAS runs 2.4x faster on W3's 400-MFLOP layers (docs/cpu.md).
     */
    static final long GEMM_MIN_FLOPS = 1L << 25;

    /**
     * The least work of a product that a single-threaded replica ({@link CpuEngine#replica}) hands to
     * a single-threaded native sgemm. Measured on one core here (AVX-512, OpenBLAS 0.3.21 on its
     * Cooperlake kernels, docs/cpu.md): every W2 product (64 kFLOP and more at batch 50 and 100) as a
     * whole step ran 1.1 - 1.2x faster on sgemm; 784-16-16-10's 16-wide layers (2.5 - 5 kFLOP at batch
     * 5 and 10) ran 2 - 5x faster on the kernels.
     */
    static final long REPLICA_GEMM_MIN_FLOPS = 1L << 15;

    private final BLAS blas;
    private final boolean simd;
    private final BLAS gemm;
    private final long gemmMinFlops;

    /** Products on the Vector API kernels when {@code simd}, else on sgemv runs of {@code blas}. */
    DenseProducts(BLAS blas, boolean simd) {
        this(blas, simd, null);
    }

    /** ... and large products on {@code nativeGemm}'s sgemm when it is not null (an optimised native BLAS). */
    DenseProducts(BLAS blas, boolean simd, BLAS nativeGemm) {
        this(blas, simd, nativeGemm, GEMM_MIN_FLOPS);
    }

    /** ... with products of at least {@code gemmMinFlops} FLOPs on {@code nativeGemm}. */
    DenseProducts(BLAS blas, boolean simd, BLAS nativeGemm, long gemmMinFlops) {
        this.blas = blas;
        this.simd = simd;
        this.gemm = nativeGemm;
        this.gemmMinFlops = gemmMinFlops;
    }

    /**
     * Whether the product of {@code rows} x {@code n} x {@code m} runs as one native sgemm, which
     * threads itself: the engine then hands it over whole, not cut into chunks.
     */
    boolean gemm(int rows, int n, int m) {
        return gemm != null && 2L * rows * n * m >= gemmMinFlops;
    }

    /** Whether large products go to a native sgemm. */
    boolean hasNativeGemm() {
        return gemm != null;
    }

    /**
     * Whether jdk.incubator.vector is in the boot layer (java --add-modules jdk.incubator.vector),
     * so that {@link VectorKernels} can load. Asked here: that class cannot be touched without it.
     */
    static boolean vectorModule() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Whether the products run on {@link VectorKernels}. */
    boolean simd() {
        return simd;
    }

    /**
     * z rows [r0, r1) = x rows [r0, r1) W^T + b; x (B, m) starts at xOffset, W (n, m), wT = W^T (m, n),
     * z (B, n).
     */
    void forward(float[] z, float[] x, int xOffset, float[] w, float[] wT, float[] b, int n, int m, int r0, int r1) {
        if (gemm(r1 - r0, n, m)) {
            // Column-major, z^T (n, rows) = W^T' x^T: W (n, m) row-major is (m, n) column-major.
            for (int r = r0; r < r1; r++) {
                System.arraycopy(b, 0, z, r * n, n);
            }
            gemm.sgemm("T", "N", n, r1 - r0, m, 1f, w, 0, m, x, xOffset + r0 * m, m, 1f, z, r0 * n, n);
            return;
        }
        if (simd) {
            VectorKernels.multiply(r1 - r0, n, m, x, xOffset + r0 * m, m, wT, 0, n, z, r0 * n, n, 1f, b);
            return;
        }
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
        if (gemm(r1 - r0, n, m)) {
            gemm.sgemm("N", "N", m, r1 - r0, n, 1f, w, 0, m, delta, r0 * n, n, 0f, g, r0 * m, m);
            return;
        }
        if (simd) {
            VectorKernels.multiply(r1 - r0, m, n, delta, r0 * n, n, w, 0, m, g, r0 * m, m, 1f, null);
            return;
        }
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

    /** Rows [j0, j1) of W (n, m) into columns [j0, j1) of wT (m, n). */
    static void transposeWeights(float[] w, float[] wT, int n, int m, int j0, int j1) {
        for (int k = 0; k < m; k++) {
            for (int j = j0; j < j1; j++) {
                wT[k * n + j] = w[j * m + k];
            }
        }
    }

    /**
     * gradW rows [j0, j1) = scale deltaT x over the batch rows 0..rows-1: deltaT (n, B) from
     * {@link #transpose}, x (B, m) from xOffset, gradW (n, m).
     */
    void weightGradient(float[] gradW, float[] deltaT, float[] x, int xOffset, int rows, int m, float scale, int j0, int j1) {
        if (gemm(rows, j1 - j0, m)) {
            // Column-major, gradW^T (m, n') = x^T (m, B) deltaT^T (B, n').
            gemm.sgemm("N", "N", m, j1 - j0, rows, scale, x, xOffset, m, deltaT, j0 * rows, rows, 0f, gradW, j0 * m, m);
            return;
        }
        if (simd) {
            VectorKernels.multiply(j1 - j0, m, rows, deltaT, j0 * rows, rows, x, xOffset, m, gradW, j0 * m, m, scale, null);
            return;
        }
        for (int j = j0; j < j1; j++) {
            blas.sgemv("N", m, rows, scale, x, xOffset, m, deltaT, j * rows, 1, 0f, gradW, j * m, 1);
        }
    }
}
