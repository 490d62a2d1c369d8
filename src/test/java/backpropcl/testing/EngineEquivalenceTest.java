package backpropcl.testing;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.Tolerances;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import backpropcl.selftest.SyntheticData;
import backpropcl.train.Shuffle;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every fast engine owes the reference engine, as tests a fast engine's test class inherits:
 * one step tensor by tensor for every activation x cost, 100 steps of drift, and evaluation.
 * The subclass says how to open its engine.
 */
public abstract class EngineEquivalenceTest {
    /** One step, float32 against double, relative norm error per tensor: {@link Tolerances#ONE_STEP_F32}. */
    public static final double ONE_STEP = Tolerances.ONE_STEP_F32;
    /** Weights after 100 SGD steps: {@link Tolerances#AFTER_STEPS_F32}. */
    public static final double HUNDRED_STEPS = Tolerances.AFTER_STEPS_F32;

    /** The engine under test, starting from {@code initial}. */
    protected abstract Engine open(Network net, Parameters initial);

    /** Rows per block of the engine's evaluate(), so the test set spans several blocks and a partial one. */
    protected abstract int evaluationBlockRows();

    /** Every hidden activation with every valid (output, cost); shapes and batches rotate through odd sizes. */
    static Stream<Arguments> combinations() {
        Activation[] hidden = {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU};
        Activation[] outputs = {Activation.SIGMOID, Activation.SOFTMAX, Activation.IDENTITY};
        String[] archs = {"784-30-10", "64-17-16-10", "100-300-10", "3-1-10", "784-100-33-10"};
        int[] batches = {33, 257, 1, 10, 100};
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (Activation h : hidden) {
            for (Activation o : outputs) {
                for (Cost c : Cost.values()) {
                    if (c.supports(o)) {
                        out.add(Arguments.of(h, o, c, archs[i % archs.length], batches[i % batches.length], 1000L + i));
                        i++;
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * Three steps (a full batch, a smaller one through the same buffers, then one in file order)
     * from Xavier parameters on [0, 1] features: z, a, delta, the gradients and the updated
     * weights of every layer agree with the reference.
     */
    @ParameterizedTest(name = "{0}/{1}/{2} {3} batch {4}")
    @MethodSource("combinations")
    void stepMatchesReference(Activation hidden, Activation output, Cost cost, String arch, int batch, long seed) {
        Network net = Network.of(arch, hidden, output, cost);
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 2 * batch + 10, net.inputSize(), net.outputSize(), seed % 2 == 0);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            threeStepsMatch(net, engine, ref, data, batch, seed, "step ");
        }
    }

    /**
     * Three steps on both engines, seeded alike (a full batch, a smaller one through the same
     * buffers, then one in file order), every layer's trace compared with the reference's after each.
     */
    private static void threeStepsMatch(Network net, Engine engine, ReferenceEngine ref, Dataset data, int batch, long seed,
                                        String what) {
        threeSteps(engine, ref, data, batch, Math.max(1, batch / 3), seed, s -> compareTraces(net, ref, engine, what + s + " " + net,
                ONE_STEP, seed));
    }

    /** The three steps of {@link #threeStepsMatch} (the second of {@code smaller} rows), {@code compare}d after each. */
    private static void threeSteps(Engine engine, ReferenceEngine ref, Dataset data, int batch, int smaller, long seed,
                                   java.util.function.IntConsumer compare) {
        int[] order = Shuffle.permutation(data.count(), seed, 0);
        for (Engine e : new Engine[] {engine, ref}) {
            e.setTrainingData(data);
            e.setOrder(order);
            e.setSeed(seed);
        }
        int[][] steps = {{3, batch}, {batch + 5, smaller}, {batch + 9, batch}};
        for (int s = 0; s < steps.length; s++) {
            if (s == 2) {
                engine.setOrder(null);
                ref.setOrder(null);
            }
            engine.trainBatch(steps[s][0], steps[s][1], 0.5);
            ref.trainBatch(steps[s][0], steps[s][1], 0.5);
            compare.accept(s);
        }
    }

    /** Every tensor of every layer's trace of {@code engine} against {@code ref}, in relative norm. */
    public static void compareTraces(Network net, Engine ref, Engine engine, String what, double tol, long seed) {
        for (int l = 0; l < net.denseLayers(); l++) {
            LayerTrace e = ref.trace(l);
            LayerTrace a = engine.trace(l);
            String at = what + " layer " + l + " ";
            assertRelNorm(at + "z", e.z(), a.z(), tol, seed);
            assertRelNorm(at + "a", e.a(), a.a(), tol, seed);
            assertRelNorm(at + "delta", e.delta(), a.delta(), tol, seed);
            assertRelNorm(at + "gradW", e.gradW(), a.gradW(), tol, seed);
            assertRelNorm(at + "gradB", e.gradB(), a.gradB(), tol, seed);
            assertRelNorm(at + "W after", e.weights(), a.weights(), tol, seed);
            assertRelNorm(at + "b after", e.biases(), a.biases(), tol, seed);
        }
    }

    static Stream<Arguments> hundredStepNetworks() {
        return Stream.of(
                Arguments.of(Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC), Init.NORMAL, 3.0, 10),
                Arguments.of(Network.of("784-128-64-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY), Init.HE, 0.1, 32),
                Arguments.of(Network.of("50-17-3", Activation.TANH, Activation.SOFTMAX, Cost.QUADRATIC), Init.XAVIER, 1.0, 7));
    }

    /** 100 SGD steps over shuffled epochs of a small random set (partial last batches included): the weights stay within 1e-4. */
    @ParameterizedTest(name = "{0} {1} lr {2} batch {3}")
    @MethodSource("hundredStepNetworks")
    void hundredStepsStayClose(Network net, Init init, double lr, int batch) {
        long seed = 42;
        Parameters p = init.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 300, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            train(engine, data, 100, batch, lr, seed);
            train(ref, data, 100, batch, lr, seed);
            Parameters a = engine.parameters();
            Parameters e = ref.parameters();
            for (int l = 0; l < net.denseLayers(); l++) {
                assertRelNorm("W[" + l + "] after 100 steps", toDouble(e.copyWeights(l)), toDouble(a.copyWeights(l)), HUNDRED_STEPS, seed);
                assertRelNorm("b[" + l + "] after 100 steps", toDouble(e.copyBiases(l)), toDouble(a.copyBiases(l)), HUNDRED_STEPS, seed);
                // The double reference read back in float loses what float cannot hold; compare its own values too.
                assertRelNorm("W[" + l + "] after 100 steps (double)", ref.weights(l), engine.trace(l).weights(), HUNDRED_STEPS, seed);
            }
        }
    }

    /** Steps in shuffled epochs, as the Trainer does them (partial last batch included). */
    public static void train(Engine e, Dataset data, int steps, int batch, double lr, long seed) {
        e.setTrainingData(data);
        int done = 0;
        for (int epoch = 0; done < steps; epoch++) {
            e.setOrder(Shuffle.permutation(data.count(), seed, epoch));
            for (int start = 0; start < data.count() && done < steps; start += batch, done++) {
                e.trainBatch(start, Math.min(batch, data.count() - start), lr);
            }
        }
    }

    static Stream<Arguments> evaluationNetworks() {
        return Stream.of(
                Arguments.of(Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY),
                Arguments.of(Activation.TANH, Activation.SIGMOID, Cost.CROSS_ENTROPY),
                Arguments.of(Activation.RELU, Activation.IDENTITY, Cost.QUADRATIC),
                Arguments.of(Activation.LEAKY_RELU, Activation.SOFTMAX, Cost.QUADRATIC),
                Arguments.of(Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC));
    }

    /** evaluate() gives the reference's mean cost and accuracy, on a test set and on the training set. */
    @ParameterizedTest(name = "{0}/{1}/{2}")
    @MethodSource("evaluationNetworks")
    void evaluateMatchesReference(Activation hidden, Activation output, Cost cost) {
        long seed = 17 + hidden.ordinal() * 7 + output.ordinal();
        Network net = Network.of("100-33-10", hidden, output, cost);
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset train = SyntheticData.random("train", seed, 300, 100, 10, true);
        Dataset test = SyntheticData.random("test", seed + 1, evaluationBlockRows() * 2 + 77, 100, 10, false);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            train(engine, train, 12, 25, 0.5, seed);
            train(ref, train, 12, 25, 0.5, seed);
            LayerTrace before = engine.trace(1);
            for (Dataset d : new Dataset[] {test, train, test}) {
                Evaluation e = ref.evaluate(d);
                Evaluation a = engine.evaluate(d);
                assertEquals(e.count(), a.count());
                assertEquals(e.correct(), a.correct(), d.name() + " correct");
                assertEquals(e.meanCost(), a.meanCost(), ONE_STEP * Math.abs(e.meanCost()), d.name() + " mean cost");
            }
            // Evaluation runs through its own buffers: the last batch's trace is intact.
            assertArrayEquals(before.a(), engine.trace(1).a());
            assertArrayEquals(before.delta(), engine.trace(1).delta());
        }
    }

    /** Every optimizer, without and with weight decay, with hyperparameters away from the defaults where the default hides a term. */
    static Stream<Arguments> optimizers() {
        List<Arguments> out = new ArrayList<>();
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            double lr = kind.isAdam() ? 0.01 : 0.3;
            Optimizer o = Optimizer.of(kind).withMomentum(0.8).withBetas(0.85, 0.99).withEpsilon(1e-6);
            out.add(Arguments.of(o, lr));
            out.add(Arguments.of(o.withWeightDecay(0.05), lr));
        }
        return out.stream();
    }

    /**
     * Four steps of each optimizer (full batches, a partial one, file order) on a network the
     * OpenCL engine runs with its fused tail and on one it runs layer by layer: every tensor of
     * every layer agrees with the reference after every step.
     */
    @ParameterizedTest(name = "{0} lr {1}")
    @MethodSource("optimizers")
    void optimizerStepsMatchReference(Optimizer optimizer, double lr) {
        for (String arch : new String[] {"64-17-16-10", "100-40-10"}) {
            long seed = 31 + optimizer.kind().ordinal();
            Network net = Network.of(arch, Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
            Parameters p = Init.XAVIER.initialise(net, seed);
            Dataset data = SyntheticData.random("random", seed, 60, net.inputSize(), net.outputSize(), true);
            try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
                for (Engine e : new Engine[] {engine, ref}) {
                    e.setOptimizer(optimizer);
                    e.setTrainingData(data);
                    e.setOrder(Shuffle.permutation(data.count(), seed, 0));
                }
                int[][] steps = {{0, 16}, {16, 16}, {32, 7}, {40, 16}};
                for (int s = 0; s < steps.length; s++) {
                    if (s == 3) {
                        engine.setOrder(null);
                        ref.setOrder(null);
                    }
                    engine.trainBatch(steps[s][0], steps[s][1], lr);
                    ref.trainBatch(steps[s][0], steps[s][1], lr);
                    compareTraces(net, ref, engine, optimizer.describe() + " step " + s + " " + arch, ONE_STEP, seed);
                }
                assertEquals(4, engine.state().steps());
            }
        }
    }

    /** 100 steps of each optimizer with weight decay on the seed network: the weights stay within 1e-4 of the reference. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void optimizerHundredStepsStayClose(Optimizer optimizer, double lr) {
        long seed = 7;
        Network net = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Init.NORMAL.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 300, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            engine.setOptimizer(optimizer);
            ref.setOptimizer(optimizer);
            train(engine, data, 100, 10, lr, seed);
            train(ref, data, 100, 10, lr, seed);
            TrainingState e = ref.state();
            TrainingState a = engine.state();
            for (int l = 0; l < net.denseLayers(); l++) {
                assertRelNorm(optimizer.describe() + " W[" + l + "] after 100 steps", e.copyWeights(l), a.copyWeights(l), HUNDRED_STEPS, seed);
                assertRelNorm(optimizer.describe() + " b[" + l + "] after 100 steps", e.copyBiases(l), a.copyBiases(l), HUNDRED_STEPS, seed);
                // The state tensors are averages of recent gradients, which move further apart than the weights
                // once the trajectories differ (measured: 1.5e-4 for Adam's exp_avg of the first layer on PoCL).
                for (int s = 0; s < optimizer.kind().slots(); s++) {
                    assertRelNorm(optimizer.kind().slotName(s) + " W[" + l + "] after 100 steps", e.copySlotWeights(s, l),
                            a.copySlotWeights(s, l), Tolerances.OPTIMIZER_STATE_AFTER_STEPS_F32, seed);
                }
            }
        }
    }

    /** How far a run resumed from {@link Engine#state} may end from the one never interrupted: 0 where the engine is deterministic. */
    protected double resumeTolerance() {
        return 0;
    }

    /**
     * Exact resume: 13 steps, the state copied out into a second engine, 17 more steps on both
     * engines: the resumed engine ends where the first one does (bitwise where
     * {@link #resumeTolerance} is 0), Adam's step count included.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void resumedFromStateEndsTheSame(Optimizer optimizer, double lr) {
        long seed = 11;
        Network net = Network.of("64-17-16-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 90, net.inputSize(), net.outputSize(), true);
        try (Engine first = open(net, p); Engine resumed = open(net, Parameters.zeros(net))) {
            first.setOptimizer(optimizer);
            first.setTrainingData(data);
            first.setOrder(Shuffle.permutation(data.count(), seed, 0));
            for (int i = 0; i < 13; i++) {
                first.trainBatch(i * 5, 5, lr);
            }
            resumed.setState(first.state());
            resumed.setTrainingData(data);
            resumed.setOrder(Shuffle.permutation(data.count(), seed, 0));
            for (int i = 13; i < 30; i++) {
                first.trainBatch(i * 3, 3, lr);
                resumed.trainBatch(i * 3, 3, lr);
            }
            TrainingState a = first.state();
            TrainingState b = resumed.state();
            assertEquals(30, b.steps());
            assertEquals(optimizer, b.optimizer());
            if (resumeTolerance() == 0) {
                assertTrue(a.bitwiseEquals(b), "resumed state differs from the uninterrupted one");
            } else {
                for (int l = 0; l < net.denseLayers(); l++) {
                    assertRelNorm("W[" + l + "]", a.copyWeights(l), b.copyWeights(l), resumeTolerance(), seed);
                }
            }
        }
    }
    /** Networks with dropout: on the input, on hidden layers, after every activation kind, with softmax and sigmoid outputs. */
    static Stream<Arguments> dropoutNetworks() {
        return Stream.of(
                Arguments.of(Network.parse(64, "dense:17,relu,dropout:0.5,dense:16,relu,dropout:0.25,dense:10,softmax", Cost.CROSS_ENTROPY), 33),
                Arguments.of(Network.parse(50, "dropout:0.2,dense:30,sigmoid,dense:10,sigmoid", Cost.QUADRATIC), 10),
                Arguments.of(Network.parse(784, "flatten,dense:100,tanh,dropout:0.1,dense:10,identity", Cost.QUADRATIC), 257),
                Arguments.of(Network.parse(13, "dense:9,leaky-relu,dropout:0.75,dense:3,softmax", Cost.QUADRATIC), 1),
                Arguments.of(Network.parse(40, "dense:20,dropout:0.5,dense:4,sigmoid", Cost.CROSS_ENTROPY), 7));
    }

    /**
     * Three dropout steps (each with its own mask), one of them in file order: every tensor agrees
     * with the reference, so the engine drops exactly the reference's elements on each step.
     */
    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("dropoutNetworks")
    void dropoutStepsMatchReference(Network net, int batch) {
        long seed = 77;
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 2 * batch + 10, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            threeStepsMatch(net, engine, ref, data, batch, seed, "dropout step ");
            // Evaluation has no dropout: the same cost and accuracy as the reference's.
            Evaluation a = engine.evaluate(data);
            Evaluation e = ref.evaluate(data);
            assertEquals(e.correct(), a.correct(), "accuracy in evaluation");
            assertEquals(e.meanCost(), a.meanCost(), Math.abs(e.meanCost()) * ONE_STEP * 10 + 1e-7, "cost in evaluation");
        }
    }

