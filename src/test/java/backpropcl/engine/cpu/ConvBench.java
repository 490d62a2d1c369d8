package backpropcl.engine.cpu;

import backpropcl.model.Activation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * GFLOP/s of {@link ConvLayer}'s three passes (im2col + the Vector API kernels) against a direct
 * convolution (no im2col: loops over the filter taps with the output or input row as the inner,
 * contiguous loop, which C2 vectorizes at stride 1), at LeNet-5's and W5's conv layers, on one
 * thread (thread CPU time, best of 7 rounds); then the time per batch of max pooling and batch
 * norm at the inputs they see in LeNet-5 and W5 (the backward of batch norm includes a copy of g). Not a test: run with
 * <pre>
 *   mvn -B -o -q test-compile
 *   mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java --add-modules jdk.incubator.vector \
 *       -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) backpropcl.engine.cpu.ConvBench
 * </pre>
 * Each shape first checks the two against each other (relative norm error under 1e-5).
 */
final class ConvBench {
    /** (batch, C, H, W, F, K, P), stride 1: LeNet-5's conv:6x5x5:p2 and conv:16x5x5, W5's conv:32x3x3:p1 and conv:64x3x3:p1. */
    private static final int[][] SHAPES = {{32, 1, 28, 28, 6, 5, 2}, {32, 6, 14, 14, 16, 5, 0}, {64, 1, 28, 28, 32, 3, 1},
        {64, 32, 14, 14, 64, 3, 1}, {64, 1, 28, 28, 6, 5, 2}, {64, 6, 14, 14, 16, 5, 0}, {32, 1, 28, 28, 32, 3, 1}, {32, 32, 14, 14, 64, 3, 1}};

    private ConvBench() {
    }

