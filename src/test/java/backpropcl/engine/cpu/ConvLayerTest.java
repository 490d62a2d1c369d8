package backpropcl.engine.cpu;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import backpropcl.model.Activation;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvLayer}'s forward, input delta and weight and bias gradients against plain double loops
 * from the definition of the convolution, on the Vector API kernels and on the scalar loop, whole
 * and cut into chunks on 1 and 2 threads.
 */
class ConvLayerTest {
    /** Per tensor: float32 products of up to 400 terms against double. */
    private static final double TOL = 1e-5;

    /**
     * (rows, C, H, W, F, K, S, P): 1 and 3 channels, kernels 1, 3 and 5, strides 1 and 2, padding 0,
     * 1 and 2, a 1x1 output, batch 1 and 7, a non-square image, LeNet-5's two layers and W5's second.
     */
    private static final int[][] CASES = {{1, 1, 5, 5, 2, 1, 1, 0}, {7, 3, 6, 5, 4, 3, 1, 1}, {7, 1, 9, 9, 3, 5, 2, 2}, {1, 3, 5, 5, 2, 5, 1, 0},
        {7, 3, 7, 7, 5, 3, 2, 0}, {7, 1, 4, 4, 2, 3, 2, 1}, {1, 1, 3, 3, 1, 3, 2, 2}, {7, 1, 28, 28, 6, 5, 1, 2}, {3, 6, 14, 14, 16, 5, 1, 0},
        {2, 32, 14, 14, 64, 3, 1, 1}};

    @Test
    void matchesDoubleLoopsOnTheKernelsAndTheScalarLoopBitwiseAlike() {
        Random rnd = new Random(15);
        for (int[] c : CASES) {
            Case k = new Case(c, rnd);
            Result simd = k.run(new ImageProducts(true), Activation.IDENTITY, null, 1);
            Result scalar = k.run(new ImageProducts(false), Activation.IDENTITY, null, 1);
            k.check(simd);
            k.check(scalar);
            assertSameBits(k + ", kernels against the scalar loop", simd, scalar);
        }
    }

    @Test
    void bitwiseEqualOnOneAndTwoThreadsWhateverTheCut() {
        Random rnd = new Random(16);
        try (WorkerPool one = new WorkerPool(1); WorkerPool two = new WorkerPool(2)) {
            for (int[] c : CASES) {
                Case k = new Case(c, rnd);
                Result whole = k.run(new ImageProducts(true), Activation.RELU, one, 1);
                for (int chunks : new int[] {2, 3, 8}) {
                    Result cut = k.run(new ImageProducts(true), Activation.RELU, two, chunks);
                    assertSameBits(k + " in " + chunks + " chunks on 2 threads", whole, cut);
                }
            }
        }
    }

