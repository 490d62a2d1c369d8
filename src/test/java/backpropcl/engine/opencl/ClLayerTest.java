package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.selftest.SyntheticData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's layer list: the factory builds a layer kind's routine once, shared by the layers
 * of that kind and only where the network has one; dropout with p = 0 is no layer, so the chain
 * stays dense-only and keeps the fused tail.
 */
class ClLayerTest {

    @BeforeAll
    static void device() {
        OpenClTestSupport.requireDevice();
    }

    /** Programs an engine of {@code spec} builds, counted while it is open; none is left after close. */
    private static int programsOf(String spec) {
        Network net = Network.parse(37, spec, Cost.CROSS_ENTROPY);
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
