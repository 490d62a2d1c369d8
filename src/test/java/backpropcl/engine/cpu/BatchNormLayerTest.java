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
 * {@link BatchNormLayer} (BatchNorm2d on images, BatchNorm1d on flat rows) against plain double
 * loops of the definitions: the batch statistics, the training and evaluation forward, the way
 * back through the mean and the variance (the chain rule step by step, not the closed form the
 * layer uses), the running statistics; whole and cut on 1 and 2 threads.
 */
class BatchNormLayerTest {
    private static final double TOL = 1e-5;

    /** (rows, C, H*W): images of 1 and 3 channels at batch 1 and 7, flat rows (H*W = 1) at batch 2 and 7, LeNet-5's second conv output. */
    private static final int[][] CASES = {{7, 3, 9}, {1, 3, 4}, {7, 1, 25}, {7, 5, 1}, {2, 1, 1}, {7, 16, 100}, {1, 1, 2}};

    @Test
    void trainingForwardBackwardAndRunningStatisticsMatchDoubleLoops() {
        Random rnd = new Random(31);
        for (int[] c : CASES) {
            for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU}) {
                Case k = new Case(c, rnd);
                Pass p = k.run(act, null, 1);
                Reference r = k.reference(act);
                String what = k + " " + act;
                assertRelNorm(what + ": mean", r.mean, p.mean, TOL, 31);
                assertRelNorm(what + ": biased variance", r.var, p.var, TOL, 31);
                assertRelNorm(what + ": out", r.out, toDouble(p.out), TOL, 31);
                assertRelNorm(what + ": dx", r.dx, toDouble(p.dx), TOL, 31);
                assertRelNorm(what + ": gradGamma", r.gradGamma, toDouble(p.gradGamma), TOL, 31);
                assertRelNorm(what + ": gradBeta", r.gradBeta, toDouble(p.gradBeta), TOL, 31);
                assertRelNorm(what + ": running_mean", r.runningMean, toDouble(p.runningMean), TOL, 31);
                assertRelNorm(what + ": running_var", r.runningVar, toDouble(p.runningVar), TOL, 31);
                assertEquals(1, p.batchesTracked, what + ": num_batches_tracked");
            }
        }
    }

    @Test
    void evaluationNormalisesWithTheRunningStatistics() {
        Random rnd = new Random(32);
        for (int[] c : CASES) {
            Case k = new Case(c, rnd);
            BatchNormLayer layer = k.layer(Activation.IDENTITY);
            BatchNormLayer.BatchNormBlocks b = layer.blocks(k.rows, false);
            layer.batchnormForward(b, k.x, 0, 0, k.rows);
            double[] expected = new double[k.x.length];
            for (int i = 0; i < expected.length; i++) {
                int ch = k.channel(i);
                expected[i] = k.gamma[ch] * (k.x[i] - k.runMean[ch]) / Math.sqrt(k.runVar[ch] + 1e-5) + k.beta[ch];
            }
            assertRelNorm(k + ": evaluation out", expected, toDouble(b.out), TOL, 32);
        }
    }

    @Test
    void bitwiseEqualOnOneAndTwoThreadsWhateverTheCut() {
        Random rnd = new Random(33);
        try (WorkerPool one = new WorkerPool(1); WorkerPool two = new WorkerPool(2)) {
            for (int[] c : CASES) {
                Case k = new Case(c, rnd);
                Pass whole = k.run(Activation.RELU, one, 1);
                for (int chunks : new int[] {2, 3, 8}) {
                    Pass cut = k.run(Activation.RELU, two, chunks);
                    String what = k + " in " + chunks + " chunks on 2 threads";
                    assertArrayEquals(whole.out, cut.out, what + ": out");
                    assertArrayEquals(whole.dx, cut.dx, what + ": dx");
                    assertArrayEquals(whole.gradGamma, cut.gradGamma, what + ": gradGamma");
                    assertArrayEquals(whole.gradBeta, cut.gradBeta, what + ": gradBeta");
                    assertArrayEquals(whole.runningVar, cut.runningVar, what + ": running_var");
                }
            }
        }
    }

    @Test
    void oneValuePerChannelIsRefusedInTraining() {
        BatchNormLayer layer = new BatchNormLayer(0, 4, 1, Activation.IDENTITY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.batchnormStatistics(new float[4], 0, 1, 0, 4));
        assertEquals("batch norm needs more than one value per channel in training, got 1", e.getMessage());
    }

    @Test
    void startsAsPyTorchDoes() {
        BatchNormLayer layer = new BatchNormLayer(0, 3, 4, Activation.IDENTITY);
        assertArrayEquals(new float[] {1, 1, 1}, layer.t.w, "gamma");
        assertArrayEquals(new float[] {0, 0, 0}, layer.t.b, "beta");
        assertArrayEquals(new float[] {0, 0, 0}, layer.runningMean, "running_mean");
        assertArrayEquals(new float[] {1, 1, 1}, layer.runningVar, "running_var");
        assertEquals(0, layer.batchesTracked, "num_batches_tracked");
    }

    private record Pass(double[] mean, double[] var, float[] out, float[] dx, float[] gradGamma, float[] gradBeta, float[] runningMean,
            float[] runningVar, long batchesTracked) {
    }

    private record Reference(double[] mean, double[] var, double[] out, double[] dx, double[] gradGamma, double[] gradBeta, double[] runningMean,
            double[] runningVar) {
    }

    private static final class Case {
        final int rows;
        final int c;
        final int hw;
        final float[] x;
        final float[] g;
        final float[] gamma;
        final float[] beta;
        final float[] runMean;
        final float[] runVar;

        Case(int[] shape, Random rnd) {
            rows = shape[0];
            c = shape[1];
            hw = shape[2];
            x = ConvLayerTest.random(rnd, rows * c * hw);
            for (int i = 0; i < x.length; i++) {
                x[i] = 3 * x[i] + 1.5f;   // a mean and a variance far from 0 and 1
            }
            g = ConvLayerTest.random(rnd, x.length);
            gamma = ConvLayerTest.random(rnd, c);
            beta = ConvLayerTest.random(rnd, c);
            runMean = ConvLayerTest.random(rnd, c);
            runVar = new float[c];
            for (int i = 0; i < c; i++) {
                runVar[i] = 0.5f + rnd.nextFloat();
            }
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "batch %d, %d channels of %d", rows, c, hw);
        }

        int channel(int i) {
            return i / hw % c;
        }

        BatchNormLayer layer(Activation act) {
            BatchNormLayer layer = new BatchNormLayer(0, c, hw, act);
            System.arraycopy(gamma, 0, layer.t.w, 0, c);
            System.arraycopy(beta, 0, layer.t.b, 0, c);
            System.arraycopy(runMean, 0, layer.runningMean, 0, c);
            System.arraycopy(runVar, 0, layer.runningVar, 0, c);
            return layer;
        }

        /** Statistics and backward by channels, forward by samples, each in {@code chunks} on pool (null: whole, on the caller). */
        Pass run(Activation act, WorkerPool pool, int chunks) {
            BatchNormLayer layer = layer(act);
            BatchNormLayer.BatchNormBlocks b = layer.blocks(rows, true);
            Arrays.fill(b.out, Float.NaN);
            float[] dx = g.clone();
            if (pool == null) {
                layer.batchnormStatistics(x, 0, rows, 0, c);
                layer.batchnormForward(b, x, 0, 0, rows);
                layer.batchnormBackward(b, x, 0, dx, rows, 0, c);
                layer.updateRunningStatistics(0, c);
            } else {
                PoolCuts.run(pool, c, chunks, (c0, c1) -> layer.batchnormStatistics(x, 0, rows, c0, c1));
                PoolCuts.run(pool, rows, chunks, (r0, r1) -> layer.batchnormForward(b, x, 0, r0, r1));
                PoolCuts.run(pool, c, chunks, (c0, c1) -> layer.batchnormBackward(b, x, 0, dx, rows, c0, c1));
                PoolCuts.run(pool, c, chunks, (c0, c1) -> layer.updateRunningStatistics(c0, c1));
            }
            return new Pass(layer.batchMean.clone(), layer.batchVar.clone(), b.out.clone(), dx, layer.t.gradW.clone(), layer.t.gradB.clone(),
                    layer.runningMean.clone(), layer.runningVar.clone(), layer.batchesTracked);
        }

        /** The definitions in double: y = gamma xhat + beta, out = f(y), and the chain rule back through xhat, the variance and the mean. */
        Reference reference(Activation act) {
            int n = rows * hw;
            double[] mean = new double[c];
            double[] var = new double[c];
            for (int i = 0; i < x.length; i++) {
                mean[channel(i)] += x[i] / (double) n;
            }
            for (int i = 0; i < x.length; i++) {
                double d = x[i] - mean[channel(i)];
                var[channel(i)] += d * d / n;
            }
            double[] out = new double[x.length];
            double[] dy = new double[x.length];
            double[] gradGamma = new double[c];
            double[] gradBeta = new double[c];
            for (int i = 0; i < x.length; i++) {
                int ch = channel(i);
                double xhat = (x[i] - mean[ch]) / Math.sqrt(var[ch] + 1e-5);
                double y = gamma[ch] * xhat + beta[ch];
                boolean relu = act == Activation.RELU;
                out[i] = relu ? Math.max(y, 0) : y;
                dy[i] = relu && y <= 0 ? 0 : g[i];
                gradGamma[ch] += dy[i] * xhat / rows;
                gradBeta[ch] += dy[i] / rows;
            }
            // dL/dvar = sum dxhat (x - mean) (-1/2) (var + eps)^(-3/2); dL/dmean = sum -dxhat / std + dL/dvar sum -2 (x - mean) / n.
            double[] dvar = new double[c];
            double[] dmean = new double[c];
            for (int i = 0; i < x.length; i++) {
                int ch = channel(i);
                double dxhat = dy[i] * gamma[ch];
                dvar[ch] += dxhat * (x[i] - mean[ch]) * -0.5 * Math.pow(var[ch] + 1e-5, -1.5);
                dmean[ch] += -dxhat / Math.sqrt(var[ch] + 1e-5);
            }
            for (int i = 0; i < x.length; i++) {
                int ch = channel(i);
                dmean[ch] += dvar[ch] * -2 * (x[i] - mean[ch]) / n;
            }
            double[] dx = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int ch = channel(i);
                dx[i] = dy[i] * gamma[ch] / Math.sqrt(var[ch] + 1e-5) + dvar[ch] * 2 * (x[i] - mean[ch]) / n + dmean[ch] / n;
            }
            double[] rm = new double[c];
            double[] rv = new double[c];
            for (int ch = 0; ch < c; ch++) {
                rm[ch] = 0.9 * runMean[ch] + 0.1 * mean[ch];
                rv[ch] = 0.9 * runVar[ch] + 0.1 * var[ch] * n / (n - 1);
            }
            return new Reference(mean, var, out, dx, gradGamma, gradBeta, rm, rv);
        }
    }
}
