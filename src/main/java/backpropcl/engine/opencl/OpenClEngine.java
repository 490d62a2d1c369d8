package backpropcl.engine.opencl;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.KernelProfiling;
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
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenCL engine: the whole training step as kernels from kernels/*.cl on one device.
 *
 * <p>The network is a list of {@link ClLayer}s, made from {@code net.layers()} by one factory
 * ({@link #layersOf}): a dense layer with the activation after it as its epilogue
 * ({@link DenseLayer.Instance}), a dropout layer ({@link DropoutLayer.Instance}), a conv layer
 * with its activation epilogue, each pass direct or im2col as {@link ConvTuner} chose
 * ({@link ConvLayer.Instance}), a max-pool layer ({@link MaxPoolLayer.Instance}) and a batch-norm
 * layer with its activation epilogue ({@link BatchNormLayer.Instance}: the computing half keeps
 * the batch statistics, the update half folds them into the running ones, which evaluation
 * normalises with); flatten is no layer (rows are NCHW already). Each layer holds
 * its device tensors (its parameters, their gradients and optimizer slots, as
 * {@link DeviceTensor}s) and makes its blocks of a pass; the engine walks the layers forward and
 * in reverse backward. On the device (float32, layout as {@link backpropcl.engine.reference.ReferenceEngine}):
 * <pre>
 *   each layer's tensors               W[l] (n, m), b[l] (n), gradW[l], gradB[l], the optimizer's slots
 *   x (B, m0) and each layer's blocks  the training batch, B = the largest batch so far: a dense
 *                                      layer's z, a, delta (B, n), a dropout's output (B, m)
 *   eval x and blocks (EVAL_ROWS)      a separate pass for evaluate(), so trace() is kept
 *   training set features + labels     uploaded once; features as bytes where exact
 *   order (count)                      the epoch's permutation, uploaded once per epoch
 *   cost/hits per block                the per-block totals of evaluate()
 * </pre>
 * {@link #trainBatch} only enqueues kernels (gather, forward per layer, output error, then per
 * layer from the last: backward and the fused gradient + SGD kernels; with another optimizer the
 * gradient kernels run with a learning rate of 0 and kernels/update.cl steps every tensor after
 * them): nothing crosses the bus
 * and nothing waits. {@link #evaluate}, {@link #trace} and {@link #parameters} read back and so
 * wait for the queued batches.
 *
 * <p>The two half-steps: {@link #computeGradients} enqueues trainBatch's kernels with a learning
 * rate of 0 (W -= 0 * gradW leaves W bit for bit) and {@link #applyGradients} the update alone
 * (kernels/dense_gradients.cl's sgd_step, the fused kernels' formula, or update.cl), so the halves end
 * where trainBatch does, bit for bit. Dropout (kernels/dropout.cl, the masks of model.DropoutMask
 * drawn on the device, none stored) runs in the layered path: only a dense-only chain takes the
 * fused tail ({@link FusedTail}).
 *
 * <p>Each matrix product runs the kernel variant a {@link KernelTuner} chose for its shape on this
 * device (tiled or register-blocked, docs/opencl.md), fixed for the engine's life once chosen.
 */
public final class OpenClEngine implements Engine, KernelProfiling {
    /** Rows per block of evaluate(); each block's cost and hits are reduced to one slot on the device. */
    static final int EVAL_ROWS = 512;

    private final Network net;
    private final int deviceIndex;
    private final ClContext ctx;
    /** The routines, each with its own program: the step is a short sequence of their calls. */
    private final ClKernels k;
    private final Gather gather;
    private final OutputLayer output;
    private final OptimizerUpdate update;
    private final boolean allowTail;
    /** The engine's layers in the order of net.layers(), activations merged into their dense layers. */
    private final List<ClLayer> layers;
    /** The dense layers among them, by dense index (trace, the dense view). */
    private final List<DenseLayer.Instance> dense;
    /** Every layer's parameter tensors in {@link ParameterLayout} order. */
    private final List<DeviceTensor> tensors;
    /** Their gradients, one device buffer: one read and one write a step (gradients, setGradients). */
    private final DeviceGradients grads;