    @Test
    void epilogueAppliesTheActivationAndItsDerivative() {
        Random rnd = new Random(17);
        Case k = new Case(new int[] {7, 3, 6, 5, 4, 3, 1, 1}, rnd);
        Result r = k.run(new ImageProducts(true), Activation.TANH, null, 1);
        double[] z = k.forward();
        double[] a = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = Math.tanh(z[i]);
        }
        assertRelNorm(k + ": a = tanh(z)", a, toDouble(r.a), TOL, 17);
        // backwardInPlace takes dC/da to delta = dC/dz = dC/da (1 - a^2).
        float[] g = k.delta.clone();
        k.layer.backwardInPlace(r.blocks, g, 0, k.rows);
        double[] expected = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            expected[i] = k.delta[i] * (1 - a[i] * a[i]);
        }
        assertRelNorm(k + ": delta through tanh", expected, toDouble(g), TOL, 17);
    }

    @Test
    void refusesAShapeWithoutOutput() {
        assertThrows(IllegalArgumentException.class,
                () -> new ConvLayer(0, 1, 4, 4, 2, 5, 1, 0, Activation.IDENTITY, new ImageProducts(true)));
    }

    @Test
    void outputShapeIsConv2dsFloor() {
        ConvLayer l = new ConvLayer(0, 3, 7, 6, 4, 3, 2, 1, Activation.IDENTITY, new ImageProducts(true));
        assertEquals(4, l.outHeight);
        assertEquals(3, l.outWidth);
        assertEquals(4 * 4 * 3, l.outputs());
    }

    private static void assertSameBits(String what, Result expected, Result actual) {
        assertArrayEquals(expected.z, actual.z, what + ": z");
        assertArrayEquals(expected.a, actual.a, what + ": a");
        assertArrayEquals(expected.g, actual.g, what + ": g");
        assertArrayEquals(expected.gradW, actual.gradW, what + ": gradW");
        assertArrayEquals(expected.gradB, actual.gradB, what + ": gradB");
    }

    /** What one run of the layer's routines gave. */
    private record Result(ConvLayer.ConvBlocks blocks, float[] z, float[] a, float[] g, float[] gradW, float[] gradB) {
    }

    /** One shape with random x, W, b and delta, and the double loops of the definition. */
    private static final class Case {
        final int rows;
        final int c;
        final int h;
        final int w;
        final int f;
        final int k;
        final int s;
        final int p;
        final int oh;
        final int ow;
        final float[] x;
        final float[] weights;
        final float[] biases;
        final float[] delta;
        ConvLayer layer;

        Case(int[] shape, Random rnd) {
            rows = shape[0];
            c = shape[1];
            h = shape[2];
            w = shape[3];
            f = shape[4];
            k = shape[5];
            s = shape[6];
            p = shape[7];
            oh = (h + 2 * p - k) / s + 1;
            ow = (w + 2 * p - k) / s + 1;
            x = random(rnd, rows * c * h * w);
            weights = random(rnd, f * c * k * k);
            biases = random(rnd, f);
            delta = random(rnd, rows * f * oh * ow);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "batch %d %dx%dx%d conv %dx%dx%d:s%d:p%d", rows, c, h, w, f, k, k, s, p);
        }

        /** Forward, backward and gradients, each cut into {@code chunks} on pool (null: whole, on the caller). */
        Result run(ImageProducts products, Activation act, WorkerPool pool, int chunks) {
            layer = new ConvLayer(0, c, h, w, f, k, s, p, act, products);
            layer.setTensors(weights, biases);
            ConvLayer.ConvBlocks b = (ConvLayer.ConvBlocks) layer.blocks(rows, true);
            Arrays.fill(b.z, Float.NaN);
            float[] g = new float[rows * c * h * w];
            Arrays.fill(g, Float.NaN);
            System.arraycopy(delta, 0, b.delta, 0, delta.length);
            if (pool == null) {
                layer.forward(b, x, 0, 0, 0, 0, rows);
                layer.backward(b, g, 0, rows);
                layer.gradients(b, null, x, 0, rows, 0, f);
            } else {
                PoolCuts.run(pool, rows, chunks, (r0, r1) -> layer.forward(b, x, 0, 0, 0, r0, r1));
                PoolCuts.run(pool, rows, chunks, (r0, r1) -> layer.backward(b, g, r0, r1));
                PoolCuts.run(pool, f, chunks, (f0, f1) -> layer.gradients(b, null, x, 0, rows, f0, f1));
            }
            return new Result(b, b.z.clone(), b.out.clone(), g, layer.t.gradW.clone(), layer.t.gradB.clone());
        }

        void check(Result r) {
            assertRelNorm(this + ": z", forward(), toDouble(r.z), TOL, 15);
            assertRelNorm(this + ": g", inputDelta(), toDouble(r.g), TOL, 15);
            double[][] grads = gradients();
            assertRelNorm(this + ": gradW", grads[0], toDouble(r.gradW), TOL, 15);
            assertRelNorm(this + ": gradB", grads[1], toDouble(r.gradB), TOL, 15);
        }

        /** x[n][ci][iy][ix], 0 in the padding. */
        double input(int n, int ci, int iy, int ix) {
            return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : x[((n * c + ci) * h + iy) * w + ix];
        }

        double weight(int fi, int ci, int ky, int kx) {
            return weights[((fi * c + ci) * k + ky) * k + kx];
        }

        int out(int n, int fi, int oy, int ox) {
            return ((n * f + fi) * oh + oy) * ow + ox;
        }

        /** z[n][f][oy][ox] = b[f] + sum over (c, ky, kx) of W[f][c][ky][kx] x[n][c][oy S - P + ky][ox S - P + kx]. */
        double[] forward() {
            double[] z = new double[rows * f * oh * ow];
            for (int n = 0; n < rows; n++) {
                for (int fi = 0; fi < f; fi++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double sum = biases[fi];
                            for (int ci = 0; ci < c; ci++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        sum += weight(fi, ci, ky, kx) * input(n, ci, oy * s - p + ky, ox * s - p + kx);
                                    }
                                }
                            }
                            z[out(n, fi, oy, ox)] = sum;
                        }
                    }
                }
            }
            return z;
        }

        /** dC/dx[n][c][iy][ix]: the sum of delta W over every (f, oy, ox, ky, kx) whose window reads that input. */
        double[] inputDelta() {
            double[] g = new double[rows * c * h * w];
            for (int n = 0; n < rows; n++) {
                for (int fi = 0; fi < f; fi++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            for (int ci = 0; ci < c; ci++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = oy * s - p + ky;
                                        int ix = ox * s - p + kx;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            g[((n * c + ci) * h + iy) * w + ix] += delta[out(n, fi, oy, ox)] * weight(fi, ci, ky, kx);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return g;
        }

        /** 1/rows the sums over the batch and the positions of delta x (gradW) and delta (gradB). */
        double[][] gradients() {
            double[] gw = new double[f * c * k * k];
            double[] gb = new double[f];
            for (int n = 0; n < rows; n++) {
                for (int fi = 0; fi < f; fi++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double d = delta[out(n, fi, oy, ox)];
                            gb[fi] += d / rows;
                            for (int ci = 0; ci < c; ci++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        gw[((fi * c + ci) * k + ky) * k + kx] += d * input(n, ci, oy * s - p + ky, ox * s - p + kx) / rows;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return new double[][] {gw, gb};
        }
    }

    static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian());
        }
        return v;
    }
}
