package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Shape;
import backpropcl.selftest.SyntheticData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's layer list: the factory builds a layer kind's routine once, shared by the layers
 * of that kind and only where the network has one; dropout with p = 0 is no layer, so the chain
 * stays dense-only and keeps the fused tail; a conv network releases everything on close.
 */
class ClLayerTest {

    @BeforeAll
    static void device() {
        OpenClTestSupport.requireDevice();
    }

    /** Programs an engine of {@code spec} builds, counted while it is open; none is left after close. */
    private static int programsOf(String spec) {
        return programsOf(Network.parse(37, spec, Cost.CROSS_ENTROPY), spec);
    }

    private static int programsOf(Network net, String spec) {
        int before = LiveObjects.programs();
        int built;
        try (OpenClEngine cl = new OpenClEngine(net, Init.HE.initialise(net, 3), 0, KernelTuner.Mode.TILED, true)) {
            built = LiveObjects.programs() - before;
        }
        assertEquals(before, LiveObjects.programs(), "programs left after close of " + spec);
        return built;
    }

    @Test
    void aLayerKindsRoutineIsBuiltOnceAndOnlyWhereTheNetworkHasOne() {
        // Gather, OutputLayer, OptimizerUpdate and DenseLayer, however many dense layers.
        assertEquals(4, programsOf("dense:16,relu,dense:10,softmax"));
        assertEquals(4, programsOf("dense:16,relu,dense:12,tanh,dense:11,relu,dense:10,softmax"));
        // Dropout's routine once, for one dropout layer or two.
        assertEquals(5, programsOf("dense:16,relu,dropout:0.5,dense:10,softmax"));
        assertEquals(5, programsOf("dropout:0.2,dense:16,relu,dropout:0.5,dense:10,softmax"));
        // Conv's routine once for two conv layers (its im2col variant runs on the dense routine); max pooling's and batch norm's once each.
        Shape image = new Shape(2, 10, 10);
        assertEquals(5, programsOf(Network.parse(image, CONV, Cost.CROSS_ENTROPY), CONV));
        assertEquals(7, programsOf(Network.parse(image, CONV_POOL_NORM, Cost.CROSS_ENTROPY), CONV_POOL_NORM));
    }

    private static final String CONV = "conv:4x3x3,relu,conv:3x3x3:p1,relu,flatten,dense:10,softmax";
    private static final String CONV_POOL_NORM = "conv:4x3x3,relu,maxpool:2,batchnorm,conv:3x3x3,batchnorm,relu,flatten,dense:12,"
            + "batchnorm,dense:10,softmax";

    /**
     * A conv network trained (with the conv passes timed, so the tuner's scratch is made and
     * released too), evaluated and closed leaves no buffer, program or context behind.
     */
    @Test
    void aConvNetworkLeavesNothingAfterClose() {
        Network net = Network.parse(new Shape(2, 10, 10), CONV_POOL_NORM, Cost.CROSS_ENTROPY);
        Dataset data = SyntheticData.random("random", 3, 30, net.inputSize(), 10, true);
        int buffers = LiveObjects.buffers();
        int programs = LiveObjects.programs();
        int contexts = LiveObjects.contexts();
        try (OpenClEngine cl = new OpenClEngine(net, Init.HE.initialise(net, 3), 0, KernelTuner.Mode.TUNE, true)) {
            cl.setOptimizer(Optimizer.of(Optimizer.Kind.ADAM));
            cl.setTrainingData(data);
            cl.trainBatch(0, 10, 0.01);
            cl.trainBatch(10, 20, 0.01);   // a larger batch: new pass blocks and plans
            cl.evaluate(data);
            assertTrue(LiveObjects.buffers() > buffers, "the engine holds buffers while open");
        }
        assertEquals(buffers, LiveObjects.buffers(), "buffers left after close");
        assertEquals(programs, LiveObjects.programs(), "programs left after close");
        assertEquals(contexts, LiveObjects.contexts(), "contexts left after close");
    }

    @Test
    void dropoutOfZeroIsNoLayerAndKeepsTheFusedTail() {
        Network net = Network.parse(37, "dense:16,relu,dropout:0,dense:10,softmax", Cost.CROSS_ENTROPY);
        Dataset data = SyntheticData.random("random", 3, 20, 37, 10, true);
        try (OpenClEngine cl = new OpenClEngine(net, Init.HE.initialise(net, 3), 0, KernelTuner.Mode.TILED, true)) {
            cl.setTrainingData(data);
            cl.trainBatch(0, 10, 0.1);
            assertTrue(cl.kernelChoices().contains("layers 1-1 fused"), cl.kernelChoices());
        }
        assertEquals(4, programsOf("dense:16,relu,dropout:0,dense:10,softmax"));
    }
}
