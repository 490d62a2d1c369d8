package backpropcl.engine.opencl;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import backpropcl.train.Shuffle;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine under every kernel plan it can run: each family pinned, and the fused tail allowed
 * or not, against the reference: one step tensor by tensor, and 100 steps of drift.
 */
class KernelPlanTest {

    @BeforeAll
    static void device() {
        OpenClTestSupport.requireDevice();
    }

    /** (mode, tail allowed, network, batch, whether the tail must fuse) over shapes that do and do not fit the tail. */
    static Stream<Arguments> plans() {
        Object[][] nets = {
            // arch, hidden, output, cost, batch, fits the tail
            {"784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC, 10, true},
            {"64-17-16-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY, 33, true},
            {"50-17-3", Activation.TANH, Activation.SOFTMAX, Cost.QUADRATIC, 7, true},
            {"20-7-5-3-2", Activation.LEAKY_RELU, Activation.IDENTITY, Cost.QUADRATIC, 9, true},
            {"3-1-10", Activation.SIGMOID, Activation.SIGMOID, Cost.CROSS_ENTROPY, 1, true},
            {"12-6-5-4-4-3", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY, 5, false},   // 5 layers: too many
            {"30-300-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY, 33, false},     // 99,000 MACs: too big
        };
        List<Arguments> out = new ArrayList<>();
        for (KernelTuner.Mode mode : new KernelTuner.Mode[] {KernelTuner.Mode.TILED, KernelTuner.Mode.BLOCKED}) {
            for (boolean tail : new boolean[] {false, true}) {
                for (Object[] n : nets) {
                    out.add(Arguments.of(mode, tail, n[0], n[1], n[2], n[3], n[4], tail && (Boolean) n[5]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} tail={1} {2} {3}/{4}/{5} batch {6}")
    @MethodSource("plans")
    void stepAndDriftMatchReference(KernelTuner.Mode mode, boolean tail, String arch, Activation hidden, Activation output,
                                    Cost cost, int batch, boolean fused) {
        Network net = Network.of(arch, hidden, output, cost);
        long seed = arch.hashCode();
        Parameters p = Init.XAVIER.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, 4 * batch + 3, net.inputSize(), net.outputSize(), true);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0, mode, tail); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : new Engine[] {cl, ref}) {
                e.setTrainingData(data);
                e.setOrder(Shuffle.permutation(data.count(), seed, 0));
                e.trainBatch(2, batch, 0.5);
            }
            assertEquals(fused, cl.kernelChoices().contains("fused"), cl.kernelChoices());
            EngineEquivalenceTest.compareTraces(net, ref, cl, mode + " tail=" + tail + " " + net, EngineEquivalenceTest.ONE_STEP, seed);
            // The partial last batch of the epoch, through the same buffers.
            cl.trainBatch(data.count() - 3, 3, 0.5);
            ref.trainBatch(data.count() - 3, 3, 0.5);
            EngineEquivalenceTest.compareTraces(net, ref, cl, "partial batch " + net, EngineEquivalenceTest.ONE_STEP, seed);
        }
        try (OpenClEngine cl = new OpenClEngine(net, p, 0, mode, tail); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            EngineEquivalenceTest.train(cl, data, 100, batch, 0.3, seed);
            EngineEquivalenceTest.train(ref, data, 100, batch, 0.3, seed);
            Parameters a = cl.parameters();
            for (int l = 0; l < net.denseLayers(); l++) {
                assertRelNorm("W[" + l + "] after 100 steps", ref.weights(l), toDouble(a.copyWeights(l)), EngineEquivalenceTest.HUNDRED_STEPS,
                        seed);
                assertRelNorm("b[" + l + "] after 100 steps", ref.biases(l), toDouble(a.copyBiases(l)), EngineEquivalenceTest.HUNDRED_STEPS,
                        seed);
            }
        }
    }

    /** The default plan (tuned, fused where it fits) is deterministic: two engines, bitwise equal parameters. */
    @Test
    void tunedPlanIsDeterministic() {
        Network net = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Init.NORMAL.initialise(net, 5);
        Dataset data = SyntheticData.random("random", 5, 200, net.inputSize(), net.outputSize(), true);
        Parameters[] out = new Parameters[2];
        for (int run = 0; run < 2; run++) {
            try (OpenClEngine cl = new OpenClEngine(net, p, 0)) {
                EngineEquivalenceTest.train(cl, data, 50, 10, 3.0, 5);
                out[run] = cl.parameters();
            }
        }
        assertTrue(out[0].bitwiseEquals(out[1]), "two runs of the tuned plan differ");
    }
}
