package backpropcl.engine.reference;

import static backpropcl.engine.reference.PyTorchFixture.doubles;
import static backpropcl.engine.reference.PyTorchFixture.floats;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.RelativeError;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The reference engine's optimizers against PyTorch's: the answers in
 * src/test/resources/pytorch/optimizers.json were computed by torch.optim (float64) with
 * bench/torch_optimizers.py, which says how to make them again. Same network, data, batches and
 * hyperparameters here; every parameter must agree to 1e-12 relative.
 */
class PyTorchOptimizersTest {
    private static final Network NET = new Network(new int[] {4, 5, 3}, new Activation[] {Activation.TANH, Activation.SOFTMAX},
            Cost.CROSS_ENTROPY);

    @Test
    void everyRuleEndsWherePyTorchEnds() {
        JsonObject fixture = PyTorchFixture.load("optimizers.json");
        float[] x = floats(fixture.getAsJsonArray("x"));
        int[] labels = PyTorchFixture.ints(fixture.getAsJsonArray("labels"));
        Dataset data = new Dataset("pytorch fixture", x, labels, labels.length, 4, 3);
        Parameters p = PyTorchFixture.parameters(NET, fixture.getAsJsonArray("initial"));
        int cases = 0;
        for (JsonElement e : fixture.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            Optimizer o = new Optimizer(Optimizer.Kind.parse(c.get("optimizer").getAsString()), c.get("momentum").getAsDouble(),
                    c.get("beta1").getAsDouble(), c.get("beta2").getAsDouble(), c.get("epsilon").getAsDouble(),
                    c.get("weight_decay").getAsDouble());
            double lr = c.get("lr").getAsDouble();
            try (ReferenceEngine ref = new ReferenceEngine(NET, p)) {
                ref.setOptimizer(o);
                ref.setTrainingData(data);
                ref.setOrder(null);
                for (int step = 0; step < 6; step++) {
                    ref.trainBatch((step % 3) * 4, 4, lr);
                }
                TrainingState s = ref.state();
                JsonArray fin = c.getAsJsonArray("final");
                for (int l = 0; l < 2; l++) {
                    double w = RelativeError.of(s.copyWeights(l), doubles(fin.get(2 * l).getAsJsonArray()));
                    double b = RelativeError.of(s.copyBiases(l), doubles(fin.get(2 * l + 1).getAsJsonArray()));
                    assertTrue(w <= 1e-12 && b <= 1e-12, o.describe() + " layer " + l + ": weights " + w + ", biases " + b
                            + " relative error against PyTorch " + fixture.get("torch").getAsString());
                }
            }
            cases++;
        }
        assertTrue(cases == 6, "the fixture has " + cases + " cases");
    }
}
