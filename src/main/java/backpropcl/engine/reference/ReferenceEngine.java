package backpropcl.engine.reference;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineInputs;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.model.DropoutMask;
import backpropcl.model.Gradients;
import backpropcl.model.Inference;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * The reference engine: double precision, plain loops, written to be read next to the equations
 * (Nielsen's formulation, batched). It is the truth every other engine is tested against and is
 * never optimised.
 *
 * <p>Layout: a batch of B samples is a (B, n) row-major block. For dense layer l with input width
 * m and output width n, W[l] is (n, m) and b[l] is (n):
 * <pre>
 *   z[l]     = in[l] W[l]^T + b[l]             (in[l] = a[l-1], a[-1] the input x)
 *   a[l]     = f_l(z[l])
 *   in[l]    = a[l-1] * mask[l] / (1-p[l])     (in training, where dropout p[l] is on dense l's input)
 *   delta[L] = dC/da[L] * f_L'(z[L])           (a - y for cross-entropy with its matching output)
 *   delta[l] = (delta[l+1] W[l+1]) * mask[l+1] / (1-p[l+1]) * f_l'(z[l])
 *   nablaW[l] = 1/B delta[l]^T in[l],  nablaB[l] = 1/B sum over rows of delta[l]
 *   W[l] -= eta nablaW[l],  b[l] -= eta nablaB[l]    (plain SGD; {@link #update} for the others)
 * </pre>
 */
public final class ReferenceEngine implements Engine {
    private static final int EVAL_ROWS = 256;

    private final Network net;
    private final int layers;
    private final double[][] w;
    private final double[][] b;

    /**
     * The (rows, n) blocks of one pass over a batch: input, targets, and every layer's z, a, delta;
     * in training, dropped[l] is dense l's input after its dropout (null where it has none).
     */
    private static final class Pass {
        int rows;
        double[] x;
        double[] y;
        final double[][] z;
        final double[][] a;
        final double[][] delta;
        final double[][] dropped;

        Pass(int layers) {
            z = new double[layers][];
            a = new double[layers][];
            delta = new double[layers][];
            dropped = new double[layers][];
        }
    }

    // The last training batch (kept for trace()) and a separate pass for evaluation.
    private final Pass step;
    private final Pass eval;
    private final double[][] nablaW;
    private final double[][] nablaB;

    private Dataset train;
    private int[] order;
    private long seed;

    // The optimizer and its state: steps taken, and slotW[s][l], slotB[s][l] shaped as W[l], b[l].
    private Optimizer optimizer = Optimizer.sgd();
    private long steps;
    private double[][][] slotW = new double[0][][];
    private double[][][] slotB = new double[0][][];

    public ReferenceEngine(Network net, Parameters initial) {
        this.net = net;
        this.layers = net.denseLayers();
        this.w = new double[layers][];
        this.b = new double[layers][];
        this.step = new Pass(layers);
        this.eval = new Pass(layers);
        this.nablaW = new double[layers][];
        this.nablaB = new double[layers][];
        for (int l = 0; l < layers; l++) {
            nablaW[l] = new double[net.size(l + 1) * net.size(l)];
            nablaB[l] = new double[net.size(l + 1)];
        }
        setParameters(initial);
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
        for (int l = 0; l < layers; l++) {
            w[l] = TrainingState.doubles(p.weights(l), p.weights(l).length);
            b[l] = TrainingState.doubles(p.biases(l), p.biases(l).length);
        }
    }

    @Override
    public Parameters parameters() {
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < layers; l++) {
            TrainingState.copy(w[l], p.weights(l));
            TrainingState.copy(b[l], p.biases(l));
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
    public void computeGradients(int start, int rows) {
        if (train == null) {
            throw new IllegalStateException("setTrainingData first");
        }
        loadBatch(train, order, start, rows);
        feedforward();
        backprop();
    }

    @Override
    public Gradients gradients() {
        Gradients g = new Gradients(net);
        for (int l = 0; l < layers; l++) {
            g.setWeights(l, nablaW[l]);
            g.setBiases(l, nablaB[l]);
        }
        g.setRows(step.rows);
        return g;
    }

    @Override
    public void setGradients(Gradients g) {
        EngineInputs.checkNetwork(net, g.network(), "gradients are");
        for (int l = 0; l < layers; l++) {
            System.arraycopy(g.values(), (int) g.layout().weight(l).offset(), nablaW[l], 0, nablaW[l].length);
            System.arraycopy(g.values(), (int) g.layout().bias(l).offset(), nablaB[l], 0, nablaB[l].length);
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
        for (int l = 0; l < layers; l++) {
            int n = Math.multiplyExact(rows, net.size(l + 1));
            if (p.z[l] == null || p.z[l].length != n) {
                p.z[l] = new double[n];
                p.a[l] = new double[n];
                p.delta[l] = new double[n];
            }
            int in = Math.multiplyExact(rows, net.size(l));
            if (p == step && net.dropoutBefore(l) > 0 && (p.dropped[l] == null || p.dropped[l].length != in)) {
                p.dropped[l] = new double[in];
            }
        }
    }

    /** z and a of every layer for the training batch. */
    public void feedforward() {
        feedforward(step);
    }

    private void feedforward(Pass p) {
        double[] in = p.x;
        for (int l = 0; l < layers; l++) {
            int m = net.size(l);
            int n = net.size(l + 1);
            if (p == step && net.dropoutBefore(l) > 0) {
                dropoutForward(l, in, p.dropped[l], p.rows * m);
                in = p.dropped[l];
            }
            for (int r = 0; r < p.rows; r++) {
                for (int j = 0; j < n; j++) {
                    double s = b[l][j];
                    for (int k = 0; k < m; k++) {
                        s += in[r * m + k] * w[l][j * m + k];
                    }
                    p.z[l][r * n + j] = s;
                }
            }
            net.activation(l).apply(p.z[l], p.a[l], p.rows, n);
            in = p.a[l];
        }
    }

    /** delta, nablaW and nablaB of every layer for the training batch (after feedforward). */
    public void backprop() {
        int rows = step.rows;
        double[][] z = step.z;
        double[][] a = step.a;
        double[][] delta = step.delta;
        int last = layers - 1;
        net.cost().outputError(net.outputActivation(), z[last], a[last], step.y, delta[last], rows, net.outputSize());
        for (int l = last; l >= 0; l--) {
            int m = net.size(l);
            int n = net.size(l + 1);
            double[] prev = step.dropped[l] != null && net.dropoutBefore(l) > 0 ? step.dropped[l] : l == 0 ? step.x : a[l - 1];
            java.util.Arrays.fill(nablaW[l], 0.0);
            java.util.Arrays.fill(nablaB[l], 0.0);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    double d = delta[l][r * n + j];
                    nablaB[l][j] += d;
                    for (int k = 0; k < m; k++) {
                        nablaW[l][j * m + k] += d * prev[r * m + k];
                    }
                }
            }
            for (int i = 0; i < nablaW[l].length; i++) {
                nablaW[l][i] /= rows;
            }
            for (int j = 0; j < n; j++) {
                nablaB[l][j] /= rows;
            }
            if (l > 0) {
                double[] gradA = new double[rows * m];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < n; j++) {
                        double d = delta[l][r * n + j];
                        for (int k = 0; k < m; k++) {
                            gradA[r * m + k] += d * w[l][j * m + k];
                        }
                    }
                }
                if (net.dropoutBefore(l) > 0) {
                    dropoutBackward(l, gradA, rows * m);
                }
                net.activation(l - 1).backward(z[l - 1], a[l - 1], gradA, delta[l - 1], rows, m);
            }
        }
    }

    /** out = in * mask / (1-p) for the dropout on dense layer l's input, on this step's mask. */
    private void dropoutForward(int l, double[] in, double[] out, int count) {
        double p = net.dropoutBefore(l);
        double scale = DropoutMask.scale(p);
        for (int e = 0; e < count; e++) {
            out[e] = DropoutMask.keeps(seed, steps + 1, net.dropoutIndex(l), e, p) ? in[e] * scale : 0;
        }
    }

    /** g *= mask / (1-p): dC/d(input) of the dropout on dense layer l's input from dC/d(output). */
    private void dropoutBackward(int l, double[] g, int count) {
        double p = net.dropoutBefore(l);
        double scale = DropoutMask.scale(p);
        for (int e = 0; e < count; e++) {
            g[e] = DropoutMask.keeps(seed, steps + 1, net.dropoutIndex(l), e, p) ? g[e] * scale : 0;
        }
    }

    /** One optimizer step with learning rate lr from nablaW and nablaB: the formulas of {@link Optimizer}. */
    public void update(double lr) {
        steps++;
        for (int l = 0; l < layers; l++) {
            step(w[l], nablaW[l], slotW, l, lr, optimizer.weightDecay());
            step(b[l], nablaB[l], slotB, l, lr, 0);   // biases are not decayed
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
        this.slotW = new double[slots][layers][];
        this.slotB = new double[slots][layers][];
        for (int k = 0; k < slots; k++) {
            for (int l = 0; l < layers; l++) {
                slotW[k][l] = new double[w[l].length];
                slotB[k][l] = new double[b[l].length];
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
        for (int l = 0; l < layers; l++) {
            System.arraycopy(w[l], 0, s.weights(l), 0, w[l].length);
            System.arraycopy(b[l], 0, s.biases(l), 0, b[l].length);
            for (int k = 0; k < slotW.length; k++) {
                System.arraycopy(slotW[k][l], 0, s.slotWeights(k, l), 0, w[l].length);
                System.arraycopy(slotB[k][l], 0, s.slotBiases(k, l), 0, b[l].length);
            }
        }
        return s;
    }

    @Override
    public void setState(TrainingState s) {
        EngineInputs.checkNetwork(net, s.network(), "training state is");
        int slots = s.optimizer().kind().slots();
        double[][][] sw = new double[slots][layers][];
        double[][][] sb = new double[slots][layers][];
        for (int l = 0; l < layers; l++) {
            for (int k = 0; k < slots; k++) {
                sw[k][l] = s.slotWeights(k, l).clone();
                sb[k][l] = s.slotBiases(k, l).clone();
            }
        }
        for (int l = 0; l < layers; l++) {
            w[l] = s.weights(l).clone();
            b[l] = s.biases(l).clone();
        }
        optimizer = s.optimizer();
        steps = s.steps();
        slotW = sw;
        slotB = sb;
    }

    /** The batch-mean cost of the training batch (after feedforward). */
    public double batchCost() {
        int last = layers - 1;
        int n = net.outputSize();
        double c = 0;
        for (int r = 0; r < step.rows; r++) {
            c += net.cost().sampleCost(net.outputActivation(), step.z[last], step.a[last], step.y, r * n, n);
        }
        return c / step.rows;
    }

    @Override
    public boolean outputFinite() {
        for (double v : b[layers - 1]) {
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
        int last = layers - 1;
        for (int start = 0; start < data.count(); start += EVAL_ROWS) {
            int r = Math.min(EVAL_ROWS, data.count() - start);
            load(eval, data, null, start, r);
            feedforward(eval);
            for (int i = 0; i < r; i++) {
                costSum += net.cost().sampleCost(net.outputActivation(), eval.z[last], eval.a[last], eval.y, i * n, n);
                if (Inference.argmax(eval.a[last], i * n, n) == data.labels()[start + i]) {
                    correct++;
                }
            }
        }
        return new Evaluation(data.count() == 0 ? 0 : costSum / data.count(), correct, data.count());
    }

    @Override
    public LayerTrace trace(int l) {
        return new LayerTrace(step.z[l].clone(), step.a[l].clone(), step.delta[l].clone(), nablaW[l].clone(), nablaB[l].clone(),
                w[l].clone(), b[l].clone());
    }

    /** The live weights of layer l, for the gradient check to perturb. */
    public double[] weights(int l) {
        return w[l];
    }

    /** The live biases of layer l, for the gradient check to perturb. */
    public double[] biases(int l) {
        return b[l];
    }

    /** The live weight gradients of layer l from the last backprop. */
    public double[] nablaW(int l) {
        return nablaW[l];
    }

    /** The live bias gradients of layer l from the last backprop. */
    public double[] nablaB(int l) {
        return nablaB[l];
    }

    @Override
    public void close() {
        // Nothing native to release.
    }
}
