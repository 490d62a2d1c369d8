package backpropcl.engine.cpu;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Activation;
import backpropcl.model.Gradients;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.Arrays;

/**
 * Batch normalisation of the cpu engine, with the activation after it as its epilogue:
 * {@code nn.BatchNorm2d(C)} on images (each sample (C, H, W), statistics per channel over the
 * batch's samples and positions) and {@code nn.BatchNorm1d(N)} on flat rows (H = W = 1: per
 * feature over the samples). eps 1e-5, momentum 0.1.
 * <pre>
 *   count = rows * H * W per channel
 *   mean[c], var[c]           batch mean and biased variance, double sums in a fixed order     (batchnormStatistics)
 *   xhat = (x - mean) / sqrt(var + eps),  y = gamma xhat + beta,  out = f(y)                   (batchnormForward)
 *   evaluation: mean, var are running_mean, running_var
 *   back, per channel: dy = g f'(y);  gradGamma = 1/rows sum dy xhat,  gradBeta = 1/rows sum dy
 *                      dx = gamma / sqrt(var + eps) (dy - sum(dy) / count - xhat sum(dy xhat) / count)   (batchnormBackward)
 *   update half: running_mean = 0.9 running_mean + 0.1 mean,
 *                running_var = 0.9 running_var + 0.1 var count / (count - 1),  num_batches_tracked += 1
 * </pre>
 * g holds dC/d(out) of the sum of the samples' costs (the dense convention), so the gradients are
 * divided by rows as the dense ones are, and dx is dC/d(input) before the derivative of the
 * activation that produced the input (the layer below applies it).
 *
 * <p>The statistics and the backward pass need every sample of the batch for a channel, so both
 * are cut by channels ([c0, c1)); only the forward pass is cut by samples, after the statistics.
 * Every sum runs over the samples in order and, within a sample, over the positions in order, so
 * no cut and no number of threads changes a bit.
 */
final class BatchNormLayer implements CpuLayer, TensorLayer {
    /** PyTorch's default eps. */
    static final double EPS = 1e-5;
    /** PyTorch's default momentum: the weight of the batch's statistic in the running one. */
    static final double MOMENTUM = 0.1;

    /**
     * A pass's blocks: out = f(y) and y (capacity, C*H*W). No xhat: the way back takes it again in
     * double from the input, as a float32 xhat loses the digits that decide dx when a channel has
     * few values (two values: dx is all cancellation, and a kept float32 xhat gave dx a relative error of 2.3e-3 at batch 2 in BatchNormLayerTest).
     */
    static final class BatchNormBlocks extends CpuLayer.Blocks {
        final float[] y;
        final boolean training;

        BatchNormBlocks(int capacity, int width, boolean training) {
            super(new float[Math.multiplyExact(capacity, width)]);
            this.y = new float[out.length];
            this.training = training;
        }
    }

    final int channels;
    /** H*W: positions per channel in a sample (1 for flat rows). */
    final int spatial;
    final Activation activation;
    /** gamma (C) as its weights, beta (C) as its biases. */
    final WeightBiasTensors t;
    final float[] runningMean;
    final float[] runningVar;
    long batchesTracked;
    /** The last training batch's mean and biased variance per channel, kept for the update half. */
    final double[] batchMean;
    final double[] batchVar;
    /** The count the batch statistics were taken over (rows * H * W). */
    private long batchCount;

    /** Layer k = {@code layer} of the network, over C channels of H*W positions each (its tensors layers.{k}.*). */
    BatchNormLayer(int layer, int channels, int spatial, Activation activation) {
        this.channels = channels;
        this.spatial = spatial;
        this.activation = activation;
        this.t = new WeightBiasTensors(layer, channels, channels);
        Arrays.fill(t.w, 1f);
        this.runningMean = new float[channels];
        this.runningVar = new float[channels];
        Arrays.fill(runningVar, 1f);
        this.batchMean = new double[channels];
        this.batchVar = new double[channels];
    }

    /** Values per sample, C*H*W (input and output). */
    @Override
    public int outputs() {
        return channels * spatial;
    }

    /** Its blocks of a pass over up to {@code capacity} samples. */
    @Override
    public BatchNormBlocks blocks(int capacity, boolean training) {
        return new BatchNormBlocks(capacity, outputs(), training);
    }

