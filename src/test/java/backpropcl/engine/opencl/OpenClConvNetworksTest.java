package backpropcl.engine.opencl;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.Tolerances;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import backpropcl.train.Shuffle;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conv networks on the OpenCL engine against the reference engine: the gradients and parameters
 * of one step tensor by tensor, 100 steps of drift with the running statistics, evaluation on
 * them, the halves against trainBatch bit for bit and a resumed state continuing bit for bit.
 */
class OpenClConvNetworksTest {
    /** The norm below which a tensor counts as zero, and within which its float32 value must then be. */
    private static final double ZERO = 1e-6;

    @BeforeAll
    static void device() {
        OpenClTestSupport.requireDevice();
    }

    /** A LeNet-like network, one with batch norm on images and on flat rows, one with an activation after the pooling. */
    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of(new Shape(1, 12, 12), "conv:4x3x3:p1,relu,maxpool:2,conv:6x3x3,relu,maxpool:2,flatten,dense:16,relu,dense:10,softmax",
                        Cost.CROSS_ENTROPY),
                Arguments.of(new Shape(3, 8, 8), "conv:4x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:12,batchnorm,tanh,dense:10,softmax",
                        Cost.CROSS_ENTROPY),
                Arguments.of(new Shape(2, 9, 9), "conv:3x3x3:s2,maxpool:2,relu,batchnorm,flatten,dense:10,sigmoid", Cost.QUADRATIC));
    }

    /** The networks, each with the conv passes as ConvTuner times them (direct or im2col) and pinned to im2col (BACKPROP_CL_TUNE=tiled). */
    static Stream<Arguments> networksAndModes() {
        return networks().flatMap(a -> Stream.of(KernelTuner.Mode.TUNE, KernelTuner.Mode.TILED)
                .map(m -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], m)));
    }

    /** One step: every gradient tensor and every tensor after it (running statistics included) within the one-step tolerance. */
    @ParameterizedTest(name = "{0} {1} {3}")
    @MethodSource("networksAndModes")
    void oneStepMatchesTheReference(Shape shape, String layers, Cost cost, KernelTuner.Mode mode) {
        Network net = Network.parse(shape, layers, cost);
        Parameters p = Init.HE.initialise(net, 7);
        Dataset data = SyntheticData.random("random", 7, 40, net.inputSize(), 10, true);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0, mode, true); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : List.of(cl, ref)) {
                e.setTrainingData(data);
                e.setOrder(Shuffle.permutation(data.count(), 7, 0));
                e.computeGradients(3, 17, 0);
            }
            Gradients expected = new Gradients(net);
            Gradients actual = new Gradients(net);
            ref.gradients(expected);
            cl.gradients(actual);
            for (ParameterLayout.Tensor t : ParameterLayout.of(net).tensors()) {
                if (t.trainable()) {
                    assertClose("grad " + t.name() + " " + cl.kernelChoices(), t.copyOut(expected.values()), t.copyOut(actual.values()),
                            Tolerances.ONE_STEP_F32);
                }
            }
            if (mode != KernelTuner.Mode.TUNE) {
                assertTrue(cl.kernelChoices().contains("forward im2col") && !cl.kernelChoices().contains("direct"), cl.kernelChoices());
            }
            cl.applyGradients(0.1);
            ref.applyGradients(0.1);
            compareTensors(net, ref.parameters(), cl.parameters(), Tolerances.ONE_STEP_F32, "after one step");
        }
    }

    /** 100 SGD steps over shuffled epochs with a partial last batch; then evaluation on the running statistics. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void hundredStepsStayClose(Shape shape, String layers, Cost cost) {
        Network net = Network.parse(shape, layers, cost);
        Parameters p = Init.HE.initialise(net, 11);
        Dataset data = SyntheticData.random("random", 11, 90, net.inputSize(), 10, true);
        Dataset test = SyntheticData.random("test", 12, 70, net.inputSize(), 10, false);
        try (OpenClEngine cl = new OpenClEngine(net, p, 0); ReferenceEngine ref = new ReferenceEngine(net, p)) {
            for (Engine e : List.of(cl, ref)) {
                EngineEquivalenceTest.train(e, data, 100, 16, 0.05, 11);
            }
            compareTensors(net, ref.parameters(), cl.parameters(), Tolerances.AFTER_STEPS_F32, "after 100 steps");
            Evaluation a = cl.evaluate(test);
            Evaluation e = ref.evaluate(test);
            assertEquals(e.meanCost(), a.meanCost(), 1e-4 * Math.max(1, Math.abs(e.meanCost())), "cost on the running statistics");
        }
    }

    /** computeGradients + applyGradients end where trainBatch does, bit for bit, for SGD and Adam; a state set on a new engine continues bit for bit. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void halvesAndResumeAreExact(Shape shape, String layers, Cost cost) {
        Network net = Network.parse(shape, layers, cost);
        Parameters p = Init.HE.initialise(net, 5);
        Dataset data = SyntheticData.random("random", 5, 50, net.inputSize(), 10, true);
        for (Optimizer o : List.of(Optimizer.sgd(), Optimizer.of(Optimizer.Kind.ADAM))) {
            try (OpenClEngine whole = new OpenClEngine(net, p, 0); OpenClEngine halves = new OpenClEngine(net, p, 0)) {
                for (OpenClEngine e : List.of(whole, halves)) {
                    e.setOptimizer(o);
                    e.setTrainingData(data);
                    e.setOrder(Shuffle.permutation(data.count(), 5, 0));
                }
                for (int i = 0; i < 5; i++) {
                    whole.trainBatch(i * 10, i == 4 ? 7 : 10, 0.05);
                    halves.computeGradients(i * 10, i == 4 ? 7 : 10);
                    halves.applyGradients(0.05);
                    assertTrue(whole.state().bitwiseEquals(halves.state()), o + ": halves differ from trainBatch after step " + i);
                }
                TrainingState saved = whole.state();
                try (OpenClEngine resumed = new OpenClEngine(net, p, 0)) {
                    resumed.setState(saved);
                    resumed.setTrainingData(data);
                    resumed.setOrder(Shuffle.permutation(data.count(), 5, 1));
                    whole.setOrder(Shuffle.permutation(data.count(), 5, 1));
                    for (int i = 0; i < 3; i++) {
                        whole.trainBatch(i * 10, 10, 0.05);
                        resumed.trainBatch(i * 10, 10, 0.05);
                    }
                    assertTrue(whole.state().bitwiseEquals(resumed.state()), o + ": the resumed engine differs");
                }
            }
        }
    }

    private static void compareTensors(Network net, Parameters expected, Parameters actual, double tol, String what) {
        for (ParameterLayout.Tensor t : ParameterLayout.of(net).tensors()) {
            assertClose(what + " " + t.name(), toDouble(t.copyOut(expected.values())), toDouble(t.copyOut(actual.values())), tol);
        }
    }

    /**
     * Within {@code tol} in relative norm; a tensor that is zero by the math (the gradient of a
     * conv bias under batch norm, which the normalisation cancels, and that bias itself) has no
     * scale for a relative error: float32 rounding leaves it within {@link #ZERO} in norm.
     */
    private static void assertClose(String what, double[] expected, double[] actual, double tol) {
        double norm = 0;
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            norm += expected[i] * expected[i];
            error += (expected[i] - actual[i]) * (expected[i] - actual[i]);
        }
        if (Math.sqrt(norm) < ZERO) {
            assertTrue(Math.sqrt(error) <= ZERO, what + ": zero in the reference (norm " + Math.sqrt(norm) + "), " + Math.sqrt(error) + " off");
        } else {
            assertRelNorm(what, expected, actual, tol, 0);
        }
    }
}
