package backpropcl.engine.opencl;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.KernelProfiling;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.OptimizerStep;
import backpropcl.model.Gradients;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * The OpenCL engine: the whole training step as kernels from kernels/*.cl on one device.
 *
 * <p>On the device (float32, layout as {@link backpropcl.engine.reference.ReferenceEngine}):
 * <pre>
 *   W[l] (n, m), b[l] (n)              parameters, updated in place
 *   gradW[l] (n, m), gradB[l] (n)      gradients of the last batch (for trace, and the optimizer)
 *   slotW[s][l], slotB[s][l]           the optimizer's state tensors, shaped as W[l] and b[l]
 *   x (B, m0), z[l], a[l], delta[l] (B, n)   the training batch, B = the largest batch so far
 *   dropped[l] (B, m)                  dense l's input after its dropout, where it has one
 *   eval x, z[l], a[l] (EVAL_ROWS, n)  a separate pass for evaluate(), so trace() is kept
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
 * drawn on the device, none stored) runs in the layered path: a network with dropout never takes
 * the fused tail.
 *
 * <p>Each matrix product runs the kernel variant a {@link KernelTuner} chose for its shape on this
 * device (tiled or register-blocked, docs/opencl.md), fixed for the engine's life once chosen.
 */
public final class OpenClEngine implements Engine, KernelProfiling {
    /** Rows per block of evaluate(); each block's cost and hits are reduced to one slot on the device. */
    static final int EVAL_ROWS = 512;

    /**
     * The fused tail (kernels/fused_tail.cl) runs the layers after the first in one work-group
     * when their multiply-adds per batch are at most this: below it a launch costs more than the
     * arithmetic (784-16-16-10 at batch 10: 4,160), above it one core is too few (784-128-64-10 at
     * batch 100: 883,200).
     */
    static final long TAIL_MAX_MACS = 65_536;

    private final Network net;
    private final int layers;
    private final int deviceIndex;
    private final ClContext ctx;
    /** The routines, each with its own program: the step is a short sequence of their calls. */
    private final ClKernels k;
    private final Gather gather;
    private final DenseLayer dense;
    private final OutputLayer output;
    private final DropoutLayer dropout;
    private final OptimizerUpdate update;
    private final KernelTuner tuner;
    private final boolean allowTail;
    private final ClBuffer[] w;
    private final ClBuffer[] b;
    private final ClBuffer[] gradW;
    private final ClBuffer[] gradB;

    /** The device blocks of one pass over up to {@code capacity} rows. */
    private final class Pass implements AutoCloseable {
        final int capacity;
        final ClBuffer x;
        final ClBuffer[] z;
        final ClBuffer[] a;
        final ClBuffer[] delta;
        /** A training pass's dense l input after its dropout (rows, m), null where l has no dropout. */
        final ClBuffer[] dropped;

        Pass(int capacity, boolean training, String name) {
            this.capacity = capacity;
            this.z = new ClBuffer[layers];
            this.a = new ClBuffer[layers];
            this.delta = training ? new ClBuffer[layers] : null;
            this.dropped = new ClBuffer[layers];
            ClBuffer input = null;
            try {
                input = ctx.buffer(bytes(capacity, net.inputSize()), name + " x");
                for (int l = 0; l < layers; l++) {
                    long size = bytes(capacity, net.size(l + 1));
                    z[l] = ctx.buffer(size, name + " z[" + l + "]");
                    a[l] = ctx.buffer(size, name + " a[" + l + "]");
                    if (training) {
                        delta[l] = ctx.buffer(size, name + " delta[" + l + "]");
                        if (net.dropoutBefore(l) > 0) {
                            dropped[l] = ctx.buffer(bytes(capacity, net.size(l)), name + " dropped[" + l + "]");
                        }
                    }
                }
            } catch (RuntimeException e) {
                closeAll(input);
                closeBlocks();
                throw e;
            }
            this.x = input;
        }

        private void closeBlocks() {
            closeAll(z);
            closeAll(a);
            if (delta != null) {
                closeAll(delta);
            }
            closeAll(dropped);
        }

