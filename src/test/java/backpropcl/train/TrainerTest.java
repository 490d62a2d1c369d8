package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static final Network NET = Network.of("4-6-3", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    /** Three classes, each a noisy one of three corners of the unit square in 4-D. */
    static DataSplit blobs(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(3);
            for (int j = 0; j < 4; j++) {
                double centre = (j == labels[i]) ? 1 : 0;
                x[i * 4 + j] = (float) (centre + 0.2 * rnd.nextGaussian());
            }
        }
        Dataset d = new Dataset("blobs", x, labels, n, 4, 3);
        return new DataSplit("blobs", d, d);
    }

    private static Parameters train(TrainingConfig config, long initSeed, DataSplit data) {
        try (ReferenceEngine e = new ReferenceEngine(NET, Init.XAVIER.initialise(NET, initSeed))) {
            new Trainer(config).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
            return e.parameters();
        }
    }

    @Test
    void sameSeedSameParametersBitwise() {
        DataSplit data = blobs(103, 1);
        TrainingConfig c = new TrainingConfig(3, 10, 0.5, true, 7, false);
        assertTrue(train(c, 1, data).bitwiseEquals(train(c, 1, data)));
        TrainingConfig otherShuffle = new TrainingConfig(3, 10, 0.5, true, 8, false);
        assertFalse(train(c, 1, data).bitwiseEquals(train(otherShuffle, 1, data)));
        assertFalse(train(c, 1, data).bitwiseEquals(train(c, 2, data)));
    }

    @Test
    void lastPartialBatchIsTrained() {
        DataSplit data = blobs(23, 2);
        List<Integer> samples = new ArrayList<>();
        TrainingListener counter = new TrainingListener() {
            @Override
            public void batchDone(int epoch, int batch, int samplesDone) {
                samples.add(samplesDone);
            }
        };
        try (ReferenceEngine e = new ReferenceEngine(NET, Init.XAVIER.initialise(NET, 1))) {
            new Trainer(new TrainingConfig(1, 10, 0.5, true, 1, false)).run(e, data, Trainer.Start.fresh(), counter);
            assertEquals(List.of(10, 20, 23), samples);
            assertEquals(3, e.trace(0).z().length / 6, "the last batch had 3 rows");
        }
    }

    @Test
    void learnsSeparableBlobs() {
        DataSplit data = blobs(300, 3);
        try (ReferenceEngine e = new ReferenceEngine(NET, Init.XAVIER.initialise(NET, 1))) {
            double before = e.evaluate(data.test()).accuracy();
            List<EpochResult> r = new Trainer(new TrainingConfig(10, 10, 0.5, true, 1, true)).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }).epochs();
            assertEquals(10, r.size());
            assertTrue(r.get(9).test().accuracy() > 0.95, "accuracy " + r.get(9).test().accuracy() + " (was " + before + ")");
            assertTrue(r.get(9).test().meanCost() < r.get(0).test().meanCost());
            assertEquals(r.get(9).test().accuracy(), r.get(9).train().accuracy(), 0.0, "train and test are the same set here");
        }
    }

    @Test
    void divergenceIsReported() {
        Network net = Network.of("4-6-3", Activation.RELU, Activation.IDENTITY, Cost.QUADRATIC);
        DataSplit data = blobs(50, 4);
        try (ReferenceEngine e = new ReferenceEngine(net, Init.NORMAL.initialise(net, 1))) {
            DivergedException d = assertThrows(DivergedException.class,
                    () -> new Trainer(new TrainingConfig(5, 5, 1e6, true, 1, false)).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }));
            assertTrue(d.getMessage().contains("try a lower learning rate"), d.getMessage());
            assertTrue(d.getMessage().matches("training diverged in epoch \\d+ at batch 10: .*"), d.getMessage());
            assertEquals(10, d.batch(), "5 samples a batch: the check after the last batch or the test evaluation found it");
        }
    }

    /** A run that diverges after good epochs stops with the epoch and batch, and its last checkpoint is the good one, untouched. */
    @Test
    void divergenceKeepsTheLastGoodCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        Network net = Network.of("4-6-3", Activation.RELU, Activation.IDENTITY, Cost.QUADRATIC);
        DataSplit data = blobs(500, 4);
        try (ReferenceEngine e = new ReferenceEngine(net, Init.XAVIER.initialise(net, 1))) {
            new Trainer(new TrainingConfig(2, 2, 0.01, true, 1, false)).checkpointTo(dir).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
            byte[] good = java.nio.file.Files.readAllBytes(Checkpoint.file(dir));
            Checkpoint cp = Checkpoint.load(dir);
            DivergedException d = assertThrows(DivergedException.class, () -> new Trainer(new TrainingConfig(4, 2, 1e8, true, 1, false))
                    .checkpointTo(dir).run(e, data, Trainer.Start.resume(cp), new TrainingListener() { }));
            assertEquals(3, d.epoch());
            assertTrue(d.batch() >= 1 && d.batch() <= Trainer.DIVERGENCE_CHECK_BATCHES, d.getMessage());
            assertTrue(d.getMessage().contains("the last checkpoint, " + Checkpoint.file(dir) + ", is kept"), d.getMessage());
            assertArrayEquals(good, java.nio.file.Files.readAllBytes(Checkpoint.file(dir)));
        }
    }

    /**
     * A cost that explodes but stays finite (ReLU, softmax and cross-entropy at lr 1000) is a
     * divergence: the test cost after epoch 1 is more than 10 times the one before training; no
     * checkpoint is written for it (issue 12, family 7).
     */
    @Test
    void aCostExplosionIsDivergence(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Network net = Network.of("4-6-3", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        DataSplit data = blobs(200, 5);
        try (ReferenceEngine e = new ReferenceEngine(net, Init.HE.initialise(net, 1))) {
            assertTrue(e.evaluate(data.test()).meanCost() < Math.log(3), "the initial cost is below the floor here");
            DivergedException d = assertThrows(DivergedException.class, () -> new Trainer(new TrainingConfig(3, 10, 1000, true, 1, false))
                    .checkpointTo(dir.resolve("cp")).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }));
            assertEquals(1, d.epoch(), d.getMessage());
            assertEquals(20, d.batch(), d.getMessage());
            assertTrue(Double.isFinite(e.evaluate(data.test()).meanCost()), "finite: not the NaN check");
            assertTrue(d.getMessage().matches("training diverged in epoch 1 at batch 20: the test cost after it is \\d+\\.\\d{4} \\(accuracy "
                    + "0\\.\\d{4}\\), more than 10 times the " + String.format(java.util.Locale.ROOT, "%.4f", Math.log(3)) + " of a network "
                    + "that knows nothing \\(output z = 0 for every input\\); try a lower learning rate than --lr 1000.0"), d.getMessage());
            assertFalse(Checkpoint.exists(dir.resolve("cp")), "no checkpoint of the diverged epoch");
        }
        // The same network at a sane rate learns, and the check stays quiet.
        try (ReferenceEngine e = new ReferenceEngine(net, Init.HE.initialise(net, 1))) {
            assertEquals(3, new Trainer(new TrainingConfig(3, 10, 0.1, true, 1, false)).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }).epochs().size());
        }
    }

    /** The reference is never below the cost of a network that knows nothing (z = 0 at the output). */
    @Test
    void knowNothingCosts() {
        assertEquals(Math.log(10), Trainer.knowNothingCost(Network.of("784-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY)), 1e-12);
        assertEquals(1.25, Trainer.knowNothingCost(Network.of("784-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC)), 1e-12);
        assertEquals(0.5, Trainer.knowNothingCost(Network.of("2-4-2", Activation.TANH, Activation.IDENTITY, Cost.QUADRATIC)), 1e-12);
    }

    /**
     * A NaN that ReLU hides (z > 0 ? z : 0 is 0 for NaN, so the outputs and the cost stay finite) is
     * still found after the epoch, and on stopping, before anything is checkpointed.
     */
    @Test
    void aHiddenNaNIsDivergenceAndIsNeverCheckpointed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Network net = Network.of("4-6-3", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        DataSplit data = blobs(50, 6);
        Parameters p = Init.HE.initialise(net, 1);
        p.setWeight(0, 2 * 4 + 1, Float.NaN);
        try (ReferenceEngine e = new ReferenceEngine(net, p)) {
            assertTrue(Double.isFinite(e.evaluate(data.test()).meanCost()), "ReLU hides the NaN");
            DivergedException d = assertThrows(DivergedException.class, () -> new Trainer(new TrainingConfig(2, 10, 0.1, true, 1, false))
                    .checkpointTo(dir).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }));
            assertEquals("training diverged in epoch 1 at batch 5: tensor layers.0.weight holds NaN at [2, 1]; try a lower learning "
                    + "rate than --lr 0.1", d.getMessage());
            DivergedException stopped = assertThrows(DivergedException.class, () -> new Trainer(new TrainingConfig(2, 10, 0.1, true, 1, false))
                    .checkpointTo(dir).stopWhen(() -> true).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }));
            assertEquals(1, stopped.batch(), stopped.getMessage());
            assertFalse(Checkpoint.exists(dir));
        }
    }

    @Test
    void permutationsDependOnSeedAndEpochOnly() {
        int[] p = Shuffle.permutation(1000, 5, 0);
        assertArrayEquals(p, Shuffle.permutation(1000, 5, 0));
        assertFalse(Arrays.equals(p, Shuffle.permutation(1000, 5, 1)));
        assertFalse(Arrays.equals(p, Shuffle.permutation(1000, 6, 0)));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertNotEquals(0, Arrays.mismatch(p, sorted) + 1, "shuffled");
    }

    @Test
    void rejectsBadConfigs() {
        assertEquals("--batch must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 0, 1, true, 1, false)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 1, -1, true, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 1, Double.NaN, true, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(-1, 1, 1, true, 1, false));
    }
}
