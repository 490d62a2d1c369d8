package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.data.StratifiedSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.cpu.CpuEngine;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import backpropcl.testing.TestBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The validation split, the best epoch, early stopping, and their exact resume, through the Trainer. */
class EarlyStoppingTest {
    private static final Network NET = Network.of("6-24-3", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    @TempDir
    Path dir;

    /**
     * Three overlapping classes in 6-D with a quarter of the training labels drawn at random: a
     * 6-24-3 network at Adam's lr 0.003 fits the noise, so its validation cost turns up after a few
     * epochs. The test set is a clean draw of 90.
     */
    static DataSplit noisy(int n, long seed) {
        return new DataSplit("noisy", draw(n, seed, 0.25, "noisy/train"), draw(90, seed + 100, 0, "noisy/test"));
    }

    private static Dataset draw(int n, long seed, double noise, String name) {
        Random rnd = new Random(seed);
        float[] x = new float[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(3);
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (float) ((j % 3 == c ? 0.6 : 0) + 0.5 * rnd.nextGaussian());
            }
            labels[i] = rnd.nextDouble() < noise ? rnd.nextInt(3) : c;
        }
        return new Dataset(name, x, labels, n, 6, 3);
    }

    private static TrainingConfig config(int epochs, int patience, Monitor monitor) {
        return TrainingConfig.builder().epochs(epochs).batchSize(8).optimizer(Optimizer.of(Optimizer.Kind.ADAM)).learningRate(0.003)
                .seed(4).validation(0.25).earlyStop(patience).monitor(monitor).build();
    }

    /** Keras' EarlyStopping on a list of monitored values: the stop epoch (1-based; 0 when it never stops) and the best. */
    private static int[] kerasStop(List<Double> values, int patience, Monitor monitor) {
        double best = monitor == Monitor.VAL_COST ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        int wait = 0;
        for (int e = 0; e < values.size(); e++) {
            double v = values.get(e);
            wait++;
            if (monitor == Monitor.VAL_COST ? v < best : v > best) {
                best = v;
                bestEpoch = e + 1;
                wait = 0;
                continue;
            }
            if (wait >= patience && e > 0) {
                return new int[] {e + 1, bestEpoch};
            }
        }
        return new int[] {0, bestEpoch};
    }

    /** The splits a run tells, and the samples done after each batch. */
    private static final class Heard implements TrainingListener {
        final List<StratifiedSplit> splits = new ArrayList<>();
        private int samples;

        @Override
        public void validationSplit(StratifiedSplit split) {
            splits.add(split);
        }

        @Override
        public void batchDone(int epoch, int batch, int samplesDone) {
            samples = samplesDone;
        }

        int lastSamples() {
            return samples;
        }
    }

    @Test
    void theSplitIsTheStratifiedSplitOfTheSeedAndTheRunTrainsOnTheRest() {
        DataSplit data = noisy(200, 1);
        TrainingConfig c = config(2, 0, Monitor.VAL_COST);
        Heard heard = new Heard();
        try (Engine e = new CpuEngine(NET, Init.XAVIER.initialise(NET, 1))) {
            new Trainer(c).run(e, data, Trainer.Start.fresh(), heard);
        }
        assertEquals(1, heard.splits.size(), "told once, before the first batch");
        StratifiedSplit expected = StratifiedSplit.of(data.train(), 0.25, 4, "noisy/train", "noisy/validation");
        assertArrayEquals(expected.held().labels(), heard.splits.get(0).held().labels());
        assertArrayEquals(expected.held().features(), heard.splits.get(0).held().features());
        assertEquals("noisy/validation", heard.splits.get(0).held().name());
        assertEquals(Trainer.validationRows(data.train(), 0.25), heard.splits.get(0).held().count());
        assertEquals(50, heard.splits.get(0).held().count(), "a quarter of each class, rounded");
        assertEquals(150, heard.lastSamples(), "the epoch trains the 150 rows that stay");
        // Another seed holds out other rows; the same seed the same ones.
        assertFalse(java.util.Arrays.equals(expected.held().features(),
                Trainer.validationSplit(data.train(), TrainingConfig.builder().validation(0.25).seed(5).build()).held().features()));
    }