    public static void main(String[] args) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        System.out.println("species " + VectorKernels.species());
        System.out.println("layer                        batch   forward im2col/direct   input delta im2col/direct   weight grad im2col/direct  (GFLOP/s)");
        Random rnd = new Random(1);
        for (int[] s : SHAPES) {
            int rows = s[0];
            ConvLayer layer = new ConvLayer(0, s[1], s[2], s[3], s[4], s[5], 1, s[6], Activation.IDENTITY, new ImageProducts(true));
            Direct direct = new Direct(layer);
            layer.setTensors(random(rnd, layer.t.w.length), random(rnd, layer.filters));
            float[] x = random(rnd, rows * layer.inputs());
            float[] delta = random(rnd, rows * layer.outputs());
            ConvLayer.ConvBlocks b = (ConvLayer.ConvBlocks) layer.blocks(rows, true);
            float[][] z = {b.z, new float[b.z.length]};
            float[][] g = {new float[rows * layer.inputs()], new float[rows * layer.inputs()]};
            float[][] gw = {layer.t.gradW, new float[layer.t.gradW.length]};
            double flops = (double) rows * layer.flopsPerRow();
            double[][] best = new double[3][2];
            for (double[] row : best) {
                Arrays.fill(row, Double.MAX_VALUE);
            }
            int reps = (int) Math.max(1, 2e8 / flops);
            for (int round = 0; round < 7; round++) {
                long t0 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    layer.convForward(b, x, 0, 0, rows);
                }
                long t1 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    layer.convBackward(delta, g[0], 0, rows);
                }
                long t2 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    layer.convWeightGradients(delta, x, 0, rows, 0, layer.filters);
                }
                long t3 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    direct.forward(x, z[1], rows);
                }
                long t4 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    direct.inputDelta(delta, g[1], rows);
                }
                long t5 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    direct.weightGradients(delta, x, gw[1], rows);
                }
                long t6 = bean.getCurrentThreadCpuTime();
                double[] times = {t1 - t0, t4 - t3, t2 - t1, t5 - t4, t3 - t2, t6 - t5};
                for (int k = 0; k < 6; k++) {
                    best[k / 2][k % 2] = Math.min(best[k / 2][k % 2], times[k] / 1e9 / reps);
                }
            }
            DenseProductsBench.check("forward", z);
            DenseProductsBench.check("input delta", g);
            DenseProductsBench.check("weight gradient", gw);
            String name = String.format(Locale.ROOT, "%dx%dx%d conv:%dx%dx%d:p%d", s[1], s[2], s[3], s[4], s[5], s[5], s[6]);
            System.out.printf(Locale.ROOT, "%-28s %5d       %6.1f / %6.1f          %6.1f / %6.1f              %6.1f / %6.1f%n", name, rows,
                    flops / best[0][0] / 1e9, flops / best[0][1] / 1e9, flops / best[1][0] / 1e9, flops / best[1][1] / 1e9,
                    flops / best[2][0] / 1e9, flops / best[2][1] / 1e9);
        }
        poolingAndBatchNorm(bean, rnd);
    }

    /** (batch, C, H, W) of the max-pool (2x2, stride 2) and batch-norm inputs of LeNet-5 (W4, batch 32) and W5 (batch 64). */
    private static final int[][] POOLED = {{32, 6, 28, 28}, {32, 16, 10, 10}, {64, 32, 28, 28}, {64, 64, 14, 14}};

    /** Microseconds per batch of max pooling and batch norm (2-d, ReLU epilogue), one thread, best of 7 rounds. */
    private static void poolingAndBatchNorm(ThreadMXBean bean, Random rnd) {
        System.out.println("input                  batch   maxpool:2 forward / backward   batchnorm statistics+forward / backward  (us per batch)");
        for (int[] s : POOLED) {
            int rows = s[0];
            MaxPoolLayer pool = new MaxPoolLayer(s[1], s[2], s[3], 2, 2);
            MaxPoolLayer.MaxPoolBlocks pb = pool.blocks(rows, false);
            BatchNormLayer bn = new BatchNormLayer(0, s[1], s[2] * s[3], Activation.RELU);
            BatchNormLayer.BatchNormBlocks bb = bn.blocks(rows, true);
            float[] x = random(rnd, rows * pool.inputs());
            float[] gOut = random(rnd, rows * pool.outputs());
            float[] gIn = new float[x.length];
            float[] g = new float[x.length];
            double[] best = new double[4];
            Arrays.fill(best, Double.MAX_VALUE);
            int reps = (int) Math.max(1, 3e7 / x.length);
            for (int round = 0; round < 7; round++) {
                long t0 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    pool.maxpoolForward(pb, x, 0, 0, rows);
                }
                long t1 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    pool.maxpoolBackward(pb, gOut, gIn, 0, rows);
                }
                long t2 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    bn.batchnormStatistics(x, 0, rows, 0, s[1]);
                    bn.batchnormForward(bb, x, 0, 0, rows);
                }
                long t3 = bean.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    System.arraycopy(x, 0, g, 0, g.length);
                    bn.batchnormBackward(bb, x, 0, g, rows, 0, s[1]);
                }
                long t4 = bean.getCurrentThreadCpuTime();
                long[] t = {t0, t1, t2, t3, t4};
                for (int k = 0; k < 4; k++) {
                    best[k] = Math.min(best[k], (t[k + 1] - t[k]) / 1e3 / reps);
                }
            }
            System.out.printf(Locale.ROOT, "%-22s %5d        %8.0f / %8.0f              %8.0f / %8.0f%n", s[1] + "x" + s[2] + "x" + s[3], rows,
                    best[0], best[1], best[2], best[3]);
        }
    }

    /** A direct convolution of stride 1 on the layer's shape and tensors. */
    private static final class Direct {
        final ConvLayer l;

        Direct(ConvLayer l) {
            this.l = l;
        }

        /** The output columns ox whose input column ox - P + kx is in the image: [lo, hi). */
        int lo(int kx) {
            return Math.max(0, l.padding - kx);
        }

        int hi(int kx) {
            return Math.min(l.outWidth, l.width + l.padding - kx);
        }

        /** z = b + sum over taps (c, ky, kx) of w * the shifted input plane, one output row at a time. */
        void forward(float[] x, float[] z, int rows) {
            int oh = l.outHeight;
            int ow = l.outWidth;
            for (int s = 0; s < rows; s++) {
                for (int f = 0; f < l.filters; f++) {
                    int zAt = (s * l.filters + f) * l.positions;
                    Arrays.fill(z, zAt, zAt + l.positions, l.t.b[f]);
                    for (int c = 0; c < l.channels; c++) {
                        int xAt = (s * l.channels + c) * l.height * l.width;
                        for (int ky = 0; ky < l.kernel; ky++) {
                            for (int kx = 0; kx < l.kernel; kx++) {
                                float wv = l.t.w[((f * l.channels + c) * l.kernel + ky) * l.kernel + kx];
                                int lo = lo(kx);
                                int hi = hi(kx);
                                for (int oy = 0; oy < oh; oy++) {
                                    int iy = oy - l.padding + ky;
                                    if (iy < 0 || iy >= l.height) {
                                        continue;
                                    }
                                    int zr = zAt + oy * ow;
                                    int xr = xAt + iy * l.width - l.padding + kx;
                                    for (int ox = lo; ox < hi; ox++) {
                                        z[zr + ox] += wv * x[xr + ox];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /** g = the sum over filters and taps of w * the output delta plane, shifted back. */
        void inputDelta(float[] delta, float[] g, int rows) {
            Arrays.fill(g, 0, rows * l.inputs(), 0f);
            int ow = l.outWidth;
            for (int s = 0; s < rows; s++) {
                for (int f = 0; f < l.filters; f++) {
                    int dAt = (s * l.filters + f) * l.positions;
                    for (int c = 0; c < l.channels; c++) {
                        int gAt = (s * l.channels + c) * l.height * l.width;
                        for (int ky = 0; ky < l.kernel; ky++) {
                            for (int kx = 0; kx < l.kernel; kx++) {
                                float wv = l.t.w[((f * l.channels + c) * l.kernel + ky) * l.kernel + kx];
                                int lo = lo(kx);
                                int hi = hi(kx);
                                for (int oy = 0; oy < l.outHeight; oy++) {
                                    int iy = oy - l.padding + ky;
                                    if (iy < 0 || iy >= l.height) {
                                        continue;
                                    }
                                    int dr = dAt + oy * ow;
                                    int gr = gAt + iy * l.width - l.padding + kx;
                                    for (int ox = lo; ox < hi; ox++) {
                                        g[gr + ox] += wv * delta[dr + ox];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /** gradW = 1/rows the sum over samples and positions of delta * the shifted input, four partial sums per tap. */
        void weightGradients(float[] delta, float[] x, float[] gw, int rows) {
            int ow = l.outWidth;
            for (int f = 0; f < l.filters; f++) {
                for (int c = 0; c < l.channels; c++) {
                    for (int ky = 0; ky < l.kernel; ky++) {
                        for (int kx = 0; kx < l.kernel; kx++) {
                            int lo = lo(kx);
                            int hi = hi(kx);
                            double sum = 0;
                            for (int s = 0; s < rows; s++) {
                                int dAt = (s * l.filters + f) * l.positions;
                                int xAt = (s * l.channels + c) * l.height * l.width;
                                float a0 = 0;
                                float a1 = 0;
                                float a2 = 0;
                                float a3 = 0;
                                for (int oy = 0; oy < l.outHeight; oy++) {
                                    int iy = oy - l.padding + ky;
                                    if (iy < 0 || iy >= l.height) {
                                        continue;
                                    }
                                    int dr = dAt + oy * ow;
                                    int xr = xAt + iy * l.width - l.padding + kx;
                                    int ox = lo;
                                    for (; ox + 4 <= hi; ox += 4) {
                                        a0 = Math.fma(delta[dr + ox], x[xr + ox], a0);
                                        a1 = Math.fma(delta[dr + ox + 1], x[xr + ox + 1], a1);
                                        a2 = Math.fma(delta[dr + ox + 2], x[xr + ox + 2], a2);
                                        a3 = Math.fma(delta[dr + ox + 3], x[xr + ox + 3], a3);
                                    }
                                    for (; ox < hi; ox++) {
                                        a0 = Math.fma(delta[dr + ox], x[xr + ox], a0);
                                    }
                                }
                                sum += (a0 + a1) + (a2 + a3);
                            }
                            gw[((f * l.channels + c) * l.kernel + ky) * l.kernel + kx] = (float) (sum / rows);
                        }
                    }
                }
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
}
