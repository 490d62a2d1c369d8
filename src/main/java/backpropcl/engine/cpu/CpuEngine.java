package backpropcl.engine.cpu;

import backpropcl.text.Plural;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Activation;
import backpropcl.model.Gradients;
import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import dev.ludovic.netlib.blas.BLAS;
import java.util.ArrayList;
import java.util.List;

/**
 * The cpu engine: float32 on the host, for machines without a usable OpenCL device. Matrix
 * products are register-blocked kernels on jdk.incubator.vector ({@link DenseProducts},
 * {@link VectorKernels}), or runs of a scalar BLAS's sgemv when that module is missing
 * ({@link BlasLibrary} warns); activations, the output error, the bias gradients and the SGD update are
 * plain Java ({@link FloatActivations}, {@link OutputLayer}), each fused into the chunk that the
 * product before it wrote, while those rows are in cache. A batch in file order is read in place
 * from the training set; a shuffled one is gathered row by row inside the first layer's chunks.
 *
 * <p>The network is a list of {@link CpuLayer}s, one class per layer kind, built from
 * {@link Network#layers()} by one factory ({@link #plan}), which also makes the fusions:
 * {@link DenseLayer}, {@link ConvLayer} and {@link BatchNormLayer} take the activation after them as
 * their epilogue and hold their tensors, gradients and the optimizer's state; {@link DropoutLayer}
 * drops its input on a training step; {@link MaxPoolLayer} keeps its windows' argmax; flatten is
 * left out (NCHW rows are flat). The engine walks the list forward and back in <em>stages</em>: a
 * stage is the row-local layers before a layer with tensors and that layer, run in one chunk of
 * rows forward (a batch norm's statistics first, cut by channels); back, one chunk runs a dense or
 * conv layer's input-gradient product, then the row-local way back of the layers below it and the
 * epilogue of the layer with tensors below them; a batch norm's way back is cut by channels over
 * the whole batch (docs/cpu.md). The layers with tensors ({@link TensorLayer}) are one list for
 * the parameters, state, gradients and update. Held (float32, layout as
 * {@link backpropcl.engine.reference.ReferenceEngine}):
 * <pre>
 *   layers, tensors, dense             the plan, its layers with tensors, its dense layers (dense l is dense[l])
 *   step: x, labels, each layer's blocks, scratch   the training batch ({@link PassBuffers})
 *   eval: each layer's blocks (EVAL_ROWS rows)       a separate pass for evaluate(), so trace() is kept
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
    /** The layers in order: layer i reads the output of layer i-1 (the input x for i = 0). */
    private final List<CpuLayer> layers;
    /** Every layer with tensors, in order: what the parameters, state, gradients and update are copied from and to. */
    private final List<TensorLayer> tensors;
    /** The dense layers, in order, and where each is in {@link #layers} (for trace(l)). */
    private final List<ParameterLayer> dense;
    private final int[] denseAt;
    /** Where each stage ends in {@link #layers}: at a layer with tensors (a product or a batch norm, whose statistics need the whole batch). */
    private final int[] stageTops;
    /** The lowest layer with tensors: the way back ends there. */
    private final int lowestTensors;
    /** For each layer k of the network, the index in {@link #layers} of the one that computes it, -1 for flatten and dropout 0. */
    private final int[] cpuAt;
    /** Whether the way back copies the gradients it overwrites in place, for {@link #traceLayers}. */
    private boolean keepTraces;
    /** Where it does: dC/d(output of network layer k) before the layer that computes it overwrote it (null where it keeps none). */
    private final float[][] gradientTraces;
    /** The last training batch's input block, for {@link #traceLayers}. */
    private float[] lastX;
    private int lastXOffset;
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
        this(net, initial, threads, allowNative ? BlasLibrary.optimizedNative().orElse(null) : null, DenseProducts.GEMM_MIN_FLOPS);
    }

    /**
     * A single-threaded replica, as a data-parallel engine runs one per core: on one thread, with
     * every product of at least {@link DenseProducts#REPLICA_GEMM_MIN_FLOPS} on the native sgemm where
     * {@link BlasLibrary#singleThreadedNative} finds one that runs on the calling thread (OpenBLAS
     * with OPENBLAS_NUM_THREADS=1 in the JVM's environment from its start), else on the Vector API
     * kernels, and then bitwise equal to the engine on any number of threads (on networks without
     * products of {@link DenseProducts#GEMM_MIN_FLOPS}, which that one gives to a native sgemm). Two
     * replicas in one environment compute bitwise the same; on sgemm they differ from the
     * multi-threaded engine in the last bits, and a row's result depends on the rows of its slice
     * (docs/cpu.md).
     */
    public static CpuEngine replica(Network net, Parameters initial) {
        int vectorBits = DenseProducts.vectorModule() ? VectorKernels.L * Float.SIZE : 0;
        BLAS fast = BlasLibrary.singleThreadedNative(vectorBits).orElse(null);
        return new CpuEngine(net, initial, 1, fast, DenseProducts.REPLICA_GEMM_MIN_FLOPS);
    }

    /** ... with the products of at least {@code gemmMinFlops} FLOPs on {@code fast}'s sgemm when it is not null. */
    CpuEngine(Network net, Parameters initial, int threads, BLAS fast, long gemmMinFlops) {
        this.net = net;
        this.output = new OutputLayer(net.outputActivation(), net.cost(), net.outputSize());
        BLAS blas = BlasLibrary.load();
        this.products = new DenseProducts(blas, DenseProducts.vectorModule(), fast, gemmMinFlops);
        String which = gemmMinFlops == DenseProducts.GEMM_MIN_FLOPS ? "large products"
                : String.format(java.util.Locale.ROOT, "products of %,d FLOPs and more", gemmMinFlops);
        this.productsName = (products.simd() ? "Vector API kernels" : BlasLibrary.name(blas))
                + (fast == null ? "" : " + " + BlasLibrary.optimizedLibrary().orElse("native") + " sgemm for " + which);
        this.cpuAt = new int[net.layers().size()];
        this.layers = plan(net, products, new ImageProducts(products.simd()), cpuAt);
        this.gradientTraces = new float[cpuAt.length][];
        this.tensors = new ArrayList<>();
        this.dense = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        List<Integer> tops = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            CpuLayer layer = layers.get(i);
            if (layer instanceof TensorLayer t) {
                tensors.add(t);
                tops.add(i);
            }
            if (layer instanceof DenseLayer d) {
                dense.add(d);
                at.add(i);
            }
        }
        this.denseAt = at.stream().mapToInt(Integer::intValue).toArray();
        this.stageTops = tops.stream().mapToInt(Integer::intValue).toArray();
        this.lowestTensors = stageTops[0];
        setParameters(initial);
        this.pool = new WorkerPool(threads);
    }

    /**
     * The cpu layers of {@code net.layers()}, in order: the one place that maps a layer kind to
     * its class, on the shape each layer gets ({@link Network#inputShape(int)}), and where the
     * fusions are planned (an activation becomes the epilogue of the dense, conv or batchnorm
     * layer before it; one after a maxpool is a layer of its own; flatten and dropout of p = 0
     * change nothing and are left out). The last layer is dense: the output error and cost are
     * fused onto it ({@link OutputLayer}).
     */
    static List<CpuLayer> plan(Network net, DenseProducts products, ImageProducts imageProducts) {
        return plan(net, products, imageProducts, new int[net.layers().size()]);
    }

    /** ... and {@code cpuAt[k]}: the index in the plan of the layer that computes layer k (its epilogue's too), -1 where none does. */
    static List<CpuLayer> plan(Network net, DenseProducts products, ImageProducts imageProducts, int[] cpuAt) {
        List<Layer> specs = net.layers();
        List<CpuLayer> planned = new ArrayList<>();
        int dense = 0;
        for (int k = 0; k < specs.size(); k++) {
            Layer spec = specs.get(k);
            Shape in = net.inputShape(k);
            // An activation right after a dense, conv or batchnorm layer is its epilogue, not a layer of its own.
            boolean fuses = spec instanceof Layer.Dense || spec instanceof Layer.Conv || spec instanceof Layer.BatchNorm;
            boolean fused = fuses && k + 1 < specs.size() && specs.get(k + 1) instanceof Layer.Act;
            Activation epilogue = fused ? ((Layer.Act) specs.get(k + 1)).activation() : Activation.IDENTITY;
            CpuLayer layer;
            if (spec instanceof Layer.Dense d) {
                layer = new DenseLayer(dense++, in.size(), d.width(), epilogue, products);
            } else if (spec instanceof Layer.Conv c) {
                layer = new ConvLayer(k, in.channels(), in.height(), in.width(), c.filters(), c.kernel(), c.stride(), c.padding(), epilogue,
                        imageProducts);
            } else if (spec instanceof Layer.MaxPool m) {
                layer = new MaxPoolLayer(in.channels(), in.height(), in.width(), m.kernel(), m.stride());
            } else if (spec instanceof Layer.BatchNorm) {
                // Per channel over H x W on images, per feature on flat rows (a flat shape is (n, 1, 1)).
                layer = new BatchNormLayer(k, in.channels(), in.height() * in.width(), epilogue);
            } else if (spec instanceof Layer.Act a) {
                layer = new ActivationLayer(in.size(), a.activation());
            } else if (spec instanceof Layer.Dropout d) {
                layer = d.p() > 0 ? new DropoutLayer(k, in.size(), d.p()) : null;
            } else if (spec instanceof Layer.Flatten) {
                layer = null;
            } else {
                throw new IllegalArgumentException("the cpu engine has no class for layer " + (k + 1) + " '" + spec.spec() + "' here");
            }
            cpuAt[k] = layer == null ? -1 : planned.size();
            if (fused) {
                k++;
                cpuAt[k] = planned.size();
            }
            if (layer != null) {
                planned.add(layer);
            }
        }
        if (planned.isEmpty() || !(planned.get(planned.size() - 1) instanceof DenseLayer)) {
            throw new IllegalArgumentException("the cpu engine needs a dense output layer");
        }
        return List.copyOf(planned);
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
        for (TensorLayer layer : tensors) {
            layer.setParameters(p);
        }
    }

    @Override
    public Parameters parameters() {
        live();
        Parameters p = Parameters.zeros(net);
        for (TensorLayer layer : tensors) {
            layer.copyParameters(p);
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
        lastX = x;
        lastXOffset = xOffset;
        forward(step, x, xOffset, rows, start);
        steps++;
        backward(x, xOffset, rows, OptimizerStep.of(optimizer, learningRate, steps));
    }

    @Override
    public void computeGradients(int start, int rows, int firstRow) {
        float[] x = prepareBatch(start, rows);
        int xOffset = shuffled ? 0 : start * net.inputSize();
        setFirstRow(firstRow);
        try {
            forward(step, x, xOffset, rows, start);
        } finally {
            setFirstRow(0);
        }
        backward(x, xOffset, rows, null);
    }

    /** The batch row of the slice's first row, for the dropout layers' masks (the backward pass reuses the forward's). */
    private void setFirstRow(int firstRow) {
        for (CpuLayer layer : layers) {
            if (layer instanceof DropoutLayer d) {
                d.setFirstRow(firstRow);
            }
        }
    }

    @Override
    public void gradients(Gradients into) {
        live();
        EngineInputs.checkNetwork(net, into.network(), "gradients are");
        for (TensorLayer layer : tensors) {
            layer.copyGradients(into);
        }
        into.setRows(gradientRows);
    }

    /** Takes the caller's gradients, rounded to float32, as the ones the next {@link #applyGradients} applies. */
    @Override
    public void setGradients(Gradients g) {
        live();
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        for (TensorLayer layer : tensors) {
            layer.setGradients(g);
        }
        gradientRows = g.rows();
    }

    @Override
    public void applyGradients(double learningRate) {
        live();
        steps++;
        OptimizerStep update = OptimizerStep.of(optimizer, learningRate, steps);
        for (TensorLayer layer : tensors) {
            int units = layer.units();
            int chunks = Chunks.count(units, layer.gradientFlopsPerUnit(Math.max(1, gradientRows)));
            pool.run(chunks, c -> layer.update(optimizer, update, Chunks.start(c, chunks, units), Chunks.start(c + 1, chunks, units)));
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
            step = new PassBuffers(layers, net.inputSize(), rows, true, needsInputGradient());
            for (int k = 0; keepTraces && k < cpuAt.length; k++) {
                gradientTraces[k] = new float[Math.multiplyExact(rows, net.shape(k).size())];
            }
        }
        lastRows = rows;
        gradientRows = rows;
        return shuffled ? step.x : train.features();
    }

    /**
     * Every layer's output for rows of x, stage by stage; with a training batch (the step pass)
     * also its gathered input and labels (first stage), the dropout masks and the output error
     * (last stage). An evaluation skips the layers that are the identity there.
     */
    private void forward(PassBuffers p, float[] x, int xOffset, int rows, int batchStart) {
        boolean training = p.training;
        long t = steps + 1;   // the step being computed: its masks
        float[] in = x;
        int inOffset = xOffset;
        int from = 0;
        for (int s = 0; s < stageTops.length; s++) {
            final int first = from;
            final int top = stageTops[s];
            final float[] stageIn = in;
            final int stageOffset = inOffset;
            final boolean gatherHere = training && s == 0;
            final boolean outputHere = training && s == stageTops.length - 1;
            // A batch norm in training normalises by its input's statistics over the whole batch: they come first.
            final BatchNormLayer norm = training && layers.get(top) instanceof BatchNormLayer b ? b : null;
            // The elementwise layers of the stage that run in this pass: their cost, and the input of its top layer.
            boolean elementwise = false;
            long elementwiseFlops = 0;
            float[] topIn = in;
            int topOffset = inOffset;
            for (int i = first; i < top; i++) {
                if (runs(p, i)) {
                    elementwise = true;
                    elementwiseFlops += layers.get(i).flopsPerRow();
                    topIn = p.layer[i].out;
                    topOffset = 0;
                }
            }
            boolean whole = layers.get(top).runsWhole(rows);
            // A native sgemm takes the product whole (one chunk): the gather and the elementwise layers then go first, on the pool.
            final boolean apart = whole && elementwise || norm != null && (elementwise || gatherHere);
            if (apart) {
                int elementwiseChunks = Chunks.count(rows, elementwiseFlops);
                pool.run(elementwiseChunks, c -> {
                    int r0 = Chunks.start(c, elementwiseChunks, rows);
                    int r1 = Chunks.start(c + 1, elementwiseChunks, rows);
                    if (gatherHere) {
                        gather(batchStart, r0, r1);
                    }
                    forwardLayers(p, first, top - 1, stageIn, stageOffset, t, r0, r1);
                });
            }
            final float[] productIn = topIn;
            final int productOffset = topOffset;
            if (norm != null) {
                EngineInputs.checkBatchNormCount(norm.index(), (long) rows * norm.spatial);
                int units = norm.units();
                int statisticsChunks = Chunks.count(units, norm.gradientFlopsPerUnit(rows));
                pool.run(statisticsChunks, c -> norm.batchnormStatistics(productIn, productOffset, rows,
                        Chunks.start(c, statisticsChunks, units), Chunks.start(c + 1, statisticsChunks, units)));
            }
            int chunks = chunks(rows, layers.get(top).flopsPerRow() + elementwiseFlops, whole);
            pool.run(chunks, c -> {
                int r0 = Chunks.start(c, chunks, rows);
                int r1 = Chunks.start(c + 1, chunks, rows);
                if (apart) {
                    forwardLayers(p, top, top, productIn, productOffset, t, r0, r1);
                } else {
                    if (gatherHere) {
                        gather(batchStart, r0, r1);
                    }
                    forwardLayers(p, first, top, stageIn, stageOffset, t, r0, r1);
                }
                if (outputHere) {
                    DenseLayer.DenseBlocks o = outputBlocks(p);
                    output.error(o.z, o.out, p.labels, o.delta, r0, r1);
                }
            });
            in = p.layer[top].out;
            inOffset = 0;
            from = top + 1;
        }
    }

    /** Whether layer i runs in pass p: every layer in training, in evaluation those that are not the identity there. */
    private boolean runs(PassBuffers p, int i) {
        return p.training || !layers.get(i).identityInEvaluation();
    }

    /** Layers [from, to] forward on rows [r0, r1): each reads the output of the one before it that runs, the first reads in. */
    private void forwardLayers(PassBuffers p, int from, int to, float[] in, int inOffset, long t, int r0, int r1) {
        for (int i = from; i <= to; i++) {
            if (runs(p, i)) {
                CpuLayer.Blocks own = p.layer[i];
                layers.get(i).forward(own, in, inOffset, seed, t, r0, r1);
                in = own.out;
                inOffset = 0;
            }
        }
    }

    /** The output layer's blocks of pass p: the last layer is dense ({@link #plan}). */
    private DenseLayer.DenseBlocks outputBlocks(PassBuffers p) {
        return (DenseLayer.DenseBlocks) p.layer[layers.size() - 1];
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
     * From the output layer down to the lowest layer with tensors, layer by layer with tensors:
     * a dense or conv layer runs, in one chunk of rows, its input-gradient product (with its
     * tensors before their update) and then the row-local way back of the layers below it
     * ({@link #rowsBack}); then its gradients chunk by chunk of its units. A batch norm runs its
     * way back and gradients cut by channels over the whole batch, then the layers below it row by
     * row. With {@code update} (trainBatch) each layer's update runs in the chunk that computed its
     * gradients; null leaves the tensors alone.
     */
    private void backward(float[] x, int xOffset, int rows, OptimizerStep update) {
        int i = layers.size() - 1;
        while (i >= lowestTensors) {
            final CpuLayer.Blocks own = step.layer[i];
            // Its input: the output of the layer before it, or x.
            final float[] prev = i == 0 ? x : step.layer[i - 1].out;
            final int prevOffset = i == 0 ? xOffset : 0;
            int next = i - 1;
            if (layers.get(i) instanceof BatchNormLayer norm) {
                final float[] g = gradientOf(i);
                if (keepTraces) {
                    traceBatchNorm(i, norm, g, rows);
                }
                int units = norm.units();
                int chunks = Chunks.count(units, norm.gradientFlopsPerUnit(rows));
                pool.run(chunks, c -> {
                    int c0 = Chunks.start(c, chunks, units);
                    int c1 = Chunks.start(c + 1, chunks, units);
                    norm.batchnormBackward((BatchNormLayer.BatchNormBlocks) own, prev, prevOffset, g, rows, c0, c1);
                    if (update != null) {
                        norm.update(optimizer, update, c0, c1);
                    }
                });
                if (i > lowestTensors) {
                    next = rowsBack(i, null, rows);
                }
            } else {
                final ParameterLayer layer = (ParameterLayer) layers.get(i);
                boolean whole = layers.get(i).runsWhole(rows);
                if (i > lowestTensors) {
                    next = rowsBack(i, layer, rows);
                }
                int units = layer.units();
                int chunks = Math.min(chunks(units, layer.gradientFlopsPerUnit(rows), whole), Math.max(1, units / layer.gradientUnitsPerChunk()));
                pool.run(chunks, c -> {
                    int j0 = Chunks.start(c, chunks, units);
                    int j1 = Chunks.start(c + 1, chunks, units);
                    layer.gradients(own, step.scratch, prev, prevOffset, rows, j0, j1);
                    if (update != null) {
                        layer.update(optimizer, update, j0, j1);
                    }
                });
            }
            i = next;
        }
    }

    /**
     * The row-local way back below layer {@code top}, in one chunk of rows: top's product (when
     * {@code product} is not null) into the gradient of its input, then each layer below down to
     * the next one with tensors: a maxpool maps its output's gradient to its input's, the
     * elementwise layers work in place, and a dense or conv layer there takes its epilogue's
     * derivative (a batch norm, which needs the whole batch, is left for its own turn). Returns
     * the index of that layer with tensors.
     */
    private int rowsBack(int top, ParameterLayer product, int rows) {
        int stop = top - 1;
        long flops = product == null ? 0 : product.backwardFlopsPerRow();
        while (!(layers.get(stop) instanceof TensorLayer)) {
            CpuLayer l = layers.get(stop);
            flops += l instanceof DropoutLayer ? 0 : l.flopsPerRow();
            stop--;
        }
        final int bottom = stop;
        final boolean epilogue = layers.get(bottom) instanceof ParameterLayer;
        if (product == null && epilogue) {
            flops += layers.get(bottom).outputs();
        }
        final CpuLayer.Blocks own = step.layer[top];
        final float[] g = gradientOf(top - 1);
        int chunks = chunks(rows, flops, product != null && layers.get(top).runsWhole(rows));
        pool.run(chunks, c -> {
            int r0 = Chunks.start(c, chunks, rows);
            int r1 = Chunks.start(c + 1, chunks, rows);
            if (product != null) {
                product.backward(own, g, r0, r1);
            }
            for (int j = top - 1; j > bottom; j--) {
                CpuLayer l = layers.get(j);
                if (l instanceof MaxPoolLayer maxpool) {
                    MaxPoolLayer.MaxPoolBlocks b = (MaxPoolLayer.MaxPoolBlocks) step.layer[j];
                    maxpool.maxpoolBackward(b, b.gradient, gradientOf(j - 1), r0, r1);
                } else {
                    traceRows(lastOf(j), gradientOf(j), r0, r1);
                    l.backwardInPlace(step.layer[j], gradientOf(j), r0, r1);
                }
            }
            if (epilogue) {
                traceRows(lastOf(bottom), gradientOf(bottom), r0, r1);
                layers.get(bottom).backwardInPlace(step.layer[bottom], gradientOf(bottom), r0, r1);
            }
        });
        return bottom;
    }

    /**
     * The block of the training pass that holds dC/d(output of layer i) on the way back: a dense or
     * conv layer's delta, a maxpool's gradient; the layers that work in place (dropout, an
     * activation, a batch norm) share the one of the layer below them; below layer 0, the input's.
     */
    private float[] gradientOf(int i) {
        for (; i >= 0; i--) {
            CpuLayer l = layers.get(i);
            if (l instanceof ParameterLayer p) {
                return p.delta(step.layer[i]);
            }
            if (l instanceof MaxPoolLayer) {
                return ((MaxPoolLayer.MaxPoolBlocks) step.layer[i]).gradient;
            }
        }
        return step.inputGradient;
    }

    /** Whether the way back writes a gradient of the input: a batch norm with only in-place layers below it. */
    private boolean needsInputGradient() {
        for (int i = 0; i <= lowestTensors; i++) {
            CpuLayer l = layers.get(i);
            if (l instanceof ParameterLayer || l instanceof MaxPoolLayer) {
                return false;
            }
        }
        return true;
    }

    /** The last network layer that cpu layer i computes: its epilogue's activation where it has one. */
    private int lastOf(int i) {
        int k = cpuAt.length - 1;
        while (cpuAt[k] != i) {
            k--;
        }
        return k;
    }

    /** The first network layer that cpu layer i computes: its own. */
    private int firstOf(int i) {
        int k = 0;
        while (cpuAt[k] != i) {
            k++;
        }
        return k;
    }

    /** With {@link #keepTraces}: rows [r0, r1) of g, dC/d(output of network layer k), into its trace, before they are overwritten. */
    private void traceRows(int k, float[] g, int r0, int r1) {
        if (!keepTraces) {
            return;
        }
        int width = net.shape(k).size();
        System.arraycopy(g, r0 * width, gradientTraces[k], r0 * width, (r1 - r0) * width);
    }

    /** A batch norm's gradients before its way back: dC/d(out) of its activation (where it has one), and dC/dy of its own. */
    private void traceBatchNorm(int i, BatchNormLayer norm, float[] g, int rows) {
        int own = firstOf(i);
        int last = lastOf(i);
        traceRows(last, g, 0, rows);
        if (last != own) {
            BatchNormLayer.BatchNormBlocks b = (BatchNormLayer.BatchNormBlocks) step.layer[i];
            float[] dy = gradientTraces[own];
            System.arraycopy(g, 0, dy, 0, rows * norm.outputs());
            FloatActivations.multiplyByDerivative(norm.activation, b.y, b.out, dy, norm.outputs(), 0, rows);
        }
    }

    /** Copies the gradients that the way back overwrites in place from the next training batch on (traceLayers needs them). */
    @Override
    public void keepLayerTraces() {
        keepTraces = true;
        step = null;   // the next batch allocates the traces with the blocks
    }

    /**
     * The reference's view of the last training batch ({@link ReferenceEngine#traceLayers}): every
     * network layer's output (flatten and dropout 0 hand on their input), dC/d(output) from the
     * lowest layer with tensors to the last dense one, and each tensor's gradient and value; needs
     * {@link #keepLayerTraces} before that batch.
     */
    @Override
    public List<LayerTrace.Tensor> traceLayers() {
        live();
        if (!keepTraces || lastRows == 0 || !traced()) {
            throw new IllegalStateException("keepLayerTraces before the batch to trace");
        }
        Gradients g = gradients();
        Parameters p = parameters();
        int lowest = firstOf(lowestTensors);
        int lastDense = firstOf(layers.size() - 1);
        List<LayerTrace.Tensor> list = new ArrayList<>();
        for (int k = 0; k < cpuAt.length; k++) {
            list.add(new LayerTrace.Tensor(k, "out", rows(outputOf(k), outputOffset(k), k)));
            if (k >= lowest && k <= lastDense) {
                list.add(new LayerTrace.Tensor(k, "grad out", rows(gradientTraceOf(k), 0, k)));
            }
            for (ParameterLayout.Tensor t : p.layout().tensorsOf(k)) {
                String name = t.name().substring(t.name().lastIndexOf('.') + 1);
                if (t.trainable()) {
                    list.add(new LayerTrace.Tensor(k, "grad " + name, t.copyOut(g.values())));
                }
                list.add(new LayerTrace.Tensor(k, name, TrainingState.doubles(p.copy(t.name()), t.length())));
            }
        }
        return list;
    }

    /** Whether the traces were allocated (keepLayerTraces came before the last batch). */
    private boolean traced() {
        for (float[] t : gradientTraces) {
            if (t != null) {
                return true;
            }
        }
        return false;
    }

    /** The first lastRows rows of network layer k's block, as doubles. */
    private double[] rows(float[] block, int offset, int k) {
        int n = lastRows * net.shape(k).size();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = block[offset + i];
        }
        return out;
    }

    /** The block that holds network layer k's output: its cpu layer's output, or z or y before an epilogue, or its input. */
    private float[] outputOf(int k) {
        int i = cpuAt[k];
        if (i < 0) {
            return k == 0 ? lastX : outputOf(k - 1);
        }
        if (k == lastOf(i) || k != firstOf(i)) {
            return step.layer[i].out;
        }
        CpuLayer.Blocks b = step.layer[i];
        return b instanceof DenseLayer.DenseBlocks d ? d.z : b instanceof ConvLayer.ConvBlocks c ? c.z
                : ((BatchNormLayer.BatchNormBlocks) b).y;
    }

    private int outputOffset(int k) {
        return cpuAt[k] < 0 && k == 0 ? lastXOffset : cpuAt[k] < 0 ? outputOffset(k - 1) : 0;
    }

    /** dC/d(output of network layer k) of the last batch: a product layer's delta, a maxpool's gradient, or the copy kept. */
    private float[] gradientTraceOf(int k) {
        int i = cpuAt[k];
        if (i < 0) {
            return gradientTraceOf(k - 1);
        }
        CpuLayer l = layers.get(i);
        if (k == firstOf(i) && l instanceof ParameterLayer pl) {
            return pl.delta(step.layer[i]);
        }
        if (l instanceof MaxPoolLayer) {
            return ((MaxPoolLayer.MaxPoolBlocks) step.layer[i]).gradient;
        }
        return gradientTraces[k];
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        live();
        for (TensorLayer layer : tensors) {
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
        for (TensorLayer layer : tensors) {
            layer.copyState(s);
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
        for (TensorLayer layer : tensors) {
            layer.setSlots(s);
        }
    }

    @Override
    public boolean outputFinite() {
        live();
        return dense.get(dense.size() - 1).finiteBiases();
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
            eval = new PassBuffers(layers, net.inputSize(), blockRows, false, false);
        }
        DenseLayer.DenseBlocks out = outputBlocks(eval);
        int[] labels = data.labels();
        double cost = 0;
        long correct = 0;
        for (int start = 0; start < data.count(); start += EVAL_ROWS) {
            int rows = Math.min(EVAL_ROWS, data.count() - start);
            forward(eval, data.features(), start * net.inputSize(), rows, start);
            for (int r = 0; r < rows; r++) {
                int label = labels[start + r];
                cost += output.sampleCost(out.z, out.out, label, r);
                if (output.predicted(out.out, r) == label) {
                    correct++;
                }
            }
        }
        return new Evaluation(cost / data.count(), correct, data.count());
    }

    @Override
    public LayerTrace trace(int l) {
        live();
        if (l < 0 || l >= dense.size()) {
            throw new IndexOutOfBoundsException("layer " + l + " of a network with " + dense.size() + " dense layers");
        }
        if (lastRows == 0) {
            throw new IllegalStateException("no batch has been trained yet");
        }
        return dense.get(l).trace(step.layer[denseAt[l]], lastRows);
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
