package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.cpu.CpuEngine;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.io.ModelFile;
import backpropcl.io.ModelFileException;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checkpoints and exact resume through the Trainer. */
class CheckpointTest {
    private static final Network NET = Network.of("4-6-3", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    @TempDir
    Path dir;

    static Stream<Arguments> engines() {
        BiFunction<Network, Parameters, Engine> reference = ReferenceEngine::new;
        BiFunction<Network, Parameters, Engine> cpu = CpuEngine::new;
        return Stream.of(Arguments.of("reference", reference), Arguments.of("cpu", cpu));
    }

    private static TrainingConfig config(Optimizer o) {
        return TrainingConfig.builder().epochs(5).batchSize(7).optimizer(o).seed(3).evaluateTrain(true)
                .schedule(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.05, 1, 1, 0.001, 1)).build();
    }

    /**
     * A run stopped in the middle of epoch 2 and one stopped at the end of epoch 3, each resumed in a
     * fresh engine from its checkpoint, end bitwise where the run that was never stopped ends, with
     * the same metrics rows (timings apart).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void interruptedAndResumedEndsBitwiseTheSame(String name, BiFunction<Network, Parameters, Engine> open) {
        DataSplit data = TrainerTest.blobs(100, 5);
        Parameters init = Init.XAVIER.initialise(NET, 2);
        for (Optimizer o : new Optimizer[] {Optimizer.of(Optimizer.Kind.ADAMW).withWeightDecay(0.01),
            Optimizer.of(Optimizer.Kind.NESTEROV).withWeightDecay(0.001)}) {
            TrainingConfig config = config(o);
            TrainingState whole;
            List<EpochMetrics> wholeMetrics;
            try (Engine e = open.apply(NET, init)) {
                Trainer.Run run = new Trainer(config).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
                whole = e.state();
                wholeMetrics = run.metrics();
                assertFalse(run.stopped());
            }
            for (int stopAfter : new int[] {15 + 8, 3 * 15}) {   // 15 batches an epoch: mid-epoch 2, end of epoch 3
                Path d = dir.resolve(name + "-" + o.kind().cliName() + "-" + stopAfter);
                int[] batches = {0};
                try (Engine e = open.apply(NET, init)) {
                    Trainer.Run run = new Trainer(config).checkpointTo(d).stopWhen(() -> batches[0] >= stopAfter)
                            .run(e, data, Trainer.Start.fresh(), new TrainingListener() {
                                @Override
                                public void batchDone(int epoch, int batch, int samplesDone) {
                                    batches[0]++;
                                }
                            });
                    assertTrue(run.stopped());
                    assertEquals(new Position(stopAfter / 15, stopAfter % 15), run.next());
                }
                Checkpoint cp = Checkpoint.load(d);
                assertEquals(new Position(stopAfter / 15, stopAfter % 15), cp.next());
                assertEquals(config, cp.config());
                try (Engine e = open.apply(NET, Parameters.zeros(NET))) {
                    Trainer.Run rest = new Trainer(cp.config()).checkpointTo(d).run(e, data, Trainer.Start.resume(cp), new TrainingListener() { });
                    assertTrue(e.state().bitwiseEquals(whole), name + " " + o.describe() + " stopped after " + stopAfter
                            + " batches: the resumed run ends elsewhere");
                    assertEquals(5, rest.metrics().size());
                    for (int i = 0; i < 5; i++) {
                        EpochMetrics a = wholeMetrics.get(i);
                        EpochMetrics b = rest.metrics().get(i);
                        assertEquals(a.testCost(), b.testCost(), 0, "epoch " + (i + 1) + " test cost");
                        assertEquals(a.trainAccuracy(), b.trainAccuracy(), 0, "epoch " + (i + 1) + " train accuracy");
                        assertEquals(a.learningRate(), b.learningRate(), 0, "epoch " + (i + 1) + " learning rate");
                    }
                }
                assertEquals(new Position(5, 0), Checkpoint.load(d).next(), "the last checkpoint is after the last epoch");
            }
        }
    }

    @Test
    void checkpointHoldsFloat64AndModelToolsReadIt() {
        TrainingState s = TrainingState.fresh(Init.XAVIER.initialise(NET, 1), Optimizer.of(Optimizer.Kind.ADAM));
        s.setWeight(0, 0, Math.PI);          // not a float
        s.setSlotWeight(1, 1, 2, 1e-300);    // below float's range
        s.setSteps(12345);
        List<EpochMetrics> rows = List.of(new EpochMetrics(1, 0.1, Double.NaN, Double.NaN, 0.5, 0.75, 1234.5, 0.25));
        new Checkpoint(s, config(s.optimizer()), new Position(1, 3), rows, "blobs").save(dir);
        Checkpoint back = Checkpoint.load(dir);
        assertTrue(back.state().bitwiseEquals(s));
        assertEquals(rows, back.metrics());
        assertEquals("blobs", back.data());
        ModelFile.Saved asModel = ModelFile.load(Checkpoint.file(dir));
        assertEquals((float) Math.PI, asModel.parameters().copyWeights(0)[0]);
    }

    @Test
    void missingOrWrongCheckpointsAreClearErrors() throws IOException {
        ModelFileException none = assertThrows(ModelFileException.class, () -> Checkpoint.load(dir));
        assertTrue(none.getMessage().contains("no checkpoint here"), none.getMessage());
        ModelFile.save(Checkpoint.file(dir), NET, Init.XAVIER.initialise(NET, 1));
        ModelFileException model = assertThrows(ModelFileException.class, () -> Checkpoint.load(dir));
        assertTrue(model.getMessage().contains("a model file, not a checkpoint"), model.getMessage());
        Files.write(Checkpoint.file(dir), new byte[] {1, 2, 3});
        assertThrows(ModelFileException.class, () -> Checkpoint.load(dir));
    }

    @Test
    void modelFileKeepsTheOptimizerState() {
        TrainingState s = TrainingState.fresh(Init.XAVIER.initialise(NET, 1), Optimizer.of(Optimizer.Kind.MOMENTUM).withMomentum(0.5));
        s.setSlotBias(0, 1, 1, 0.25);
        s.setSteps(7);
        Path f = dir.resolve("m.safetensors");
        ModelFile.save(f, s);
        ModelFile.Saved back = ModelFile.load(f);
        assertTrue(back.hasOptimizerState());
        assertTrue(back.optimizerState().bitwiseEquals(s), "float-valued state survives float32 exactly");
        ModelFile.save(f, NET, s.parameters());
        assertFalse(ModelFile.load(f).hasOptimizerState());
    }
}
