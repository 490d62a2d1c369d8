package backpropcl.engine.cpu;

import static backpropcl.testing.Assertions2.assertCloseAndRelNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorKernels#multiply} against double loops, and bit for bit against the fma chain it
 * promises, over shapes that hit every block and tail: 1, odd sizes, fewer and more columns than
 * one and two vectors, rows not a multiple of the block; with offsets, row strides wider than the
 * matrix, a bias or none, and a guard region around c.
 */
class VectorKernelsTest {
    // Per element (allclose) on one kernel's outputs: not the per-tensor norms of backpropcl.engine.Tolerances.
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;
    private static final int GUARD = 5;

    /** (rows, cols, depth). */
    private static final int[][] SHAPES = {{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {3, 8, 1}, {4, 16, 2}, {7, 17, 5}, {9, 25, 13}, {13, 10, 64},
        {33, 31, 17}, {10, 16, 784}, {16, 784, 10}, {100, 10, 64}, {6, 2 * VectorKernels.L + VectorKernels.L - 1, 11}};

    @Test
    void multiplyMatchesDoubleLoopsAndTheFmaChainBitForBit() {
        assertTrue(DenseProducts.vectorModule(), "surefire adds jdk.incubator.vector");
        long seed = 5;
        Random rnd = new Random(seed);
        for (int[] s : SHAPES) {
            for (boolean withBias : new boolean[] {false, true}) {
                int rows = s[0];
                int cols = s[1];
                int depth = s[2];
                int lda = depth + 2;
                int ldb = cols + 3;
                int ldc = cols + 1;
                int aOff = 4;
                int bOff = 1;
                int cOff = GUARD;
                float scale = withBias ? 1f : 1f / 3;
                float[] a = random(rnd, aOff + rows * lda);
                float[] b = random(rnd, bOff + depth * ldb);
                float[] bias = withBias ? random(rnd, cols) : null;
                float[] c = new float[cOff + rows * ldc + GUARD];
                Arrays.fill(c, Float.NaN);
                VectorKernels.multiply(rows, cols, depth, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, scale, bias);

                String at = rows + "x" + cols + "x" + depth + (withBias ? " with bias" : "") + ": ";
                double[] want = new double[rows * cols];
                double[] got = new double[rows * cols];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        double sum = 0;
                        float chain = 0f;
                        for (int k = 0; k < depth; k++) {
                            sum += (double) a[aOff + i * lda + k] * b[bOff + k * ldb + j];
                            chain = Math.fma(a[aOff + i * lda + k], b[bOff + k * ldb + j], chain);
                        }
                        want[i * cols + j] = scale * sum + (withBias ? bias[j] : 0);
                        got[i * cols + j] = c[cOff + i * ldc + j];
                        float exact = withBias ? Math.fma(chain, scale, bias[j]) : chain * scale;
                        assertEquals(Float.floatToRawIntBits(exact), Float.floatToRawIntBits(c[cOff + i * ldc + j]),
                                at + "element (" + i + ", " + j + ") is not the fma chain, seed " + seed);
                    }
                    for (int j = cols; j < ldc && i < rows - 1; j++) {
                        assertTrue(Float.isNaN(c[cOff + i * ldc + j]), at + "the gap after row " + i + " was written");
                    }
                }
                for (int g = 0; g < GUARD; g++) {
                    assertTrue(Float.isNaN(c[g]) && Float.isNaN(c[c.length - 1 - g]), at + "the guard region was written");
                }
                assertCloseAndRelNorm(at + "product", want, got, ATOL, RTOL, seed);
            }
        }
    }

    @Test
    void anyBlockOfRowsOrColumnsGivesTheSameBits() {
        Random rnd = new Random(9);
        int rows = 23;
        int cols = 3 * VectorKernels.L + 5;
        int depth = 37;
        float[] a = random(rnd, rows * depth);
        float[] b = random(rnd, depth * cols);
        float[] bias = random(rnd, cols);
        float[] whole = new float[rows * cols];
        VectorKernels.multiply(rows, cols, depth, a, 0, depth, b, 0, cols, whole, 0, cols, 1f, bias);
        // Row by row, and in odd blocks of rows: each element takes a different block shape.
        float[] cut = new float[rows * cols];
        for (int r0 = 0, step = 1; r0 < rows; r0 += step, step = step % 5 + 1) {
            int r1 = Math.min(rows, r0 + step);
            VectorKernels.multiply(r1 - r0, cols, depth, a, r0 * depth, depth, b, 0, cols, cut, r0 * cols, cols, 1f, bias);
        }
        assertTrue(Arrays.equals(whole, cut), "rows in blocks of 1 to 5 change a bit");
        // Column by column: every element through the scalar tail.
        float[] oneColumn = new float[rows * cols];
        float[] biasJ = new float[1];
        for (int j = 0; j < cols; j++) {
            biasJ[0] = bias[j];
            VectorKernels.multiply(rows, 1, depth, a, 0, depth, b, j, cols, oneColumn, j, cols, 1f, biasJ);
        }
        assertTrue(Arrays.equals(whole, oneColumn), "one column at a time changes a bit");
    }

    private static float[] random(Random rnd, int count) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = rnd.nextFloat() * 2 - 1;
        }
        return f;
    }
}