    /** The device blocks of one pass over up to {@code capacity} rows: its input and each layer's blocks. */
    private final class Pass implements AutoCloseable {
        final int capacity;
        final ClBuffer x;
        final ClLayer.Blocks[] blocks;
        /** What each layer read in the last forward pass (its backward reads it again). */
        final ClBuffer[] inputs;

        Pass(int capacity, boolean training, String name) {
            this.capacity = capacity;
            this.blocks = new ClLayer.Blocks[layers.size()];
            this.inputs = new ClBuffer[layers.size()];
            ClBuffer input = null;
            try {
                input = ctx.buffer(bytes(capacity, net.inputSize()), name + " x");
                ClLayer.Blocks below = null;
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = layers.get(i).blocks(below, capacity, training, name);
                    below = blocks[i];
                }
            } catch (RuntimeException e) {
                closeAll(input);
                closeAll(blocks);
                throw e;
            }
            this.x = input;
        }

        /** The kernels of the first {@code count} layers, at batches of {@code rows}. */
        void plan(int rows, int count) {
            for (int i = 0; i < count; i++) {
                layers.get(i).plan(blocks[i], rows);
            }
        }

        /** The output layer's blocks. */
        ClLayer.Blocks top() {
            return blocks[blocks.length - 1];
        }

        /** The forward pass through every layer in {@code mode}; returns the output layer's blocks. */
        ClLayer.Blocks forward(int rows, ClLayer.Mode mode) {
            ClBuffer in = x;
            for (int i = 0; i < blocks.length; i++) {
                inputs[i] = in;
                in = layers.get(i).forward(blocks[i], in, rows, mode);
            }
            return top();
        }

        /** The backward pass from the output layer's gradient, layer by layer in reverse. */
        void backward(int rows, ClLayer.Mode mode) {
            for (int i = blocks.length - 1; i >= 0; i--) {
                layers.get(i).backward(blocks[i], inputs[i], rows, mode);
            }
        }

        String describe() {
            StringBuilder sb = new StringBuilder();
            for (ClLayer.Blocks b : blocks) {
                sb.append(b.describe());
            }
            return sb.toString();
        }

