package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.EngineSelector;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** --engine cpu, and auto on a machine without an OpenCL GPU. */
class CpuEngineSelectionTest {
    private final Network net = Network.of("4-3-2", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
    private final Parameters p = Parameters.zeros(net);

    @Test
    void cpuIsSelectableByNameAndTakesNoDevice() {
        try (EngineSelector.Choice c = EngineSelector.open(" CPU ", null, net, p)) {
            assertInstanceOf(CpuEngine.class, c.engine());
            assertEquals("asked for with --engine cpu", c.reason());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineSelector.open("cpu", 0, net, p));
        assertTrue(e.getMessage().contains("--device"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngineSelector.open("gpu", null, net, p));
        assertTrue(e.getMessage().contains("auto, opencl, cpu or reference"), e.getMessage());
    }

    @Test
    void autoWithoutAnOpenClGpuTakesTheCpuEngineAndSaysWhy() {
        Assumptions.assumeTrue(OpenClDevices.list().stream().noneMatch(d -> d.isGpu()), "this machine has an OpenCL GPU");
        try (EngineSelector.Choice c = EngineSelector.open("auto", null, net, p)) {
            CpuEngine cpu = assertInstanceOf(CpuEngine.class, c.engine());
            String threads = cpu.threads() + (cpu.threads() == 1 ? " thread" : " threads");
            assertTrue(c.reason().startsWith("auto: no OpenCL "), c.reason());
            assertTrue(c.reason().endsWith("; the cpu engine (float32, " + threads + ") is the fastest CPU path"), c.reason());
        }
    }
}
