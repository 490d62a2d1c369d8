package backpropcl.engine.cpu;

import backpropcl.text.Plural;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Gradients;
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
 * <p>The network is a short sequence of layer objects, one class per layer kind:
 * {@link DenseLayer} (with its activation as epilogue) holds W, W^T, b, their gradients and the
 * optimizer's state; {@link DropoutLayer} drops the input of the dense layer after it on a
 * training step. The engine owns the batch blocks and calls the layers chunk by chunk. Held
 * (float32, layout as {@link backpropcl.engine.reference.ReferenceEngine}):
 * <pre>
 *   dense[l], dropout[l]               dense layer l and the dropout on its input (null if none)
 *   step: x, labels, z[l], a[l], delta[l], dropped[l], kept[l]   the training batch ({@link PassBuffers})
 *   eval: z[l], a[l] (EVAL_ROWS, n)    a separate pass for evaluate(), so trace() is kept
 *   order (count)                      a copy of the epoch's permutation
 * </pre>
 * Every buffer is allocated once (the batch buffers again only when a larger batch comes).
 *
 * <p>A training step is two halves: {@link #computeGradients} (forward, output error, backward,
 * the gradients of every layer) and {@link #applyGradients} (the optimizer's update from them).
 * {@link #trainBatch} is the same arithmetic with each layer's update fused into the chunk that
 * computed its gradient, so it gives the same bits as the two halves.
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
    private final DenseLayer[] dense;
    private final DropoutLayer[] dropout;
    private final OutputLayer output;
    private final DenseProducts products;
    private final String productsName;
    private final WorkerPool pool;

    // The optimizer and the steps taken (its state tensors are in the dense layers).
    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    private long seed;

    private PassBuffers step;
    private PassBuffers eval;
    private Dataset train;
    private int[] order;
    private boolean shuffled;
    private int lastRows;
    private int gradientRows;
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
        this.output = new OutputLayer(net.outputActivation(), net.cost(), net.outputSize());
        BLAS blas = BlasLibrary.load();
        BLAS fast = allowNative ? BlasLibrary.optimizedNative().orElse(null) : null;
        this.products = new DenseProducts(blas, DenseProducts.vectorModule(), fast);
        this.productsName = (products.simd() ? "Vector API kernels" : BlasLibrary.name(blas))
                + (fast == null ? "" : " + " + BlasLibrary.optimizedLibrary().orElse("native") + " sgemm for large products");
        this.dense = new DenseLayer[layers];
        this.dropout = new DropoutLayer[layers];
        for (int l = 0; l < layers; l++) {
            dense[l] = new DenseLayer(net.size(l), net.size(l + 1), net.activation(l), products);
            if (net.dropoutBefore(l) > 0) {
                dropout[l] = new DropoutLayer(net.dropoutIndex(l), net.size(l), net.dropoutBefore(l));
            }
        }
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
            dense[l].setParameters(p.copyWeights(l), p.copyBiases(l));
        }
    }

    @Override
    public Parameters parameters() {
        live();
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < layers; l++) {
            p.setWeights(l, dense[l].w);
            p.setBiases(l, dense[l].b);
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
        shuffled = false;
    }

    @Override
    public void setOrder(int[] permutation) {
        live();
        if (train == null) {
            throw new IllegalStateException("setTrainingData before setOrder");
        }
        if (permutation == null) {
            shuffled = false;
            return;
        }
        EngineInputs.checkPermutation(permutation, train.count());
        System.arraycopy(permutation, 0, order, 0, permutation.length);
        shuffled = true;
    }

    /** Dropout's seed: with the step number it picks every mask ({@link backpropcl.model.DropoutMask}). */
    @Override
    public void setSeed(long seed) {
        live();
        this.seed = seed;
    }

    @Override
    public void trainBatch(int start, int rows, double learningRate) {
        float[] x = prepareBatch(start, rows);
        int xOffset = shuffled ? 0 : start * net.inputSize();
        forward(step, x, xOffset, rows, start);
        steps++;
        backward(x, xOffset, rows, OptimizerStep.of(optimizer, learningRate, steps));
    }

    @Override
    public void computeGradients(int start, int rows) {
        float[] x = prepareBatch(start, rows);
        int xOffset = shuffled ? 0 : start * net.inputSize();
        forward(step, x, xOffset, rows, start);
        backward(x, xOffset, rows, null);
    }

    @Override
    public Gradients gradients() {
        live();
        Gradients g = new Gradients(net);
        for (int l = 0; l < layers; l++) {
            g.setWeights(l, dense[l].gradW);
            g.setBiases(l, dense[l].gradB);
        }
        g.setRows(gradientRows);
        return g;
    }

    /** Takes the caller's gradients, rounded to float32, as the ones the next {@link #applyGradients} applies. */
    @Override
    public void setGradients(Gradients g) {
        live();
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        double[] values = g.values();
        for (int l = 0; l < layers; l++) {
            toFloats(values, (int) g.layout().weight(l).offset(), dense[l].gradW);
            toFloats(values, (int) g.layout().bias(l).offset(), dense[l].gradB);
        }
        gradientRows = g.rows();
    }

    private static void toFloats(double[] from, int offset, float[] to) {
        for (int i = 0; i < to.length; i++) {
            to[i] = (float) from[offset + i];
        }
    }

    @Override
    public void applyGradients(double learningRate) {
        live();
        steps++;
        OptimizerStep update = OptimizerStep.of(optimizer, learningRate, steps);
        for (DenseLayer layer : dense) {
            int chunks = Chunks.count(layer.n, 2L * layer.m * Math.max(1, gradientRows));
            pool.run(chunks, c -> layer.update(optimizer, update, Chunks.start(c, chunks, layer.n), Chunks.start(c + 1, chunks, layer.n)));
        }
    }

    /**
     * Checks a training batch and makes room for it; returns the block its input is read from: in
     * file order a contiguous block of the training set, read in place, else step.x (gathered).
     */
    private float[] prepareBatch(int start, int rows) {
        live();
        if (train == null) {
            throw new IllegalStateException("setTrainingData first");
        }
        EngineInputs.checkBatch(start, rows, train.count());
        if (step == null || step.capacity < rows) {
            step = new PassBuffers(net, rows, true);
        }
        lastRows = rows;
        gradientRows = rows;
        return shuffled ? step.x : train.features();
    }

    /**
     * z and a of every layer for rows of x; with a training batch (the step pass) also its
     * gathered input and labels (first layer), the dropout on each dense layer's input and the
     * output error (last layer).
     */
    private void forward(PassBuffers p, float[] x, int xOffset, int rows, int batchStart) {
        boolean training = p == step;
        long t = steps + 1;   // the step being computed: its masks
        float[] in = x;
        int inOffset = xOffset;
        for (int l = 0; l < layers; l++) {
            final boolean first = l == 0;
            final boolean last = l == layers - 1;
            final DenseLayer layer = dense[l];
            final DropoutLayer drop = training ? dropout[l] : null;
            final float[] input = in;
            final int offset = inOffset;
            final float[] dropped = drop == null ? null : p.dropped[l];
            final byte[] kept = drop == null ? null : p.kept[l];
            final float[] z = p.z[l];
            final float[] a = p.a[l];
            boolean gemm = products.gemm(rows, layer.n, layer.m);
            // A native sgemm takes the product whole (one chunk): the gather and the dropout then go first, on the pool.
            final boolean apart = gemm && drop != null;
            if (apart) {
                int dropChunks = Chunks.count(rows, DropoutLayer.FLOPS_PER_ELEMENT * layer.m);
                pool.run(dropChunks, c -> {
                    int r0 = Chunks.start(c, dropChunks, rows);
                    int r1 = Chunks.start(c + 1, dropChunks, rows);
                    if (first) {
                        gather(batchStart, r0, r1);
                    }
                    drop.forward(seed, t, input, offset, dropped, kept, r0, r1);
                });
            }
            long dropFlops = drop == null ? 0 : DropoutLayer.FLOPS_PER_ELEMENT * layer.m;
            int chunks = chunks(rows, 2L * layer.m * layer.n + dropFlops, gemm);
            pool.run(chunks, c -> {
                int r0 = Chunks.start(c, chunks, rows);
                int r1 = Chunks.start(c + 1, chunks, rows);
                if (training && first && !apart) {
                    gather(batchStart, r0, r1);
                }
                if (drop != null) {
                    if (!apart) {
                        drop.forward(seed, t, input, offset, dropped, kept, r0, r1);
                    }
                    layer.forward(dropped, 0, z, a, r0, r1);
                } else {
                    layer.forward(input, offset, z, a, r0, r1);
                }
                if (training && last) {
                    output.error(z, a, p.labels, p.delta[layers - 1], r0, r1);
                }
            });
            in = a;
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
            int s = shuffled ? order[start + r] : start + r;
            if (shuffled) {
                System.arraycopy(features, s * m0, step.x, r * m0, m0);
            }
            step.labels[r] = labels[s];
        }
    }

    /**
     * From the last layer down: the delta of the layer below (with W[l] before its update, through
     * the dropout on layer l's input), then layer l's gradients chunk by chunk of W's rows, and
     * with {@code update} (trainBatch) layer l's update in the same chunk; null leaves W alone.
     */
    private void backward(float[] x, int xOffset, int rows, OptimizerStep update) {
        for (int l = layers - 1; l >= 0; l--) {
            final DenseLayer layer = dense[l];
            int m = layer.m;
            int n = layer.n;
            final float[] delta = step.delta[l];
            if (l > 0) {
                final DenseLayer below = dense[l - 1];
                final DropoutLayer drop = dropout[l];
                final byte[] kept = step.kept[l];
                final float[] g = step.delta[l - 1];
                final float[] zBelow = step.z[l - 1];
                final float[] aBelow = step.a[l - 1];
                int chunks = chunks(rows, 2L * m * n, products.gemm(rows, n, m));
                pool.run(chunks, c -> {
                    int r0 = Chunks.start(c, chunks, rows);
                    int r1 = Chunks.start(c + 1, chunks, rows);
                    layer.backward(delta, g, r0, r1);
                    if (drop != null) {
                        drop.backward(g, kept, r0, r1);
                    }
                    below.activationBackward(zBelow, aBelow, g, r0, r1);
                });
            }
            // Layer l's input: after its dropout where it has one, else the activations below (or x).
            final float[] prev = dropout[l] != null ? step.dropped[l] : l == 0 ? x : step.a[l - 1];
            final int prevOffset = dropout[l] == null && l == 0 ? xOffset : 0;
            int chunks = chunks(n, 2L * rows * m, products.gemm(rows, n, m));
            pool.run(chunks, c -> {
                int j0 = Chunks.start(c, chunks, n);
                int j1 = Chunks.start(c + 1, chunks, n);
                layer.gradients(delta, step.deltaT, prev, prevOffset, rows, j0, j1);
                if (update != null) {
                    layer.update(optimizer, update, j0, j1);
                }
            });
        }
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        live();
        for (DenseLayer layer : dense) {
            layer.resetSlots(optimizer.kind().slots());
        }
        this.optimizer = optimizer;
        this.steps = 0;
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
            DenseLayer layer = dense[l];
            s.setWeights(l, layer.w);
            s.setBiases(l, layer.b);
            for (int k = 0; k < layer.slotW.length; k++) {
                s.setSlotWeights(k, l, layer.slotW[k]);
                s.setSlotBiases(k, l, layer.slotB[k]);
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
        for (int l = 0; l < layers; l++) {
            DenseLayer layer = dense[l];
            for (int k = 0; k < layer.slotW.length; k++) {
                TrainingState.copy(s.copySlotWeights(k, l), layer.slotW[k]);
                TrainingState.copy(s.copySlotBiases(k, l), layer.slotB[k]);
            }
        }
    }

    @Override
    public boolean outputFinite() {
        live();
        for (float v : dense[layers - 1].b) {
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
        DenseLayer d = dense[l];
        return new LayerTrace(TrainingState.doubles(step.z[l], block), TrainingState.doubles(step.a[l], block), TrainingState.doubles(step.delta[l], block),
                TrainingState.doubles(d.gradW, d.gradW.length), TrainingState.doubles(d.gradB, d.gradB.length), TrainingState.doubles(d.w, d.w.length),
                TrainingState.doubles(d.b, d.b.length));
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