        @Override
        public void close() {
            closeAll(x);
            closeBlocks();
        }
    }

    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    /** The seed of the dropout masks (setSeed). */
    private long seed;
    /** The rows the gradient buffers were averaged over: the last computed batch's, or the set gradients'. */
    private int gradientRows;
    private ClBuffer[][] slotW = new ClBuffer[0][];
    private ClBuffer[][] slotB = new ClBuffer[0][];

    private Pass step;
    private Pass eval;
    /** Whether the training step runs the layers after the first as one fused kernel. */
    private boolean fusedTail;
    /** The variants of the training step, by layer and {@link Product}; chosen with the step's buffers. */
    private Variant[][] stepPlan;
    /** The variants of evaluate(): forward only. */
    private Variant[][] evalPlan;
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
        this.layers = net.denseLayers();
        this.deviceIndex = deviceIndex;
        this.w = new ClBuffer[layers];
        this.b = new ClBuffer[layers];
        this.gradW = new ClBuffer[layers];
        this.gradB = new ClBuffer[layers];
        this.ctx = ClContext.open(deviceIndex);
        ClKernels kernels = null;
        try {
            kernels = new ClKernels(ctx);
            for (int l = 0; l < layers; l++) {
                long wBytes = bytes(net.size(l + 1), net.size(l));
                long bBytes = bytes(1, net.size(l + 1));
                w[l] = ctx.buffer(wBytes, "W[" + l + "]");
                b[l] = ctx.buffer(bBytes, "b[" + l + "]");
                gradW[l] = ctx.buffer(wBytes, "gradW[" + l + "]");
                gradB[l] = ctx.buffer(bBytes, "gradB[" + l + "]");
            }
        } catch (RuntimeException e) {
            closeAll(w);
            closeAll(b);
            closeAll(gradW);
            closeAll(gradB);
            if (kernels != null) {
                kernels.close();
            }
            ctx.close();
            throw e;
        }
        this.k = kernels;
        this.gather = kernels.gather();
        this.dense = kernels.dense();
        this.output = kernels.output();
        this.dropout = kernels.dropout();
        this.update = kernels.update();
        this.tuner = new KernelTuner(ctx, dense, mode,
                TuningCache.at(TuningCache.defaultFolder().resolve("kernel-tuning.properties")));
        try {
            setParameters(initial);
        } catch (RuntimeException e) {
            close();
            throw e;
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
        return dense.tile();
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
        for (int l = 0; l < layers; l++) {
            write(w[l], p, p.layout().weight(l));
            write(b[l], p, p.layout().bias(l));
        }
    }

