package backpropcl.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.Tolerances;
import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference engine's conv, maxpool and batchnorm layers, worked by hand, and its two half-steps with batchnorm. */
class ConvLayersTest {

    @Test
    void convolutionIsTheDefinitionWithStrideAndPadding() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        // 2x2 kernel [[1, 2], [3, 4]], bias 0.5, on the 3x3 input 1..9.
        assertArrayEquals(new double[] {37.5, 47.5, 67.5, 77.5}, convOut("conv:1x2x2,flatten,dense:1", x));
        // Padded by 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1); zeros outside the image.
        assertArrayEquals(new double[] {4.5, 18.5, 36.5, 77.5}, convOut("conv:1x2x2:s2:p1,flatten,dense:1", x));
    }

    private static double[] convOut(String spec, double[] x) {
        Network net = Network.parse(new Shape(1, 3, 3), spec, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        p.set("layers.0.weight", new float[] {1, 2, 3, 4});
        p.set("layers.0.bias", new float[] {0.5f});
        try (ReferenceEngine e = new ReferenceEngine(net, p)) {
            e.setBatch(x, new double[] {0}, 1);
            e.feedforward();
            return tensor(e.traceLayers(), 0, "out");
        }
    }

    @Test
    void aTieInAPoolingWindowSendsTheGradientToTheFirstMaximum() {
        Network net = Network.parse(new Shape(1, 2, 2), "conv:1x1x1,maxpool:2,flatten,dense:1", Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        p.set("layers.0.weight", new float[] {1});
        p.setWeights(0, new float[] {2});
        try (ReferenceEngine e = new ReferenceEngine(net, p)) {
            e.setBatch(new double[] {3, 5, 5, 1}, new double[] {0}, 1);
            e.feedforward();
            e.backprop();
            List<LayerTrace.Tensor> t = e.traceLayers();
            assertArrayEquals(new double[] {5}, tensor(t, 1, "out"));
            // Quadratic cost, identity output: delta = a - y = 10; into the pool: delta * W = 20, all to the first 5.
            assertArrayEquals(new double[] {0, 20, 0, 0}, tensor(t, 0, "grad out"));
            assertArrayEquals(new double[] {20 * 5}, tensor(t, 0, "grad weight"));
        }
    }

    @Test
    void batchnormKeepsItsStatisticsUntilTheUpdateAndEvaluatesWithTheRunningOnes() {
        Network net = Network.parse(new Shape(1, 2, 2), "conv:2x1x1,batchnorm,flatten,dense:1", Cost.QUADRATIC);
        Parameters p = Init.XAVIER.initialise(net, 3);
        p.set("layers.0.weight", new float[] {1, 2});
        float[] ones = new float[8];
        Arrays.fill(ones, 1f);
        p.setWeights(0, ones);
        Dataset data = new Dataset("two rows", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 0}, 2, 4, 1);
        try (ReferenceEngine e = new ReferenceEngine(net, p)) {
            e.setTrainingData(data);
            e.computeGradients(0, 2);
            TrainingState half = e.state();
            assertArrayEquals(new double[] {0, 0}, half.copy("layers.1.running_mean"), "the computing half changes no statistic");
            assertArrayEquals(new double[] {1, 1}, half.copy("layers.1.running_var"));
            e.applyGradients(0);
            TrainingState s = e.state();
            // Channel 0 holds 1..8 (mean 4.5, unbiased variance 6), channel 1 twice that (mean 9, variance 24).
            assertArrayEquals(new double[] {0.1 * 4.5, 0.1 * 9}, s.copy("layers.1.running_mean"), 1e-15);
            assertArrayEquals(new double[] {0.9 + 0.1 * 6, 0.9 + 0.1 * 24}, s.copy("layers.1.running_var"), 1e-15);
            assertArrayEquals(new double[] {1}, s.copy("layers.1.num_batches_tracked"));
            e.applyGradients(0);
            assertArrayEquals(new double[] {1}, e.state().copy("layers.1.num_batches_tracked"), "one update per kept batch");

            // Evaluation: (x w_c - running_mean_c) / sqrt(running_var_c + eps) summed by the ones of the dense layer.
            Dataset one = new Dataset("one row", new float[] {1, 2, 3, 4}, new int[] {0}, 1, 4, 1);
            double out = 0;
            for (int c = 0; c < 2; c++) {
                for (int i = 1; i <= 4; i++) {
                    out += (i * (c + 1) - s.copy("layers.1.running_mean")[c]) / Math.sqrt(s.copy("layers.1.running_var")[c] + 1e-5);
                }
            }
            assertEquals(0.5 * (out - 1) * (out - 1), e.evaluate(one).meanCost(), 1e-12);
        }
    }

    @Test
    void aTrainingStepIsItsTwoHalves() {
        Network net = Network.parse(new Shape(3, 5, 5), "conv:4x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:6,batchnorm,tanh,"
                + "dense:3,softmax", Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 9);
        Dataset data = randomData(net, 5, 4);
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM).withWeightDecay(0.01);
        try (ReferenceEngine whole = new ReferenceEngine(net, p); ReferenceEngine halves = new ReferenceEngine(net, p)) {
            for (ReferenceEngine e : List.of(whole, halves)) {
                e.setTrainingData(data);
                e.setOptimizer(adam);
            }
            for (int step = 0; step < 3; step++) {
                whole.trainBatch(step, 2, 0.01);
                halves.computeGradients(step, 2);
                halves.applyGradients(0.01);
            }
            assertTrue(whole.state().bitwiseEquals(halves.state()));
            assertEquals(3, whole.state().copy("layers.1.num_batches_tracked")[0]);
        }
    }

    @Test
    void adamWithWeightDecayLeavesTheRunningStatisticsAloneOnZeroGradients() {
        Network net = Network.parse(new Shape(1, 3, 3), "conv:2x2x2,batchnorm,relu,flatten,dense:2", Cost.QUADRATIC);
        Parameters p = Init.XAVIER.initialise(net, 5);
        try (ReferenceEngine e = new ReferenceEngine(net, p)) {
            e.setOptimizer(Optimizer.of(Optimizer.Kind.ADAM).withWeightDecay(0.1));
            e.setGradients(new Gradients(net));
            e.applyGradients(0.01);
            e.applyGradients(0.01);
            TrainingState s = e.state();
            assertArrayEquals(new double[] {1, 1}, s.copy("layers.1.running_var"));
            assertArrayEquals(new double[] {0, 0}, s.copy("layers.1.running_mean"));
            assertArrayEquals(new double[] {0}, s.copy("layers.1.num_batches_tracked"));
            assertArrayEquals(new double[] {1, 1}, s.copy("layers.1.weight"), "gamma is not decayed");
            assertArrayEquals(new double[2], s.copySlot(1, "layers.1.running_var"));
            assertNotEquals(p.copy("layers.0.weight")[0], (float) s.copy("layers.0.weight")[0], "conv weights are decayed");
        }
    }

    @Test
    void theTraceListsEveryLayersTensors() {
        Network net = Network.parse(new Shape(1, 4, 4), "conv:2x3x3,batchnorm,relu,maxpool:2,flatten,dense:2,sigmoid", Cost.QUADRATIC);
        try (ReferenceEngine e = new ReferenceEngine(net, Init.XAVIER.initialise(net, 1))) {
            e.setTrainingData(randomData(net, 3, 2));
            e.trainBatch(0, 3, 0.1);
            List<String> bn = e.traceLayers().stream().filter(t -> t.layer() == 1).map(LayerTrace.Tensor::name).toList();
            assertEquals(List.of("out", "grad out", "grad weight", "weight", "grad bias", "bias", "running_mean", "running_var",
                    "num_batches_tracked"), bn);
            assertEquals(3 * 2 * 2 * 2, tensor(e.traceLayers(), 0, "out").length);
            assertEquals(List.of("out"), e.traceLayers().stream().filter(t -> t.layer() == 6).map(LayerTrace.Tensor::name).toList());
        }
    }

    @Test
    void convNetworksPassTheGradientCheck() {
        for (GradientCheck.Case c : GradientCheck.convolutionalCases(4)) {
            GradientCheck.Result r = GradientCheck.run(c.network(), c.batch(), 17);
            assertTrue(r.relativeError() <= Tolerances.GRADIENT_CHECK_F64, c + ": relative error " + r.relativeError());
        }
    }

    @Test
    void batchnormRefusesOneValuePerFeatureInTraining() {
        Network net = Network.parse(4, "dense:3,batchnorm,relu,dense:2", Cost.QUADRATIC);
        try (ReferenceEngine e = new ReferenceEngine(net, Init.XAVIER.initialise(net, 1))) {
            e.setTrainingData(randomData(net, 2, 2));
            assertEquals("layer 2 'batchnorm': a batch of 1 row gives 1 value per feature, no variance to normalise by; train with "
                    + "batches of 2 rows or more (PyTorch refuses this too)",
                    assertThrows(IllegalArgumentException.class, () -> e.trainBatch(0, 1, 0.1)).getMessage());
        }
    }

    @Test
    void everyEngineOpensAConvNetworkAndAutoTakesTheGpuElseTheCpuEngine() {
        Network net = Network.parse(new Shape(1, 4, 4), "conv:2x3x3,flatten,dense:2", Cost.QUADRATIC);
        Parameters p = Init.XAVIER.initialise(net, 1);
        try (EngineSelector.Choice auto = EngineSelector.open("auto", null, net, p)) {
            if (OpenClDevices.list().stream().noneMatch(DeviceInfo::isGpu)) {
                assertTrue(auto.engine() instanceof backpropcl.engine.cpu.CpuEngine, auto.reason());
            } else {
                assertEquals("auto: the first OpenCL GPU", auto.reason());
            }
        }
        try (EngineSelector.Choice ref = EngineSelector.open("reference", null, net, p)) {
            assertTrue(ref.engine() instanceof ReferenceEngine);
        }
    }

    private static Dataset randomData(Network net, int count, int classes) {
        java.util.Random rnd = new java.util.Random(count);
        float[] x = new float[count * net.inputSize()];
        int[] labels = new int[count];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        for (int i = 0; i < count; i++) {
            labels[i] = rnd.nextInt(classes);
        }
        return new Dataset("random", x, labels, count, net.inputSize(), classes);
    }

    private static double[] tensor(List<LayerTrace.Tensor> trace, int layer, String name) {
        return trace.stream().filter(t -> t.layer() == layer && t.name().equals(name)).findFirst().orElseThrow().values();
    }
}
