package backpropcl.engine;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.cpu.CpuEngine;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.engine.opencl.OpenClEngine;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import backpropcl.data.DataSplit;
import backpropcl.train.Checkpoint;
import backpropcl.train.Position;
import backpropcl.train.Shuffle;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import backpropcl.train.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The data-parallel engine over reference, cpu (single-threaded) and OpenCL (device 0) replicas:
 * one replica is the plain engine bit for bit; two and three agree with one engine within the
 * one-step and 100-step tolerances, dropout included; the replicas stay bitwise equal; a run is
 * deterministic for its N; resume on the same N is exact and on another N within tolerance.
 */
class DataParallelEngineTest {
    /** A network with dropout on its input and between layers, so slices must draw the batch's masks. */
    private static final Network NET = Network.parse(40, "dropout:0.2,dense:17,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
    private static final long SEED = 31;
    private static final Dataset DATA = SyntheticData.random("random", SEED, 200, NET.inputSize(), NET.outputSize(), true);

    /** The replica engines under test. */
    enum Kind {
        REFERENCE, CPU, OPENCL;

        Engine open(Network net, Parameters p) {
            return switch (this) {
                case REFERENCE -> new ReferenceEngine(net, p);
                case CPU -> new CpuEngine(net, p, 1);
                case OPENCL -> new OpenClEngine(net, p, 0);
            };
        }

        /** Skips OpenCL where no device is usable (the OpenCL tests' own rule fails that under CI). */
        void require() {
            if (this == OPENCL) {
                Assumptions.assumeTrue(OpenClDevices.unavailableReason().isEmpty(), "no OpenCL device");
            }
        }
    }

    private static DataParallelEngine parallel(Kind kind, int n, Parameters p) {
        List<Engine> replicas = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            replicas.add(kind.open(NET, p));
        }
        return new DataParallelEngine(replicas);
    }

    /** Steps of batch 13 (and a last partial one of 5) over a shuffled epoch, as the trainer does, with Adam. */
    private static void run(Engine e, int fromStep, int steps) {
        e.setTrainingData(DATA);
        e.setSeed(SEED);
        e.reserveBatch(13);
        for (int s = fromStep; s < fromStep + steps; s++) {
            int epochStep = s % 16;   // 15 batches of 13 and one of 5 make an epoch of 200
            if (epochStep == 0 || s == fromStep) {
                e.setOrder(Shuffle.permutation(DATA.count(), SEED, s / 16));
            }
            e.trainBatch(epochStep * 13, epochStep == 15 ? 5 : 13, 0.01);
        }
    }

    private static Engine withAdam(Engine e) {
        e.setOptimizer(Optimizer.of(Optimizer.Kind.ADAM));
        return e;
    }

