package backpropcl.engine.opencl;

import static backpropcl.testing.Assertions2.assertRelNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import backpropcl.data.Dataset;
import backpropcl.engine.DataParallelEngine;
import backpropcl.engine.Engine;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import backpropcl.train.Shuffle;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The data-parallel engine on OpenCL replicas: on two devices (ci/test runs this class with
 * POCL_DEVICES="pthread pthread", two PoCL devices) it trains as one device does within the
 * 100-step tolerance, dropout included, with the replicas bitwise equal; closing it releases every
 * context, program and buffer of its replicas.
 */
public class DataParallelDevicesTest {
    private static final Network NET = Network.parse(64, "dense:32,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
    private static final long SEED = 7;

    /**
     * Skips without two devices, except that it fails when CI=true and POCL_DEVICES asks for two
     * or more devices: then the second one is missing, and the multi-device tests would not run.
     */
    static void requireTwoDevices() {
        OpenClTestSupport.requireDevice();
        int found = OpenClTestSupport.deviceCount();
        if (found >= 2) {
            return;
        }
        String asked = System.getenv("POCL_DEVICES");
        if ("true".equalsIgnoreCase(System.getenv("CI")) && asked != null && asked.trim().split("\\s+").length >= 2) {
            fail("CI=true and POCL_DEVICES=\"" + asked + "\" asks for two devices, but OpenCL lists " + found);
        }
        Assumptions.abort("one OpenCL device only (POCL_DEVICES=\"pthread pthread\" makes two on PoCL)");
    }

    private static void train(Engine e, Dataset data, int steps) {
        e.setTrainingData(data);
        e.setSeed(SEED);
        e.reserveBatch(20);
        e.setOrder(Shuffle.permutation(data.count(), SEED, 0));
        for (int s = 0; s < steps; s++) {
            e.trainBatch(s % 15 * 20, 20, 0.1);
        }
    }

    @Test
    void twoDevicesTrainAsOneWithReplicasBitwiseEqual() {
        requireTwoDevices();
        Parameters p = Init.HE.initialise(NET, SEED);
        Dataset data = SyntheticData.random("random", SEED, 300, NET.inputSize(), NET.outputSize(), true);
        try (OpenClEngine one = new OpenClEngine(NET, p, 0);
                DataParallelEngine two = new DataParallelEngine(List.of(new OpenClEngine(NET, p, 0), new OpenClEngine(NET, p, 1)))) {
            assertTrue(two.replica(1).description().contains(OpenClDevices.list().get(1).name()), two.description());
            train(one, data, 100);
            train(two, data, 100);
            TrainingState first = two.replica(0).state();
            assertTrue(first.bitwiseEquals(two.replica(1).state()), "the replicas on devices 0 and 1 differ after 100 steps");
            assertRelNorm("two devices against one after 100 steps", one.state().values(), first.values(),
                    EngineEquivalenceTest.HUNDRED_STEPS, SEED);
        }
    }

    @Test
    void closingReleasesEveryReplicasObjects() {
        OpenClTestSupport.requireDevice();
        int devices = OpenClTestSupport.deviceCount();
        Parameters p = Init.HE.initialise(NET, SEED);
        Dataset data = SyntheticData.random("random", SEED, 300, NET.inputSize(), NET.outputSize(), true);
        assertEquals(0, ClContext.liveCount(), "contexts alive before the test");
        for (int cycle = 0; cycle < 3; cycle++) {
            try (DataParallelEngine two = new DataParallelEngine(
                    List.of(new OpenClEngine(NET, p, 0), new OpenClEngine(NET, p, devices > 1 ? 1 : 0)))) {
                train(two, data, 3);
                two.evaluate(data);
                assertTrue(ClBuffer.liveCount() > 0);
            }
            assertEquals(0, ClBuffer.liveCount(), "buffers alive after cycle " + cycle);
            assertEquals(0, ClProgram.liveCount(), "programs alive after cycle " + cycle);
            assertEquals(0, ClContext.liveCount(), "contexts alive after cycle " + cycle);
        }
    }
}
