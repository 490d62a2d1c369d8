package backpropcl.engine.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.Tolerances;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backpropagation agrees with central finite differences, in double, for every activation x cost. */
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
}
