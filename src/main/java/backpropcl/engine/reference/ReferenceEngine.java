package backpropcl.engine.reference;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Gradients;
import backpropcl.model.Inference;
import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference engine: double precision, plain loops, written to be read next to the equations
 * (Nielsen's formulation, batched). It is the truth every other engine is tested against and is
 * never optimised.
 *
 * <p>The network is the list of its layers ({@link DenseLayer}, {@link ActivationLayer},
 * {@link DropoutLayer}, {@link FlattenLayer}) in the order of {@link Network#layers()}; a pass is
 * a loop over them. Layout: a batch of B samples is a (B, n) row-major block. For dense layer l
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

    private final Network net;
    private final int denseCount;
    /** The layers in the order of {@code net.layers()}: layer k reads out[k-1] (the input x for k = 0). */
    private final List<ReferenceLayer> layers;
    /** dense[l] is dense layer l, at index denseAt[l] in {@link #layers}. */
    private final DenseLayer[] dense;
    private final int[] denseAt;

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

    // The optimizer and its state: steps taken, and slotW[s][l], slotB[s][l] shaped as W[l], b[l].
    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    private double[][][] slotW = new double[0][][];
    private double[][][] slotB = new double[0][][];

    public ReferenceEngine(Network net, Parameters initial) {
        this.net = net;
        this.denseCount = net.denseLayers();
        this.layers = new ArrayList<>();
        this.dense = new DenseLayer[denseCount];
        this.denseAt = new int[denseCount];
        int width = net.inputSize();
        for (int k = 0; k < net.layers().size(); k++) {
            Layer spec = net.layers().get(k);
            ReferenceLayer layer;
            if (spec instanceof Layer.Dense d) {
                int l = denseCountBefore(k);
                dense[l] = new DenseLayer(width, d.width());
                denseAt[l] = k;
                layer = dense[l];
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
        for (int l = 0; l < denseCount; l++) {
            TrainingState.copy(p.copyWeights(l), dense[l].weights);
            TrainingState.copy(p.copyBiases(l), dense[l].biases);
        }
    }

    @Override
    public Parameters parameters() {
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < denseCount; l++) {
            p.setWeights(l, TrainingState.floats(dense[l].weights));
            p.setBiases(l, TrainingState.floats(dense[l].biases));
        }
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
        }
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
        for (int l = 0; l < denseCount; l++) {
            into.setWeights(l, dense[l].gradW);
            into.setBiases(l, dense[l].gradB);
        }
        into.setRows(step.rows);
    }

    @Override
    public void setGradients(Gradients g) {
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        for (int l = 0; l < denseCount; l++) {
            double[] gradW = dense[l].gradW;
            double[] gradB = dense[l].gradB;
            System.arraycopy(g.values(), (int) g.layout().weight(l).offset(), gradW, 0, gradW.length);
            System.arraycopy(g.values(), (int) g.layout().bias(l).offset(), gradB, 0, gradB.length);
        }
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
     * delta, gradW and gradB of every dense layer for the training batch (after feedforward): the
     * output error of the cost, fused with the output activation, then every layer backward from
     * the last dense layer to the first (layers before it need no gradient).
     */
    public void backprop() {
        ReferenceLayer.Mode mode = trainingMode();
        int rows = step.rows;
        int lastDense = denseAt[denseCount - 1];
        net.cost().outputError(net.outputActivation(), step.out[lastDense], output(step), step.y, step.grad[lastDense],
                rows, net.outputSize());
        for (int k = lastDense; k >= denseAt[0]; k--) {
            double[] gradIn = k > denseAt[0] ? step.grad[k - 1] : null;
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

    /** One optimizer step with learning rate lr from gradW and gradB: the formulas of {@link Optimizer}. */
    public void update(double lr) {
        steps++;
        for (int l = 0; l < denseCount; l++) {
            step(dense[l].weights, dense[l].gradW, slotW, l, lr, optimizer.weightDecay());
            step(dense[l].biases, dense[l].gradB, slotB, l, lr, 0);   // biases are not decayed
        }
    }

    /** p -= the optimizer's step for gradient g; slots[s][l] is the state of p. */
    private void step(double[] p, double[] g, double[][][] slots, int l, double lr, double decay) {
        Optimizer o = optimizer;
        double mu = o.momentum();
        double stepSize = o.kind().isAdam() ? o.adamStepSize(lr, steps) : 0;
        double sqrtCorrection2 = o.kind().isAdam() ? o.adamSqrtCorrection2(steps) : 0;
        for (int i = 0; i < p.length; i++) {
            double grad = g[i];
            if (decay != 0 && o.coupledDecay()) {
                grad += decay * p[i];
            }
            switch (o.kind()) {
                case SGD:
                    p[i] -= lr * grad;
                    break;
                case MOMENTUM: {
                    double[] v = slots[0][l];
                    v[i] = mu * v[i] + grad;
                    p[i] -= lr * v[i];
                    break;
                }
                case NESTEROV: {
                    double[] v = slots[0][l];
                    v[i] = mu * v[i] + grad;
                    p[i] -= lr * (grad + mu * v[i]);
                    break;
                }
                case ADAM:
                case ADAMW: {
                    if (decay != 0 && o.kind() == Optimizer.Kind.ADAMW) {
                        p[i] *= 1 - lr * decay;
                    }
                    double[] m = slots[0][l];
                    double[] s = slots[1][l];
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
        int slots = optimizer.kind().slots();
        this.optimizer = optimizer;
        this.steps = 0;
        this.slotW = new double[slots][denseCount][];
        this.slotB = new double[slots][denseCount][];
        for (int k = 0; k < slots; k++) {
            for (int l = 0; l < denseCount; l++) {
                slotW[k][l] = new double[dense[l].weights.length];
                slotB[k][l] = new double[dense[l].biases.length];
            }
        }
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public TrainingState state() {
        TrainingState s = TrainingState.zeros(net, optimizer);
        s.setSteps(steps);
        for (int l = 0; l < denseCount; l++) {
            double[] w = dense[l].weights;
            double[] b = dense[l].biases;
            s.setWeights(l, w);
            s.setBiases(l, b);
            for (int k = 0; k < slotW.length; k++) {
                s.setSlotWeights(k, l, slotW[k][l]);
                s.setSlotBiases(k, l, slotB[k][l]);
            }
        }
        return s;
    }

    @Override
    public void setState(TrainingState s) {
        EngineInputs.checkNetwork(net, s.network(), "training state is");
        int slots = s.optimizer().kind().slots();
        double[][][] sw = new double[slots][denseCount][];
        double[][][] sb = new double[slots][denseCount][];
        for (int l = 0; l < denseCount; l++) {
            for (int k = 0; k < slots; k++) {
                sw[k][l] = s.copySlotWeights(k, l);
                sb[k][l] = s.copySlotBiases(k, l);
            }
        }
        for (int l = 0; l < denseCount; l++) {
            System.arraycopy(s.copyWeights(l), 0, dense[l].weights, 0, dense[l].weights.length);
            System.arraycopy(s.copyBiases(l), 0, dense[l].biases, 0, dense[l].biases.length);
        }
        optimizer = s.optimizer();
        steps = s.steps();
        slotW = sw;
        slotB = sb;
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
        for (double v : dense[denseCount - 1].biases) {
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

    /** z, a and delta of dense layer l from the last training batch; a is z where no activation follows l. */
    @Override
    public LayerTrace trace(int l) {
        int k = denseAt[l];
        int act = k + 1 < layers.size() && layers.get(k + 1) instanceof ActivationLayer ? k + 1 : k;
        DenseLayer d = dense[l];
        return new LayerTrace(step.out[k].clone(), step.out[act].clone(), step.grad[k].clone(), d.gradW.clone(), d.gradB.clone(),
                d.weights.clone(), d.biases.clone());
    }

    /** The live weights of layer l (for tests that set or read one weight). */
    public double[] weights(int l) {
        return dense[l].weights;
    }

    /** The live biases of layer l (for tests that set or read one bias). */
    public double[] biases(int l) {
        return dense[l].biases;
    }

    /** The live weight gradients of layer l from the last backprop. */
    public double[] gradW(int l) {
        return dense[l].gradW;
    }

    /** The live bias gradients of layer l from the last backprop. */
    public double[] gradB(int l) {
        return dense[l].gradB;
    }

    @Override
    public void close() {
        // Nothing native to release.
    }
}