    @Test
    void slicesAreCutFirstOnesLarger() {
        assertEquals(List.of(5, 4, 4), List.of(DataParallelEngine.sliceRows(13, 3, 0), DataParallelEngine.sliceRows(13, 3, 1),
                DataParallelEngine.sliceRows(13, 3, 2)));
        assertEquals(List.of(0, 5, 9), List.of(DataParallelEngine.sliceStart(13, 3, 0), DataParallelEngine.sliceStart(13, 3, 1),
                DataParallelEngine.sliceStart(13, 3, 2)));
        assertEquals(List.of(1, 0, 0), List.of(DataParallelEngine.sliceRows(1, 3, 0), DataParallelEngine.sliceRows(1, 3, 1),
                DataParallelEngine.sliceRows(1, 3, 2)));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void oneReplicaIsThePlainEngineBitForBit(Kind kind) {
        kind.require();
        Parameters p = Init.HE.initialise(NET, SEED);
        try (Engine plain = withAdam(kind.open(NET, p)); Engine one = withAdam(parallel(kind, 1, p))) {
            run(plain, 0, 40);
            run(one, 0, 40);
            assertTrue(plain.state().bitwiseEquals(one.state()), "one replica differs from the plain engine");
        }
    }

    /** Gradients of one step within ONE_STEP of one engine's, and weights after 100 steps within HUNDRED_STEPS; a batch of 1 too. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void twoAndThreeReplicasAgreeWithOneEngine(Kind kind) {
        kind.require();
        Parameters p = Init.HE.initialise(NET, SEED);
        for (int n : new int[] {2, 3}) {
            try (Engine plain = kind.open(NET, p); DataParallelEngine dp = parallel(kind, n, p)) {
                for (Engine e : new Engine[] {plain, dp}) {
                    e.setTrainingData(DATA);
                    e.setSeed(SEED);
                    e.setOrder(Shuffle.permutation(DATA.count(), SEED, 0));
                }
                for (int[] batch : new int[][] {{3, 13}, {20, 1}, {40, 2}}) {
                    plain.computeGradients(batch[0], batch[1]);
                    dp.computeGradients(batch[0], batch[1]);
                    Gradients g = dp.gradients();
                    assertEquals(batch[1], g.rows());
                    assertRelNorm(n + " replicas' gradients of " + batch[1] + " rows", plain.gradients().values(), g.values(),
                            EngineEquivalenceTest.ONE_STEP, SEED);
                }
                run(plain, 0, 100);
                run(dp, 0, 100);
                assertRelNorm(n + " replicas after 100 steps", plain.state().values(), dp.state().values(),
                        EngineEquivalenceTest.HUNDRED_STEPS, SEED);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void replicasStayBitwiseEqualAndRunsRepeat(Kind kind) {
        kind.require();
        Parameters p = Init.HE.initialise(NET, SEED);
        try (DataParallelEngine a = parallel(kind, 3, p); DataParallelEngine b = parallel(kind, 3, p)) {
            withAdam(a);
            withAdam(b);
            run(a, 0, 100);
            run(b, 0, 100);
            TrainingState first = a.replica(0).state();
            for (int k = 1; k < 3; k++) {
                assertTrue(first.bitwiseEquals(a.replica(k).state()), "replica " + k + " differs from replica 0 after 100 steps");
            }
            assertTrue(first.bitwiseEquals(b.state()), "two runs on 3 replicas differ");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void resumesExactlyOnTheSameCountAndCloseOnAnother(Kind kind) {
        kind.require();
        Parameters p = Init.HE.initialise(NET, SEED);
        try (DataParallelEngine whole = parallel(kind, 2, p); DataParallelEngine same = parallel(kind, 2, Parameters.zeros(NET));
                DataParallelEngine other = parallel(kind, 3, Parameters.zeros(NET))) {
            withAdam(whole);
            run(whole, 0, 21);
            TrainingState checkpoint = whole.state();
            run(whole, 21, 30);
            for (DataParallelEngine resumed : new DataParallelEngine[] {same, other}) {
                resumed.setState(checkpoint);
                run(resumed, 21, 30);
            }
            assertTrue(whole.state().bitwiseEquals(same.state()), "resumed on the same replica count differs");
            assertEquals(51, other.state().steps());
            assertRelNorm("resumed on 3 replicas", whole.state().values(), other.state().values(), EngineEquivalenceTest.HUNDRED_STEPS,
                    SEED);
        }
    }

    /**
     * A data-parallel step on OpenCL replicas moves each replica's gradients as one flat buffer:
     * exactly one read and one write per replica (with a buffer per tensor this network's 4
     * tensors took 4 and 4), and the buffer's padded layout maps back to the flat one exactly.
     */
    @Test
    void anOpenClStepReadsAndWritesOneGradientBufferPerReplica() {
        Kind.OPENCL.require();
        Parameters p = Init.HE.initialise(NET, SEED);
        try (DataParallelEngine dp = parallel(Kind.OPENCL, 2, p)) {
            run(dp, 0, 2);   // the buffers made, the order uploaded: what follows is a step
            long reads = backpropcl.engine.opencl.LiveObjects.reads();
            long writes = backpropcl.engine.opencl.LiveObjects.writes();
            dp.trainBatch(26, 13, 0.01);
            assertEquals(2, backpropcl.engine.opencl.LiveObjects.reads() - reads, "reads in one step of 2 replicas");
            assertEquals(2, backpropcl.engine.opencl.LiveObjects.writes() - writes, "writes in one step of 2 replicas");

            Gradients set = new Gradients(NET);
            double[] v = set.values();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (i * 0.25 - 3);   // every element distinct, exact in float
            }
            set.setRows(7);
            Engine one = dp.replica(1);
            one.setGradients(set);
            Gradients back = one.gradients();
            assertArrayEquals(v, back.values(), "setGradients then gradients through the padded device buffer");
            assertEquals(7, back.rows());
        }
    }

