package backpropcl.engine.opencl;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import backpropcl.train.Shuffle;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenCL engine against the reference engine, step by step and over many steps (inherited);
 * determinism, devices, plumbing and leaks.
 */
class OpenClEngineTest extends EngineEquivalenceTest {

    @Override
    protected Engine open(Network net, Parameters initial) {
        return new OpenClEngine(net, initial, 0);
    }

    @Override
    protected int evaluationBlockRows() {
        return OpenClEngine.EVAL_ROWS;
    }

    @BeforeAll
    static void device() {
        OpenClTestSupport.requireDevice();
    }

    /**
     * The halves compose to trainBatch bit for bit on this engine's fast paths too (the base test's
     * network has dropout, so it runs the layered path only): with the fused tail and without, in
     * each kernel family, for plain SGD (the fused SGD kernels against sgd_step) and Adam.
     */
    @ParameterizedTest(name = "{0} kernels, fused tail {1}, {2}")
    @MethodSource("fastPaths")
    void halvesComposeOnTheFastPaths(KernelTuner.Mode mode, boolean tail, Optimizer optimizer) {
        Network net = Network.parse(37, "dense:16,relu,dense:13,tanh,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 3);
        Dataset data = SyntheticData.random("random", 3, 60, 37, 10, true);
        int[] order = Shuffle.permutation(data.count(), 3, 0);
        try (OpenClEngine whole = new OpenClEngine(net, p, 0, mode, tail); OpenClEngine halves = new OpenClEngine(net, p, 0, mode, tail)) {
            for (OpenClEngine e : List.of(whole, halves)) {
                e.setOptimizer(optimizer);
                e.setTrainingData(data);
                e.setOrder(order);
            }
            for (int i = 0; i < 5; i++) {
                whole.trainBatch(i * 10, i == 4 ? 7 : 10, 0.3);
                halves.computeGradients(i * 10, i == 4 ? 7 : 10);
                halves.applyGradients(0.3);
                assertTrue(whole.state().bitwiseEquals(halves.state()), "halves differ from trainBatch after step " + i + ": "
                        + whole.kernelChoices());
            }
            assertEquals(tail, whole.kernelChoices().contains("fused"), whole.kernelChoices());
        }
    }

    static Stream<Arguments> fastPaths() {
        List<Arguments> out = new ArrayList<>();
        for (KernelTuner.Mode mode : new KernelTuner.Mode[] {KernelTuner.Mode.TILED, KernelTuner.Mode.BLOCKED}) {
            for (boolean tail : new boolean[] {true, false}) {
                for (Optimizer o : List.of(Optimizer.sgd(), Optimizer.of(Optimizer.Kind.ADAM))) {
                    out.add(Arguments.of(mode, tail, o));
                }
            }
        }
        return out.stream();
    }

    /** With dropout the fused tail is never taken, even where the layers would fit it. */
    @Test
    void dropoutTakesTheLayeredPath() {
        Network net = Network.parse(37, "dense:16,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        Dataset data = SyntheticData.random("random", 3, 20, 37, 10, true);
        try (OpenClEngine cl = new OpenClEngine(net, Init.HE.initialise(net, 3), 0, KernelTuner.Mode.TILED, true)) {
            cl.setTrainingData(data);
            cl.trainBatch(0, 10, 0.1);
            assertTrue(!cl.kernelChoices().contains("fused"), cl.kernelChoices());
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
        // Float32 on both sides after 30 steps: a bound of this test, not one of Tolerances' float32-vs-double ones.
        for (int l = 0; l < net.denseLayers(); l++) {
            assertRelNorm("W[" + l + "] device 1 vs 0", toDouble(after[0].copyWeights(l)), toDouble(after[1].copyWeights(l)), 1e-5, 9);
        }
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
}
