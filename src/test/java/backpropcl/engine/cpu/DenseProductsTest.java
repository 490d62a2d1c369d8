package backpropcl.engine.cpu;

import static backpropcl.testing.Assertions2.assertCloseAndRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-major products, on the Vector API kernels and on the sgemv fallback, against plain double
 * loops, whole and cut into chunks.
 */
class DenseProductsTest {
    // Per element (allclose) on one kernel's outputs: not the per-tensor norms of backpropcl.engine.Tolerances.
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;

    /** (B, m, n) shapes: size 1, odd sizes, the default network's and the larger benchmark's. */
    private static final int[][] SHAPES = {{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {33, 17, 16}, {10, 784, 16}, {100, 784, 128}, {257, 31, 10},
        {7, 300, 1}, {9, 50, 70}};

    @Test
    void vectorKernelsMatchDoubleLoopsWholeAndInChunks() {
        check(new DenseProducts(BlasLibrary.load(), true));
    }

    /**
     * Large products on the native sgemm of an optimised BLAS (the shapes here are small, so the
     * threshold is crossed by a product-size check of its own below). Runs where one is installed;
     * ci/test installs OpenBLAS, so under CI=true its absence fails.
     */
    @Test
    void nativeGemmMatchesDoubleLoops() {
        DenseProducts products = new DenseProducts(BlasLibrary.load(), true, nativeBlasOrAbort());
        org.junit.jupiter.api.Assertions.assertTrue(products.gemm(256, 512, 256), "a 67-MFLOP product goes to sgemm");
        org.junit.jupiter.api.Assertions.assertFalse(products.gemm(10, 16, 784), "the seed network's products stay in Java");
        // Sums of 250-512 terms: float32 rounding reaches 1e-5 absolute on single elements.
        check(products, new int[][] {{256, 256, 512}, {257, 300, 250}, {300, 257, 251}}, false, 1e-4);
    }

    /**
     * A single-threaded replica's threshold: W2's products (64 kFLOP and more at batch 50) go to the
     * native sgemm, 784-16-16-10's 16-wide layers at batch 10 (5 kFLOP) stay in Java, and those on
     * sgemm match the double loops. Runs where an optimised BLAS is installed, as above.
     */
    @Test
    void replicaThresholdSendsW2sProductsToSgemm() {
        DenseProducts products = new DenseProducts(BlasLibrary.load(), true, nativeBlasOrAbort(), DenseProducts.REPLICA_GEMM_MIN_FLOPS);
        org.junit.jupiter.api.Assertions.assertTrue(products.gemm(50, 10, 64), "W2's last layer at a half batch, 64,000 FLOPs");
        org.junit.jupiter.api.Assertions.assertTrue(products.gemm(1, 1, (int) DenseProducts.REPLICA_GEMM_MIN_FLOPS / 2), "at the threshold");
        org.junit.jupiter.api.Assertions.assertFalse(products.gemm(1, 1, (int) DenseProducts.REPLICA_GEMM_MIN_FLOPS / 2 - 1), "just under it");
        org.junit.jupiter.api.Assertions.assertFalse(products.gemm(10, 16, 16), "784-16-16-10's middle layer at batch 10");
        check(products, new int[][] {{50, 64, 10}, {100, 128, 64}, {50, 784, 128}}, false, 1e-4);
    }

    /**
     * The optimised native BLAS; where none is installed the calling test is skipped, or fails under
     * CI=true (ci/test installs OpenBLAS).
     */
    static dev.ludovic.netlib.blas.BLAS nativeBlasOrAbort() {
        java.util.Optional<dev.ludovic.netlib.blas.BLAS> fast = BlasLibrary.optimizedNative();
        if (fast.isEmpty()) {
            org.junit.jupiter.api.Assertions.assertNotEquals("true", System.getenv("CI"),
                    "CI=true but no optimised native BLAS (OpenBLAS) is installed; ci/test installs libopenblas0-pthread");
            org.junit.jupiter.api.Assumptions.abort("no optimised native BLAS installed");
        }
        return fast.get();
    }

    @Test
    void sgemvFallbackMatchesDoubleLoopsWholeAndInChunks() {
        check(new DenseProducts(BlasLibrary.load(), false));
    }

    private static void check(DenseProducts products) {
        check(products, SHAPES, true, ATOL);
    }

    /** With {@code inChunks}, also cut into chunks and bitwise equal to the whole (the engine never cuts a native sgemm). */
    private static void check(DenseProducts products, int[][] shapes, boolean inChunks, double atol) {
        Random rnd = new Random(11);
        for (int[] s : shapes) {
            int rows = s[0];
            int m = s[1];
            int n = s[2];
            long seed = 11;
            float[] x = random(rnd, rows * m + 3);     // +3: the input starts at offset 3, as a batch read in place does
            float[] w = random(rnd, n * m);
            float[] wT = nans(m * n);
            DenseProducts.transposeWeights(w, wT, n, m, 0, n);
            float[] bias = random(rnd, n);
            float[] delta = random(rnd, rows * n);
            float scale = 1f / rows;
            String at = (products.gemm(rows, n, m) ? "native sgemm " : products.simd() ? "kernels " : "sgemv ") + rows + "x" + m + "x" + n + " ";

            double[] zWant = new double[rows * n];
            double[] gWant = new double[rows * m];
            double[] gradWant = new double[n * m];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    double acc = bias[j];
                    for (int k = 0; k < m; k++) {
                        acc += (double) x[3 + r * m + k] * w[j * m + k];
                        gWant[r * m + k] += (double) delta[r * n + j] * w[j * m + k];
                        gradWant[j * m + k] += (double) delta[r * n + j] * x[3 + r * m + k] / rows;
                    }
                    zWant[r * n + j] = acc;
                }
            }
            float[][] z = new float[2][];
            float[][] g = new float[2][];
            float[][] grad = new float[2][];
            for (int cut = 0; cut < (inChunks ? 2 : 1); cut++) {
                z[cut] = nans(rows * n);
                g[cut] = nans(rows * m);
                grad[cut] = nans(n * m);
                int rowChunks = cut == 0 ? 1 : Math.min(rows, 3);
                for (int c = 0; c < rowChunks; c++) {
                    int r0 = Chunks.start(c, rowChunks, rows);
                    int r1 = Chunks.start(c + 1, rowChunks, rows);
                    products.forward(z[cut], x, 3, w, wT, bias, n, m, r0, r1);
                    products.backward(g[cut], delta, w, n, m, r0, r1);
                }
                int wChunks = cut == 0 ? 1 : Math.min(n, 3);
                float[] deltaT = nans(n * rows);
                for (int c = 0; c < wChunks; c++) {
                    int j0 = Chunks.start(c, wChunks, n);
                    int j1 = Chunks.start(c + 1, wChunks, n);
                    DenseProducts.transpose(delta, deltaT, rows, n, j0, j1);
                    products.weightGradient(grad[cut], deltaT, x, 3, rows, m, scale, j0, j1);
                }
                String how = at + (cut == 0 ? "whole " : "in chunks ");
                assertCloseAndRelNorm(how + "forward", zWant, toDouble(z[cut]), atol, RTOL, seed);
                assertCloseAndRelNorm(how + "backward", gWant, toDouble(g[cut]), atol, RTOL, seed);
                assertCloseAndRelNorm(how + "weight gradient", gradWant, toDouble(grad[cut]), atol, RTOL, seed);
            }
            if (inChunks) {
                assertArrayEquals(z[0], z[1], at + "forward: a cut changes no bit");
                assertArrayEquals(g[0], g[1], at + "backward: a cut changes no bit");
                assertArrayEquals(grad[0], grad[1], at + "weight gradient: a cut changes no bit");
            }
        }
    }

    private static float[] random(Random rnd, int count) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = rnd.nextFloat() * 2 - 1;
        }
        return f;
    }

    /** An output poisoned with NaN, so an element the product forgets fails the finite check. */
    private static float[] nans(int count) {
        float[] f = new float[count];
        Arrays.fill(f, Float.NaN);
        return f;
    }
}
