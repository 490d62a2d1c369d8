package backpropcl.engine.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Tolerances;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.DropoutMask;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.selftest.SyntheticData;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Backpropagation agrees with central finite differences, in double, for every activation x cost, and with dropout. */
class GradientCheckTest {
    private static final double TOLERANCE = Tolerances.GRADIENT_CHECK_F64;

    static Stream<Arguments> combinations() {
        List<Arguments> args = new ArrayList<>();
        Activation[] hidden = {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU, Activation.IDENTITY};
        Activation[] outputs = {Activation.SIGMOID, Activation.SOFTMAX, Activation.IDENTITY, Activation.TANH};
        for (Activation h : hidden) {
            for (Activation o : outputs) {
                for (Cost c : Cost.values()) {
                    if (c.supports(o)) {
                        args.add(Arguments.of(h, o, c));
                    }
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} hidden, {1} output, {2}")
    @MethodSource("combinations")
    void backpropMatchesFiniteDifferences(Activation hidden, Activation output, Cost cost) {
        for (String arch : new String[] {"6-5-4-3", "1-1", "3-1-2", "7-9-5"}) {
            Network net = Network.of(arch, hidden, output, cost);
            for (int batch : new int[] {1, 3}) {
                GradientCheck.Result r = GradientCheck.run(net, batch, 11 + batch);
                assertTrue(r.relativeError() <= TOLERANCE,
                        net + " batch " + batch + ": relative error " + r.relativeError() + " > " + TOLERANCE);
            }
        }
    }

    /** Input dropout, dropout after a hidden activation, and both; each on the fixed mask of step 1. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "dropout:0.3,dense:5,tanh,dense:4,softmax",
        "dense:7,sigmoid,dropout:0.5,dense:5,relu,dense:3,sigmoid",
        "dropout:0.2,dense:6,leaky-relu,dropout:0.4,dense:4,softmax",
        "flatten,dropout:0.5,dense:5,dropout:0.3,dense:3,identity"})
    void dropoutBackpropMatchesFiniteDifferencesOnItsMask(String spec) {
        for (Cost cost : Cost.values()) {
            Network net;
            try {
                net = Network.parse(6, spec, cost);
            } catch (IllegalArgumentException e) {
                continue;   // cross-entropy with an identity output
            }
            for (int batch : new int[] {1, 3}) {
                GradientCheck.Result r = GradientCheck.run(net, batch, 11 + batch);
                assertTrue(r.relativeError() <= TOLERANCE,
                        net + " batch " + batch + ": relative error " + r.relativeError() + " > " + TOLERANCE);
            }
        }
    }

    @Test
    void theDropoutChecksDropSomething() {
        // The check above must see a mask that zeroes part of the input (seed 14: batch 3's run), or it checks no dropout.
        int dropped = 0;
        for (int e = 0; e < 3 * 6; e++) {
            dropped += DropoutMask.keeps(14, 1, 0, e, 0.3) ? 0 : 1;
        }
        assertTrue(dropped > 0 && dropped < 18, dropped + " of 18 input elements dropped");
    }

    @Test
    void trainingCostIsOnTheMaskComputeGradientsUses() {
        // What the finite differences rest on: the cost is taken on the step's mask until the step is taken.
        Network net = Network.parse(6, "dropout:0.5,dense:5,tanh,dense:4,softmax", Cost.CROSS_ENTROPY);
        Dataset data = SyntheticData.random("r", 2, 8, 6, 4, true);
        try (ReferenceEngine e = new ReferenceEngine(net, Init.XAVIER.initialise(net, 2))) {
            e.setTrainingData(data);
            e.setSeed(5);
            double before = e.trainingCost(0, 8);
            e.computeGradients(0, 8);
            assertEquals(before, e.trainingCost(0, 8), 0.0, "computeGradients moved the step");
            e.applyGradients(0);   // SGD with rate 0: the parameters stay, the step moves on, so does the mask
            assertNotEquals(before, e.trainingCost(0, 8));
            e.setState(e.state());
            assertEquals(e.trainingCost(0, 8), e.trainingCost(0, 8), 0.0);
        }
    }
}