    /** 100 steps with dropout stay within the 100-step tolerance of the reference: the masks agree on every step. */
    @org.junit.jupiter.api.Test
    void dropoutHundredStepsStayClose() {
        long seed = 5;
        Network net = Network.parse(64, "dense:32,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 300, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            engine.setSeed(seed);
            ref.setSeed(seed);
            train(engine, data, 100, 16, 0.1, seed);
            train(ref, data, 100, 16, 0.1, seed);
            for (int l = 0; l < net.denseLayers(); l++) {
                assertRelNorm("W[" + l + "] after 100 dropout steps", ref.weights(l), engine.trace(l).weights(), HUNDRED_STEPS, seed);
            }
        }
    }

    /**
     * The two half-steps: computeGradients gives the reference's gradients (and leaves the
     * parameters alone), applyGradients after it ends bitwise where trainBatch does, and
     * setGradients feeds the update a gradient of the caller's.
     */
    @ParameterizedTest(name = "{0} lr {1}")
    @MethodSource("optimizers")
    void halvesComposeToTrainBatch(Optimizer optimizer, double lr) {
        long seed = 23;
        Network net = Network.parse(64, "dense:17,relu,dropout:0.5,dense:16,tanh,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 90, net.inputSize(), net.outputSize(), true);
        int[] order = Shuffle.permutation(data.count(), seed, 0);
        try (Engine whole = open(net, p); Engine halves = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : new Engine[] {whole, halves, ref}) {
                e.setOptimizer(optimizer);
                e.setTrainingData(data);
                e.setOrder(order);
                e.setSeed(seed);
            }
            for (int i = 0; i < 4; i++) {
                whole.trainBatch(i * 9, 9, lr);
                TrainingState before = halves.state();
                halves.computeGradients(i * 9, 9);
                assertTrue(halves.state().bitwiseEquals(before), "computeGradients changed the parameters or the optimizer state");
                ref.computeGradients(i * 9, 9);
                Gradients g = halves.gradients();
                Gradients e = ref.gradients();
                assertEquals(9, g.rows());
                assertRelNorm("gradients of step " + i, e.values(), g.values(), ONE_STEP, seed);
                halves.applyGradients(lr);
                ref.applyGradients(lr);
                assertTrue(whole.state().bitwiseEquals(halves.state()), "halves differ from trainBatch after step " + i);
            }
            // A gradient of the caller's: the reference's, set into the engine, gives the reference's update.
            halves.setState(ref.state());
            ref.computeGradients(50, 20);
            halves.setGradients(ref.gradients());
            Gradients back = halves.gradients();
            assertRelNorm("gradients set then read", ref.gradients().values(), back.values(), 1e-7, seed);
            halves.applyGradients(lr);
            ref.applyGradients(lr);
            for (int l = 0; l < net.denseLayers(); l++) {
                assertRelNorm("W[" + l + "] after the set gradient's update", ref.weights(l), halves.trace(l).weights(), ONE_STEP, seed);
            }
        }
    }
    /**
     * A batch cut into two slices, each computed with its first row in the batch: the slices draw
     * the whole batch's dropout masks, so their gradients weighted by rows sum to the whole
     * batch's (what a data-parallel engine sums); the second slice computed as if it were rows 0..
     * of its batch draws other masks and misses.
     */
    @org.junit.jupiter.api.Test
    void slicesWithTheirFirstRowsGiveTheBatchsGradients() {
        long seed = 29;
        Network net = Network.parse(64, "dropout:0.2,dense:17,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 40, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p)) {
            engine.setTrainingData(data);
            engine.setOrder(Shuffle.permutation(data.count(), seed, 0));
            engine.setSeed(seed);
            engine.reserveBatch(13);
            double[] whole = gradientsOf(engine, 4, 13, 0);
            double[] first = gradientsOf(engine, 4, 7, 0);
            double[] second = gradientsOf(engine, 11, 6, 7);
            double[] secondAsRowsZero = gradientsOf(engine, 11, 6, 0);
            assertRelNorm("slices summed by rows", whole, weighted(first, 7, second, 6), ONE_STEP, seed);
            double miss = Assertions2.relNorm(whole, weighted(first, 7, secondAsRowsZero, 6));
            assertTrue(miss > 100 * ONE_STEP, "the second slice drew the same masks as rows 0..: " + miss);
        }
    }

