package backpropcl.engine.cpu;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MaxPoolLayer} against plain double loops of max pooling with the first maximum (row-major,
 * strictly greater) as the one the gradient goes to, on inputs full of ties, whole and cut on 1
 * and 2 threads.
 */
class MaxPoolLayerTest {
    private static final double TOL = 1e-5;

    /** (rows, C, H, W, K, S): 1 and 3 channels, overlapping windows (S &lt; K), a 1x1 output, windows that miss the last column, batch 1 and 7. */
    private static final int[][] CASES = {{1, 1, 4, 4, 2, 2}, {7, 3, 6, 5, 2, 2}, {7, 1, 7, 7, 3, 2}, {1, 3, 5, 5, 5, 5}, {7, 3, 5, 6, 2, 1},
        {7, 6, 28, 28, 2, 2}, {7, 1, 5, 5, 1, 1}, {1, 2, 3, 3, 3, 1}};

    @Test
    void matchesDoubleLoopsWithTheFirstMaximumOnTies() {
        Random rnd = new Random(21);
        for (int[] c : CASES) {
            Case k = new Case(c, rnd);
            Pass p = k.run(null, 1);
            double[] expected = new double[k.outputs()];
            int[] argmax = k.reference(expected);
            assertArrayEquals(argmax, p.argmax, k + ": argmax");
            assertRelNorm(k + ": out", expected, toDouble(p.out), TOL, 21);
            double[] g = new double[k.rows * k.inputs()];
            for (int o = 0; o < argmax.length; o++) {
                g[(o / k.outputsPerSample()) * k.inputs() + argmax[o]] += k.gOut[o];
            }
            assertRelNorm(k + ": gIn", g, toDouble(p.gIn), TOL, 21);
        }
    }

    @Test
    void bitwiseEqualOnOneAndTwoThreadsWhateverTheCut() {
        Random rnd = new Random(22);
        try (WorkerPool one = new WorkerPool(1); WorkerPool two = new WorkerPool(2)) {
            for (int[] c : CASES) {
                Case k = new Case(c, rnd);
                Pass whole = k.run(one, 1);
                for (int chunks : new int[] {2, 3, 8}) {
                    Pass cut = k.run(two, chunks);
                    String what = k + " in " + chunks + " chunks on 2 threads";
                    assertArrayEquals(whole.out, cut.out, what + ": out");
                    assertArrayEquals(whole.argmax, cut.argmax, what + ": argmax");
                    assertArrayEquals(whole.gIn, cut.gIn, what + ": gIn");
                }
            }
        }
    }

    @Test
    void keysOrderAsTheFloatsAndTheTwoZerosTie() {
        float[] ordered = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1f, -Float.MIN_VALUE, 0f, Float.MIN_VALUE, 1f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY};
        for (int i = 1; i < ordered.length; i++) {
            assertTrue(MaxPoolLayer.key(ordered[i - 1]) < MaxPoolLayer.key(ordered[i]), ordered[i] + " above " + ordered[i - 1]);
        }
        assertEquals(MaxPoolLayer.key(0f), MaxPoolLayer.key(-0f));
        // -0 then +0 in one window: +0 is not strictly greater, the gradient goes to the first.
        MaxPoolLayer layer = new MaxPoolLayer(1, 2, 2, 2, 2);
        MaxPoolLayer.MaxPoolBlocks b = layer.blocks(1, false);
        layer.maxpoolForward(b, new float[] {-0f, 0f, -1f, 0f}, 0, 0, 1);
        assertEquals(0, b.argmax[0]);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(b.out[0]), "the first maximum's own value, -0");
    }

    @Test
    void shapeIsMaxPool2dsFloorAndAWindowLargerThanTheImageIsRefused() {
        MaxPoolLayer l = new MaxPoolLayer(3, 7, 6, 3, 2);
        assertEquals(3, l.outHeight);
        assertEquals(2, l.outWidth);
        assertThrows(IllegalArgumentException.class, () -> new MaxPoolLayer(1, 4, 4, 5, 1));
    }

    private record Pass(float[] out, int[] argmax, float[] gIn) {
    }

    private static final class Case {
        final int rows;
        final int c;
        final int h;
        final int w;
        final int k;
        final int s;
        final int oh;
        final int ow;
        final float[] x;
        final float[] gOut;

        Case(int[] shape, Random rnd) {
            rows = shape[0];
            c = shape[1];
            h = shape[2];
            w = shape[3];
            k = shape[4];
            s = shape[5];
            oh = (h - k) / s + 1;
            ow = (w - k) / s + 1;
            // Values from {-2, ..., 2}: most windows hold their maximum more than once.
            x = new float[rows * inputs()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(5) - 2;
            }
            gOut = ConvLayerTest.random(rnd, outputs());
        }

        int inputs() {
            return c * h * w;
        }

        int outputsPerSample() {
            return c * oh * ow;
        }

        int outputs() {
            return rows * outputsPerSample();
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "batch %d %dx%dx%d maxpool:%d:s%d", rows, c, h, w, k, s);
        }

        Pass run(WorkerPool pool, int chunks) {
            MaxPoolLayer layer = new MaxPoolLayer(c, h, w, k, s);
            MaxPoolLayer.MaxPoolBlocks b = layer.blocks(rows, false);
            Arrays.fill(b.out, Float.NaN);
            float[] gIn = new float[rows * inputs()];
            Arrays.fill(gIn, Float.NaN);
            if (pool == null) {
                layer.maxpoolForward(b, x, 0, 0, rows);
                layer.maxpoolBackward(b, gOut, gIn, 0, rows);
            } else {
                PoolCuts.run(pool, rows, chunks, (r0, r1) -> layer.maxpoolForward(b, x, 0, r0, r1));
                PoolCuts.run(pool, rows, chunks, (r0, r1) -> layer.maxpoolBackward(b, gOut, gIn, r0, r1));
            }
            return new Pass(b.out.clone(), b.argmax.clone(), gIn);
        }

        /** out = the window's maximum, and the index (c, iy, ix) in the sample of its first occurrence in row-major order. */
        int[] reference(double[] out) {
            int[] argmax = new int[out.length];
            int o = 0;
            for (int n = 0; n < rows; n++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++, o++) {
                            double max = Double.NEGATIVE_INFINITY;
                            int at = -1;
                            for (int dy = 0; dy < k; dy++) {
                                for (int dx = 0; dx < k; dx++) {
                                    int i = (ci * h + oy * s + dy) * w + ox * s + dx;
                                    if (x[n * inputs() + i] > max) {
                                        max = x[n * inputs() + i];
                                        at = i;
                                    }
                                }
                            }
                            out[o] = max;
                            argmax[o] = at;
                        }
                    }
                }
            }
            return argmax;
        }
    }
}
