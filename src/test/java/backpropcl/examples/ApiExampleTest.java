package backpropcl.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.engine.EngineSelector;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Inference;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.train.Checkpoint;
import backpropcl.train.EpochResult;
import backpropcl.train.LearningRateSchedule;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import backpropcl.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API examples of the README, as they are printed there (fewer epochs): they must compile and work. */
class ApiExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeExampleTrainsSavesAndPredicts() {
        List<String> lines = new ArrayList<>();
        int epochs = 2;
        Path runDir = dir.resolve("run1");
        Path modelFile = dir.resolve("digits.safetensors");

        // --- README: Java API ---
        Network net = Network.builder(784)
                .dense(128, Activation.RELU)
                .dropout(0.2)                      // or .layer(new Layer.Dropout(0.2)): the --layers list
                .dense(10, Activation.SOFTMAX)
                .cost(Cost.CROSS_ENTROPY)
                .build();
        DataSplit data = DataSources.resolve("mnist-10k", net.outputSize());
        TrainingConfig config = TrainingConfig.builder()
                .epochs(epochs)
                .batchSize(32)
                .optimizer(Optimizer.of(Optimizer.Kind.ADAM).withWeightDecay(1e-4))
                .schedule(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.001, 1, 1, 0, 0))
                .build();
        try (EngineSelector.Choice choice = EngineSelector.open("auto", null, net, Init.HE.initialise(net, 1))) {
            Trainer.Run run = new Trainer(config)
                    .checkpointTo(runDir)              // optional: a checkpoint after every epoch
                    .run(choice.engine(), data, Trainer.Start.fresh(), new TrainingListener() {
                        @Override
                        public void epochDone(EpochResult r) {
                            lines.add("epoch " + r.epoch() + ": test accuracy " + r.test().accuracy());
                        }
                    });
            ModelFile.save(modelFile, choice.engine().state());   // parameters and Adam's state
        }
        ModelFile.Saved saved = ModelFile.load(modelFile);
        int[] predicted = Inference.predictions(saved.parameters(), data.test().features(), 5);
        // --- end of the README example ---

        assertEquals(epochs, lines.size());
        assertTrue(lines.get(1).startsWith("epoch 2: test accuracy 0.9"), lines.toString());
        assertEquals(5, predicted.length);
        assertEquals(epochs, Checkpoint.load(runDir).next().epoch());
        assertTrue(saved.hasOptimizerState());
    }
}