    /** The gradients of computeGradients(start, rows, firstRow), copied out. */
    private static double[] gradientsOf(Engine engine, int start, int rows, int firstRow) {
        engine.computeGradients(start, rows, firstRow);
        return engine.gradients().values();
    }

    /** (a * rowsA + b * rowsB) / (rowsA + rowsB), element by element. */
    private static double[] weighted(double[] a, int rowsA, double[] b, int rowsB) {
        double[] sum = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = (a[i] * rowsA + b[i] * rowsB) / (rowsA + rowsB);
        }
        return sum;
    }

    /**
     * computeGradients writes no parameter, on every path (small networks take the OpenCL fused
     * tail, larger ones the layered kernels): weights of -0 stay -0 under gradients of either sign,
     * and a NaN input (NaN gradients) leaves W as it was rather than W - 0 * NaN.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"6-5-3", "70-40-30-3"})
    void computeGradientsWritesNoParameter(String arch) {
        Network net = Network.of(arch, Activation.TANH, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Init.XAVIER.initialise(net, 3);
        for (int l = 0; l < net.denseLayers(); l++) {
            for (int i = 0; i < p.layout().weight(l).length(); i += 3) {
                p.setWeight(l, i, -0.0f);
            }
            p.setBias(l, 0, -0.0f);
        }
        int width = net.inputSize();
        float[] x = new float[4 * width];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        x[2] = Float.NaN;   // row 0
        Dataset data = new Dataset("nan", x, new int[] {0, 1, 2, 0}, 4, width, 3);
        try (Engine e = open(net, p)) {
            e.setTrainingData(data);
            TrainingState before = e.state();
            e.computeGradients(1, 3);   // finite gradients of both signs
            assertTrue(e.state().bitwiseEquals(before), "computeGradients on finite rows wrote a parameter (-0 turned +0?)");
            e.computeGradients(0, 4);   // NaN gradients
            assertTrue(e.state().bitwiseEquals(before), "computeGradients with NaN gradients wrote a parameter");
        }
    }
    /**
     * Adam on {@code first} from row 0: before[0] batches of before[1] rows; {@code resumed} takes
     * its state; then both train after[1] batches of after[2] rows from row after[0]. Each reserves
     * before[1] rows first, as the trainer does: an engine that picks kernels by batch size
     * (OpenCL) then picks the uninterrupted run's for the smaller batches.
     */
    private static void trainThenResume(Engine first, Engine resumed, Dataset data, Optimizer optimizer, long seed, int[] before,
                                        int[] after) {
        first.setOptimizer(optimizer);
        for (Engine e : new Engine[] {first, resumed}) {
            if (e == resumed) {
                resumed.setState(first.state());
            }
            e.setTrainingData(data);
            e.setSeed(seed);
            e.reserveBatch(before[1]);
            e.setOrder(Shuffle.permutation(data.count(), seed, 0));
            for (int i = 0; e == first && i < before[0]; i++) {
                first.trainBatch(i * before[1], before[1], 0.01);
            }
        }
        for (int i = 0; i < after[1]; i++) {
            first.trainBatch(after[0] + i * after[2], after[2], 0.01);
            resumed.trainBatch(after[0] + i * after[2], after[2], 0.01);
        }
    }

    /** The resumed run's state is the uninterrupted one's: bitwise, or within {@link #resumeTolerance}. */
    private void assertResumedTheSame(Engine first, Engine resumed, String what, long seed) {
        TrainingState a = first.state();
        TrainingState b = resumed.state();
        if (resumeTolerance() == 0) {
            assertTrue(a.bitwiseEquals(b), "the resumed " + what + " run differs from the uninterrupted one");
        } else {
            assertRelNorm(what + " parameters", a.values(), b.values(), resumeTolerance(), seed);
        }
    }

    /**
     * A resumed run drops what the uninterrupted one drops: 13 dropout steps of 5, the state (with
     * its step count, which picks the masks) copied into a second engine, 17 more steps of 3 on
     * both; they end bitwise the same where the engine is deterministic. Without the reservation
     * of 5 rows the OpenCL engine planned its kernels for 3 and ended elsewhere.
     */
    @org.junit.jupiter.api.Test
    void dropoutResumedFromStateEndsTheSame() {
        long seed = 19;
        Network net = Network.parse(64, "dropout:0.2,dense:17,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 90, net.inputSize(), net.outputSize(), true);
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        try (Engine first = open(net, p); Engine resumed = open(net, Parameters.zeros(net))) {
            trainThenResume(first, resumed, data, adam, seed, new int[] {13, 5}, new int[] {39, 17, 3});
            assertResumedTheSame(first, resumed, "dropout", seed);
            // And the masks matter: a run on another seed ends elsewhere.
            try (Engine other = open(net, Parameters.zeros(net))) {
                other.setState(resumed.state());
                other.setTrainingData(data);
                other.setSeed(seed + 1);
                other.setOrder(Shuffle.permutation(data.count(), seed, 0));
                resumed.trainBatch(0, 9, 0.01);
                other.trainBatch(0, 9, 0.01);
                org.junit.jupiter.api.Assertions.assertFalse(other.state().bitwiseEquals(resumed.state()),
                        "another dropout seed gave the same step");
            }
        }
    }

    /**
     * Whether the engine computes networks with conv, maxpool and batchnorm layers: the conv cases
     * below are skipped where it does not (yet); an engine that does returns true.
     */
    protected boolean computesConvNetworks() {
        return true;
    }

    /**
     * Conv networks of odd shapes: 1 and 3 channels, kernels 1, 3 and 5, stride 2, padding, a 1x1
     * spatial output, maxpool (overlapping, with an activation after it), batchnorm 2-d and 1-d;
     * with a batch that the three steps of {@link #convStepsMatchReference} cut into a partial one.
     */
    static Stream<Arguments> convNetworks() {
        return Stream.of(
                Arguments.of(new Shape(1, 6, 6), "conv:2x3x3,relu,flatten,dense:5,softmax", Cost.CROSS_ENTROPY, 7),
                Arguments.of(new Shape(1, 6, 6), "conv:2x3x3,relu,flatten,dense:5,softmax", Cost.CROSS_ENTROPY, 1),
                Arguments.of(new Shape(3, 7, 7), "conv:4x5x5:s2:p2,tanh,maxpool:2,flatten,dense:3,sigmoid", Cost.QUADRATIC, 10),
                Arguments.of(new Shape(1, 5, 5), "conv:3x1x1,sigmoid,conv:2x5x5,relu,flatten,dense:4,softmax", Cost.CROSS_ENTROPY, 9),
                Arguments.of(new Shape(2, 7, 7), "maxpool:3:s1,relu,conv:3x3x3:s2:p1,leaky_relu,flatten,dropout:0.3,dense:4,softmax",
                        Cost.CROSS_ENTROPY, 8),
                Arguments.of(new Shape(3, 8, 8), "conv:4x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:6,batchnorm,tanh,dense:3,softmax",
                        Cost.CROSS_ENTROPY, 12),
                Arguments.of(new Shape(1, 6, 6), "conv:3x3x3,relu,batchnorm,conv:2x4x4,flatten,dense:3,softmax", Cost.CROSS_ENTROPY, 6));
    }

    /**
     * Three steps (a full batch, a smaller one through the same buffers, then one in file order)
     * from Xavier parameters: after each, every trainable tensor's gradient and every tensor's
     * value (the running statistics included) agree with the reference; then evaluation (on the
     * running statistics) gives its cost and accuracy.
     */
    @ParameterizedTest(name = "{0} {1} batch {3}")
    @MethodSource("convNetworks")
    void convStepsMatchReference(Shape shape, String layers, Cost cost, int batch) {
        org.junit.jupiter.api.Assumptions.assumeTrue(computesConvNetworks(), "the engine computes no conv networks yet");
        long seed = 61 + batch;
        Network net = Network.parse(shape, layers, cost);
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 2 * batch + 10, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            // The smaller batch keeps 2 rows, which a batchnorm 1-d needs.
            threeSteps(engine, ref, data, batch, Math.max(Math.min(batch, 2), batch / 3), seed,
                    s -> compareTensors(ref, engine, "step " + s + " " + net, ONE_STEP, seed));
            Evaluation a = engine.evaluate(data);
            Evaluation e = ref.evaluate(data);
            assertEquals(e.correct(), a.correct(), "accuracy in evaluation");
            assertEquals(e.meanCost(), a.meanCost(), Math.abs(e.meanCost()) * ONE_STEP * 10 + 1e-7, "cost in evaluation");
        }
    }

    /** Each trainable tensor's gradient and each tensor's value of {@code engine} against {@code ref} ({@link #assertTensorClose}). */
    public static void compareTensors(Engine ref, Engine engine, String what, double tol, long seed) {
        Gradients ge = ref.gradients();
        Gradients ga = engine.gradients();
        TrainingState se = ref.state();
        TrainingState sa = engine.state();
        double gradients = Math.sqrt(squares(ge.values()));
        double values = Math.sqrt(squares(se.values()));
        for (ParameterLayout.Tensor t : se.layout().tensors()) {
            if (t.trainable()) {
                assertTensorClose(what + " grad " + t.name(), t.copyOut(ge.values()), t.copyOut(ga.values()), tol, gradients, seed);
            }
            assertTensorClose(what + " " + t.name(), se.copy(t.name()), sa.copy(t.name()), tol, values, seed);
        }
    }

    /**
     * A tensor within {@code tol} in relative norm; or, where the reference's is zero but for
     * rounding (below 1e-6 of {@code scale}, the norm of all the tensors of its kind), its error
     * within {@code tol} of that scale. The one such tensor: the bias of a conv or dense layer right
     * before a batchnorm, whose gradient is exactly 0 (the batch mean takes it out). Measured: the
     * reference's 2.4e-16 (double rounding) against the cpu engine's -3.8e-8 (float32 rounding),
     * a relative error of 1e8 that says nothing, while the gradient as a whole is at 1e-1.
     */
    public static void assertTensorClose(String name, double[] expected, double[] actual, double tol, double scale, long seed) {
        double norm = Math.sqrt(squares(expected));
        if (norm >= 1e-6 * scale) {
            assertRelNorm(name, expected, actual, tol, seed);
            return;
        }
        double[] error = new double[expected.length];
        for (int i = 0; i < error.length; i++) {
            error[i] = actual[i] - expected[i];
        }
        double off = Math.sqrt(squares(error));
        assertTrue(off <= tol * scale, String.format(java.util.Locale.ROOT, "%s: a zero tensor (norm %.3g) off by %.3g > %.3g x %.3g; seed %d",
                name, norm, off, tol, scale, seed));
    }

    private static double squares(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x * x;
        }
        return sum;
    }

    /** 100 SGD steps of the conv networks over shuffled epochs (partial last batches included): every tensor stays within 1e-4. */
    @ParameterizedTest(name = "{0} {1} batch {3}")
    @MethodSource("convNetworks")
    void convHundredStepsStayClose(Shape shape, String layers, Cost cost, int batch) {
        org.junit.jupiter.api.Assumptions.assumeTrue(computesConvNetworks(), "the engine computes no conv networks yet");
        long seed = 43;
        Network net = Network.parse(shape, layers, cost);
        Parameters p = Init.HE.initialise(net, seed);
        // A last batch of 2 rows or more in every epoch (batchnorm 1-d needs 2).
        Dataset data = SyntheticData.random("random", seed, 10 * Math.max(batch, 2) + 3, net.inputSize(), net.outputSize(), true);
        try (Engine engine = open(net, p); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            engine.setSeed(seed);
            ref.setSeed(seed);
            train(engine, data, 100, batch, 0.1, seed);
            train(ref, data, 100, batch, 0.1, seed);
            TrainingState e = ref.state();
            TrainingState a = engine.state();
            double values = Math.sqrt(squares(e.values()));
            for (ParameterLayout.Tensor t : e.layout().tensors()) {
                assertTensorClose(t.name() + " after 100 steps", e.copy(t.name()), a.copy(t.name()), HUNDRED_STEPS, values, seed);
            }
        }
    }

    /**
     * A conv run resumed from its state (Adam's moments and the running statistics included)
     * ends where the uninterrupted one does: 7 steps of 6, the state copied into a second engine,
     * 9 more steps of 4 on both.
     */
    @org.junit.jupiter.api.Test
    void convResumedFromStateEndsTheSame() {
        org.junit.jupiter.api.Assumptions.assumeTrue(computesConvNetworks(), "the engine computes no conv networks yet");
        long seed = 37;
        Network net = Network.parse(new Shape(3, 8, 8), "conv:4x3x3:p1,batchnorm,relu,maxpool:2,flatten,dropout:0.2,dense:6,batchnorm,"
                + "tanh,dense:3,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 80, net.inputSize(), net.outputSize(), true);
        try (Engine first = open(net, p); Engine resumed = open(net, Parameters.zeros(net))) {
            trainThenResume(first, resumed, data, Optimizer.of(Optimizer.Kind.ADAM), seed, new int[] {7, 6}, new int[] {40, 9, 4});
            assertResumedTheSame(first, resumed, "conv", seed);
        }
    }
}
