package backpropcl.engine.cpu;

import backpropcl.text.Plural;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import dev.ludovic.netlib.blas.BLAS;

/**
 * The cpu engine: float32 on the host, for machines without a usable OpenCL device. Matrix
 * products are register-blocked kernels on jdk.incubator.vector ({@link DenseProducts},
 * {@link VectorKernels}), or runs of a scalar BLAS's sgemv when that module is missing
 * ({@link BlasLibrary} warns); activations, the output error, the bias gradients and the SGD update are
 * plain Java ({@link FloatActivations}, {@link OutputLayer}), each fused into the chunk that the
 * product before it wrote, while those rows are in cache. A batch in file order is read in place
 * from the training set; a shuffled one is gathered row by row inside the first layer's chunks.
 *
 * <p>Held (float32, layout as {@link backpropcl.engine.reference.ReferenceEngine}):
 * <pre>
 *   W[l] (n, m), b[l] (n)              parameters, updated in place
 *   wT[l] (m, n)                       W[l] transposed, for the forward kernel; updated with W
 *   gradW[l] (n, m), gradB[l] (n)      gradients of the last batch (for trace)
 *   step: x, labels, z[l], a[l], delta[l]   the training batch ({@link PassBuffers})
 *   eval: z[l], a[l] (EVAL_ROWS, n)    a separate pass for evaluate(), so trace() is kept
 *   order (count)                      a copy of the epoch's permutation
 * </pre>
 * Every buffer is allocated once (the batch buffers again only when a larger batch comes).
 *
 * <p>Threads: a {@link WorkerPool} of min(cores, {@link Chunks#MAX}) threads, the caller
 * included. A step is cut into chunks by its shape alone ({@link Chunks}): the forward and
 * backward products by batch rows, the weight gradient and update by rows of W. Chunks write
 * disjoint outputs and a cut changes no bit of a product, so results are bitwise the same on any
 * number of threads. Small steps (the 784-16-16-10 network at batch 10) are not cut at all.
 */
public final class CpuEngine implements Engine {
    /** Rows per block of evaluate(). */
    static final int EVAL_ROWS = 256;

    private final Network net;
    private final int layers;
    private final float[][] w;
    private final float[][] wT;
    private final float[][] b;
    private final float[][] gradW;
    private final float[][] gradB;
    private final OutputLayer output;
    private final DenseProducts products;
    private final String productsName;
    private final WorkerPool pool;

    // The optimizer and its state: steps taken, and slotW[s][l], slotB[s][l] shaped as W[l], b[l].
    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    private float[][][] slotW = new float[0][][];
    private float[][][] slotB = new float[0][][];

    private PassBuffers step;
    private PassBuffers eval;
    private Dataset train;
    private int[] order;
    private boolean ordered;
    private int lastRows;
    private boolean closed;

    /** An engine on min(available processors, {@link Chunks#MAX}) threads. */
    public CpuEngine(Network net, Parameters initial) {
        this(net, initial, defaultThreads());
    }

    /** An engine on the given number of threads (the calling thread included). */
    public CpuEngine(Network net, Parameters initial, int threads) {
        this(net, initial, threads, true);
    }

    /**
     * ... multiplying with an optimised native BLAS when {@code allowNative} and one is installed
     * ({@link BlasLibrary#optimizedNative}), else with the Vector API kernels (tests pin each).
     */
    CpuEngine(Network net, Parameters initial, int threads, boolean allowNative) {
        this.net = net;
        this.layers = net.denseLayers();
        this.w = new float[layers][];
        this.wT = new float[layers][];
        this.b = new float[layers][];
        this.gradW = new float[layers][];
        this.gradB = new float[layers][];
        for (int l = 0; l < layers; l++) {
            int size = Math.multiplyExact(net.size(l + 1), net.size(l));
            w[l] = new float[size];
            wT[l] = new float[size];
            b[l] = new float[net.size(l + 1)];
            gradW[l] = new float[size];
            gradB[l] = new float[net.size(l + 1)];
        }
        this.output = new OutputLayer(net.outputActivation(), net.cost(), net.outputSize());
        BLAS blas = BlasLibrary.load();
        BLAS fast = allowNative ? BlasLibrary.optimizedNative().orElse(null) : null;
        this.products = new DenseProducts(blas, DenseProducts.vectorModule(), fast);
        this.productsName = (products.simd() ? "Vector API kernels" : BlasLibrary.name(blas))
                + (fast == null ? "" : " + " + BlasLibrary.optimizedLibrary().orElse("native") + " sgemm for large products");
        setParameters(initial);
        this.pool = new WorkerPool(threads);
    }

