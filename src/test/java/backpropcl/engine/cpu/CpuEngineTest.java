package backpropcl.engine.cpu;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import backpropcl.train.Shuffle;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cpu engine against the reference engine, step by step and over many steps (inherited), and
 * across thread counts.
 */
class CpuEngineTest extends EngineEquivalenceTest {

    @Override
    protected Engine open(Network net, Parameters initial) {
        return new CpuEngine(net, initial, 2);
    }

    @Override
    protected int evaluationBlockRows() {
        return CpuEngine.EVAL_ROWS;
    }

    /**
     * A network whose first layer's products are large enough for a native sgemm (where an
     * optimised BLAS is installed): one step and a partial one against the reference, and two
     * engines bitwise equal.
     */
    @Test
    void largeProductsOnNativeGemmMatchReference() {
        Network net = Network.of("600-300-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 9);
        Dataset data = SyntheticData.random("random", 9, 600, net.inputSize(), net.outputSize(), true);
        Parameters[] after = new Parameters[2];
        for (int run = 0; run < 2; run++) {
            try (CpuEngine cpu = new CpuEngine(net, p, 2); ReferenceEngine ref = new ReferenceEngine(net, p)) {
                for (Engine e : new Engine[] {cpu, ref}) {
                    e.setTrainingData(data);
                    e.setOrder(Shuffle.permutation(data.count(), 9, 0));
                    e.trainBatch(0, 256, 0.1);
                }
                compareTraces(net, ref, cpu, cpu.description(), ONE_STEP, 9);
                cpu.trainBatch(256, 100, 0.1);
                ref.trainBatch(256, 100, 0.1);
                compareTraces(net, ref, cpu, "partial batch " + cpu.description(), ONE_STEP, 9);
                after[run] = cpu.parameters();
            }
        }
        assertTrue(after[0].bitwiseEquals(after[1]), "two runs differ");
    }

    /**
     * Dropout before a product large enough for a native sgemm (where an optimised BLAS is
     * installed), which takes the product whole: the dropout is drawn on the pool before it, and
     * the steps, shuffled and in file order, match the reference.
     */
    @Test
    void dropoutBeforeNativeGemmMatchesReference() {
        Network net = Network.parse(600, "dropout:0.3,dense:300,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 12);
        Dataset data = SyntheticData.random("random", 12, 600, net.inputSize(), net.outputSize(), true);
        try (CpuEngine cpu = new CpuEngine(net, p, 2); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : new Engine[] {cpu, ref}) {
                e.setTrainingData(data);
                e.setSeed(12);
                e.setOrder(Shuffle.permutation(data.count(), 12, 0));
                e.trainBatch(0, 256, 0.1);
            }
            compareTraces(net, ref, cpu, "shuffled " + cpu.description(), ONE_STEP, 12);
            for (Engine e : new Engine[] {cpu, ref}) {
                e.setOrder(null);
                e.trainBatch(300, 256, 0.1);
            }
            compareTraces(net, ref, cpu, "file order " + cpu.description(), ONE_STEP, 12);
        }
    }

    /**
     * Two runs are bitwise the same, and so are runs on 1, 2 and 3 threads: the steps are cut by
     * shape alone and every element is summed by one thread in a fixed order.
     */
    @Test
    void runsAreBitwiseEqualOnAnyNumberOfThreads() {
        Network net = Network.of("784-128-33-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        int batch = 100;
        assertTrue(Chunks.count(batch, 2L * 784 * 128) > 2, "the test shape must be cut into several chunks");
        Parameters p = Init.HE.initialise(net, 5);
        Dataset data = SyntheticData.random("random", 5, 450, 784, 10, true);
        Dataset test = SyntheticData.random("test", 6, 700, 784, 10, false);
        int[] threads = {2, 2, 1, 3};
        Parameters[] after = new Parameters[threads.length];
        Evaluation[] evals = new Evaluation[threads.length];
        LayerTrace[] traces = new LayerTrace[threads.length];
        for (int run = 0; run < threads.length; run++) {
            try (CpuEngine cpu = new CpuEngine(net, p, threads[run])) {
                assertEquals(threads[run], cpu.threads());
                train(cpu, data, 12, batch, 0.05, 5);
                after[run] = cpu.parameters();
                evals[run] = cpu.evaluate(test);
                traces[run] = cpu.trace(0);
            }
        }
        for (int run = 1; run < threads.length; run++) {
            String what = "run " + run + " on " + threads[run] + " threads against run 0 on " + threads[0];
            assertTrue(after[0].bitwiseEquals(after[run]), "parameters differ: " + what);
            assertEquals(evals[0], evals[run], what);
            assertArrayEquals(traces[0].delta(), traces[run].delta(), what);
            assertArrayEquals(traces[0].gradW(), traces[run].gradW(), what);
        }
    }

    /**
     * Dropout on the input and on a hidden layer, with the first layer cut into several chunks:
     * in file order (the input read in place, dropped into its own block) and shuffled, every
     * tensor agrees with the reference after each step, and 1, 2 and 3 threads give the same bits.
     */
    @Test
    void dropoutInFileOrderOnSeveralThreadsMatchesReference() {
        Network net = Network.parse(784, "dropout:0.2,dense:64,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        int batch = 100;
        assertTrue(Chunks.count(batch, 2L * 784 * 64) > 2, "the test shape must be cut into several chunks");
        long seed = 31;
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 300, 784, 10, true);
        int[] order = Shuffle.permutation(data.count(), seed, 0);
        int[] threads = {2, 1, 3};
        TrainingState[] after = new TrainingState[threads.length];
        for (int run = 0; run < threads.length; run++) {
            try (CpuEngine cpu = new CpuEngine(net, p, threads[run]); ReferenceEngine ref = new ReferenceEngine(net, p)) {
                for (Engine e : new Engine[] {cpu, ref}) {
                    e.setTrainingData(data);
                    e.setSeed(seed);
                }
                for (int s = 0; s < 4; s++) {
                    // Steps 0 and 1 in file order, 2 and 3 shuffled.
                    int[] stepOrder = s < 2 ? null : order;
                    cpu.setOrder(stepOrder);
                    ref.setOrder(stepOrder);
                    cpu.trainBatch(s * 50, batch, 0.1);
                    ref.trainBatch(s * 50, batch, 0.1);
                    compareTraces(net, ref, cpu, "dropout step " + s + " on " + threads[run] + " threads", ONE_STEP, seed);
                }
                after[run] = cpu.state();
            }
        }
        for (int run = 1; run < threads.length; run++) {
            assertTrue(after[0].bitwiseEquals(after[run]), "state on " + threads[run] + " threads differs from " + threads[0]);
        }
    }

    /** Saturated outputs: the cross-entropy cost is taken from z, so it stays finite where ln a would be ln 0. */
    /**
     * A conv network large enough to be cut into chunks at batch 64 (the first conv's forward into
     * 8 by samples, its gradients by filters into chunks of a vector's lanes: 2 of 16 with AVX-512,
     * the batch norm's statistics and way back into 5 by channels): 5 steps (the last one partial)
     * and an evaluation on 1, 2 and 3 threads give the same bits.
     */
    @Test
    void convRunsAreBitwiseEqualOnAnyNumberOfThreads() {
        long seed = 53;
        Network net = Network.parse(new Shape(3, 16, 16), "conv:32x3x3:p1,batchnorm,relu,maxpool:2,conv:6x3x3,relu,flatten,dense:16,"
                + "batchnorm,tanh,dense:5,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 200, net.inputSize(), net.outputSize(), true);
        int[] threads = {2, 1, 3};
        TrainingState[] after = new TrainingState[threads.length];
        Evaluation[] evals = new Evaluation[threads.length];
        for (int run = 0; run < threads.length; run++) {
            try (CpuEngine cpu = new CpuEngine(net, p, threads[run])) {
                train(cpu, data, 5, 64, 0.1, seed);
                after[run] = cpu.state();
                evals[run] = cpu.evaluate(data);
            }
        }
        for (int run = 1; run < threads.length; run++) {
            assertTrue(after[0].bitwiseEquals(after[run]), "state on " + threads[run] + " threads differs from " + threads[0]);
            assertEquals(evals[0], evals[run], "evaluation on " + threads[run] + " threads");
        }
    }

    /**
     * traceLayers, after keepLayerTraces, lists the reference's tensors in its order, every
     * layer's output and gradient within the one-step tolerance; keeping them changes no bit of
     * the step; without keepLayerTraces it is refused.
     */
    @Test
    void layerTracesMatchTheReferencesAndChangeNothing() {
        long seed = 47;
        Network net = Network.parse(new Shape(2, 9, 9), "conv:3x3x3:p1,batchnorm,relu,maxpool:3:s2,tanh,conv:4x2x2,relu,batchnorm,"
                + "flatten,dropout:0.2,dense:6,sigmoid,dense:3,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 40, net.inputSize(), net.outputSize(), true);
        try (CpuEngine cpu = new CpuEngine(net, p, 2); CpuEngine plain = new CpuEngine(net, p, 2); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            cpu.keepLayerTraces();
            for (Engine e : new Engine[] {cpu, plain, ref}) {
                e.setTrainingData(data);
                e.setOrder(Shuffle.permutation(data.count(), seed, 0));
                e.setSeed(seed);
                e.trainBatch(4, 11, 0.3);
            }
            List<LayerTrace.Tensor> a = cpu.traceLayers();
            List<LayerTrace.Tensor> e = ref.traceLayers();
            assertEquals(e.stream().map(t -> t.layer() + " " + t.name()).toList(), a.stream().map(t -> t.layer() + " " + t.name()).toList());
            for (int i = 0; i < e.size(); i++) {
                if (e.get(i).name().equals("out") || e.get(i).name().equals("grad out")) {
                    assertRelNorm(e.get(i).layer() + " " + e.get(i).name(), e.get(i).values(), a.get(i).values(), ONE_STEP, seed);
                }
            }
            assertTrue(cpu.state().bitwiseEquals(plain.state()), "keeping the traces changed the step");
            assertThrows(IllegalStateException.class, plain::traceLayers);
        }
    }

    @Test
    void crossEntropyOfSaturatedOutputsIsFinite() {
        Network net = Network.of("4-3", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Parameters.zeros(net);
        p.setWeight(0, 0, 200f);    // output 0 gets z = 200 x0; the others 0
        Dataset d = new Dataset("saturated", new float[] {1, 0, 0, 0}, new int[] {1}, 1, 4, 3);
        try (CpuEngine cpu = new CpuEngine(net, p, 1); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            Evaluation e = cpu.evaluate(d);
            assertEquals(200, e.meanCost(), 1e-4);
            assertEquals(ref.evaluate(d).meanCost(), e.meanCost(), 1e-9);
            assertEquals(0, e.correct());
        }
    }

    /** A batch larger than any before replaces the buffers; a smaller one after it reuses them. */
    @Test
    void batchSizesGrowAndShrink() {
        Network net = Network.of("30-9-4", Activation.LEAKY_RELU, Activation.SOFTMAX, Cost.QUADRATIC);
        Parameters p = Init.XAVIER.initialise(net, 8);
        Dataset data = SyntheticData.random("random", 8, 200, 30, 4, false);
        try (CpuEngine cpu = new CpuEngine(net, p, 2); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : new Engine[] {cpu, ref}) {
                e.setTrainingData(data);
                e.setOrder(Shuffle.permutation(200, 8, 0));
            }
            int[][] steps = {{0, 1}, {1, 7}, {8, 150}, {158, 2}, {160, 40}};
            for (int[] s : steps) {
                cpu.trainBatch(s[0], s[1], 0.3);
                ref.trainBatch(s[0], s[1], 0.3);
                assertEquals(s[1] * 4, cpu.trace(1).z().length, "trace shows the last batch's rows");
                compareTraces(net, ref, cpu, "batch " + s[1] + " at " + s[0], ONE_STEP, 8);
            }
        }
    }

    @Test
    void parametersRoundTripAndMisuseIsRefused() {
        Network net = Network.of("17-3-2", Activation.TANH, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Init.NORMAL.initialise(net, 3);
        Parameters q = Init.NORMAL.initialise(net, 4);
        try (CpuEngine cpu = new CpuEngine(net, p, 2)) {
            assertTrue(cpu.parameters().bitwiseEquals(p));
            cpu.setParameters(q);
            assertTrue(cpu.parameters().bitwiseEquals(q));
            assertThrows(IllegalArgumentException.class,
                    () -> cpu.setParameters(Parameters.zeros(Network.of("17-4-2", Activation.TANH, Activation.SIGMOID, Cost.QUADRATIC))));
            assertThrows(IllegalStateException.class, () -> cpu.trace(0), "trace before any batch");
            assertThrows(IllegalStateException.class, () -> cpu.setOrder(new int[0]), "order before data");
            assertThrows(IllegalArgumentException.class,
                    () -> cpu.setTrainingData(SyntheticData.random("wide", 1, 5, 18, 2, true)));
            assertThrows(IllegalArgumentException.class,
                    () -> cpu.setTrainingData(SyntheticData.random("many classes", 1, 5, 17, 3, true)));
            assertThrows(IllegalStateException.class, () -> cpu.trainBatch(0, 1, 0.1), "no training data");
            cpu.setTrainingData(SyntheticData.random("ok", 1, 5, 17, 2, true));
            assertThrows(IllegalArgumentException.class, () -> cpu.trainBatch(3, 3, 0.1), "past the end");
            assertThrows(IllegalArgumentException.class, () -> cpu.trainBatch(0, 0, 0.1), "no rows");
            assertThrows(IllegalArgumentException.class, () -> cpu.trainBatch(-1, 2, 0.1), "before the start");
            assertThrows(IllegalArgumentException.class, () -> cpu.setOrder(new int[] {0, 1, 2, 3, 3}), "not a permutation");
            assertThrows(IllegalArgumentException.class, () -> cpu.setOrder(new int[] {0, 1, 2, 3}), "too short");
            assertEquals(new Evaluation(0, 0, 0), cpu.evaluate(SyntheticData.random("empty", 1, 0, 17, 2, true)));
            cpu.trainBatch(0, 5, 0.1);
            assertThrows(IndexOutOfBoundsException.class, () -> cpu.trace(2));
        }
    }

    @Test
    void descriptionNamesTheProductsAndThreads() {
        Network net = Network.of("3-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        try (CpuEngine one = new CpuEngine(net, Parameters.zeros(net), 1, false);
             CpuEngine two = new CpuEngine(net, Parameters.zeros(net), 2, false);
             CpuEngine any = new CpuEngine(net, Parameters.zeros(net), 2)) {
            // Surefire adds jdk.incubator.vector, as the launcher does: the SIMD kernels must be the ones in use.
            assertTrue(DenseProducts.vectorModule());
            assertEquals("cpu (float32 Java, Vector API kernels, 1 thread)", one.description());
            assertEquals("cpu (float32 Java, Vector API kernels, 2 threads)", two.description());
            String withNative = BlasLibrary.optimizedLibrary().map(lib -> " + " + lib + " sgemm for large products").orElse("");
            assertEquals("cpu (float32 Java, Vector API kernels" + withNative + ", 2 threads)", any.description());
        }
        assertThrows(IllegalArgumentException.class, () -> new CpuEngine(net, Parameters.zeros(net), 0));
    }

    @Test
    void closeIsIdempotentAndStopsTheWork() {
        Network net = Network.of("784-64-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Dataset data = SyntheticData.random("random", 3, 200, 784, 10, true);
        CpuEngine cpu = new CpuEngine(net, Init.HE.initialise(net, 3), 2);
        cpu.setTrainingData(data);
        cpu.trainBatch(0, 200, 0.1);
        cpu.close();
        assertDoesNotThrow(cpu::close);
        assertThrows(IllegalStateException.class, () -> cpu.trainBatch(0, 10, 0.1));
        assertThrows(IllegalStateException.class, () -> cpu.evaluate(data));
        assertThrows(IllegalStateException.class, cpu::parameters);
    }

    /** Engines opened and closed in a loop leave no worker thread behind. */
    @Test
    void closedEnginesLeaveNoThreads() {
        Network net = Network.of("20-7-3", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Dataset data = SyntheticData.random("train", 1, 40, 20, 3, true);
        for (int i = 0; i < 50; i++) {
            try (CpuEngine cpu = new CpuEngine(net, Init.HE.initialise(net, 1), 3)) {
                cpu.setTrainingData(data);
                cpu.trainBatch(0, 40, 0.1);
            }
        }
        long alive = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("cpu-engine-worker")).count();
        assertEquals(0, alive, "worker threads still alive");
    }
}
