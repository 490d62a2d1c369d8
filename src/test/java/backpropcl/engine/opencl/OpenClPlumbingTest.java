package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Devices, wrappers and errors: what is reported and what is refused. */
class OpenClPlumbingTest {

    @Test
    void devicesAreListedWithTheirLimits() {
        OpenClTestSupport.requireDevice();
        List<DeviceInfo> devices = OpenClDevices.list();
        assertTrue(OpenClDevices.unavailableReason().isEmpty());
        for (int i = 0; i < devices.size(); i++) {
            DeviceInfo d = devices.get(i);
            assertEquals(i, d.index());
            assertTrue(Set.of("GPU", "CPU", "ACCELERATOR", "CUSTOM", "DEFAULT").contains(d.type()), d.type());
            assertTrue(!d.name().isEmpty() && !d.platform().isEmpty(), d.toString());
            assertTrue(d.computeUnits() > 0 && d.globalMemBytes() > 0 && d.maxAllocBytes() > 0, d.toString());
            assertTrue(d.maxAllocBytes() <= d.globalMemBytes(), d.toString());
            assertTrue(d.localMemBytes() > 0 && d.maxWorkGroupSize() > 0, d.toString());
            assertTrue(d.openclVersion().startsWith("OpenCL "), d.openclVersion());
        }
    }

    @Test
    void aProgramThatDoesNotBuildReportsItsLog() {
        OpenClTestSupport.requireDevice();
        try (ClContext ctx = ClContext.open(0)) {
            OpenClException e = assertThrows(OpenClException.class,
                    () -> ctx.program(new String[] {"__kernel void broken(__global float* x) { x[0] = no_such_name; }\n"}, "-D TS=4"));
            assertEquals("clBuildProgram", e.call());
            assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE"), e.getMessage());
            assertTrue(e.getMessage().contains("no_such_name"), "the build log is in the message: " + e.getMessage());
            assertTrue(e.getMessage().contains(ctx.deviceName()), e.getMessage());
            assertEquals(0, ClProgram.liveCount());
        }
    }

    @Test
    void buffersCheckEveryRange() {
        OpenClTestSupport.requireDevice();
        try (ClContext ctx = ClContext.open(0)) {
            ClBuffer b = ctx.buffer(10 * Float.BYTES, "ten floats");
            float[] ten = new float[10];
            b.write(ten);
            assertThrows(IndexOutOfBoundsException.class, () -> b.write(new float[11]));
            assertThrows(IndexOutOfBoundsException.class, () -> b.write(1, ten, 0, 10));
            assertThrows(IndexOutOfBoundsException.class, () -> b.read(0, ten, 5, 6));
            assertThrows(IndexOutOfBoundsException.class, () -> b.read(-1, ten, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> b.read(new int[11]));
            assertThrows(IllegalArgumentException.class, () -> ctx.buffer(0, "empty"));
            OpenClException big = assertThrows(OpenClException.class, () -> ctx.buffer(ctx.maxAllocBytes() + 1, "huge"));
            assertTrue(big.getMessage().contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE"), big.getMessage());
            b.close();
            b.close();   // twice is fine
            assertThrows(IllegalStateException.class, () -> b.read(ten));
        }
        assertEquals(0, ClBuffer.liveCount());
    }

    @Test
    void statusesAreNamed() {
        OpenClTestSupport.requireDevice();
        OpenClException e = new OpenClException("clEnqueueNDRangeKernel", -5, "some device", null, null);
        assertEquals("clEnqueueNDRangeKernel failed with CL_OUT_OF_RESOURCES on some device", e.getMessage());
        assertEquals(-5, e.status());
        assertEquals("status -123456", OpenClException.statusName(-123456));
    }

    @Test
    void aDataSetLargerThanTheDeviceIsRefusedBeforeAllocating() {
        DataException e = assertThrows(DataException.class,
                () -> DeviceData.checkFits("gpu0", "mnist/train", 3L << 30, 1L << 20, 1L << 30, 8L << 30));
        assertTrue(e.getMessage().contains("mnist/train") && e.getMessage().contains("gpu0")
                && e.getMessage().contains("in chunks"), e.getMessage());
        assertThrows(DataException.class, () -> DeviceData.checkFits("gpu0", "x", 1L << 29, 1L << 20, 1L << 30, 1L << 29));
        DeviceData.checkFits("gpu0", "x", 1L << 29, 1L << 20, 1L << 30, 8L << 30);
    }

    /** Tile choices for the limits of typical devices (as data): always legal, largest that fits. */
    @Test
    void tilesFitTheDeviceLimits() {
        // max work-group, max items dim 0, dim 1, local memory
        long[][] devices = {
            {1024, 1024, 1024, 48 << 10},   // NVIDIA
            {256, 1024, 1024, 64 << 10},    // AMD
            {256, 256, 256, 64 << 10},      // Intel GPU
            {4096, 4096, 4096, 1 << 20},    // PoCL CPU
            {64, 64, 64, 32 << 10},         // small embedded GPU
            {128, 128, 1, 32 << 10},        // dimension 1 of size 1
            {1024, 1024, 1024, 1024},       // 1 KiB of local memory
        };
        int[] expected = {16, 16, 16, 16, 8, 1, 8};
        for (int i = 0; i < devices.length; i++) {
            long[] d = devices[i];
            int ts = LaunchSizes.tile(16, d[0], d[1], d[2], d[3]);
            assertEquals(expected[i], ts, "device " + i);
            assertTrue((long) ts * ts <= d[0] && ts <= d[1] && ts <= d[2] && LaunchSizes.tileLocalBytes(ts) <= d[3]);
        }
        assertEquals(4, LaunchSizes.tile(4, 1024, 1024, 1024, 1 << 16));
        assertEquals(64, LaunchSizes.powerOfTwoAtMost(64, 1024, 100));
        assertEquals(8, LaunchSizes.powerOfTwoAtMost(256, 9));
        assertEquals(16, LaunchSizes.powerOfTwoAtLeast(10));
        assertEquals(1, LaunchSizes.powerOfTwoAtLeast(1));
    }

    @Test
    void runtimeNameDropsTheOpenClPrefix() {
        assertEquals("PoCL 3.1+debian", OpenClEngine.runtimeName("OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts"));
        assertEquals("CUDA 12.2.148", OpenClEngine.runtimeName("OpenCL 3.0 CUDA 12.2.148"));
        assertEquals("Oclgrind 21.10", OpenClEngine.runtimeName("OpenCL 1.2 (Oclgrind 21.10)"));
        assertEquals("AMD-APP (3581.0)", OpenClEngine.runtimeName("OpenCL 2.1 AMD-APP (3581.0)"));
    }
}
