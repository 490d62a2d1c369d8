package backpropcl.engine.reference;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Activation;
import backpropcl.model.Gradients;
import backpropcl.model.Inference;
import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference engine: double precision, plain loops, written to be read next to the equations
 * (Nielsen's formulation, batched). It is the truth every other engine is tested against and is
 * never optimised.
 *
 * <p>The network is the list of its layers ({@link DenseLayer}, {@link ConvLayer},
 * {@link MaxPoolLayer}, {@link BatchNormLayer}, {@link ActivationLayer}, {@link DropoutLayer},
 * {@link FlattenLayer}) in the order of {@link Network#layers()}; a pass is a loop over them.
 * The parameters are one flat double buffer laid out by {@link ParameterLayout}, the gradients a
 * second of the same layout and each optimizer slot a third; the layers hold views into them
 * ({@link TensorView}) and the optimizer runs over the trainable tensors of the one buffer.
 * Layout: a batch of B samples is a (B, n) row-major block, an image sample (C, H, W) in NCHW
 * order. Every layer's backward multiplies the delta of its input by the derivative of the
 * activation that produced it through the {@link ActivationLayer} before it. For dense layer l
 * with input width m and output width n, W[l] is (n, m) and b[l] is (n):
 * <pre>
 *   z[l]     = in[l] W[l]^T + b[l]             (in[l] = a[l-1], a[-1] the input x)
 *   a[l]     = f_l(z[l])
 *   in[l]    = a[l-1] * mask[l] / (1-p[l])     (in training, where dropout p[l] is on dense l's input)
 *   delta[L] = dC/da[L] * f_L'(z[L])           (a - y for cross-entropy with its matching output)
 *   delta[l] = (delta[l+1] W[l+1]) * mask[l+1] / (1-p[l+1]) * f_l'(z[l])
 *   gradW[l] = 1/B delta[l]^T in[l],  gradB[l] = 1/B sum over rows of delta[l]
 *   W[l] -= eta gradW[l],  b[l] -= eta gradB[l]    (plain SGD; {@link #update} for the others)
 * </pre>
 */
public final class ReferenceEngine implements Engine {
    private static final int EVAL_ROWS = 256;

    /**
     * How close, as a fraction of the largest |input| of the layer in the step, two inputs of a
     * maxpool window (or a relu's input and zero) must be for the reference to follow another
     * engine's choice there ({@link #preferChoices}). A float32 engine computes such an input (a
     * conv's sum of C K K products, then batchnorm's (x - mean) / sd) with an ABSOLUTE rounding
     * error of some float ulps of the values summed, not of the result: one that cancels to near
     * zero keeps it. Measured on W5 (docs/benchmarks.md, "Near-ties"): a batchnorm output 7.5e-7
     * apart between the cpu engine and this one, across zero, on a layer whose largest |input| is
     * about 7; 1e-6 of the largest leaves room for such roundings, and a choice further apart is
     * kept as this engine's own, so that its error shows.
     */
    public static final double TIE_TOLERANCE = 1e-6;

    private final Network net;
    private final int denseCount;
    /** The layers in the order of {@code net.layers()}: layer k reads out[k-1] (the input x for k = 0). */
    private final List<ReferenceLayer> layers;
    /** dense[l] is dense layer l, at index denseAt[l] in {@link #layers}. */
    private final DenseLayer[] dense;
    private final int[] denseAt;
    /** The first layer with parameters: backprop stops there (the layers before it need no gradient). */
    private final int firstParameterised;
    private final List<BatchNormLayer> batchNorms = new ArrayList<>();
    /** What the maxpool and relu layers made of {@link #preferChoices} in the last training step (empty without it). */
    private List<NearTies> lastTies = List.of();
    /** The parameters and the gradients, one flat buffer each of {@link #layout}. */
    private final ParameterLayout layout;
    private final double[] values;
    private final double[] gradients;

    /**
     * The (rows, width) blocks of one pass over a batch: input x, targets y, every layer's output
     * out[k] and, in training, grad[k] = dC/d out[k] (delta[l] = grad[k] for dense l at k).
     */
    private static final class Pass {
        int rows;
        double[] x;
        double[] y;
        final double[][] out;
        final double[][] grad;

        Pass(int layers) {
            out = new double[layers][];
            grad = new double[layers][];
        }
    }

    // The last training batch (kept for trace()) and a separate pass for evaluation.
    private final Pass step;
    private final Pass eval;

    private Dataset train;
    private int[] order;
    private long seed;
    /** The batch row of the training block's first row while a slice's gradients are computed (dropout's masks), else 0. */
    private int firstRow;

    // The optimizer and its state: steps taken, and slots[s], one flat buffer of the layout per state tensor.
    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    private double[][] slots = new double[0][];

    public ReferenceEngine(Network net, Parameters initial) {
        this.net = net;
        this.denseCount = net.denseLayers();
        this.layers = new ArrayList<>();
        this.dense = new DenseLayer[denseCount];
        this.denseAt = new int[denseCount];
        this.layout = ParameterLayout.of(net);
        this.values = new double[Math.toIntExact(layout.size())];
        this.gradients = new double[values.length];
        int width = net.inputSize();
        int first = -1;
        for (int k = 0; k < net.layers().size(); k++) {
            Layer spec = net.layers().get(k);
            TensorView[] views = layout.tensorsOf(k).stream().map(t -> new TensorView(t, values, gradients)).toArray(TensorView[]::new);
            first = first < 0 && views.length > 0 ? k : first;
            ReferenceLayer layer;
            if (spec instanceof Layer.Dense d) {
                int l = denseCountBefore(k);
                dense[l] = new DenseLayer(width, d.width(), views[0], views[1]);
                denseAt[l] = k;
                layer = dense[l];
            } else if (spec instanceof Layer.Conv c) {
                layer = new ConvLayer(c, net.inputShape(k), net.shape(k), views[0], views[1]);
            } else if (spec instanceof Layer.MaxPool m) {
                layer = new MaxPoolLayer(k, m, net.inputShape(k), net.shape(k));
            } else if (spec instanceof Layer.BatchNorm) {
                BatchNormLayer bn = new BatchNormLayer(k, net.inputShape(k), views);
                batchNorms.add(bn);
                layer = bn;
            } else if (spec instanceof Layer.Act a) {
                layer = new ActivationLayer(a.activation(), width);
            } else if (spec instanceof Layer.Dropout d) {
                layer = new DropoutLayer(d.p(), k, width);
            } else if (spec instanceof Layer.Flatten) {
                layer = new FlattenLayer(width);
            } else {
                throw new IllegalArgumentException("the reference engine has no class for layer " + spec.spec());
            }
            layers.add(layer);
            width = layer.outputs();
        }
        this.firstParameterised = first;
        this.step = new Pass(layers.size());
        this.eval = new Pass(layers.size());
        setParameters(initial);
    }

    private int denseCountBefore(int k) {
        int l = 0;
        for (int i = 0; i < k; i++) {
            l += net.layers().get(i) instanceof Layer.Dense ? 1 : 0;
        }
        return l;
    }

    @Override
    public String description() {
        return "reference (double precision, plain Java)";
    }

    @Override
    public Network network() {
        return net;
    }

    @Override
    public void setParameters(Parameters p) {
        EngineInputs.checkNetwork(net, p.network(), "parameters are");
        TrainingState.copy(p.values(), values);
    }

    @Override
    public Parameters parameters() {
        Parameters p = Parameters.zeros(net);
        TrainingState.copy(values, p.values());
        return p;
    }

    @Override
    public void setTrainingData(Dataset train) {
        this.train = train;
    }

    @Override
    public void setOrder(int[] order) {
        this.order = order;
    }

    @Override
    public void setSeed(long seed) {
        this.seed = seed;
    }

    @Override
    public void trainBatch(int start, int rows, double eta) {
        computeGradients(start, rows);
        applyGradients(eta);
    }

    @Override
    public void computeGradients(int start, int rows, int firstRow) {
        loadTrainingBatch(start, rows);
        this.firstRow = firstRow;
        try {
            feedforward();
            backprop();
        } finally {
            this.firstRow = 0;
            List<NearTies> ties = new ArrayList<>();
            for (ReferenceLayer layer : layers) {
                NearTies t = layer instanceof MaxPoolLayer pool ? pool.clearPreference(steps + 1, rows)
                        : layer instanceof ActivationLayer act ? act.clearPreference(steps + 1, rows) : null;
                if (t != null) {
                    ties.add(t);
                }
            }
            lastTies = List.copyOf(ties);
        }
    }

    /**
     * For the next training step only: every maxpool layer above the first layer follows the
     * other engine's choice of maximum where it is a near-tie in this engine's numbers, and every
     * relu takes the other engine's side of zero (its derivative, 0 or 1) where its input is near
     * zero (both within {@link #TIE_TOLERANCE} of the layer's largest |input|); elsewhere they keep
     * their own choice. {@code otherTrace} is the other engine's {@link Engine#traceLayers} of the
     * same step (its own input to layer k is the "out" of layer k-1); so two engines whose rounding
     * resolves such a tie differently are compared on the same choice. Off unless set, cleared
     * after the step: what it did is {@link #choiceTies}.
     */
    public void preferChoices(List<LayerTrace.Tensor> otherTrace) {
        for (int k = 1; k < layers.size(); k++) {
            ReferenceLayer layer = layers.get(k);
            if (layer instanceof MaxPoolLayer || layer instanceof ActivationLayer act && act.activation() == Activation.RELU) {
                int below = k - 1;
                double[] in = otherTrace.stream().filter(t -> t.layer() == below && t.name().equals("out")).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("the other engine's trace has no output of layer " + below))
                        .values();
                int rows = in.length / net.shape(below).size();
                if (layer instanceof MaxPoolLayer pool) {
                    pool.prefer(in, rows);
                } else {
                    ((ActivationLayer) layer).prefer(k, in, rows);
                }
            }
        }
    }

    /** The largest |x[i]| of the first n values, 1 where all are zero (a scale to measure gaps against). */
    static double largestMagnitude(double[] x, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        return m > 0 ? m : 1;
    }

    /** Per maxpool and relu layer that {@link #preferChoices} reached: what the last training step made of it (empty without it). */
    public List<NearTies> choiceTies() {
        return lastTies;
    }

    /**
     * The batch-mean cost of samples start..start+rows of the training data (in the order set) in
     * training mode: dropout draws the mask of the step {@link #computeGradients} would compute, so
     * this is the cost whose gradient that call gives (what a finite-difference check perturbs).
     */
    public double trainingCost(int start, int rows) {
        loadTrainingBatch(start, rows);
        feedforward();
        return batchCost();
    }

    private void loadTrainingBatch(int start, int rows) {
        if (train == null) {
            throw new IllegalStateException("setTrainingData first");
        }
        loadBatch(train, order, start, rows);
    }

    @Override
    public void gradients(Gradients into) {
        EngineInputs.checkNetwork(net, into.network(), "gradients are");
        System.arraycopy(gradients, 0, into.values(), 0, gradients.length);
        into.setRows(step.rows);
    }

    @Override
    public void setGradients(Gradients g) {
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        System.arraycopy(g.values(), 0, gradients, 0, gradients.length);
    }

    @Override
    public void applyGradients(double eta) {
        update(eta);
    }

    /** Copies samples order[start..start+rows) of data into the training batch's x and y (one-hot). */
    public void loadBatch(Dataset data, int[] order, int start, int rows) {
        load(step, data, order, start, rows);
    }

    /** Sets the training batch directly: x (rows, inputs) and targets y (rows, outputs). */
    public void setBatch(double[] x, double[] y, int rows) {
        ensureRows(step, rows);
        System.arraycopy(x, 0, step.x, 0, rows * net.inputSize());
        System.arraycopy(y, 0, step.y, 0, rows * net.outputSize());
    }

    private void load(Pass p, Dataset data, int[] order, int start, int rows) {
        ensureRows(p, rows);
        data.gather(order, start, rows, p.x, p.y, net.outputSize());
    }

    private void ensureRows(Pass p, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        p.rows = rows;
        // Exact products: a batch of rows x a wide layer beyond an int must not wrap to a small array.
        if (p.x == null || p.x.length != Math.multiplyExact(rows, net.inputSize())) {
            p.x = new double[Math.multiplyExact(rows, net.inputSize())];
            p.y = new double[Math.multiplyExact(rows, net.outputSize())];
        }
        for (int k = 0; k < layers.size(); k++) {
            int n = Math.multiplyExact(rows, layers.get(k).outputs());
            if (p.out[k] == null || p.out[k].length != n) {
                p.out[k] = new double[n];
                p.grad[k] = p == step ? new double[n] : null;
            }
        }
    }

    /** The output of every layer for the training batch, dropout on this step's mask. */
    public void feedforward() {
        feedforward(step, trainingMode());
    }

    private ReferenceLayer.Mode trainingMode() {
        return new ReferenceLayer.Mode(true, seed, steps + 1, firstRow);
    }

    private void feedforward(Pass p, ReferenceLayer.Mode mode) {
        double[] in = p.x;
        for (int k = 0; k < layers.size(); k++) {
            layers.get(k).forward(in, p.out[k], p.rows, mode);
            in = p.out[k];
        }
    }

    /**
     * delta and the gradients of every parameterised layer for the training batch (after
     * feedforward): the output error of the cost, fused with the output activation, then every
     * layer backward from the last dense layer to the first layer with parameters (layers before
     * it need no gradient).
     */
    public void backprop() {
        ReferenceLayer.Mode mode = trainingMode();
        int rows = step.rows;
        int lastDense = denseAt[denseCount - 1];
        net.cost().outputError(net.outputActivation(), step.out[lastDense], output(step), step.y, step.grad[lastDense],
                rows, net.outputSize());
        for (int k = lastDense; k >= firstParameterised; k--) {
            double[] gradIn = k > firstParameterised ? step.grad[k - 1] : null;
            layers.get(k).backward(input(step, k), step.out[k], step.grad[k], gradIn, rows, mode);
        }
    }

    /** Layer k's input block in pass p. */
    private static double[] input(Pass p, int k) {
        return k == 0 ? p.x : p.out[k - 1];
    }

    /** The network's output a[L] in pass p: the last layer's output. */
    private double[] output(Pass p) {
        return p.out[layers.size() - 1];
    }

    /**
     * One optimizer step with learning rate lr from the gradients: the formulas of
     * {@link Optimizer} on every trainable tensor (weight decay on the decayed ones: dense and conv
     * weights), then the running statistics of every batchnorm layer from the batch statistics its
     * training forward kept.
     */
    public void update(double lr) {
        steps++;
        for (ParameterLayout.Tensor t : layout.tensors()) {
            if (t.trainable()) {
                step((int) t.offset(), t.length(), lr, t.decayed() ? optimizer.weightDecay() : 0);
            }
        }
        for (BatchNormLayer bn : batchNorms) {
            bn.updateRunningStatistics();
        }
    }

    /** values[from..from+length) -= the optimizer's step for their gradients; slots[s] at the same indices is their state. */
    private void step(int from, int length, double lr, double decay) {
        Optimizer o = optimizer;
        double[] p = values;
        double[] g = gradients;
        double mu = o.momentum();
        double stepSize = o.kind().isAdam() ? o.adamStepSize(lr, steps) : 0;
        double sqrtCorrection2 = o.kind().isAdam() ? o.adamSqrtCorrection2(steps) : 0;
        for (int i = from; i < from + length; i++) {
            double grad = g[i];
            if (decay != 0 && o.coupledDecay()) {
                grad += decay * p[i];
            }
            switch (o.kind()) {
                case SGD:
                    p[i] -= lr * grad;
                    break;
                case MOMENTUM: {
                    double[] v = slots[0];
                    v[i] = mu * v[i] + grad;
                    p[i] -= lr * v[i];
                    break;
                }
                case NESTEROV: {
                    double[] v = slots[0];
                    v[i] = mu * v[i] + grad;
                    p[i] -= lr * (grad + mu * v[i]);
                    break;
                }
                case ADAM:
                case ADAMW: {
                    if (decay != 0 && o.kind() == Optimizer.Kind.ADAMW) {
                        p[i] *= 1 - lr * decay;
                    }
                    double[] m = slots[0];
                    double[] s = slots[1];
                    m[i] = o.beta1() * m[i] + (1 - o.beta1()) * grad;
                    s[i] = o.beta2() * s[i] + (1 - o.beta2()) * grad * grad;
                    p[i] -= stepSize * m[i] / (Math.sqrt(s[i]) / sqrtCorrection2 + o.epsilon());
                    break;
                }
                default:
                    throw new IllegalStateException("no rule for " + o.kind());
            }
        }
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.steps = 0;
        this.slots = new double[optimizer.kind().slots()][values.length];
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public TrainingState state() {
        TrainingState s = TrainingState.zeros(net, optimizer);
        s.setSteps(steps);
        System.arraycopy(values, 0, s.values(), 0, values.length);
        for (int k = 0; k < slots.length; k++) {
            System.arraycopy(slots[k], 0, s.slot(k), 0, values.length);
        }
        return s;
    }

    @Override
    public void setState(TrainingState s) {
        EngineInputs.checkNetwork(net, s.network(), "training state is");
        double[][] sl = new double[s.optimizer().kind().slots()][];
        for (int k = 0; k < sl.length; k++) {
            sl[k] = s.slot(k).clone();
        }
        System.arraycopy(s.values(), 0, values, 0, values.length);
        optimizer = s.optimizer();
        steps = s.steps();
        slots = sl;
    }

    /** The batch-mean cost of the training batch (after feedforward). */
    public double batchCost() {
        double c = 0;
        for (int r = 0; r < step.rows; r++) {
            c += sampleCost(step, r);
        }
        return c / step.rows;
    }

    /** The cost of row r of pass p, from the output layer's z and a. */
    private double sampleCost(Pass p, int r) {
        int n = net.outputSize();
        return net.cost().sampleCost(net.outputActivation(), p.out[denseAt[denseCount - 1]], output(p), p.y, r * n, n);
    }

    @Override
    public boolean outputFinite() {
        for (double v : dense[denseCount - 1].bias.copyValues()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Evaluation evaluate(Dataset data) {
        double costSum = 0;
        long correct = 0;
        int n = net.outputSize();
        for (int start = 0; start < data.count(); start += EVAL_ROWS) {
            int r = Math.min(EVAL_ROWS, data.count() - start);
            load(eval, data, null, start, r);
            feedforward(eval, ReferenceLayer.Mode.EVALUATION);
            for (int i = 0; i < r; i++) {
                costSum += sampleCost(eval, i);
                if (Inference.argmax(output(eval), i * n, n) == data.labels()[start + i]) {
                    correct++;
                }
            }
        }
        return new Evaluation(data.count() == 0 ? 0 : costSum / data.count(), correct, data.count());
    }

    /**
     * The output layer's values for {@code rows} inputs x (rows, inputSize) in evaluation mode
     * (dropout the identity, batchnorm on its running statistics): what {@link Inference#outputs}
     * computes for a network with conv, maxpool or batchnorm layers, through these layers.
     */
    public static double[] outputs(Parameters p, float[] x, int rows) {
        Network net = p.network();
        int width = net.inputSize();
        int n = net.outputSize();
        double[] out = new double[Math.multiplyExact(rows, n)];
        try (ReferenceEngine e = new ReferenceEngine(net, p)) {
            for (int start = 0; start < rows; start += EVAL_ROWS) {
                int r = Math.min(EVAL_ROWS, rows - start);
                e.ensureRows(e.eval, r);
                for (int i = 0; i < r * width; i++) {
                    e.eval.x[i] = x[start * width + i];
                }
                e.feedforward(e.eval, ReferenceLayer.Mode.EVALUATION);
                System.arraycopy(e.output(e.eval), 0, out, start * n, r * n);
            }
        }
        return out;
    }

    /** z, a and delta of dense layer l from the last training batch; a is z where no activation follows l. */
    @Override
    public LayerTrace trace(int l) {
        int k = denseAt[l];
        int act = k + 1 < layers.size() && layers.get(k + 1) instanceof ActivationLayer ? k + 1 : k;
        DenseLayer d = dense[l];
        return new LayerTrace(step.out[k].clone(), step.out[act].clone(), step.grad[k].clone(), d.weight.copyGradients(),
                d.bias.copyGradients(), d.weight.copyValues(), d.bias.copyValues());
    }

    @Override
    public List<LayerTrace.Tensor> traceLayers() {
        List<LayerTrace.Tensor> list = new ArrayList<>();
        for (int k = 0; k < layers.size(); k++) {
            list.add(new LayerTrace.Tensor(k, "out", step.out[k].clone()));
            if (k >= firstParameterised && k <= denseAt[denseCount - 1]) {
                list.add(new LayerTrace.Tensor(k, "grad out", step.grad[k].clone()));
            }
            for (ParameterLayout.Tensor t : layout.tensorsOf(k)) {
                String name = t.name().substring(t.name().lastIndexOf('.') + 1);
                if (t.trainable()) {
                    list.add(new LayerTrace.Tensor(k, "grad " + name, t.copyOut(gradients)));
                }
                list.add(new LayerTrace.Tensor(k, name, t.copyOut(values)));
            }
        }
        return list;
    }

    /** The weights of dense layer l, copied out of the flat buffer. */
    public double[] weights(int l) {
        return dense[l].weight.copyValues();
    }

    /** The biases of dense layer l, copied out. */
    public double[] biases(int l) {
        return dense[l].bias.copyValues();
    }

    /** The weight gradients of dense layer l from the last backprop, copied out. */
    public double[] gradW(int l) {
        return dense[l].weight.copyGradients();
    }

    /** The bias gradients of dense layer l from the last backprop, copied out. */
    public double[] gradB(int l) {
        return dense[l].bias.copyGradients();
    }

    @Override
    public void close() {
        // Nothing native to release.
    }
}