    /** The threads an engine uses by default: the available processors, at most {@link Chunks#MAX}. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), Chunks.MAX));
    }

    @Override
    public String description() {
        return "cpu (float32 Java, " + productsName + ", " + Plural.of(pool.threads(), "thread") + ")";
    }

    /** Threads that work on a step, the caller included. */
    public int threads() {
        return pool.threads();
    }

    @Override
    public Network network() {
        return net;
    }

    @Override
    public void setParameters(Parameters p) {
        live();
        EngineInputs.checkNetwork(net, p.network(), "parameters are");
        for (int l = 0; l < layers; l++) {
            System.arraycopy(p.weights(l), 0, w[l], 0, w[l].length);
            System.arraycopy(p.biases(l), 0, b[l], 0, b[l].length);
            DenseProducts.transposeWeights(w[l], wT[l], net.size(l + 1), net.size(l), 0, net.size(l + 1));
        }
    }

    @Override
    public Parameters parameters() {
        live();
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < layers; l++) {
            System.arraycopy(w[l], 0, p.weights(l), 0, w[l].length);
            System.arraycopy(b[l], 0, p.biases(l), 0, b[l].length);
        }
        return p;
    }

    @Override
    public void setTrainingData(Dataset data) {
        live();
        checkShape(data);
        if (train == data) {
            return;
        }
        train = data;
        order = new int[data.count()];
        ordered = false;
    }

    @Override
    public void setOrder(int[] permutation) {
        live();
        if (train == null) {
            throw new IllegalStateException("setTrainingData before setOrder");
        }
        if (permutation == null) {
            ordered = false;
            return;
        }
        EngineInputs.checkPermutation(permutation, train.count());
        System.arraycopy(permutation, 0, order, 0, permutation.length);
        ordered = true;
    }

    // TEMPORARY (issue 14 in progress, replaced before this lands): the two half-steps and dropout.
    @Override
    public void setSeed(long seed) {
    }

    @Override
    public void computeGradients(int start, int rows) {
        throw new UnsupportedOperationException("computeGradients: not yet on this engine");
    }

    @Override
    public backpropcl.model.Gradients gradients() {
        throw new UnsupportedOperationException("gradients: not yet on this engine");
    }

    @Override
    public void setGradients(backpropcl.model.Gradients gradients) {
        throw new UnsupportedOperationException("setGradients: not yet on this engine");
    }

    @Override
    public void applyGradients(double learningRate) {
        throw new UnsupportedOperationException("applyGradients: not yet on this engine");
    }

    @Override
    public void trainBatch(int start, int rows, double learningRate) {
        live();
        if (train == null) {
            throw new IllegalStateException("setTrainingData first");
        }
        EngineInputs.checkBatch(start, rows, train.count());
        if (step == null || step.capacity < rows) {
            step = new PassBuffers(net, rows, true);
        }
        // In file order the batch is a contiguous block of the training set: read it in place.
        float[] x = ordered ? step.x : train.features();
        int xOffset = ordered ? 0 : start * net.inputSize();
        forward(step, x, xOffset, rows, start);
        steps++;
        backward(x, xOffset, rows, OptimizerStep.of(optimizer, learningRate, steps));
        lastRows = rows;
    }

    /**
     * z and a of every layer for rows of x; with a training batch (the step pass) also its
     * gathered input and labels (first layer) and the output error (last layer).
     */
    private void forward(PassBuffers p, float[] x, int xOffset, int rows, int batchStart) {
        boolean training = p == step;
        float[] in = x;
        int inOffset = xOffset;
        for (int l = 0; l < layers; l++) {
            final int layer = l;
            final float[] input = in;
            final int offset = inOffset;
            int m = net.size(l);
            int n = net.size(l + 1);
            int chunks = chunks(rows, 2L * m * n, products.gemm(rows, n, m));
            pool.run(chunks, c -> {
                int r0 = Chunks.start(c, chunks, rows);
                int r1 = Chunks.start(c + 1, chunks, rows);
                if (training && layer == 0) {
                    gather(batchStart, r0, r1);
                }
                products.forward(p.z[layer], input, offset, w[layer], wT[layer], b[layer], n, m, r0, r1);
                FloatActivations.apply(net.activation(layer), p.z[layer], p.a[layer], n, r0, r1);
                if (training && layer == layers - 1) {
                    output.error(p.z[layer], p.a[layer], p.labels, p.delta[layer], r0, r1);
                }
            });
            in = p.a[l];
            inOffset = 0;
        }
    }

    /** Chunks of a step for the pool: one when a native sgemm threads the product itself. */
    private static int chunks(int units, long flopsPerUnit, boolean nativeGemm) {
        return nativeGemm ? 1 : Chunks.count(units, flopsPerUnit);
    }

    /** The labels of batch rows [r0, r1) and, when shuffled, their features into step.x. */
    private void gather(int start, int r0, int r1) {
        int m0 = net.inputSize();
        float[] features = train.features();
        int[] labels = train.labels();
        for (int r = r0; r < r1; r++) {
            int s = ordered ? order[start + r] : start + r;
            if (ordered) {
                System.arraycopy(features, s * m0, step.x, r * m0, m0);
            }
            step.labels[r] = labels[s];
        }
    }

    /**
     * From the last layer down: delta of the layer below (with W[l] before its update), then
     * nablaW, nablaB and the SGD update of layer l, chunk by chunk of W's rows.
     */
    private void backward(float[] x, int xOffset, int rows, OptimizerStep update) {
        float scale = 1f / rows;
        for (int l = layers - 1; l >= 0; l--) {
            final int layer = l;
            int m = net.size(l);
            int n = net.size(l + 1);
            if (l > 0) {
                int chunks = chunks(rows, 2L * m * n, products.gemm(rows, n, m));
                pool.run(chunks, c -> {
                    int r0 = Chunks.start(c, chunks, rows);
                    int r1 = Chunks.start(c + 1, chunks, rows);
                    float[] below = step.delta[layer - 1];
                    products.backward(below, step.delta[layer], w[layer], n, m, r0, r1);
                    FloatActivations.multiplyByDerivative(net.activation(layer - 1), step.z[layer - 1], step.a[layer - 1], below, m,
                            r0, r1);
                });
            }
            final float[] prev = l == 0 ? x : step.a[l - 1];
            final int prevOffset = l == 0 ? xOffset : 0;
            int chunks = chunks(n, 2L * rows * m, products.gemm(rows, n, m));
            pool.run(chunks, c -> {
                int j0 = Chunks.start(c, chunks, n);
                int j1 = Chunks.start(c + 1, chunks, n);
                DenseProducts.transpose(step.delta[layer], step.deltaT, rows, n, j0, j1);
                products.weightGradient(gradW[layer], step.deltaT, prev, prevOffset, rows, m, scale, j0, j1);
                biasGradient(layer, rows, j0, j1);
                if (optimizer.isPlainSgd()) {
                    sgd(layer, m, update.lr(), j0, j1);
                } else {
                    update(layer, m, update, j0, j1);
                }
            });
        }
    }

    /** nablaB[j] = 1/B sum over the batch rows of delta[r][j], for j in [j0, j1), from deltaT; summed in double. */
    private void biasGradient(int l, int rows, int j0, int j1) {
        float[] deltaT = step.deltaT;
        for (int j = j0; j < j1; j++) {
            double s = 0;
            for (int r = j * rows; r < (j + 1) * rows; r++) {
                s += deltaT[r];
            }
            gradB[l][j] = (float) (s / rows);
        }
    }

    /** W -= eta nablaW, b -= eta nablaB on rows [j0, j1) of layer l, and the same columns of W^T. */
    private void sgd(int l, int m, float eta, int j0, int j1) {
        float[] wl = w[l];
        float[] gl = gradW[l];
        if (products.simd()) {
            // In tiles of 64 columns of W: 64 rows of wT (one line per row) stay in L1 while the chunk's rows pass.
            float[] t = wT[l];
            int n = net.size(l + 1);
            for (int k0 = 0; k0 < m; k0 += 64) {
                int k1 = Math.min(m, k0 + 64);
                for (int j = j0; j < j1; j++) {
                    for (int k = k0, i = j * m + k0; k < k1; k++, i++) {
                        float v = wl[i] - eta * gl[i];
                        wl[i] = v;
                        t[k * n + j] = v;
                    }
                }
            }
        } else {
            for (int i = j0 * m; i < j1 * m; i++) {
                wl[i] -= eta * gl[i];
            }
        }
        for (int j = j0; j < j1; j++) {
            b[l][j] -= eta * gradB[l][j];
        }
    }

    /** The optimizer's step ({@link FloatUpdate}) on rows [j0, j1) of layer l's W and b, then the same columns of W^T. */
    private void update(int l, int m, OptimizerStep c, int j0, int j1) {
        float[] s1w = slotW.length > 0 ? slotW[0][l] : null;
        float[] s2w = slotW.length > 1 ? slotW[1][l] : null;
        float[] s1b = slotB.length > 0 ? slotB[0][l] : null;
        float[] s2b = slotB.length > 1 ? slotB[1][l] : null;
        FloatUpdate.apply(c, true, w[l], gradW[l], s1w, s2w, j0 * m, j1 * m);
        FloatUpdate.apply(c, false, b[l], gradB[l], s1b, s2b, j0, j1);
        DenseProducts.transposeWeights(w[l], wT[l], net.size(l + 1), m, j0, j1);
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        live();
        int slots = optimizer.kind().slots();
        float[][][] sw = new float[slots][layers][];
        float[][][] sb = new float[slots][layers][];
        for (int k = 0; k < slots; k++) {
            for (int l = 0; l < layers; l++) {
                sw[k][l] = new float[w[l].length];
                sb[k][l] = new float[b[l].length];
            }
        }
        this.optimizer = optimizer;
        this.steps = 0;
        this.slotW = sw;
        this.slotB = sb;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public TrainingState state() {
        live();
        TrainingState s = TrainingState.zeros(net, optimizer);
        s.setSteps(steps);
        for (int l = 0; l < layers; l++) {
            TrainingState.copy(w[l], s.weights(l));
            TrainingState.copy(b[l], s.biases(l));
            for (int k = 0; k < slotW.length; k++) {
                TrainingState.copy(slotW[k][l], s.slotWeights(k, l));
                TrainingState.copy(slotB[k][l], s.slotBiases(k, l));
            }
        }
        return s;
    }

    @Override
    public void setState(TrainingState s) {
        live();
        EngineInputs.checkNetwork(net, s.network(), "training state is");
        setParameters(s.parameters());
        setOptimizer(s.optimizer());
        steps = s.steps();
        for (int k = 0; k < slotW.length; k++) {
            for (int l = 0; l < layers; l++) {
                TrainingState.copy(s.slotWeights(k, l), slotW[k][l]);
                TrainingState.copy(s.slotBiases(k, l), slotB[k][l]);
            }
        }
    }

    @Override
    public boolean outputFinite() {
        live();
        for (float v : b[layers - 1]) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Evaluation evaluate(Dataset data) {
        live();
        checkShape(data);
        if (data.count() == 0) {
            return new Evaluation(0, 0, 0);
        }
        int blockRows = Math.min(EVAL_ROWS, data.count());
        if (eval == null || eval.capacity < blockRows) {
            eval = new PassBuffers(net, blockRows, false);
        }
        int last = layers - 1;
        int[] labels = data.labels();
        double cost = 0;
        long correct = 0;
        for (int start = 0; start < data.count(); start += EVAL_ROWS) {
            int rows = Math.min(EVAL_ROWS, data.count() - start);
            forward(eval, data.features(), start * net.inputSize(), rows, start);
            for (int r = 0; r < rows; r++) {
                int label = labels[start + r];
                cost += output.sampleCost(eval.z[last], eval.a[last], label, r);
                if (output.predicted(eval.a[last], r) == label) {
                    correct++;
                }
            }
        }
        return new Evaluation(cost / data.count(), correct, data.count());
    }

    @Override
    public LayerTrace trace(int l) {
        live();
        if (l < 0 || l >= layers) {
            throw new IndexOutOfBoundsException("layer " + l + " of a network with " + layers + " dense layers");
        }
        if (lastRows == 0) {
            throw new IllegalStateException("no batch has been trained yet");
        }
        int block = lastRows * net.size(l + 1);
        return new LayerTrace(TrainingState.doubles(step.z[l], block), TrainingState.doubles(step.a[l], block), TrainingState.doubles(step.delta[l], block),
                TrainingState.doubles(gradW[l], gradW[l].length), TrainingState.doubles(gradB[l], gradB[l].length), TrainingState.doubles(w[l], w[l].length),
                TrainingState.doubles(b[l], b[l].length));
    }

    private void checkShape(Dataset data) {
        EngineInputs.checkShape(net, data);
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("the cpu engine is closed");
        }
    }

    /** Stops the worker threads; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
    }
}
