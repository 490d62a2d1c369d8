package backpropcl.engine.opencl;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import backpropcl.train.Shuffle;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenCL engine against the reference engine, step by step and over many steps. */
class OpenClEngineTest {
    /** One step, float32 against double, relative norm error per tensor (docs/DESIGN: Precision). */
    static final double ONE_STEP = 1e-5;
    /** Weights after 100 SGD steps. */
    static final double HUNDRED_STEPS = 1e-4;

    @BeforeAll
    static void device() {
        OpenClTestSupport.requireDevice();
    }

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
     * Two steps (a full batch, then a smaller one through the same buffers) from Xavier parameters on
     * [0, 1] features: z, a, delta, the gradients and the updated weights of every layer agree.
     */
    @ParameterizedTest(name = "{0}/{1}/{2} {3} batch {4}")
    @MethodSource("combinations")
    void stepMatchesReference(Activation hidden, Activation output, Cost cost, String arch, int batch, long seed) {
        Network net = Network.of(arch, hidden, output, cost);
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 2 * batch + 10, net.inputSize(), net.outputSize(), seed % 2 == 0);
        int[] order = Shuffle.permutation(data.count(), seed, 0);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : new Engine[] {cl, ref}) {
                e.setTrainingData(data);
                e.setOrder(order);
            }
            int[][] steps = {{3, batch}, {batch + 5, Math.max(1, batch / 3)}};
            for (int s = 0; s < steps.length; s++) {
                cl.trainBatch(steps[s][0], steps[s][1], 0.5);
                ref.trainBatch(steps[s][0], steps[s][1], 0.5);
                compareTraces(net, ref, cl, "step " + s + " " + net, ONE_STEP, seed);
            }
        }
    }

    static void compareTraces(Network net, Engine ref, Engine cl, String what, double tol, long seed) {
        for (int l = 0; l < net.layers(); l++) {
            LayerTrace e = ref.trace(l);
            LayerTrace a = cl.trace(l);
            String at = what + " layer " + l + " ";
            assertRelNorm(at + "z", e.z(), a.z(), tol, seed);
            assertRelNorm(at + "a", e.a(), a.a(), tol, seed);
            assertRelNorm(at + "delta", e.delta(), a.delta(), tol, seed);
            assertRelNorm(at + "nablaW", e.gradWeights(), a.gradWeights(), tol, seed);
            assertRelNorm(at + "nablaB", e.gradBiases(), a.gradBiases(), tol, seed);
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

    /** 100 SGD steps over shuffled epochs of a small random set: the weights stay within 1e-4. */
    @ParameterizedTest(name = "{0} {1} lr {2} batch {3}")
    @MethodSource("hundredStepNetworks")
    void hundredStepsStayClose(Network net, Init init, double lr, int batch) {
        long seed = 42;
        Parameters p = init.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 300, net.inputSize(), net.outputSize(), true);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            train(cl, data, 100, batch, lr, seed);
            train(ref, data, 100, batch, lr, seed);
            Parameters a = cl.parameters();
            Parameters e = ref.parameters();
            for (int l = 0; l < net.layers(); l++) {
                assertRelNorm("W[" + l + "] after 100 steps", toDouble(e.weights(l)), toDouble(a.weights(l)), HUNDRED_STEPS, seed);
                assertRelNorm("b[" + l + "] after 100 steps", toDouble(e.biases(l)), toDouble(a.biases(l)), HUNDRED_STEPS, seed);
            }
            // The double reference read back in float loses what float cannot hold; compare its own values too.
            for (int l = 0; l < net.layers(); l++) {
                assertRelNorm("W[" + l + "] after 100 steps (double)", ref.weights(l), cl.trace(l).weights(), HUNDRED_STEPS, seed);
            }
        }
    }

    /** Steps in shuffled epochs, as the Trainer does them (partial last batch included). */
    static void train(Engine e, Dataset data, int steps, int batch, double lr, long seed) {
        e.setTrainingData(data);
        int done = 0;
        for (int epoch = 0; done < steps; epoch++) {
            e.setOrder(Shuffle.permutation(data.count(), seed, epoch));
            for (int start = 0; start < data.count() && done < steps; start += batch, done++) {
                e.trainBatch(start, Math.min(batch, data.count() - start), lr);
            }
        }
    }

    /** Two runs on one device are bitwise the same: no atomics, fixed summation order. */
    @Test
    void twoRunsOnOneDeviceAreBitwiseEqual() {
        Network net = Network.of("784-64-33-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 5);
        Dataset data = SyntheticData.random("random", 5, 500, 784, 10, true);
        Dataset test = SyntheticData.random("test", 6, 700, 784, 10, false);
        Parameters[] after = new Parameters[2];
        Evaluation[] evals = new Evaluation[2];
        double[][] deltas = new double[2][];
        for (int run = 0; run < 2; run++) {
            try (OpenClEngine cl = new OpenClEngine(net, p, 0)) {
                train(cl, data, 40, 33, 0.05, 5);
                after[run] = cl.parameters();
                evals[run] = cl.evaluate(test);
                deltas[run] = cl.trace(0).delta();
            }
        }
        assertTrue(after[0].bitwiseEquals(after[1]), "parameters differ between two runs");
        assertEquals(evals[0], evals[1]);
        assertArrayEquals(deltas[0], deltas[1]);
    }

    /**
     * Needs two OpenCL devices, e.g. {@code POCL_DEVICES="pthread pthread"}: device 1 is opened by
     * its index and trains to the same parameters as device 0. Skipped (also under CI) with fewer.
     */
    @Test
    void secondDeviceIsSelectableByIndex() {
        List<DeviceInfo> devices = OpenClDevices.list();
        org.junit.jupiter.api.Assumptions.assumeTrue(devices.size() >= 2,
                "needs two OpenCL devices; run with POCL_DEVICES=\"pthread pthread\"");
        Network net = Network.of("64-17-10", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.XAVIER.initialise(net, 9);
        Dataset data = SyntheticData.random("random", 9, 200, 64, 10, true);
        Parameters[] after = new Parameters[2];
        for (int d = 0; d < 2; d++) {
            try (OpenClEngine cl = new OpenClEngine(net, p, d)) {
                assertEquals(d, cl.deviceIndex());
                assertEquals(devices.get(d), cl.device());
                train(cl, data, 30, 16, 0.3, 9);
                after[d] = cl.parameters();
            }
        }
        if (devices.get(0).name().equals(devices.get(1).name()) && devices.get(0).driverVersion().equals(devices.get(1).driverVersion())) {
            assertTrue(after[0].bitwiseEquals(after[1]), "two identical devices gave different parameters");
        }
        for (int l = 0; l < net.layers(); l++) {
            assertRelNorm("W[" + l + "] device 1 vs 0", toDouble(after[0].weights(l)), toDouble(after[1].weights(l)), 1e-5, 9);
        }
    }

    /** evaluate() gives the reference's mean cost and accuracy, on a test set and on the training set. */
    @ParameterizedTest(name = "{0}/{1}/{2}")
    @MethodSource("evaluationNetworks")
    void evaluateMatchesReference(Activation hidden, Activation output, Cost cost) {
        long seed = 17 + hidden.ordinal() * 7 + output.ordinal();
        Network net = Network.of("100-33-10", hidden, output, cost);
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset train = SyntheticData.random("train", seed, 300, 100, 10, true);
        Dataset test = SyntheticData.random("test", seed + 1, OpenClEngine.EVAL_ROWS * 2 + 77, 100, 10, false);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            train(cl, train, 12, 25, 0.5, seed);
            train(ref, train, 12, 25, 0.5, seed);
            LayerTrace before = cl.trace(1);
            for (Dataset d : new Dataset[] {test, train, test}) {
                Evaluation e = ref.evaluate(d);
                Evaluation a = cl.evaluate(d);
                assertEquals(e.count(), a.count());
                assertEquals(e.correct(), a.correct(), d.name() + " correct");
                assertEquals(e.meanCost(), a.meanCost(), 1e-5 * Math.abs(e.meanCost()), d.name() + " mean cost");
            }
            // Evaluation runs through its own buffers: the last batch's trace is intact.
            assertArrayEquals(before.a(), cl.trace(1).a());
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

    @Test
    void parametersRoundTripBitwise() {
        Network net = Network.of("17-3-2", Activation.TANH, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Init.NORMAL.initialise(net, 3);
        Parameters q = Init.NORMAL.initialise(net, 4);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0)) {
            assertTrue(cl.parameters().bitwiseEquals(p));
            cl.setParameters(q);
            assertTrue(cl.parameters().bitwiseEquals(q));
            assertTrue(cl.description().startsWith("opencl (" + cl.device().name() + ", "), cl.description());
            assertTrue(cl.tileSize() >= 1 && cl.tileSize() <= 16);
            assertThrows(IllegalStateException.class, () -> cl.trace(0), "trace before any batch");
            assertThrows(IllegalArgumentException.class,
                    () -> cl.setTrainingData(SyntheticData.random("wide", 1, 5, 18, 2, true)));
            assertThrows(IllegalStateException.class, () -> cl.trainBatch(0, 1, 0.1), "no training data");
            cl.setTrainingData(SyntheticData.random("ok", 1, 5, 17, 2, true));
            assertThrows(IllegalArgumentException.class, () -> cl.trainBatch(3, 3, 0.1), "past the end");
            assertThrows(IllegalArgumentException.class, () -> cl.setOrder(new int[] {0, 1, 2, 3, 3}), "not a permutation");
            assertEquals(new Evaluation(0, 0, 0), cl.evaluate(SyntheticData.random("empty", 1, 0, 17, 2, true)));
        }
    }

    @Test
    void badDeviceIndexNamesTheValidRange() {
        Network net = Network.of("3-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        int n = OpenClDevices.list().size();
        for (int bad : new int[] {-1, n, 99}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OpenClEngine(net, p, bad));
            assertTrue(e.getMessage().contains("0.." + (n - 1)), e.getMessage());
        }
        assertEquals(0, ClContext.liveCount());
    }

    /**
     * 200 engines opened, used (training data, order, a batch, an evaluation) and closed: no
     * buffer, program or context outlives its engine, and the process does not grow.
     */
    @Test
    void openCloseCyclesLeakNothing() {
        Network net = Network.of("20-7-3", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 1);
        Dataset train = SyntheticData.random("train", 1, 40, 20, 3, true);
        Dataset test = SyntheticData.random("test", 2, 30, 20, 3, false);
        int[] order = Shuffle.permutation(40, 1, 0);
        assertEquals(0, ClBuffer.liveCount(), "buffers alive before the test");
        long rssAt20 = 0;
        for (int cycle = 0; cycle < 200; cycle++) {
            try (OpenClEngine cl = new OpenClEngine(net, p, 0)) {
                cl.setTrainingData(train);
                cl.setOrder(order);
                cl.trainBatch(0, 16, 0.1);
                cl.trainBatch(16, 24, 0.1);   // a larger batch reallocates the pass
                cl.evaluate(test);
                assertTrue(ClBuffer.liveCount() > 0);
            }
            assertEquals(0, ClBuffer.liveCount(), "buffers alive after cycle " + cycle);
            assertEquals(0, ClProgram.liveCount(), "programs alive after cycle " + cycle);
            assertEquals(0, ClContext.liveCount(), "contexts alive after cycle " + cycle);
            if (cycle == 20) {
                rssAt20 = residentBytes();
            }
        }
        long growth = residentBytes() - rssAt20;
        assertTrue(growth < 96L << 20, "resident memory grew by " + (growth >> 20) + " MiB over 180 open/close cycles");
    }

    /** VmRSS of this process from /proc (0 where there is no /proc). */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    static double[] toDouble(float[] f) {
        return backpropcl.testing.Assertions2.toDouble(f);
    }
}
