package example;

import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.Evaluation;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.train.EpochResult;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import backpropcl.train.TrainingListener;
import java.nio.file.Path;
import java.util.Locale;

/** Trains 784-128-10 on the digits inside backprop-cl's jar, prints the test accuracy, saves the model. */
public final class TrainDigits {
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path modelFile = Path.of(args.length > 1 ? args[1] : "digits.safetensors");

        // As train's --arch 784-128-10 --activation relu --output softmax --cost cross-entropy.
        Network net = Network.of("784-128-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        DataSplit data = DataSources.resolve("mnist-10k", net.outputSize());   // the digits inside the jar
        TrainingConfig config = TrainingConfig.builder().epochs(epochs).batchSize(32)
                .optimizer(Optimizer.of(Optimizer.Kind.ADAM)).learningRate(0.001).build();
        // "auto": the first OpenCL GPU, else the cpu engine; the engine holds native resources.
        try (EngineSelector.Choice choice = EngineSelector.open("auto", null, net, Init.HE.initialise(net, 1))) {
            System.out.println("engine: " + choice.engine().description());
            new Trainer(config).run(choice.engine(), data, Trainer.Start.fresh(), new TrainingListener() {
                @Override
                public void epochDone(EpochResult r) {
                    System.out.printf(Locale.ROOT, "epoch %d: test accuracy %.4f%n", r.epoch(), r.test().accuracy());
                }
            });
            Evaluation test = choice.engine().evaluate(data.test());
            System.out.printf(Locale.ROOT, "test accuracy %.4f (%d/%d)%n", test.accuracy(), test.correct(), test.count());
            ModelFile.save(modelFile, net, choice.engine().parameters());
        }
        System.out.println("saved " + modelFile);
    }
}