        @Override
        public void close() {
            closeAll(x);
            closeAll(blocks);
        }
    }

    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    /** The seed of the dropout masks (setSeed). */
    private long seed;
    /** The rows the gradient buffers were averaged over: the last computed batch's, or the set gradients'. */
    private int gradientRows;

    private Pass step;
    private Pass eval;
    /** The fused tail of the training step, null where the layers run one by one. */
    private FusedTail tail;
    private DeviceData train;
    private DeviceData evalData;
    private ClBuffer order;
    private boolean shuffled;
    private ClBuffer costPerBlock;
    private ClBuffer hitsPerBlock;
    private int blockCapacity;
    private int lastRows;
    private boolean closed;

    /**
     * Opens device {@code deviceIndex} (as numbered by {@link OpenClDevices#list()}), builds the
     * kernels and uploads the initial parameters.
     *
     * @throws IllegalArgumentException when no such device exists (the message names the valid range)
     * @throws OpenClException          when the device fails
     */
    public OpenClEngine(Network net, Parameters initial, int deviceIndex) {
        this(net, initial, deviceIndex, KernelTuner.Mode.fromEnvironment(), !"off".equals(System.getenv("BACKPROP_CL_FUSE")));
    }

    /**
     * As the public constructor, with the kernel choice mode given and the fused tail allowed or
     * not (tests pin both with it; $BACKPROP_CL_TUNE and $BACKPROP_CL_FUSE=off do for users).
     */
    OpenClEngine(Network net, Parameters initial, int deviceIndex, KernelTuner.Mode mode, boolean allowTail) {
        this.net = net;
        this.allowTail = allowTail;
        this.deviceIndex = deviceIndex;
        this.ctx = ClContext.open(deviceIndex);
        ClKernels kernels = null;
        DeviceGradients g = null;
        List<ClLayer> made = new ArrayList<>();
        try {
            kernels = new ClKernels(ctx);
            TuningCache cache = TuningCache.at(TuningCache.defaultFolder().resolve("kernel-tuning.properties"));
            KernelTuner tuner = new KernelTuner(ctx, DenseLayer.of(kernels), mode, cache);
            g = new DeviceGradients(ctx, ParameterLayout.of(net));
            layersOf(net, ctx, kernels, tuner, cache, g, made);
        } catch (RuntimeException e) {
            closeAll(made.toArray(new AutoCloseable[0]));
            closeAll(g);
            if (kernels != null) {
                kernels.close();
            }
            ctx.close();
            throw e;
        }
        this.k = kernels;
        this.grads = g;
        this.gather = kernels.gather();
        this.output = kernels.output();
        this.update = kernels.update();
        this.layers = List.copyOf(made);
        List<DenseLayer.Instance> d = new ArrayList<>();
        List<DeviceTensor> t = new ArrayList<>();
        for (ClLayer layer : layers) {
            if (layer instanceof DenseLayer.Instance di) {
                d.add(di);
            }
            t.addAll(layer.tensors());
        }
        this.dense = List.copyOf(d);
        this.tensors = List.copyOf(t);
        try {
            setParameters(initial);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The factory: the engine's layer of each entry of {@code net.layers()}, added to {@code into}
     * as it is made (so a failure can release the ones before). Adding a layer kind is one branch
     * here and its routine class (with its {@link ClLayer}, its .cl file and its kernel test).
     */
    private static void layersOf(Network net, ClContext ctx, ClKernels k, KernelTuner tuner, TuningCache cache, DeviceGradients grads,
                                 List<ClLayer> into) {
        List<Layer> specs = net.layers();
        int width = net.inputSize();
        int denseIndex = 0;
        ConvTuner convTuner = null;
        for (int i = 0; i < specs.size(); i++) {
            Layer spec = specs.get(i);
            // The activation after a dense, conv, max-pool or batch-norm layer is its forward kernel's epilogue.
            Activation act = i + 1 < specs.size() && specs.get(i + 1) instanceof Layer.Act a ? a.activation() : Activation.IDENTITY;
            Shape in = net.inputShape(i);
            ClLayer layer = null;
            if (spec instanceof Layer.Dense d) {
                layer = new DenseLayer.Instance(ctx, DenseLayer.of(k), tuner, grads, denseIndex++, d.width(), width, act);
            } else if (spec instanceof Layer.Conv c) {
                if (convTuner == null) {
                    convTuner = new ConvTuner(ctx, ConvLayer.of(k), DenseLayer.of(k), tuner, cache);
                }
                ConvGeometry g = new ConvGeometry(in.channels(), in.height(), in.width(), c.filters(), c.kernel(), c.stride(), c.padding());
                layer = new ConvLayer.Instance(ctx, ConvLayer.of(k), DenseLayer.of(k), convTuner, grads, i, g, act);
            } else if (spec instanceof Layer.MaxPool m) {
                layer = new MaxPoolLayer.Instance(ctx, MaxPoolLayer.of(k), i, new PoolGeometry(in.channels(), in.height(), in.width(),
                        m.kernel(), m.stride()), act);
            } else if (spec instanceof Layer.BatchNorm) {
                // BatchNorm2d per channel over rows x H x W; on flat rows BatchNorm1d, the features as channels.
                int channels = in.isFlat() ? in.size() : in.channels();
                layer = new BatchNormLayer.Instance(ctx, BatchNormLayer.of(k), DenseLayer.of(k), grads, i, channels,
                        in.isFlat() ? 1 : in.height() * in.width(), act);
            } else if (spec instanceof Layer.Dropout d) {
                layer = d.p() > 0 ? new DropoutLayer.Instance(ctx, DropoutLayer.of(k), d.p(), i, width) : null;   // p = 0: the identity
            } else if (!(spec instanceof Layer.Act || spec instanceof Layer.Flatten)) {
                // An activation is its layer's epilogue (above); flatten moves no data (rows are NCHW already).
                throw new IllegalArgumentException("the OpenCL engine has no class for layer " + spec.spec());
            }
            if (layer != null) {
                into.add(layer);
                width = layer.outputs();
            }
        }
    }

    @Override
    public String description() {
        return "opencl (" + ctx.deviceName() + ", " + runtimeName(ctx.platformVersion()) + ")";
    }

    /** "PoCL 3.1+debian" from "OpenCL 3.0 PoCL 3.1+debian Linux, ...": the platform version without its OpenCL prefix. */
    static String runtimeName(String platformVersion) {
        String v = platformVersion.trim();
        if (v.startsWith("OpenCL ")) {
            String rest = v.substring(v.indexOf(' ', "OpenCL ".length()) + 1).trim();
            // "OpenCL 1.2 (Oclgrind 21.10)": the whole runtime name is in parentheses.
            if (rest.startsWith("(") && rest.endsWith(")")) {
                rest = rest.substring(1, rest.length() - 1);
            }
            v = rest;
        }
        String[] t = v.split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < Math.min(t.length, 2); j++) {
            sb.append(sb.length() == 0 ? "" : " ").append(t[j]);
        }
        return sb.length() == 0 ? platformVersion.trim() : sb.toString();
    }


    /** The device this engine runs on. */
    public DeviceInfo device() {
        return ctx.info();
    }

    /** The global device index this engine was opened with. */
    public int deviceIndex() {
        return deviceIndex;
    }

    /** The tile edge of the matrix-product kernels chosen for this device. */
    public int tileSize() {
        return DenseLayer.of(k).tile();
    }

    /** Waits until every queued kernel has finished (for timing; training never needs it). */
    public void finish() {
        live();
        ctx.finish();
    }

    @Override
    public Network network() {
        return net;
    }

    @Override
    public void setParameters(Parameters p) {
        live();
        EngineInputs.checkNetwork(net, p.network(), "parameters are");
        for (DeviceTensor t : tensors) {
            t.write(p);
        }
    }

    @Override
    public Parameters parameters() {
        live();
        Parameters p = Parameters.zeros(net);
        for (DeviceTensor t : tensors) {
            t.read(p);
        }
        return p;
    }

    @Override
    public void setOptimizer(Optimizer o) {
        live();
        List<ClBuffer[]> made = new ArrayList<>();
        try {
            for (DeviceTensor t : tensors) {
                made.add(t.newSlots(o));
            }
        } catch (RuntimeException e) {
            for (ClBuffer[] slots : made) {
                DeviceTensor.release(slots);
            }
            throw e;
        }
        for (int i = 0; i < tensors.size(); i++) {
            tensors.get(i).useSlots(made.get(i));
        }
        optimizer = o;
        steps = 0;
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
        for (DeviceTensor t : tensors) {
            t.read(s);
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
        for (DeviceTensor t : tensors) {
            t.writeSlots(s);
        }
    }


    @Override
    public void setTrainingData(Dataset data) {
        live();
        checkShape(data);
        if (train != null && train.dataset == data) {
            return;
        }
        releaseTraining();
        if (evalData != null && evalData.dataset == data) {
            train = evalData;   // already on the device: move it over
            evalData = null;
        } else {
            train = DeviceData.upload(ctx, data);
        }
        order = ctx.buffer((long) data.count() * Integer.BYTES, data.name() + " order");
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
        // Blocking, once per epoch; the in-order queue runs it after the batches already queued.
        order.write(permutation);
        shuffled = true;
    }

    @Override
    public void setSeed(long seed) {
        live();
        this.seed = seed;
    }

    @Override
    public void trainBatch(int start, int rows, double learningRate) {
        prepareStep(start, rows);
        boolean plainSgd = optimizer.isPlainSgd();
        // Plain SGD: the gradient kernels step W themselves (the fast path). Other rules: their own
        // step is W -= 0 * gradW, and update.cl follows, as in applyGradients.
        enqueueGradients(start, rows, 0, plainSgd ? (float) learningRate : 0f);
        steps++;
        if (!plainSgd) {
            enqueueUpdate(learningRate);
        }
        updateRunningStatistics();
        ctx.flush();
    }

    /**
     * The gradient kernels of trainBatch with a learning rate of 0: their SGD step is
     * W -= 0 * gradW, W bit for bit, so W, b and the optimizer state stay as they were and the
     * fused tail may run here as in trainBatch (its gradients are then the ones trainBatch steps from).
     */
    @Override
    public void computeGradients(int start, int rows, int firstRow) {
        prepareStep(start, rows);
        enqueueGradients(start, rows, firstRow, 0f);
        ctx.flush();
    }

    /** One blocking read of the whole gradient buffer. */
    @Override
    public void gradients(Gradients into) {
        gradientsArriving(into).await(0, into.values().length);
    }

    /** One read of the whole gradient buffer, enqueued after the step's kernels without blocking. */
    @Override
    public GradientArrival gradientsArriving(Gradients into) {
        live();
        EngineInputs.checkNetwork(net, into.network(), "gradients are");
        into.setRows(gradientRows);
        return grads.startRead(into);
    }

    /** One blocking write of the whole gradient buffer. */
    @Override
    public void setGradients(Gradients g) {
        live();
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        grads.write(g);
        gradientRows = g.rows();
    }

    /** Plain SGD through each layer's sgd step (its fused kernels' formula, so trainBatch rounds the same), else update.cl. */
    @Override
    public void applyGradients(double learningRate) {
        live();
        steps++;
        if (optimizer.isPlainSgd()) {
            float eta = (float) learningRate;
            for (DeviceTensor t : tensors) {
                t.sgdStep(eta);
            }
        } else {
            enqueueUpdate(learningRate);
        }
        updateRunningStatistics();
        ctx.flush();
    }

    /** Every batch-norm layer's running statistics from the batch statistics its last training forward kept. */
    private void updateRunningStatistics() {
        for (ClLayer layer : layers) {
            layer.updateRunningStatistics();
        }
    }

    /** Checks a batch and makes the step's buffers (and its kernel plan) large enough for it. */
    @Override
    public void reserveBatch(int rows) {
        live();
        if (rows < 1) {
            throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
        }
        reserve(rows);
    }

    private void prepareStep(int start, int rows) {
        live();
        if (train == null) {
            throw new IllegalStateException("setTrainingData first");
        }
        EngineInputs.checkBatch(start, rows, train.count());
        reserve(rows);
    }

    /** Batch buffers and kernel plans for at least {@code rows} rows (the plans are the capacity's, not each batch's). */
    private void reserve(int rows) {
        if (step == null || step.capacity < rows) {
            // The larger buffers are made before the old ones go (Oclgrind 21.10 misreads a kernel's
            // writes to a buffer made after a smaller one was released; docs/gpu.md).
            Pass larger = new Pass(rows, true, "batch");
            if (step != null) {
                step.close();
            }
            step = larger;
            // The fused tail is a plan for short dense-only chains (it has no dropout masks); with
            // it, only the first layer's kernels are the tuner's to choose.
            tail = allowTail ? FusedTail.plan(layers, step.blocks, rows) : null;
            step.plan(rows, tail != null ? 1 : layers.size());
        }
    }

    /** Gather, forward, output error, backward and the gradients (with SGD at {@code eta}) of step steps + 1. */
    private void enqueueGradients(int start, int rows, int firstRow, float eta) {
        ClBuffer ord = shuffled ? order : null;
        gather(step.x, train, ord, start, rows);
        ClLayer.Mode mode = new ClLayer.Mode(true, seed, steps + 1, firstRow, eta);
        if (tail != null) {
            fusedStep(ord, start, rows, mode);
        } else {
            layeredStep(ord, start, rows, mode);
        }
        lastRows = rows;
        gradientRows = rows;
    }

    /** update.cl's step of every tensor from the gradient buffers, as step {@code steps} of the rule. */
    private void enqueueUpdate(double learningRate) {
        OptimizerStep c = OptimizerStep.of(optimizer, learningRate, steps);
        for (DeviceTensor t : tensors) {
            t.update(update, c);
        }
    }

    /** The first layer's forward pass, the fused tail (kernels/fused_tail.cl), the first layer's gradients and SGD. */
    private void fusedStep(ClBuffer ord, int start, int rows, ClLayer.Mode mode) {
        ClLayer first = layers.get(0);
        first.forward(step.blocks[0], step.x, rows, mode);
        tail.run(output, net, mode.eta(), train.labels, ord, start, rows);
        first.backward(step.blocks[0], step.x, rows, mode);
    }

    /**
     * The forward pass layer by layer (dropout's masks those of step {@code mode.step()}), the
     * output error, then the backward pass layer by layer from the last: each dense layer hands
     * the gradient down and steps its parameters (SGD at {@code mode.eta()}), a dropout layer masks
     * the gradient handed through it.
     */
    private void layeredStep(ClBuffer ord, int start, int rows, ClLayer.Mode mode) {
        ClLayer.Blocks top = step.forward(rows, mode);
        ClLayer.Epilogue out = top.epilogue();
        output.error(top.gradient(), out.z(), out.a(), train.labels, ord, start, rows, net.outputSize(), net.cost(),
                out.activation());
        step.backward(rows, mode);
    }

    private void gather(ClBuffer x, DeviceData data, ClBuffer ord, int start, int rows) {
        if (data.bytes()) {
            gather.u8(x, data.features, data.table, ord, start, rows, net.inputSize());
        } else {
            gather.f32(x, data.features, ord, start, rows, net.inputSize());
        }
    }

    /** The variants chosen so far, e.g. "batch 10: layer 0 forward blocked/4 ...; eval 512: ...", for logs and benchmarks. */
    public String kernelChoices() {
        StringBuilder sb = new StringBuilder();
        if (step != null) {
            sb.append("batch ").append(step.capacity).append(':').append(step.describe());
            if (tail != null) {
                sb.append(", layers 1-").append(tail.layers()).append(" fused");
            }
        }
        if (eval != null) {
            sb.append(sb.length() > 0 ? "; " : "").append("evaluate ").append(eval.capacity).append(':').append(eval.describe());
        }
        return sb.length() == 0 ? "none yet" : sb.toString();
    }

    @Override
    public void startKernelProfiling() {
        live();
        ctx.clock().start();
    }

    @Override
    public long kernelNanos() {
        live();
        return ctx.clock().nanos();
    }

    @Override
    public boolean outputFinite() {
        live();
        float[] last = new float[net.outputSize()];
        tensors.get(tensors.size() - 1).value.read(0, last, 0, last.length);   // the output layer's biases
        for (float v : last) {
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
        DeviceData dd;
        if (train != null && train.dataset == data) {
            dd = train;
        } else {
            if (evalData == null || evalData.dataset != data) {
                if (evalData != null) {
                    evalData.close();
                    evalData = null;
                }
                evalData = DeviceData.upload(ctx, data);
            }
            dd = evalData;
        }
        int blockRows = Math.min(EVAL_ROWS, data.count());
        if (eval == null || eval.capacity < blockRows) {
            Pass larger = new Pass(blockRows, false, "eval");   // made first, as in trainBatch
            if (eval != null) {
                eval.close();
            }
            eval = larger;
            eval.plan(blockRows, layers.size());
        }
        int blocks = (data.count() + EVAL_ROWS - 1) / EVAL_ROWS;
        if (blockCapacity < blocks) {
            closeAll(costPerBlock, hitsPerBlock);
            costPerBlock = null;
            hitsPerBlock = null;
            blockCapacity = 0;
            costPerBlock = ctx.buffer((long) blocks * Float.BYTES, "eval cost per block");
            hitsPerBlock = ctx.buffer((long) blocks * Integer.BYTES, "eval hits per block");
            blockCapacity = blocks;
        }
        for (int blk = 0; blk < blocks; blk++) {
            int start = blk * EVAL_ROWS;
            int rows = Math.min(EVAL_ROWS, data.count() - start);
            gather(eval.x, dd, null, start, rows);
            ClLayer.Epilogue out = eval.forward(rows, ClLayer.Mode.EVALUATION).epilogue();
            output.metrics(costPerBlock, hitsPerBlock, blk, out.z(), out.a(), dd.labels, null, start, rows,
                    net.outputSize(), net.cost(), out.activation());
        }
        float[] costs = new float[blocks];
        int[] hits = new int[blocks];
        costPerBlock.read(0, costs, 0, blocks);
        hitsPerBlock.read(0, hits, 0, blocks);
        double cost = 0;
        long correct = 0;
        for (int i = 0; i < blocks; i++) {
            cost += costs[i];
            correct += hits[i];
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
        DenseLayer.Instance d = dense.get(l);
        return d.trace(step.blocks[layers.indexOf(d)], lastRows);
    }

    /**
     * Every layer's tensors of the last training batch, in Network.layers() order, as the
     * reference engine names them: each layer's "out" and, where a kernel keeps it, "grad out"
     * (dC/d out, the delta of a dense, conv, max-pool or batch-norm layer); then each parameter
     * tensor's gradient and value. An activation's dC/d out is fused into the backward kernel of
     * the layer above it and never stored, so activation, flatten and dropout layers have no
     * "grad out" here (nor dropout an "out"); compare matches the tensors both engines trace.
     */
    @Override
    public List<LayerTrace.Tensor> traceLayers() {
        live();
        if (lastRows == 0) {
            throw new IllegalStateException("no batch has been trained yet");
        }
        List<Layer> specs = net.layers();
        ParameterLayout layout = grads.layout();
        Gradients g = new Gradients(net);
        gradients(g);
        Parameters p = parameters();
        int first = 0;
        while (layout.tensorsOf(first).isEmpty()) {
            first++;
        }
        int lastDense = net.denseIndex(net.denseLayers() - 1);
        List<LayerTrace.Tensor> list = new ArrayList<>();
        // The last layer's output block as the reference's list has it; null after dropout (its block is its own).
        ClBuffer out = step.x;
        ClLayer.Epilogue below = null;
        int width = net.inputSize();
        int at = 0;
        for (int k = 0; k < specs.size(); k++) {
            Layer spec = specs.get(k);
            ClBuffer gradOut = null;
            if (spec instanceof Layer.Act) {
                out = below.a();
            } else if (spec instanceof Layer.Dropout d) {
                out = d.p() > 0 ? null : out;
            } else if (!(spec instanceof Layer.Flatten)) {
                ClLayer.Blocks b = step.blocks[at];
                width = layers.get(at).outputs();
                below = b.epilogue();
                out = below.z();
                gradOut = k >= first && k <= lastDense ? b.gradient() : null;
            }
            if (out != null) {
                list.add(new LayerTrace.Tensor(k, "out", read(out, lastRows * width)));
            }
            if (gradOut != null) {
                list.add(new LayerTrace.Tensor(k, "grad out", read(gradOut, lastRows * width)));
            }
            if (!(spec instanceof Layer.Act || spec instanceof Layer.Flatten || spec instanceof Layer.Dropout d && d.p() == 0)) {
                at++;
            }
            for (ParameterLayout.Tensor t : layout.tensorsOf(k)) {
                String name = t.name().substring(t.name().lastIndexOf('.') + 1);
                if (t.trainable()) {
                    list.add(new LayerTrace.Tensor(k, "grad " + name, t.copyOut(g.values())));
                }
                list.add(new LayerTrace.Tensor(k, name, toDouble(t.copyOut(p.values()))));
            }
        }
        return list;
    }

    private static double[] read(ClBuffer buf, int count) {
        double[] d = new double[count];
        DeviceTensor.readInto(buf, d);
        return d;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private void checkShape(Dataset data) {
        EngineInputs.checkShape(net, data);
    }

    private static long bytes(long rows, long cols) {
        return rows * cols * Float.BYTES;
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("the OpenCL engine is closed");
        }
    }

    private void releaseTraining() {
        if (train != null) {
            train.close();
            train = null;
        }
        closeAll(order);
        order = null;
        shuffled = false;
    }

    private static void closeAll(AutoCloseable... things) {
        for (AutoCloseable c : things) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // ClBuffer and the passes log release errors themselves and never throw.
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Releases every buffer, the kernels and the context; release errors are logged. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (step != null) {
            step.close();
        }
        if (eval != null) {
            eval.close();
        }
        releaseTraining();
        closeAll(evalData, costPerBlock, hitsPerBlock);
        closeAll(layers.toArray(new AutoCloseable[0]));
        closeAll(grads);   // after the layers: their gradient tensors are its sub-buffers
        if (k != null) {
            k.close();
        }
        ctx.close();
    }
}
