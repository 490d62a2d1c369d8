package backpropcl.engine.reference;

import backpropcl.model.Layer;
import backpropcl.model.Shape;

/**
 * Batch normalisation with PyTorch's defaults, per channel c of a (rows, C, H, W) block over its
 * N = rows x H x W values ({@code nn.BatchNorm2d}); on flat rows H = W = 1 and the channels are
 * the features ({@code nn.BatchNorm1d}), the same loops:
 * <pre>
 *   training:    mean[c] = 1/N sum x,  var[c] = 1/N sum (x - mean)^2     (biased)
 *   evaluation:  mean[c] = running_mean[c],  var[c] = running_var[c]
 *   forward:     xhat = (x - mean) / sqrt(var + eps),  y = gamma xhat + beta
 *   backward:    gradGamma = 1/B sum g xhat,  gradBeta = 1/B sum g           (g = dC_x/dy per sample)
 *                dC/dx = gamma / sqrt(var + eps) (g - 1/N sum g - xhat 1/N sum g xhat)
 *   update:      running_mean = 0.9 running_mean + 0.1 mean,
 *                running_var = 0.9 running_var + 0.1 var N/(N-1),  num_batches_tracked += 1
 * </pre>
 * The batch statistics of the last training forward are kept for the backward and for
 * {@link #updateRunningStatistics}, which the engine calls in its update half-step; the
 * computing half changes no running statistic.
 */
final class BatchNormLayer implements ReferenceLayer {
    private final int index;
    private final int channels;
    private final int area;
    private final TensorView gamma;
    private final TensorView beta;
    private final TensorView runningMean;
    private final TensorView runningVar;
    private final TensorView tracked;
    /** The batch statistics of the last training forward, and how many values each was over (0: none kept). */
    private final double[] batchMean;
    private final double[] batchVar;
    private int count;

    /** {@code views}: weight, bias, running_mean, running_var, num_batches_tracked, as the layout lists them. */
    BatchNormLayer(int index, Shape in, TensorView[] views) {
        this.index = index;
        this.channels = in.channels();
        this.area = in.height() * in.width();
        this.gamma = views[0];
        this.beta = views[1];
        this.runningMean = views[2];
        this.runningVar = views[3];
        this.tracked = views[4];
        this.batchMean = new double[channels];
        this.batchVar = new double[channels];
    }

    @Override
    public int outputs() {
        return channels * area;
    }

    /** batchnorm_statistics (in training), then batchnorm_forward. */
    @Override
    public void forward(double[] x, double[] y, int rows, Mode mode) {
        if (mode.training()) {
            statistics(x, rows);
        }
        double[] p = gamma.values();
        for (int c = 0; c < channels; c++) {
            double mean = mode.training() ? batchMean[c] : p[runningMean.at(c)];
            double var = mode.training() ? batchVar[c] : p[runningVar.at(c)];
            double invStd = 1 / Math.sqrt(var + Layer.BatchNorm.EPSILON);
            double g = p[gamma.at(c)];
            double b = p[beta.at(c)];
            for (int r = 0; r < rows; r++) {
                int base = (r * channels + c) * area;
                for (int i = base; i < base + area; i++) {
                    y[i] = g * ((x[i] - mean) * invStd) + b;
                }
            }
        }
    }

    /** The batch mean and biased variance per channel, two passes. */
    private void statistics(double[] x, int rows) {
        int n = rows * area;
        backpropcl.engine.EngineInputs.checkBatchNormCount(index, n);
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                int base = (r * channels + c) * area;
                for (int i = base; i < base + area; i++) {
                    sum += x[i];
                }
            }
            double mean = sum / n;
            double squares = 0;
            for (int r = 0; r < rows; r++) {
                int base = (r * channels + c) * area;
                for (int i = base; i < base + area; i++) {
                    squares += (x[i] - mean) * (x[i] - mean);
                }
            }
            batchMean[c] = mean;
            batchVar[c] = squares / n;
        }
        count = n;
    }

    /** batchnorm_backward: dC/dx and the gradients of gamma and beta, with the batch statistics of the training forward. */
    @Override
    public void backward(double[] x, double[] y, double[] gradOut, double[] gradIn, int rows, Mode mode) {
        if (!mode.training() || count != rows * area) {
            throw new IllegalStateException("batchnorm backward needs the training forward of the same batch first");
        }
        double[] p = gamma.values();
        double[] grads = gamma.gradients();
        int n = count;
        for (int c = 0; c < channels; c++) {
            double mean = batchMean[c];
            double invStd = 1 / Math.sqrt(batchVar[c] + Layer.BatchNorm.EPSILON);
            double sumG = 0;
            double sumGX = 0;
            for (int r = 0; r < rows; r++) {
                int base = (r * channels + c) * area;
                for (int i = base; i < base + area; i++) {
                    sumG += gradOut[i];
                    sumGX += gradOut[i] * ((x[i] - mean) * invStd);
                }
            }
            grads[gamma.at(c)] = sumGX / rows;
            grads[beta.at(c)] = sumG / rows;
            if (gradIn == null) {
                continue;
            }
            double scale = p[gamma.at(c)] * invStd;
            for (int r = 0; r < rows; r++) {
                int base = (r * channels + c) * area;
                for (int i = base; i < base + area; i++) {
                    double xhat = (x[i] - mean) * invStd;
                    gradIn[i] = scale * (gradOut[i] - sumG / n - xhat * sumGX / n);
                }
            }
        }
    }

    /** The running statistics from the kept batch statistics (PyTorch's momentum 0.1, unbiased variance); nothing when none is kept. */
    void updateRunningStatistics() {
        if (count == 0) {
            return;
        }
        double[] p = runningMean.values();
        double m = Layer.BatchNorm.MOMENTUM;
        for (int c = 0; c < channels; c++) {
            p[runningMean.at(c)] = (1 - m) * p[runningMean.at(c)] + m * batchMean[c];
            p[runningVar.at(c)] = (1 - m) * p[runningVar.at(c)] + m * batchVar[c] * count / (count - 1);
        }
        p[tracked.at(0)] += 1;
        count = 0;
    }

    /** The batch mean and biased variance per channel of the last training forward (for trace), copied. */
    double[][] batchStatistics() {
        return new double[][] {batchMean.clone(), batchVar.clone()};
    }
}