    /**
     * A replica whose gradient copy arrives only when the sum awaits it (as an OpenCL read in
     * flight does), range by range: the run is bitwise the one with copies made at once, so the
     * sum waits for each replica's range before its term; a copy that fails while another lane
     * sums it is named as its own replica's failure.
     */
    @Test
    void theSumWaitsForEachReplicasCopyAndNamesTheOneThatFails() {
        Parameters p = Init.HE.initialise(NET, SEED);
        java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean();
        Engine late = new backpropcl.testing.ForwardingEngine(NET, p) {
            private final Gradients copy = new Gradients(NET);

            @Override
            public GradientArrival gradientsArriving(Gradients into) {
                inner.gradients(copy);
                into.setRows(copy.rows());
                java.util.Arrays.fill(into.values(), Double.NaN);   // what a read in flight leaves there
                return (from, to) -> {
                    if (fail.get()) {
                        throw new IllegalStateException("planted: the read failed");
                    }
                    System.arraycopy(copy.values(), from, into.values(), from, to - from);
                };
            }
        };
        try (DataParallelEngine arriving = new DataParallelEngine(List.of(new ReferenceEngine(NET, p), late));
                DataParallelEngine atOnce = new DataParallelEngine(List.of(new ReferenceEngine(NET, p), new ReferenceEngine(NET, p)))) {
            run(arriving, 0, 20);
            run(atOnce, 0, 20);
            assertTrue(atOnce.state().bitwiseEquals(arriving.state()), "a copy summed before it arrived");
            fail.set(true);
            ReplicaException e = assertThrows(ReplicaException.class, () -> arriving.trainBatch(0, 12, 0.1));
            assertEquals(1, e.replica());
            assertTrue(e.getMessage().endsWith("failed: IllegalStateException: planted: the read failed"), e.getMessage());
        }
    }