    /** An augmentation (the command line's --expand) is applied to the rows that stay, never to the held-out ones. */
    @Test
    void theAugmentationTouchesOnlyTheRowsThatStay() {
        DataSplit data = noisy(200, 1);
        List<Dataset> augmented = new ArrayList<>();
        Heard heard = new Heard();
        try (Engine e = new CpuEngine(NET, Init.XAVIER.initialise(NET, 1))) {
            new Trainer(config(1, 0, Monitor.VAL_COST)).augmentTraining(d -> {
                augmented.add(d);
                int[] twice = new int[2 * d.count()];
                for (int i = 0; i < twice.length; i++) {
                    twice[i] = i / 2;
                }
                return d.select(twice, d.name());
            }).run(e, data, Trainer.Start.fresh(), heard);
        }
        assertEquals(1, augmented.size());
        assertTrue(augmented.get(0) == heard.splits.get(0).kept(), "the rows that stay, after the split");
        assertEquals(50, heard.splits.get(0).held().count(), "the held-out rows as without an augmentation");
        assertEquals(300, heard.lastSamples(), "each epoch trains the augmented 2 x 150 rows");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backpropcl.train.CheckpointTest#engines")
    void stopsAsKerasEarlyStoppingAndEndsWithTheBestEpochsState(String name, BiFunction<Network, Parameters, Engine> open) {
        DataSplit data = noisy(240, 2);
        Parameters init = Init.XAVIER.initialise(NET, 3);
        for (Monitor monitor : Monitor.values()) {
            List<EpochResult> heard = new ArrayList<>();
            Trainer.Run run;
            TrainingState end;
            try (Engine e = open.apply(NET, init)) {
                run = new Trainer(config(60, 3, monitor)).run(e, data, Trainer.Start.fresh(), new TrainingListener() {
                    @Override
                    public void epochDone(EpochResult r) {
                        heard.add(r);
                    }
                });
                end = e.state();
                assertEquals(e.evaluate(data.test()), run.test(), "the test set is measured for the state the engine ends with");
            }
            List<Double> values = heard.stream().map(r -> monitor.value(r.validation())).toList();
            int[] keras = kerasStop(values, 3, monitor);
            assertTrue(keras[0] > 0 && keras[0] < 60, name + " " + monitor + ": the noisy data should stop early: " + values);
            assertTrue(run.stoppedEarly());
            assertFalse(run.stopped());
            assertEquals(keras[0], run.epochs().size(), name + " " + monitor + " stop epoch");
            assertEquals(keras[1], run.best().epoch(), name + " " + monitor + " best epoch");
            assertEquals(3, run.best().epochsSince());
            assertEquals(new Position(keras[0], 0), run.next());
            Double bestSoFar = null;
            for (EpochResult r : heard) {
                assertNull(r.test(), "no test set per epoch with a validation split");
                double v = monitor.value(r.validation());
                boolean improved = bestSoFar == null || monitor.improves(v, bestSoFar);
                assertEquals(improved, r.best(), "epoch " + r.epoch() + " says whether it is the best so far");
                bestSoFar = improved ? v : bestSoFar;
            }
            assertTrue(heard.get(keras[1] - 1).best(), "the best epoch says so");
            assertTrue(end.bitwiseEquals(run.best().state()), "the engine ends with the best epoch's state");
            // The same run told to stop after the best epoch ends in the same state: it is that epoch's.
            try (Engine e = open.apply(NET, init)) {
                new Trainer(config(keras[1], 0, monitor)).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
                assertTrue(e.state().bitwiseEquals(end), name + " " + monitor + ": the kept state is epoch " + keras[1] + "'s");
            }
        }
    }

    @Test
    void withoutEarlyStoppingTheRunGoesToItsLastEpochAndStillKeepsTheBest() {
        DataSplit data = noisy(240, 2);
        try (Engine e = new CpuEngine(NET, Init.XAVIER.initialise(NET, 3))) {
            Trainer.Run run = new Trainer(config(25, 0, Monitor.VAL_COST)).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
            assertEquals(25, run.epochs().size());
            assertFalse(run.stoppedEarly());
            double lowest = run.metrics().stream().mapToDouble(EpochMetrics::valCost).min().orElseThrow();
            assertEquals(lowest, run.best().value(), 0);
            assertEquals(run.metrics().stream().filter(m -> m.valCost() == lowest).findFirst().orElseThrow().epoch(), run.best().epoch());
            assertTrue(run.best().epoch() < 25, "the noisy data's best epoch is not the last: " + run.best());
            assertTrue(e.state().bitwiseEquals(run.best().state()));
            for (EpochMetrics m : run.metrics()) {
                assertTrue(Double.isNaN(m.testCost()) && Double.isNaN(m.testAccuracy()), "no test values per epoch");
                assertTrue(Double.isFinite(m.valCost()) && Double.isFinite(m.valAccuracy()));
            }
        }
    }

    @Test
    void aTieIsNoImprovementAndTheEarlierEpochStays() {
        TrainingState s1 = TrainingState.fresh(Init.XAVIER.initialise(NET, 1), Optimizer.sgd());
        TrainingState s2 = TrainingState.fresh(Init.XAVIER.initialise(NET, 2), Optimizer.sgd());
        BestEpoch first = BestEpoch.after(null, 1, 0.8, s1, Monitor.VAL_ACCURACY);
        BestEpoch tie = BestEpoch.after(first, 2, 0.8, s2, Monitor.VAL_ACCURACY);
        assertEquals(1, tie.epoch());
        assertEquals(1, tie.epochsSince());
        assertTrue(tie.state() == s1);
        assertEquals(3, BestEpoch.after(tie, 3, 0.81, s2, Monitor.VAL_ACCURACY).epoch());
        assertEquals(1, BestEpoch.after(first, 2, 0.79, s2, Monitor.VAL_ACCURACY).epoch());
        assertTrue(Monitor.VAL_COST.improves(0.5, 0.6));
        assertFalse(Monitor.VAL_COST.improves(0.6, 0.6));
        assertFalse(Monitor.VAL_ACCURACY.improves(0.6, 0.6));
        assertTrue(tie.patienceRanOut(1));
        assertFalse(tie.patienceRanOut(2));
        assertFalse(tie.patienceRanOut(0), "patience 0: no early stopping");
    }

    @Test
    void earlyStoppingNeedsAValidationSplitAndTheConfigurationRoundTrips() {
        assertEquals("--early-stop needs --validation FRACTION: it watches a validation split held out of the training set "
                + "(choosing the epoch by the test set would leak it)",
                assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().earlyStop(3).build()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().validation(1).build());
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().validation(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().validation(Double.NaN).build());
        TrainingConfig c = config(7, 2, Monitor.VAL_ACCURACY);
        assertEquals(c, TrainingConfig.fromMetadata(c.toMetadata()));
        assertEquals(c.withEpochs(9).validation(), 0.25);
        assertEquals(c.withEvaluateTrain(true).earlyStop(), 2);
        // A checkpoint written before validation splits: none, never, val-cost.
        Map<String, String> old = new java.util.LinkedHashMap<>(c.toMetadata());
        old.remove("validation");
        old.remove("early_stop");
        old.remove("monitor");
        TrainingConfig back = TrainingConfig.fromMetadata(old);
        assertEquals(0, back.validation());
        assertEquals(0, back.earlyStop());
        assertEquals(Monitor.VAL_COST, back.monitor());
        assertEquals("--monitor must be val-cost or val-accuracy, got 'val-loss'",
                assertThrows(IllegalArgumentException.class, () -> Monitor.parse("val-loss")).getMessage());
    }

    @Test
    void aCheckpointHoldsTheBestEpochAndItsStateBesideTheLastOne() throws IOException {
        TrainingState last = TrainingState.fresh(Init.XAVIER.initialise(NET, 1), Optimizer.of(Optimizer.Kind.ADAM));
        last.setSteps(40);
        TrainingState bestState = TrainingState.fresh(Init.XAVIER.initialise(NET, 2), Optimizer.of(Optimizer.Kind.ADAM));
        bestState.setWeight(0, 0, Math.PI);
        bestState.setSlotWeight(1, 0, 3, 1e-300);
        bestState.setSteps(20);
        BestEpoch best = new BestEpoch(2, 0.1 + 0.2, 2, bestState);
        TrainingConfig c = config(10, 3, Monitor.VAL_COST);
        new Checkpoint(last, c, new Position(4, 0), List.of(), "noisy", null, best).save(dir);
        Checkpoint back = Checkpoint.load(dir);
        assertTrue(back.state().bitwiseEquals(last));
        assertEquals(2, back.best().epoch());
        assertEquals(0.1 + 0.2, back.best().value(), 0);
        assertEquals(2, back.best().epochsSince());
        assertTrue(back.best().state().bitwiseEquals(bestState), "the best state, float64, bit for bit");
        assertFalse(back.stoppedEarly());
        // The model tools read the file as the last state, as before.
        assertTrue(ModelFile.load(Checkpoint.file(dir)).optimizerState().bitwiseEquals(last));
        // A best epoch whose patience ran out: the run stopped early.
        new Checkpoint(last, c, new Position(5, 0), List.of(), "noisy", null, new BestEpoch(2, 0.3, 3, bestState)).save(dir);
        assertTrue(Checkpoint.load(dir).stoppedEarly());
        // Without a best epoch no second state is written.
        new Checkpoint(last, c.withEpochs(10), new Position(0, 3), List.of(), "noisy").save(dir);
        assertNull(Checkpoint.load(dir).best());
        assertNull(ModelFile.loadMore(Checkpoint.file(dir), Checkpoint.BEST));
    }

    /**
     * The run stopped mid-epoch (before the best epoch, after it, and once more in the epoch that
     * stops it), each resumed in a fresh engine from its checkpoint, stops at the same epoch with
     * the same best epoch, and saves a model file byte for byte that of the run never stopped.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backpropcl.train.CheckpointTest#engines")
    void anInterruptedRunStopsWhereTheWholeOneStopsAndSavesTheSameBytes(String name, BiFunction<Network, Parameters, Engine> open)
            throws IOException {
        DataSplit data = noisy(240, 2);
        Parameters init = Init.XAVIER.initialise(NET, 3);
        TrainingConfig config = config(60, 3, Monitor.VAL_COST);
        int batches = Batches.count(240 - Trainer.validationRows(data.train(), 0.25), 8);
        Trainer.Run whole;
        Path wholeModel = dir.resolve(name + "-whole.safetensors");
        try (Engine e = open.apply(NET, init)) {
            whole = new Trainer(config).checkpointTo(dir.resolve(name + "-whole")).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
            ModelFile.save(wholeModel, e.state());
        }
        int stop = whole.epochs().size();
        int best = whole.best().epoch();
        assertTrue(whole.stoppedEarly() && best >= 2 && stop > best, whole.best() + ", stopped after " + stop);
        String expected = TestBytes.sha256(Files.readAllBytes(wholeModel));
        for (int stopAfter : new int[] {(best - 1) * batches + batches / 2, best * batches + 3, (stop - 1) * batches + 1}) {
            Path d = dir.resolve(name + "-" + stopAfter);
            int[] count = {0};
            try (Engine e = open.apply(NET, init)) {
                Trainer.Run part = new Trainer(config).checkpointTo(d).stopWhen(() -> count[0] >= stopAfter)
                        .run(e, data, Trainer.Start.fresh(), new TrainingListener() {
                            @Override
                            public void batchDone(int epoch, int batch, int samplesDone) {
                                count[0]++;
                            }
                        });
                assertTrue(part.stopped(), "stopped after " + stopAfter + " batches");
                assertNull(part.test());
            }
            Checkpoint cp = Checkpoint.load(d);
            assertEquals(new Position(stopAfter / batches, stopAfter % batches), cp.next());
            try (Engine e = open.apply(NET, Parameters.zeros(NET))) {
                Trainer.Run rest = new Trainer(cp.config()).checkpointTo(d).run(e, data, Trainer.Start.resume(cp), new TrainingListener() { });
                assertTrue(rest.stoppedEarly(), name + " resumed after " + stopAfter + " batches");
                assertEquals(stop, rest.metrics().size(), "the same stop epoch");
                assertEquals(best, rest.best().epoch(), "the same best epoch");
                assertEquals(whole.best().value(), rest.best().value(), 0);
                assertEquals(whole.test(), rest.test(), "the same test result");
                for (int i = 0; i < stop; i++) {
                    assertEquals(whole.metrics().get(i).valCost(), rest.metrics().get(i).valCost(), 0, "epoch " + (i + 1));
                }
                Path model = dir.resolve(name + "-" + stopAfter + ".safetensors");
                ModelFile.save(model, e.state());
                assertEquals(expected, TestBytes.sha256(Files.readAllBytes(model)), name + ": the model saved after a resume from "
                        + "batch " + stopAfter + " differs from the uninterrupted run's");
            }
            assertTrue(Checkpoint.load(d).stoppedEarly(), "the last checkpoint says the run stopped early");
        }
    }
}
