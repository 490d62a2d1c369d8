package backpropcl.engine.cpu;

import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Activation;
import backpropcl.model.Gradients;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.Arrays;

/**
 * A 2-D convolution of the cpu engine ({@code nn.Conv2d(C, F, K, stride=S, padding=P)}) with the
 * activation after it as its epilogue, as {@link DenseLayer} has. Each sample is an image (C, H, W)
 * in NCHW order, a row of (rows, C*H*W); its output (F, H', W') with H' = (H + 2P - K) / S + 1.
 * Per sample, as products of {@link ImageProducts} (the register-blocked kernels):
 * <pre>
 *   cols (C*K*K, H'*W')         im2col of the sample: cols[(c, ky, kx)][(oy, ox)] = x[c][oy*S-P+ky][ox*S-P+kx] (0 outside)
 *   forward    z = W cols + b               W (F, C*K*K), z (F, H'*W'), a = f(z)
 *   backward   dcols = W^T delta            then col2im: g[c][iy][ix] = sum of dcols over the (c, ky, kx, oy, ox) that read it
 *   gradients  gradW = 1/B sum_s (cols_s delta_s^T)^T   delta_s^T (H'*W', F), lanes over the filters
 *              gradB = 1/B sum_s sum_(oy,ox) delta_s
 * </pre>
 * The weight gradient of filters [f0, f1) sums per-sample partial products (each one chain of
 * {@link ImageProducts#multiply}) in double in sample order, so neither a cut into chunks by
 * filters nor the number of threads changes a bit. The forward and backward are cut by samples.
 * A direct convolution (no im2col, the taps' loops around a contiguous row loop that C2
 * vectorizes) ran 3 - 5 GFLOP/s at LeNet-5's and W5's layers on one AVX-512 core, against 20 - 87
 * here, except LeNet-5's first weight gradient (F = 6, C*K*K = 25), where both ran 5.5 - 5.9
 * (ConvBench, docs in its header): so there is no direct path.
 *
 * <p>Its blocks' delta holds dC/dz of the sum of the samples' costs (the dense convention), g of
 * {@link #backward} is dC/d(input) before the derivative of the activation that produced the
 * input: the layer below multiplies by it ({@link CpuLayer#backwardInPlace}).
 */
final class ConvLayer implements CpuLayer, ParameterLayer {
    /** A pass's blocks: out = f(z) and z (capacity, F*H'*W'); in training delta = dC/dz, the same shape. */
    static final class ConvBlocks extends Blocks {
        final float[] z;
        final float[] delta;

        ConvBlocks(int capacity, int outputs, boolean training) {
            super(new float[Math.multiplyExact(capacity, outputs)]);
            this.z = new float[out.length];
            this.delta = training ? new float[out.length] : null;
        }
    }

    /** A thread's scratch: one sample's cols (or dcols), its delta transposed, and one partial weight gradient. */
    private static final class Scratch {
        final float[] cols;
        final float[] deltaT;
        final float[] partial;

        Scratch(int cols, int deltaT, int partial) {
            this.cols = new float[cols];
            this.deltaT = new float[deltaT];
            this.partial = new float[partial];
        }
    }

    final int channels;
    final int height;
    final int width;
    final int filters;
    final int kernel;
    final int stride;
    final int padding;
    final int outHeight;
    final int outWidth;
    /** C*K*K: the depth of the forward product, a row of W. */
    final int depth;
    /** H'*W': output positions per filter. */
    final int positions;
    final Activation activation;
    /** W (F, C, K, K) and b (F), with their gradients and optimizer state. */
    final WeightBiasTensors t;
    /** W^T (C*K*K, F), for the backward product; updated with W. */
    final float[] wT;
    private final ImageProducts products;
    /** Double sums of the weight gradient over the samples (F, C*K*K). */
    private final double[] gradSum;
    private final ThreadLocal<Scratch> scratch;