    /** BACKPROP_CL_FAIL_REPLICA's K@STEP: replica K throws at the STEP-th step of the engine and not before; malformed values refused. */
    @Test
    void aPlantedFailureStrikesItsReplicaAtItsStep() {
        assertEquals(java.util.Optional.of(new PlantedFailure(1, 3)), PlantedFailure.parse(" 1@3 "));
        assertEquals(java.util.Optional.empty(), PlantedFailure.parse(null));
        assertEquals(java.util.Optional.empty(), PlantedFailure.parse(""));
        for (String bad : new String[] {"1", "-1@3", "1@0", "1@x", "1@2@3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlantedFailure.parse(bad), bad);
            assertEquals("BACKPROP_CL_FAIL_REPLICA: expected K@STEP (replica K >= 0 fails at step STEP >= 1), got '" + bad + "'",
                    e.getMessage());
        }
        Parameters p = Init.HE.initialise(NET, SEED);
        try (DataParallelEngine dp = parallel(Kind.REFERENCE, 2, p)) {
            dp.plant(new PlantedFailure(1, 3));
            dp.setTrainingData(DATA);
            dp.trainBatch(0, 10, 0.1);
            dp.computeGradients(10, 10, 0);
            ReplicaException e = assertThrows(ReplicaException.class, () -> dp.trainBatch(20, 10, 0.1));
            assertEquals(1, e.replica());
            dp.trainBatch(20, 10, 0.1);   // step 4: past it
            assertEquals(2, dp.state().steps());
        }
    }

    @Test
    void closeClosesEveryReplica() {
        Parameters p = Init.HE.initialise(NET, SEED);
        DataParallelEngine dp = parallel(Kind.CPU, 2, p);
        dp.close();
        for (int k = 0; k < 2; k++) {
            Engine r = dp.replica(k);
            assertThrows(IllegalStateException.class, r::parameters, "replica " + k + " is still open");
        }
        assertThrows(IllegalStateException.class, dp::parameters);
    }

    @Test
    void aReplicasFailureNamesTheReplica() {
        Parameters p = Init.HE.initialise(NET, SEED);
        try (DataParallelEngine dp = new DataParallelEngine(List.of(new CpuEngine(NET, p, 1), new Failing(p, 0)))) {
            dp.setTrainingData(DATA);
            ReplicaException e = assertThrows(ReplicaException.class, () -> dp.trainBatch(0, 10, 0.1));
            assertEquals(1, e.replica());
            assertEquals("replica 1 (" + dp.replica(1).description() + ") failed: IllegalStateException: planted: the device was lost",
                    e.getMessage());
        }
    }

    /**
     * A step that fails on one lane skips its later phases everywhere (no update anywhere) and
     * leaves the lanes ready: the next steps run (no lane is left at a barrier) and the replicas
     * stay bitwise equal.
     */
    @Test
    void aFailedStepLeavesTheLanesReadyForTheNext() {
        Parameters p = Init.HE.initialise(NET, SEED);
        Engine once = new backpropcl.testing.ForwardingEngine(NET, p) {
            private boolean failedOnce;

            @Override
            public void computeGradients(int start, int rows, int firstRow) {
                if (!failedOnce) {
                    failedOnce = true;
                    throw new IllegalStateException("planted: one lost step");
                }
                super.computeGradients(start, rows, firstRow);
            }
        };
        try (DataParallelEngine dp = new DataParallelEngine(List.of(new ReferenceEngine(NET, p), once, new ReferenceEngine(NET, p)))) {
            dp.setTrainingData(DATA);
            ReplicaException e = assertThrows(ReplicaException.class, () -> dp.trainBatch(0, 12, 0.1));
            assertEquals(1, e.replica());
            assertEquals(0, dp.state().steps(), "the failed step updated nothing");
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int s = 0; s < 5; s++) {
                    dp.trainBatch(12 * s, 12, 0.1);
                }
            });
            TrainingState first = dp.replica(0).state();
            assertEquals(5, first.steps());
            for (int k = 1; k < 3; k++) {
                assertTrue(first.bitwiseEquals(dp.replica(k).state()), "replica " + k + " differs from replica 0");
            }
        }
    }

    /**
     * The host's sum over a split of the elements into ranges is the sum over all of them, bit for
     * bit (each element in the same order k = 0..N-1), a slice of 0 rows (null) skipped, and one
     * slice's gradients come back exactly, -0 included.
     */
    @Test
    void theSumSplitByRangesIsTheWholeSumBitForBit() {
        java.util.Random random = new java.util.Random(SEED);
        Gradients[] parts = new Gradients[4];
        int[] rows = {4, 3, 0, 3};
        for (int k = 0; k < parts.length; k++) {
            if (rows[k] > 0) {
                parts[k] = new Gradients(NET);
                parts[k].setRows(rows[k]);
                double[] v = parts[k].values();
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4);
                }
            }
        }
        int length = parts[0].values().length;
        double[] whole = new double[length];
        DataParallelEngine.weightedSum(parts, 10, whole, 0, length);
        double[] split = new double[length];
        int[] cuts = {0, 1, length / 3, length / 3 + 7, length};
        for (int c = 0; c + 1 < cuts.length; c++) {
            DataParallelEngine.weightedSum(parts, 10, split, cuts[c], cuts[c + 1]);
        }
        assertArrayEquals(whole, split);
        double[] byHand = new double[length];
        for (int i = 0; i < length; i++) {
            byHand[i] = 0.4 * parts[0].values()[i];
            byHand[i] += 0.3 * parts[1].values()[i];
            byHand[i] += 0.3 * parts[3].values()[i];
        }
        assertArrayEquals(byHand, whole);

        Gradients single = parts[0].copy();
        single.values()[5] = -0.0;
        double[] one = new double[length];
        DataParallelEngine.weightedSum(new Gradients[] {null, single}, 4, one, 0, length);
        assertArrayEquals(single.values(), one);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(one[5]));
    }

    /**
     * A replica that fails in the second epoch stops the run with its failure, and the checkpoint
     * of the first epoch stays, whole: a resume goes on from it.
     */
    @Test
    void aFailureMidRunKeepsTheLastCheckpoint(@TempDir Path dir) {
        Parameters p = Init.HE.initialise(NET, SEED);
        DataSplit data = new DataSplit("random", DATA, SyntheticData.random("test", 2, 30, NET.inputSize(), NET.outputSize(), true));
        TrainingConfig config = TrainingConfig.builder().epochs(3).batchSize(20).seed(3).build();
        // 200 rows in batches of 20: 10 batches an epoch; the second replica fails at its 15th slice.
        try (DataParallelEngine dp = new DataParallelEngine(List.of(new CpuEngine(NET, p, 1), new Failing(p, 14)))) {
            Trainer trainer = new Trainer(config).checkpointTo(dir);
            assertThrows(ReplicaException.class, () -> trainer.run(dp, data, Trainer.Start.fresh(), new TrainingListener() { }));
        }
        Checkpoint kept = Checkpoint.load(dir);
        assertEquals(new Position(1, 0), kept.next(), "the checkpoint of epoch 1 is the one kept");
        assertEquals(10, kept.state().steps());
    }

    /** A replica whose gradients fail after {@code good} slices, as a device lost mid-run. */
    private static final class Failing extends backpropcl.testing.ForwardingEngine {
        private int good;

        Failing(Parameters p, int good) {
            super(NET, p);
            this.good = good;
        }

        @Override
        public void computeGradients(int start, int rows, int firstRow) {
            if (good-- <= 0) {
                throw new IllegalStateException("planted: the device was lost");
            }
            super.computeGradients(start, rows, firstRow);
        }
    }
}