    /** Its index k in the network's layers (its tensors are layers.{k}.*). */
    @Override
    public int index() {
        return t.layer;
    }

    /** About ten FLOPs per value: normalise, scale, shift and the epilogue. */
    @Override
    public long flopsPerRow() {
        return 10L * outputs();
    }

    /** The units its statistics, way back and update are cut by: channels. */
    @Override
    public int units() {
        return channels;
    }

    /** Its statistics or its way back on one channel: a few passes over rows * H * W values. */
    @Override
    public long gradientFlopsPerUnit(int rows) {
        return 10L * rows * spatial;
    }

    /** y and out on samples [r0, r1) ({@link #batchnormForward}; in training after {@link #batchnormStatistics}). */
    @Override
    public void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1) {
        batchnormForward((BatchNormBlocks) own, in, inOffset, r0, r1);
    }

    /** Never called: its way back needs the whole batch per channel ({@link #batchnormBackward}). */
    @Override
    public void backwardInPlace(Blocks own, float[] g, int r0, int r1) {
        throw new UnsupportedOperationException("batch norm's way back is batchnormBackward, cut by channels");
    }

    /** The update half on channels [c0, c1) ({@link #update(OptimizerStep, int, int)}). */
    @Override
    public void update(Optimizer optimizer, OptimizerStep step, int c0, int c1) {
        update(step, c0, c1);
    }

    /**
     * The batch mean and biased variance of channels [c0, c1) over samples 0..rows-1 of in (rows,
     * C*H*W) at inOffset: two passes (the mean, then the squares about it) in double.
     *
     * @throws IllegalArgumentException when a channel has one value (rows * H * W = 1): no variance, as PyTorch refuses
     */
    void batchnormStatistics(float[] in, int inOffset, int rows, int c0, int c1) {
        long count = (long) rows * spatial;
        if (count < 2) {
            throw new IllegalArgumentException("batch norm needs more than one value per channel in training, got " + count);
        }
        int width = outputs();
        for (int c = c0; c < c1; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                for (int i = inOffset + r * width + c * spatial, end = i + spatial; i < end; i++) {
                    sum += in[i];
                }
            }
            double mean = sum / count;
            double squares = 0;
            for (int r = 0; r < rows; r++) {
                for (int i = inOffset + r * width + c * spatial, end = i + spatial; i < end; i++) {
                    double d = in[i] - mean;
                    squares += d * d;
                }
            }
            batchMean[c] = mean;
            batchVar[c] = squares / count;
        }
        batchCount = count;
    }

    /**
     * y = gamma xhat + beta and out = f(y) on samples [r0, r1) of in (rows, C*H*W) at inOffset; a
     * training pass normalises with the batch statistics ({@link #batchnormStatistics} first), an
     * evaluation with the running ones.
     */
    void batchnormForward(BatchNormBlocks own, float[] in, int inOffset, int r0, int r1) {
        boolean training = own.training;
        int width = outputs();
        for (int c = 0; c < channels; c++) {
            double mean = training ? batchMean[c] : runningMean[c];
            double invStd = 1 / Math.sqrt((training ? batchVar[c] : runningVar[c]) + EPS);
            float gamma = t.w[c];
            float beta = t.b[c];
            for (int r = r0; r < r1; r++) {
                int at = r * width + c * spatial;
                for (int i = at, j = inOffset + at, end = at + spatial; i < end; i++, j++) {
                    float xhat = (float) ((in[j] - mean) * invStd);
                    own.y[i] = Math.fma(gamma, xhat, beta);
                }
            }
        }
        FloatActivations.apply(activation, own.y, own.out, width, r0, r1);
    }

    /**
     * The way back on channels [c0, c1) of a training batch of {@code rows}, in place: g (rows,
     * C*H*W) holds dC/d(out) on entry and dC/d(input) on return; gradGamma and gradBeta of those
     * channels. in (rows, C*H*W) at inOffset is the forward pass's input (xhat is taken from it in double).
     */
    void batchnormBackward(BatchNormBlocks own, float[] in, int inOffset, float[] g, int rows, int c0, int c1) {
        int width = outputs();
        double count = (double) rows * spatial;
        for (int c = c0; c < c1; c++) {
            double mean = batchMean[c];
            double invStd = 1 / Math.sqrt(batchVar[c] + EPS);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int r = 0; r < rows; r++) {
                int at = r * width + c * spatial;
                multiplyByDerivative(own, g, r, c);
                for (int i = at, j = inOffset + at, end = at + spatial; i < end; i++, j++) {
                    sumDy += g[i];
                    sumDyXhat += g[i] * ((in[j] - mean) * invStd);
                }
            }
            t.gradW[c] = (float) (sumDyXhat / rows);
            t.gradB[c] = (float) (sumDy / rows);
            double scale = t.w[c] * invStd;
            double meanDy = sumDy / count;
            double meanDyXhat = sumDyXhat / count;
            for (int r = 0; r < rows; r++) {
                int at = r * width + c * spatial;
                for (int i = at, j = inOffset + at, end = at + spatial; i < end; i++, j++) {
                    g[i] = (float) (scale * (g[i] - meanDy - (in[j] - mean) * invStd * meanDyXhat));
                }
            }
        }
    }

    /** g *= f'(y) on the run of channel c in sample r: row r*C + c of the block seen as (rows*C, H*W). */
    private void multiplyByDerivative(BatchNormBlocks own, float[] g, int r, int c) {
        int run = r * channels + c;
        FloatActivations.multiplyByDerivative(activation, own.y, own.out, g, spatial, run, run + 1);
    }

    /**
     * The update half: the optimizer's step on gamma and beta of channels [c0, c1) (no weight decay
     * on either, {@code ParameterLayout.Tensor#decayed}), and their running statistics from the
     * kept batch statistics (once per batch: c0 = 0 counts the batch).
     */
    void update(OptimizerStep step, int c0, int c1) {
        t.update(step, false, c0, c1, c0, c1);
        updateRunningStatistics(c0, c1);
    }

    /** Copies in gamma, beta and the running statistics from p. */
    @Override
    public void setParameters(Parameters p) {
        t.setParameters(p);
        System.arraycopy(p.copy(name("running_mean")), 0, runningMean, 0, channels);
        System.arraycopy(p.copy(name("running_var")), 0, runningVar, 0, channels);
        batchesTracked = (long) p.copy(name("num_batches_tracked"))[0];
    }

    /** Copies out gamma, beta and the running statistics into p. */
    @Override
    public void copyParameters(Parameters p) {
        t.copyParameters(p);
        p.set(name("running_mean"), runningMean);
        p.set(name("running_var"), runningVar);
        p.set(name("num_batches_tracked"), new float[] {batchesTracked});
    }

    /** Copies out its tensors, the running statistics included, and its optimizer state into s. */
    @Override
    public void copyState(TrainingState s) {
        t.copyState(s);
        s.set(name("running_mean"), runningMean);
        s.set(name("running_var"), runningVar);
        s.set(name("num_batches_tracked"), new double[] {batchesTracked});
    }

    /** Copies in the optimizer state of gamma and beta from s (after {@link #resetSlots}). */
    @Override
    public void setSlots(TrainingState s) {
        t.setSlots(s);
    }

    /** Fresh zero state tensors of gamma and beta for an optimizer with {@code slots} of them. */
    @Override
    public void resetSlots(int slots) {
        t.resetSlots(slots);
    }

    /** Copies out the gradients of gamma and beta into g (the running statistics have none). */
    @Override
    public void copyGradients(Gradients g) {
        t.copyGradients(g);
    }

    /** Takes the gradients of gamma and beta from g, rounded to float32. */
    @Override
    public void setGradients(Gradients g) {
        t.setGradients(g);
    }

    private String name(String tensor) {
        return "layers." + t.layer + "." + tensor;
    }

    /** running_mean and running_var of channels [c0, c1) from the last batch's statistics; num_batches_tracked += 1 with c0 = 0. */
    void updateRunningStatistics(int c0, int c1) {
        double unbiased = (double) batchCount / (batchCount - 1);
        for (int c = c0; c < c1; c++) {
            runningMean[c] = (float) ((1 - MOMENTUM) * runningMean[c] + MOMENTUM * batchMean[c]);
            runningVar[c] = (float) ((1 - MOMENTUM) * runningVar[c] + MOMENTUM * batchVar[c] * unbiased);
        }
        if (c0 == 0) {
            batchesTracked++;
        }
    }
}
