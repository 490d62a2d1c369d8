package backpropcl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.opencl.DeviceInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Picking workloads and engines from the command line's lists. */
class SelectionTest {
    private static final List<DeviceInfo> TWO_DEVICES = List.of(device(0, "cpu-device"), device(1, "gpu-device"));

    private static DeviceInfo device(int index, String name) {
        return new DeviceInfo(index, 0, "platform", name, "vendor", "CPU", 2, 1L << 30, 1L << 28, 1L << 16, 1024,
                "OpenCL 1.2", "1.0");
    }

    @Test
    void workloadsByNameInTheOrderGivenWithoutDuplicates() {
        assertEquals(List.of(Workloads.W3, Workloads.W1), Workloads.select(List.of("w3", "W1", "W3"), Workloads.STANDARD));
    }

    @Test
    void unknownWorkloadNamesTheOnesThatExist() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Workloads.select(List.of("W1", "W9"), Workloads.STANDARD));
        assertEquals("unknown workload 'W9' (expected W1, W2, W3)", e.getMessage());
    }

    @Test
    void standardRecipes() {
        assertEquals("784-16-16-10", Workloads.W1.network().archString());
        assertEquals(10, Workloads.W1.batch());
        assertEquals("784-128-64-10", Workloads.W2.network().archString());
        assertEquals(100, Workloads.W2.batch());
        assertEquals("784-1024-1024-10", Workloads.W3.network().archString());
        assertEquals(256, Workloads.W3.batch());
        assertTrue(Workloads.W3.slowOnReference());
    }

    @Test
    void defaultIsEveryEngineAndEveryDevice() {
        List<EngineTarget> t = EngineTargets.resolve(null, null, TWO_DEVICES, Optional.empty());
        assertEquals(List.of("reference", "cpu", "opencl:0", "opencl:1"), t.stream().map(EngineTarget::label).toList());
    }

    @Test
    void deviceRestrictsOpenCl() {
        List<EngineTarget> t = EngineTargets.resolve(List.of("opencl", "reference"), 1, TWO_DEVICES, Optional.empty());
        assertEquals(List.of("opencl:1", "reference"), t.stream().map(EngineTarget::label).toList());
    }

    @Test
    void noOpenClIsATargetThatSaysWhy() {
        List<EngineTarget> t = EngineTargets.resolve(List.of("OpenCL"), null, List.of(), Optional.of("no ICD loader"));
        assertEquals(1, t.size());
        assertEquals("no OpenCL device: no ICD loader", t.get(0).unavailable());
    }

    @Test
    void badEngineListsAreRefused() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> EngineTargets.resolve(List.of("quantum"), null, TWO_DEVICES, Optional.empty()));
        assertTrue(unknown.getMessage().startsWith("unknown engine 'quantum'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineTargets.resolve(List.of("auto"), null, TWO_DEVICES, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> EngineTargets.resolve(List.of("opencl"), 2, TWO_DEVICES, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> EngineTargets.resolve(List.of("reference"), 0, TWO_DEVICES, Optional.empty()));
    }

    @Test
    void replicasAndDevicesAddDataParallelRowsAfterTheirEngines() {
        List<EngineTarget> t = EngineTargets.resolve(null, null, List.of(1, 2), "0,1", TWO_DEVICES, Optional.empty());
        assertEquals(List.of("reference", "cpu", "cpu x1", "cpu x2", "opencl:0", "opencl:1", "opencl:0,1"),
                t.stream().map(EngineTarget::label).toList());
        assertEquals(List.of(1, 1, 1, 2, 1, 1, 2), t.stream().map(EngineTarget::count).toList());
        assertEquals(2, t.get(3).replicas());
        assertEquals("0,1", t.get(6).devices());
        assertTrue(t.get(6).parallel() && !t.get(4).parallel());

        List<EngineTarget> none = EngineTargets.resolve(List.of("opencl"), null, null, "all", List.of(), Optional.of("no ICD loader"));
        assertEquals(List.of("opencl", "opencl:all"), none.stream().map(EngineTarget::label).toList());
        assertEquals("no OpenCL device: no ICD loader", none.get(1).unavailable());
    }

    @Test
    void replicasAndDevicesNeedTheirEngines() {
        IllegalArgumentException replicas = assertThrows(IllegalArgumentException.class,
                () -> EngineTargets.resolve(List.of("opencl"), null, List.of(2), null, TWO_DEVICES, Optional.empty()));
        assertEquals("--replicas times cpu replicas, but --engines does not include cpu", replicas.getMessage());
        IllegalArgumentException devices = assertThrows(IllegalArgumentException.class,
                () -> EngineTargets.resolve(List.of("cpu"), null, null, "0,1", TWO_DEVICES, Optional.empty()));
        assertEquals("--devices times OpenCL devices together, but --engines does not include opencl", devices.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> EngineTargets.resolve(null, null, null, "0,5", TWO_DEVICES, Optional.empty()));
        assertTrue(missing.getMessage().startsWith("--devices 0,5: device 5 does not exist"), missing.getMessage());
    }

    @Test
    void aDataParallelRowNamesEachReplicasDeviceOnce() {
        BenchRow cpu = BenchRow.skipped("W1", "cpu x2", 2, "data-parallel over 2 replicas: 0: cpu (float32 Java, 1 thread); "
                + "1: cpu (float32 Java, 1 thread)", "");
        assertEquals("float32 Java, 1 thread", cpu.device());
        BenchRow mixed = BenchRow.skipped("W1", "opencl:0,1", 2, "data-parallel over 2 replicas: 0: opencl (GPU A, Driver 1); "
                + "1: opencl (CPU B, PoCL 3.1)", "");
        assertEquals("GPU A, Driver 1 + CPU B, PoCL 3.1", mixed.device());
    }

    @Test
    void convWorkloadsAreNamedButNotRunByDefault() {
        assertEquals(List.of(Workloads.W1, Workloads.W2, Workloads.W3), Workloads.STANDARD);
        assertEquals(List.of(Workloads.W5, Workloads.W4), Workloads.select(List.of("w5", "W4"), Workloads.ALL));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Workloads.select(List.of("W4"), Workloads.STANDARD));
        assertEquals("unknown workload 'W4' (expected W1, W2, W3)", e.getMessage());
    }

    @Test
    void convWorkloadsAreLeNet5AndTheBatchNormNetwork() {
        Workload w4 = Workloads.W4;
        assertEquals("1x28x28", w4.network().inputShape().toString());
        assertEquals("conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,dense:10,softmax",
                w4.network().spec());
        assertEquals("16x5x5", w4.network().shape(5).toString());
        assertEquals(32, w4.batch());
        assertEquals(0.05, w4.learningRate());
        assertEquals(backpropcl.model.Init.HE, w4.init());
        assertFalse(w4.slowOnReference());
        Workload w5 = Workloads.W5;
        assertEquals("conv:32x3x3:p1,batchnorm,relu,maxpool:2,conv:64x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:128,relu,"
                + "dense:10,softmax", w5.network().spec());
        assertEquals("64x7x7", w5.network().shape(7).toString());
        assertEquals(64, w5.batch());
        assertTrue(w5.slowOnReference(), "25 MFLOP a sample in double loops");
    }

    @Test
    void epochLengthIsTheLargestOfTheWorkloads() {
        assertEquals(10_000, Workloads.trainSamples(Workloads.STANDARD));
        assertEquals(2_000, Workloads.trainSamples(List.of(Workloads.W4, Workloads.W5)));
        assertEquals(10_000, Workloads.trainSamples(List.of(Workloads.W5, Workloads.W2)));
    }
}