    /**
     * Layer k = {@code layer} of the network: {@code filters} K x K filters of stride S and zero
     * padding P over (C, H, W) inputs, with {@code activation} as its epilogue.
     */
    ConvLayer(int layer, int channels, int height, int width, int filters, int kernel, int stride, int padding, Activation activation,
            ImageProducts products) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.outHeight = (height + 2 * padding - kernel) / stride + 1;
        this.outWidth = (width + 2 * padding - kernel) / stride + 1;
        if (kernel < 1 || stride < 1 || padding < 0 || outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("no output for a " + kernel + "x" + kernel + " kernel of stride " + stride + " and padding "
                    + padding + " on " + channels + "x" + height + "x" + width);
        }
        this.depth = Math.multiplyExact(channels, kernel * kernel);
        this.positions = outHeight * outWidth;
        this.activation = activation;
        this.t = new WeightBiasTensors(layer, Math.multiplyExact(filters, depth), filters);
        this.wT = new float[t.w.length];
        this.products = products;
        this.gradSum = new double[t.w.length];
        int colsSize = Math.multiplyExact(depth, positions);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(colsSize, positions * filters, filters * depth));
    }

    /** Values per sample of its input, C*H*W. */
    int inputs() {
        return channels * height * width;
    }

    /** Its index k in the network's layers (its tensors are layers.{k}.weight and .bias), not a dense index. */
    @Override
    public int index() {
        return t.layer;
    }

    @Override
    public int outputs() {
        return filters * positions;
    }

    @Override
    public long flopsPerRow() {
        return 2L * filters * depth * positions;
    }

    @Override
    public Blocks blocks(int capacity, boolean training) {
        return new ConvBlocks(capacity, outputs(), training);
    }

    @Override
    public ParameterLayer parameterised() {
        return this;
    }

    /** z = W cols + b and a = f(z) on samples [r0, r1); in (rows, C*H*W) starts at inOffset. */
    @Override
    public void forward(Blocks own, float[] in, int inOffset, long seed, long step, int r0, int r1) {
        convForward((ConvBlocks) own, in, inOffset, r0, r1);
    }

    /** The forward pass on samples [r0, r1) ({@link #forward}). */
    void convForward(ConvBlocks own, float[] in, int inOffset, int r0, int r1) {
        float[] cols = scratch.get().cols;
        int outputs = outputs();
        for (int s = r0; s < r1; s++) {
            im2col(in, inOffset + s * inputs(), cols);
            int zAt = s * outputs;
            products.multiply(filters, positions, depth, t.w, 0, depth, cols, 0, positions, own.z, zAt, positions);
            for (int f = 0; f < filters; f++) {
                float bias = t.b[f];
                for (int i = zAt + f * positions, end = i + positions; i < end; i++) {
                    own.z[i] += bias;
                }
            }
        }
        FloatActivations.apply(activation, own.z, own.out, outputs, r0, r1);
    }

    /** g *= f'(z) on samples [r0, r1), in place: dC/da of its output on entry, its delta dC/dz on return. */
    @Override
    public void backwardInPlace(Blocks own, float[] g, int r0, int r1) {
        ConvBlocks p = (ConvBlocks) own;
        FloatActivations.multiplyByDerivative(activation, p.z, p.out, g, outputs(), r0, r1);
    }

    @Override
    public float[] delta(Blocks own) {
        return ((ConvBlocks) own).delta;
    }

    @Override
    public long backwardFlopsPerRow() {
        return flopsPerRow();
    }

    /** g = dC/d(input) on samples [r0, r1): dcols = W^T delta, then col2im; g (rows, C*H*W). */
    @Override
    public void backward(Blocks own, float[] g, int r0, int r1) {
        convBackward(((ConvBlocks) own).delta, g, r0, r1);
    }

    /** g = col2im(W^T delta) on samples [r0, r1), delta (rows, F*H'*W'). */
    void convBackward(float[] delta, float[] g, int r0, int r1) {
        float[] dcols = scratch.get().cols;
        for (int s = r0; s < r1; s++) {
            products.multiply(depth, positions, filters, wT, 0, filters, delta, s * outputs(), positions, dcols, 0, positions);
            col2im(dcols, g, s * inputs());
        }
    }

    @Override
    public int units() {
        return filters;
    }

    /**
     * A lane count of filters: the weight gradient's product has the chunk's filters as its
     * columns, and fewer than a vector's lanes run on the scalar tail (cut in 8 chunks of 4 filters,
     * W5's second conv spent 55 % of a training step's samples there, JFR, docs/cpu.md).
     */
    @Override
    public int gradientUnitsPerChunk() {
        return products.simd() ? VectorKernels.L : 1;
    }

    @Override
    public long gradientFlopsPerUnit(int rows) {
        return 2L * rows * depth * positions;
    }

    /** gradW and gradB of filters [f0, f1) for a batch of {@code rows}; in (rows, C*H*W) from inOffset; the scratch argument is not used. */
    @Override
    public void gradients(Blocks own, float[] unused, float[] in, int inOffset, int rows, int f0, int f1) {
        convWeightGradients(((ConvBlocks) own).delta, in, inOffset, rows, f0, f1);
        convBiasGradients(((ConvBlocks) own).delta, rows, f0, f1);
    }

    /**
     * gradW rows [f0, f1) = 1/rows the sum over the samples, in order and in double, of delta_s
     * colsT_s, each taken transposed as cols_s delta_s^T (C*K*K, f1 - f0): lanes over the filters ran
     * 1.7 - 4.0x faster than lanes over C*K*K (delta_s colsT_s) at LeNet-5's second and W5's layers
     * and the same at LeNet-5's first (ConvBench, one run with each), and each element is the same
     * fma chain either way.
     */
    void convWeightGradients(float[] delta, float[] in, int inOffset, int rows, int f0, int f1) {
        Scratch s = scratch.get();
        float[] partial = s.partial;
        int from = f0 * depth;
        int to = f1 * depth;
        int nf = f1 - f0;
        Arrays.fill(gradSum, from, to, 0);
        for (int r = 0; r < rows; r++) {
            // partial (C*K*K, nf) = cols (C*K*K, H'W') deltaT (H'W', nf): lanes over the filters.
            im2col(in, inOffset + r * inputs(), s.cols);
            transposeDelta(delta, r * outputs() + f0 * positions, nf, s.deltaT);
            products.multiply(depth, nf, positions, s.cols, 0, positions, s.deltaT, 0, nf, partial, 0, nf);
            for (int f = 0; f < nf; f++) {
                for (int k = 0, i = from + f * depth; k < depth; k++, i++) {
                    gradSum[i] += partial[k * nf + f];
                }
            }
        }
        for (int i = from; i < to; i++) {
            t.gradW[i] = (float) (gradSum[i] / rows);
        }
    }

    /** nf rows of delta (nf, H'W') from dAt into deltaT (H'W', nf). */
    private void transposeDelta(float[] delta, int dAt, int nf, float[] deltaT) {
        for (int f = 0; f < nf; f++) {
            for (int p = 0, i = dAt + f * positions; p < positions; p++, i++) {
                deltaT[p * nf + f] = delta[i];
            }
        }
    }

    /** gradB[f] for f in [f0, f1) = 1/rows the sum of delta over samples and positions, in double, samples in order. */
    void convBiasGradients(float[] delta, int rows, int f0, int f1) {
        for (int f = f0; f < f1; f++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                for (int i = r * outputs() + f * positions, end = i + positions; i < end; i++) {
                    sum += delta[i];
                }
            }
            t.gradB[f] = (float) (sum / rows);
        }
    }

    /** The optimizer's step on filters [f0, f1) of W, b and W^T. */
    @Override
    public void update(Optimizer optimizer, OptimizerStep step, int f0, int f1) {
        t.update(step, true, f0 * depth, f1 * depth, f0, f1);
        transposeWeights(f0, f1);
    }

    /** Rows [f0, f1) of W (F, C*K*K) into columns [f0, f1) of W^T. */
    private void transposeWeights(int f0, int f1) {
        DenseProducts.transposeWeights(t.w, wT, filters, depth, f0, f1);
    }

    /**
     * One sample's cols (C*K*K, H'*W') from x (C, H, W) at xAt: rows (c, ky, kx), columns (oy, ox),
     * zero where the window reaches into the padding.
     */
    void im2col(float[] x, int xAt, float[] cols) {
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++, row++) {
                    int lo = firstColumn(kx);
                    int hi = endColumn(kx);
                    for (int oy = 0; oy < outHeight; oy++) {
                        int iy = oy * stride - padding + ky;
                        int at = row * positions + oy * outWidth;
                        if (iy < 0 || iy >= height) {
                            Arrays.fill(cols, at, at + outWidth, 0f);
                            continue;
                        }
                        Arrays.fill(cols, at, at + lo, 0f);
                        Arrays.fill(cols, at + hi, at + outWidth, 0f);
                        if (hi == lo) {
                            continue;
                        }
                        int src = xAt + (c * height + iy) * width + lo * stride - padding + kx;
                        if (stride == 1) {
                            System.arraycopy(x, src, cols, at + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++, src += stride) {
                                cols[at + ox] = x[src];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * g (C, H, W) at gAt = the sum of dcols (C*K*K, H'*W') over the windows that read each input,
     * in the fixed order (c, ky, kx, oy, ox).
     */
    void col2im(float[] dcols, float[] g, int gAt) {
        Arrays.fill(g, gAt, gAt + inputs(), 0f);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++, row++) {
                    int lo = firstColumn(kx);
                    int hi = endColumn(kx);
                    for (int oy = 0; oy < outHeight; oy++) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= height || hi == lo) {
                            continue;
                        }
                        int at = row * positions + oy * outWidth;
                        int dst = gAt + (c * height + iy) * width + lo * stride - padding + kx;
                        for (int ox = lo; ox < hi; ox++, dst += stride) {
                            g[dst] += dcols[at + ox];
                        }
                    }
                }
            }
        }
    }

    /** The first output column ox whose input column ix = ox*S - P + kx is in the image (&gt;= 0), at most W'. */
    private int firstColumn(int kx) {
        return Math.max(0, Math.min(outWidth, ceilDiv(padding - kx, stride)));
    }

    /** One past the last output column whose input column is in the image (&lt; W), at least {@link #firstColumn}. */
    private int endColumn(int kx) {
        return Math.max(firstColumn(kx), Math.min(outWidth, ceilDiv(width + padding - kx, stride)));
    }

    /** ceil(a / b) for b > 0 and any a. */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public void resetSlots(int slots) {
        t.resetSlots(slots);
    }

    @Override
    public void setParameters(Parameters p) {
        t.setParameters(p);
        transposeWeights(0, filters);
    }

    /** Copies in W (F, C, K, K) and b (F) (and makes W^T). */
    void setTensors(float[] weights, float[] biases) {
        System.arraycopy(weights, 0, t.w, 0, t.w.length);
        System.arraycopy(biases, 0, t.b, 0, t.b.length);
        transposeWeights(0, filters);
    }

    @Override
    public void copyParameters(Parameters p) {
        t.copyParameters(p);
    }

    @Override
    public void copyState(TrainingState s) {
        t.copyState(s);
    }

    @Override
    public void setSlots(TrainingState s) {
        t.setSlots(s);
    }

    @Override
    public void copyGradients(Gradients g) {
        t.copyGradients(g);
    }

    @Override
    public void setGradients(Gradients g) {
        t.setGradients(g);
    }

    @Override
    public boolean finiteBiases() {
        return t.finiteBiases();
    }

    @Override
    public LayerTrace trace(Blocks own, int rows) {
        ConvBlocks p = (ConvBlocks) own;
        int block = rows * outputs();
        return new LayerTrace(TrainingState.doubles(p.z, block), TrainingState.doubles(p.out, block), TrainingState.doubles(p.delta, block),
                TrainingState.doubles(t.gradW, t.gradW.length), TrainingState.doubles(t.gradB, t.gradB.length),
                TrainingState.doubles(t.w, t.w.length), TrainingState.doubles(t.b, t.b.length));
    }
}
