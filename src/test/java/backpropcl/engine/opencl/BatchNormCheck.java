package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.CheckBuffers.compare;

import backpropcl.model.Activation;
import java.util.Locale;
import java.util.Random;

/**
 * kernels/batchnorm.cl (BatchNormLayer) against plain double loops written here from the
 * definitions of nn.BatchNorm2d / nn.BatchNorm1d (eps 1e-5, momentum 0.1): the batch mean and
 * biased variance per channel over rows x HW; the normalised, scaled and shifted output with the
 * batch's or the running statistics; the input delta as the chain rule through the batch mean
 * and variance gives it, summed over the full Jacobian dy_j/dx_i = gamma/sigma (delta_ij - 1/N -
 * xhat_i xhat_j / N) of each channel (not PyTorch's closed form the kernel uses), and the gamma
 * and beta gradients of the batch-mean cost; the running statistics with the unbiased variance.
 * Relative error per tensor at most {@link #TOLERANCE}, every output between poisoned guards
 * (CheckBuffers). BatchNormKernelTest runs it on the test device, OclgrindSuite under Oclgrind.
 */
final class BatchNormCheck implements AutoCloseable {
    static final double TOLERANCE = 1e-5;
    static final float EPS = 1e-5f;
    static final float MOMENTUM = 0.1f;

    /** The kernels checked; the forward once with the batch's statistics, once with the running ones. */
    enum Kernel { BATCHNORM_STATISTICS, BATCHNORM_FORWARD_TRAINING, BATCHNORM_FORWARD_EVALUATION, BATCHNORM_BACKWARD,
        BATCHNORM_RUNNING_UPDATE }

    private final BatchNormLayer routine;
    private final CheckBuffers buffers;

    /** With reduction work-groups of at most {@code maxReduction} items, on the context of {@code buffers}, which it closes. */
    BatchNormCheck(CheckBuffers buffers, int maxReduction) {
        this.buffers = buffers;
        this.routine = new BatchNormLayer(buffers.context(), maxReduction);
    }

    ClContext context() {
        return buffers.context();
    }

    /** The work-groups of the statistics and the backward. */
    int[] reductionWorkGroups() {
        return routine.reductionWorkGroups();
    }

    /** The values of one block: x (rows, C, HW) with a mean and spread per channel, and the batch's statistics in double. */
    private record Block(int rows, int channels, int hw, float[] x, double[] mean, double[] var) {
        int count() {
            return rows * hw;
        }

        int at(int j, int c) {
            return ((j / hw) * channels + c) * hw + j % hw;
        }
    }