    @Override
    public Parameters parameters() {
        live();
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < layers; l++) {
            read(w[l], p, p.layout().weight(l));
            read(b[l], p, p.layout().bias(l));
        }
        return p;
    }

    /** Uploads one tensor of the flat host buffer. */
    private static void write(ClBuffer buf, Parameters p, ParameterLayout.Tensor t) {
        buf.write(0, p.values(), (int) t.offset(), t.length());
    }

    /** Reads one tensor into its place in the flat host buffer. */
    private static void read(ClBuffer buf, Parameters p, ParameterLayout.Tensor t) {
        buf.read(0, p.values(), (int) t.offset(), t.length());
    }

    private static ClBuffer slot(ClBuffer[][] slots, int s, int l) {
        return s < slots.length ? slots[s][l] : null;
    }

    @Override
    public void setOptimizer(Optimizer o) {
        live();
        int count = o.kind().slots();
        ClBuffer[][] sw = new ClBuffer[count][layers];
        ClBuffer[][] sb = new ClBuffer[count][layers];
        try {
            for (int s = 0; s < count; s++) {
                for (int l = 0; l < layers; l++) {
                    String name = o.kind().slotName(s);
                    sw[s][l] = ctx.buffer(bytes(net.size(l + 1), net.size(l)), name + " W[" + l + "]");
                    sw[s][l].write(new float[net.size(l + 1) * net.size(l)]);
                    sb[s][l] = ctx.buffer(bytes(1, net.size(l + 1)), name + " b[" + l + "]");
                    sb[s][l].write(new float[net.size(l + 1)]);
                }
            }
        } catch (RuntimeException e) {
            for (int s = 0; s < count; s++) {
                closeAll(sw[s]);
                closeAll(sb[s]);
            }
            throw e;
        }
        releaseSlots();
        optimizer = o;
        steps = 0;
        slotW = sw;
        slotB = sb;
    }

    private void releaseSlots() {
        for (int s = 0; s < slotW.length; s++) {
            closeAll(slotW[s]);
            closeAll(slotB[s]);
        }
        slotW = new ClBuffer[0][];
        slotB = new ClBuffer[0][];
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
            int n = s.layout().bias(l).length();
            int nm = s.layout().weight(l).length();
            s.setWeights(l, read(w[l], nm));
            s.setBiases(l, read(b[l], n));
            for (int k = 0; k < slotW.length; k++) {
                s.setSlotWeights(k, l, read(slotW[k][l], nm));
                s.setSlotBiases(k, l, read(slotB[k][l], n));
            }
        }
        return s;
    }

    private static void readInto(ClBuffer buf, double[] to) {
        float[] f = new float[to.length];
        buf.read(0, f, 0, f.length);
        TrainingState.copy(f, to);
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
                slotW[k][l].write(TrainingState.floats(s.copySlotWeights(k, l)));
                slotB[k][l].write(TrainingState.floats(s.copySlotBiases(k, l)));
            }
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
        enqueueGradients(start, rows, plainSgd ? (float) learningRate : 0f);
        steps++;
        if (!plainSgd) {
            enqueueUpdate(learningRate);
        }
        ctx.flush();
    }

    /**
     * The gradient kernels of trainBatch with a learning rate of 0: their SGD step is
     * W -= 0 * gradW, W bit for bit, so W, b and the optimizer state stay as they were and the
     * fused tail may run here as in trainBatch (its gradients are then the ones trainBatch steps from).
     */
    @Override
    public void computeGradients(int start, int rows) {
        prepareStep(start, rows);
        enqueueGradients(start, rows, 0f);
        ctx.flush();
    }

    @Override
    public Gradients gradients() {
        live();
        Gradients g = new Gradients(net);
        for (int l = 0; l < layers; l++) {
            float[] gw = new float[net.size(l + 1) * net.size(l)];
            float[] gb = new float[net.size(l + 1)];
            gradW[l].read(0, gw, 0, gw.length);
            gradB[l].read(0, gb, 0, gb.length);
            g.setWeights(l, gw);
            g.setBiases(l, gb);
        }
        g.setRows(gradientRows);
        return g;
    }

    @Override
    public void setGradients(Gradients g) {
        live();
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        for (int l = 0; l < layers; l++) {
            gradW[l].write(TrainingState.floats(g.weights(l)));
            gradB[l].write(TrainingState.floats(g.biases(l)));
        }
        gradientRows = g.rows();
    }

    /** Plain SGD through sgd_step (the fused kernels' formula, so trainBatch rounds the same), else update.cl. */
    @Override
    public void applyGradients(double learningRate) {
        live();
        steps++;
        if (optimizer.isPlainSgd()) {
            float eta = (float) learningRate;
            for (int l = 0; l < layers; l++) {
                dense.sgdStep(w[l], gradW[l], net.size(l + 1) * net.size(l), eta);
                dense.sgdStep(b[l], gradB[l], net.size(l + 1), eta);
            }
        } else {
            enqueueUpdate(learningRate);
        }
        ctx.flush();
    }

    /** Checks a batch and makes the step's buffers (and its kernel plan) large enough for it. */
    private void prepareStep(int start, int rows) {
        live();
        if (train == null) {
            throw new IllegalStateException("setTrainingData first");
        }
        EngineInputs.checkBatch(start, rows, train.count());
        if (step == null || step.capacity < rows) {
            // The larger buffers are made before the old ones go (Oclgrind 21.10 misreads a kernel's
            // writes to a buffer made after a smaller one was released; docs/gpu.md).
            Pass larger = new Pass(rows, true, "batch");
            if (step != null) {
                step.close();
            }
            step = larger;
            // Dropout runs in the layered path only: the fused tail has no masks.
            fusedTail = allowTail && !net.hasDropout() && tailFits(rows);
            stepPlan = plan(rows);
        }
    }

    /** Gather, forward, output error, backward and the gradients (with SGD at {@code eta}) of step steps + 1. */
    private void enqueueGradients(int start, int rows, float eta) {
        ClBuffer ord = shuffled ? order : null;
        gather(step.x, train, ord, start, rows);
        if (fusedTail) {
            fusedStep(ord, start, rows, eta);
        } else {
            layeredStep(ord, start, rows, eta, steps + 1);
        }
        lastRows = rows;
        gradientRows = rows;
    }

    /** update.cl's step of every tensor from the gradient buffers, as step {@code steps} of the rule. */
    private void enqueueUpdate(double learningRate) {
        OptimizerStep c = OptimizerStep.of(optimizer, learningRate, steps);
        for (int l = 0; l < layers; l++) {
            update.step(w[l], gradW[l], slot(slotW, 0, l), slot(slotW, 1, l), net.size(l + 1) * net.size(l), c, true);
            update.step(b[l], gradB[l], slot(slotB, 0, l), slot(slotB, 1, l), net.size(l + 1), c, false);
        }
    }

    /** The first layer's forward pass, the fused tail (kernels/fused_tail.cl), the first layer's gradients and SGD. */
    private void fusedStep(ClBuffer ord, int start, int rows, float eta) {
        dense.forward(step.z[0], step.a[0], step.x, w[0], b[0], rows, net.size(1), net.size(0), net.activation(0),
                stepPlan[0][Product.FORWARD.ordinal()]);
        output.trainTail(rows, net, eta, train.labels, ord, start, w, b, gradW, gradB, step.z, step.a, step.delta);
        dense.gradientsSgd(gradW[0], w[0], gradB[0], b[0], step.delta[0], step.x, rows, net.size(1), net.size(0), eta,
                stepPlan[0][Product.GRADIENTS.ordinal()]);
    }

    /**
     * Forward per layer (dropout, where a layer has one, on its input with the masks of step
     * {@code maskStep}), the output error, then per layer from the last: backward (and the
     * dropout's backward on the delta it passes down), gradients and SGD.
     */
    private void layeredStep(ClBuffer ord, int start, int rows, float eta, long maskStep) {
        ClBuffer in = step.x;
        for (int l = 0; l < layers; l++) {
            if (step.dropped[l] != null) {
                dropout.forward(step.dropped[l], in, rows * net.size(l), mask(l, maskStep));
                in = step.dropped[l];
            }
            forwardLayer(step, l, in, rows, stepPlan);
            in = step.a[l];
        }
        int last = layers - 1;
        output.error(step.delta[last], step.z[last], step.a[last], train.labels, ord, start, rows, net.outputSize(),
                net.cost(), net.outputActivation());
        for (int l = last; l >= 0; l--) {
            int m = net.size(l);
            int n = net.size(l + 1);
            ClBuffer prev = step.dropped[l] != null ? step.dropped[l] : l == 0 ? step.x : step.a[l - 1];
            if (l > 0) {
                // Uses W[l] before its update, which the in-order queue runs after this.
                dense.backward(step.delta[l - 1], step.delta[l], w[l], step.z[l - 1], step.a[l - 1], rows, n, m, net.activation(l - 1),
                        stepPlan[l][Product.BACKWARD.ordinal()]);
                if (step.dropped[l] != null) {
                    dropout.backward(step.delta[l - 1], rows * m, mask(l, maskStep));
                }
            }
            dense.gradientsSgd(gradW[l], w[l], gradB[l], b[l], step.delta[l], prev, rows, n, m, eta,
                    stepPlan[l][Product.GRADIENTS.ordinal()]);
        }
    }

    private void gather(ClBuffer x, DeviceData data, ClBuffer ord, int start, int rows) {
        if (data.bytes()) {
            gather.u8(x, data.features, data.table, ord, start, rows, net.inputSize());
        } else {
            gather.f32(x, data.features, ord, start, rows, net.inputSize());
        }
    }

    /** The forward pass without dropout (evaluation). */
    private void forward(Pass p, int rows, Variant[][] plan) {
        ClBuffer in = p.x;
        for (int l = 0; l < layers; l++) {
            forwardLayer(p, l, in, rows, plan);
            in = p.a[l];
        }
    }

    private void forwardLayer(Pass p, int l, ClBuffer in, int rows, Variant[][] plan) {
        dense.forward(p.z[l], p.a[l], in, w[l], b[l], rows, net.size(l + 1), net.size(l), net.activation(l),
                plan[l][Product.FORWARD.ordinal()]);
    }

    /** The mask of the dropout on dense layer l's input on step {@code maskStep} (model.DropoutMask). */
    private DropoutDraw mask(int l, long maskStep) {
        return DropoutDraw.of(seed, maskStep, net.dropoutIndex(l), net.dropoutBefore(l));
    }

    /** Whether layers 1.. of a batch of {@code rows} are few and small enough for the fused tail. */
    private boolean tailFits(int rows) {
        if (layers < 2 || layers - 1 > OutputLayer.TAIL_MAX) {
            return false;
        }
        long macs = 0;
        for (int l = 1; l < layers; l++) {
            macs += (long) rows * net.size(l + 1) * net.size(l);
        }
        return macs <= TAIL_MAX_MACS;
    }

    /** The tuner's variants for every product the step launches, at batches of {@code rows}. */
    private Variant[][] plan(int rows) {
        Variant[][] plan = new Variant[layers][Product.values().length];
        for (int l = 0; l < (fusedTail ? 1 : layers); l++) {
            for (Product product : Product.values()) {
                if (product != Product.BACKWARD || l > 0) {   // the input layer has no error to pass back
                    plan[l][product.ordinal()] = tuner.choose(product, rows, net.size(l + 1), net.size(l));
                }
            }
        }
        return plan;
    }

    /** The variants chosen so far, e.g. "batch 10: layer 0 forward blocked/4 ...; eval 512: ...", for logs and benchmarks. */
    public String kernelChoices() {
        StringBuilder sb = new StringBuilder();
        if (stepPlan != null) {
            sb.append("batch ").append(step.capacity).append(':').append(describe(stepPlan));
            if (fusedTail) {
                sb.append(", layers 1-").append(layers - 1).append(" fused");
            }
        }
        if (evalPlan != null) {
            sb.append(sb.length() > 0 ? "; " : "").append("evaluate ").append(eval.capacity).append(':').append(describe(evalPlan));
        }
        return sb.length() == 0 ? "none yet" : sb.toString();
    }

    private static String describe(Variant[][] plan) {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < plan.length; l++) {
            sb.append(" layer ").append(l);
            for (Product product : Product.values()) {
                Variant v = plan[l][product.ordinal()];
                if (v != null) {
                    sb.append(' ').append(product.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(v);
                }
            }
        }
        return sb.toString();
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
        b[layers - 1].read(0, last, 0, last.length);
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
            evalPlan = new Variant[layers][Product.values().length];
            for (int l = 0; l < layers; l++) {
                evalPlan[l][Product.FORWARD.ordinal()] = tuner.choose(Product.FORWARD, blockRows, net.size(l + 1), net.size(l));
            }
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
        int last = layers - 1;
        for (int blk = 0; blk < blocks; blk++) {
            int start = blk * EVAL_ROWS;
            int rows = Math.min(EVAL_ROWS, data.count() - start);
            gather(eval.x, dd, null, start, rows);
            forward(eval, rows, evalPlan);
            output.metrics(costPerBlock, hitsPerBlock, blk, eval.z[last], eval.a[last], dd.labels, null, start, rows,
                    net.outputSize(), net.cost(), net.outputActivation());
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
        if (l < 0 || l >= layers) {
            throw new IndexOutOfBoundsException("layer " + l + " of a network with " + layers + " dense layers");
        }
        if (lastRows == 0) {
            throw new IllegalStateException("no batch has been trained yet");
        }
        int n = net.size(l + 1);
        int m = net.size(l);
        int block = lastRows * n;
        return new LayerTrace(read(step.z[l], block), read(step.a[l], block), read(step.delta[l], block),
                read(gradW[l], n * m), read(gradB[l], n), read(w[l], n * m), read(b[l], n));
    }

    private static double[] read(ClBuffer buf, int count) {
        double[] d = new double[count];
        readInto(buf, d);
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
        closeAll(w);
        closeAll(b);
        closeAll(gradW);
        closeAll(gradB);
        releaseSlots();
        if (k != null) {
            k.close();
        }
        ctx.close();
    }
}