    private static Block block(Random rnd, int rows, int channels, int hw) {
        float[] x = new float[rows * channels * hw];
        double[] shift = new double[channels];
        double[] spread = new double[channels];
        for (int c = 0; c < channels; c++) {
            shift[c] = 2 * rnd.nextGaussian();
            spread[c] = 0.2 + 2 * rnd.nextDouble();
        }
        for (int i = 0; i < x.length; i++) {
            int c = (i / hw) % channels;
            x[i] = (float) (shift[c] + spread[c] * rnd.nextGaussian());
        }
        Block b = new Block(rows, channels, hw, x, new double[channels], new double[channels]);
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int j = 0; j < b.count(); j++) {
                s += x[b.at(j, c)];
            }
            double m = s / b.count();
            double sq = 0;
            for (int j = 0; j < b.count(); j++) {
                sq += (x[b.at(j, c)] - m) * (x[b.at(j, c)] - m);
            }
            b.mean()[c] = m;
            b.var()[c] = sq / b.count();
        }
        return b;
    }

    /** The first difference or guard written by {@code kernel} on (rows, channels, hw), or null when there is none. */
    String problem(Kernel kernel, int rows, int channels, int hw, Activation act, long seed) {
        String what = String.format(Locale.ROOT, "%s (%d, %d, %d) %s seed %d work-groups %s", kernel.name().toLowerCase(Locale.ROOT),
                rows, channels, hw, act.cliName(), seed, java.util.Arrays.toString(routine.reductionWorkGroups()));
        Random rnd = new Random(seed);
        Block b = block(rnd, rows, channels, hw);
        float[] gamma = OpenClTestSupport.uniform(rnd, channels, 0.5, 1.5);
        float[] beta = OpenClTestSupport.gaussian(rnd, channels, 0.5);
        float[] runningMean = OpenClTestSupport.gaussian(rnd, channels, 1);
        float[] runningVar = OpenClTestSupport.uniform(rnd, channels, 0.5, 3);
        try {
            switch (kernel) {
                case BATCHNORM_STATISTICS -> statistics(b);
                case BATCHNORM_FORWARD_TRAINING, BATCHNORM_FORWARD_EVALUATION ->
                        forward(b, kernel == Kernel.BATCHNORM_FORWARD_TRAINING, gamma, beta, runningMean, runningVar, act);
                case BATCHNORM_BACKWARD -> backward(b, gamma, act, rnd);
                case BATCHNORM_RUNNING_UPDATE -> running(b, runningMean, runningVar, rnd);
            }
            return null;
        } catch (CheckBuffers.Mismatch e) {
            return what + ": " + e.getMessage();
        }
    }

    private void statistics(Block b) {
        try (CheckBuffers.Output mean = buffers.output("mean", b.channels()); CheckBuffers.Output var = buffers.output("var", b.channels())) {
            routine.statistics(mean.buf, var.buf, buffers.input("x", b.x()), b.rows(), b.channels(), b.hw());
            compare("mean", b.mean(), mean.floats(), TOLERANCE);
            compare("var", b.var(), var.floats(), TOLERANCE);
        }
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private void forward(Block b, boolean training, float[] gamma, float[] beta, float[] runningMean, float[] runningVar, Activation act) {
        // The kernel gets the statistics as floats; the expected values are computed in double from the same floats.
        float[] mean = floats(b.mean());
        float[] var = floats(b.var());
        double[] z = new double[b.x().length];
        double[] a = new double[z.length];
        for (int c = 0; c < b.channels(); c++) {
            double m = training ? mean[c] : runningMean[c];
            double sigma = Math.sqrt((training ? var[c] : runningVar[c]) + (double) EPS);
            for (int j = 0; j < b.count(); j++) {
                int e = b.at(j, c);
                z[e] = gamma[c] * (b.x()[e] - m) / sigma + beta[c];
                a[e] = act.value(z[e]);
            }
        }
        try (CheckBuffers.Output zb = buffers.output("z", z.length); CheckBuffers.Output ab = buffers.output("a", z.length)) {
            routine.forward(zb.buf, ab.buf, buffers.input("x", b.x()), buffers.input("mean", mean), buffers.input("var", var),
                    buffers.input("running_mean", runningMean), buffers.input("running_var", runningVar), buffers.input("gamma", gamma),
                    buffers.input("beta", beta), b.rows(), b.channels(), b.hw(), training, EPS, act);
            compare("z", z, zb.floats(), TOLERANCE);
            compare("a", a, ab.floats(), TOLERANCE);
        }
    }

    private void backward(Block b, float[] gamma, Activation prevAct, Random rnd) {
        float[] mean = floats(b.mean());
        float[] var = floats(b.var());
        float[] delta = OpenClTestSupport.gaussian(rnd, b.x().length, 0.5);
        float[] zPrev = OpenClTestSupport.gaussian(rnd, b.x().length, 1.5);
        float[] aPrev = CheckBuffers.activations(prevAct, zPrev);
        int n = b.count();
        double[] want = new double[delta.length];
        double[] gradGamma = new double[b.channels()];
        double[] gradBeta = new double[b.channels()];
        double[] xhat = new double[n];
        for (int c = 0; c < b.channels(); c++) {
            double sigma = Math.sqrt(var[c] + (double) EPS);
            for (int j = 0; j < n; j++) {
                xhat[j] = (b.x()[b.at(j, c)] - mean[c]) / sigma;
                gradGamma[c] += delta[b.at(j, c)] * xhat[j] / b.rows();
                gradBeta[c] += delta[b.at(j, c)] / (double) b.rows();
            }
            // dC/dx_i = sum_j dC/dy_j dy_j/dx_i, y_j = gamma xhat_j + beta with the batch's mean and variance functions of x.
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    double jacobian = gamma[c] / sigma * ((i == j ? 1 : 0) - 1.0 / n - xhat[i] * xhat[j] / n);
                    s += delta[b.at(j, c)] * jacobian;
                }
                int e = b.at(i, c);
                want[e] = s * prevAct.derivative(zPrev[e], aPrev[e]);
            }
        }
        try (CheckBuffers.Output out = buffers.output("delta_prev", want.length);
             CheckBuffers.Output gg = buffers.output("grad_gamma", b.channels());
             CheckBuffers.Output gb = buffers.output("grad_beta", b.channels())) {
            routine.backward(out.buf, gg.buf, gb.buf, buffers.input("delta", delta), buffers.input("x", b.x()), buffers.input("mean", mean),
                    buffers.input("var", var), buffers.input("gamma", gamma), buffers.input("z_prev", zPrev), buffers.input("a_prev", aPrev),
                    b.rows(), b.channels(), b.hw(), EPS, prevAct);
            compare("delta_prev", want, out.floats(), TOLERANCE);
            compare("grad_gamma", gradGamma, gg.floats(), TOLERANCE);
            compare("grad_beta", gradBeta, gb.floats(), TOLERANCE);
        }
    }

    private void running(Block b, float[] runningMean, float[] runningVar, Random rnd) {
        float[] mean = floats(b.mean());
        float[] var = floats(b.var());
        float tracked = rnd.nextInt(1000);
        int n = b.count();
        double[] wantMean = new double[b.channels()];
        double[] wantVar = new double[b.channels()];
        for (int c = 0; c < b.channels(); c++) {
            wantMean[c] = 0.9 * runningMean[c] + 0.1 * mean[c];
            wantVar[c] = 0.9 * runningVar[c] + 0.1 * var[c] * n / (n - 1);
        }
        // The running statistics are updated in place: the guarded outputs start from them.
        try (CheckBuffers.Output rm = buffers.output("running_mean", b.channels());
             CheckBuffers.Output rv = buffers.output("running_var", b.channels());
             CheckBuffers.Output t = buffers.output("num_batches_tracked", 1)) {
            copy(rm, runningMean);
            copy(rv, runningVar);
            copy(t, new float[] {tracked});
            routine.updateRunning(rm.buf, rv.buf, t.buf, buffers.input("mean", mean), buffers.input("var", var), b.channels(), n, MOMENTUM);
            compare("running_mean", wantMean, rm.floats(), TOLERANCE);
            compare("running_var", wantVar, rv.floats(), TOLERANCE);
            compare("num_batches_tracked", new double[] {tracked + 1.0}, t.floats(), 0);
        }
    }

    /**
     * {@code data} into {@code out} by batchnorm_forward with mean 0, variance 1, eps 0, gamma 1
     * and beta 0, an exact copy: a kernel's writes, because Oclgrind 21.10 reported host writes
     * read back by a kernel through a sub-buffer as uninitialized now and then (docs/gpu.md); here
     * 2 runs in 8 when the host wrote them.
     */
    private void copy(CheckBuffers.Output out, float[] data) {
        int n = data.length;
        float[] zero = {0f};
        float[] one = {1f};
        routine.forward(out.buf, buffers.slot("copy a", n), buffers.input("copy x", data), buffers.input("copy mean", zero),
                buffers.input("copy var", one), buffers.input("copy mean", zero), buffers.input("copy var", one),
                buffers.input("copy gamma", one), buffers.input("copy beta", zero), 1, 1, n, true, 0f, Activation.IDENTITY);
    }

    @Override
    public void close() {
        routine.close();
        buffers.close();
    }
}
