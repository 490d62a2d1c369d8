package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launch-size choices driven by the limits that typical devices report (values as clinfo
 * prints them for these devices; the 16 KB one is a profile, not a device we name), with a
 * kernel-level limit below the device's as a register-heavy kernel gets on a GPU: every choice
 * must be legal on the device it was made for.
 */
class DeviceLimitsTest {

    /** What a device reports, and the smallest CL_KERNEL_WORK_GROUP_SIZE among our kernels on it. */
    record Limits(String name, boolean cpu, long maxWorkGroup, long items0, long items1, long localBytes, long kernelLimit) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Limits> devices() {
        return Stream.of(
                new Limits("NVIDIA GeForce RTX 3090", false, 1024, 1024, 1024, 48 * 1024, 1024),
                new Limits("NVIDIA, register-heavy kernel", false, 1024, 1024, 1024, 48 * 1024, 384),
                new Limits("AMD Radeon RX 6800 (ROCm)", false, 256, 1024, 1024, 64 * 1024, 256),
                new Limits("Intel UHD Graphics 630 (NEO)", false, 256, 256, 256, 64 * 1024, 256),
                new Limits("Intel iGPU, SIMD8 kernel", false, 256, 256, 256, 64 * 1024, 128),
                new Limits("Apple M1", false, 256, 256, 256, 32 * 1024, 256),
                new Limits("ARM Mali-G52", false, 384, 384, 384, 32 * 1024, 192),
                new Limits("PoCL pthread CPU", true, 4096, 4096, 4096, 512 * 1024, 4096),
                new Limits("Intel CPU runtime", true, 8192, 8192, 8192, 32 * 1024, 8192),
                new Limits("small embedded device", false, 64, 64, 64, 4 * 1024, 64),
                new Limits("GPU with 16 KB of local memory", false, 256, 256, 256, 16 * 1024, 256),
                new Limits("one work-item device", false, 1, 1, 1, 1024, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void everyChoiceFits(Limits d) {
        int ts = LaunchSizes.tile(LaunchSizes.TILES[0], d.maxWorkGroup(), d.items0(), d.items1(), d.localBytes());
        assertTrue((long) ts * ts <= d.maxWorkGroup() && ts <= d.items0() && ts <= d.items1(), d + ": tile " + ts);
        assertTrue(LaunchSizes.tileLocalBytes(ts) <= d.localBytes(), d + ": tile " + ts + " local memory");
        int rebuilt = LaunchSizes.tileWithin(ts, d.kernelLimit());
        assertTrue((long) rebuilt * rebuilt <= d.kernelLimit() && rebuilt <= ts && rebuilt >= 1, d + ": rebuilt tile " + rebuilt);

        long linearLimit = Math.min(d.maxWorkGroup(), Math.min(d.items0(), d.kernelLimit()));
        int linear = LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, d.maxWorkGroup(), d.items0(), d.kernelLimit());
        assertTrue(linear >= 1 && linear <= linearLimit, d + ": 1-D work-group " + linear);

        long localFloats = d.localBytes() / Float.BYTES;
        int softmax = LaunchSizes.powerOfTwoAtMost(LaunchSizes.REDUCTION_WG, d.maxWorkGroup(), d.items0(), d.kernelLimit(), localFloats);
        assertTrue(softmax <= linearLimit && (long) softmax * Float.BYTES <= d.localBytes(), d + ": softmax work-group " + softmax);
        int metrics = LaunchSizes.powerOfTwoAtMost(LaunchSizes.REDUCTION_WG, d.maxWorkGroup(), d.items0(), d.kernelLimit(),
                localFloats / 2);
        assertTrue(metrics <= linearLimit && 2L * metrics * Float.BYTES <= d.localBytes(), d + ": metrics work-group " + metrics);

        int[] blocked = LaunchSizes.blockedLocals(d.cpu(), linearLimit);
        assertTrue(blocked.length > 0, d + ": no blocked candidate");
        for (int local : blocked) {
            assertTrue(local >= 1 && local <= linearLimit, d + ": blocked work-group " + local);
        }
        int tail = LaunchSizes.tailWorkGroup(d.cpu(), d.maxWorkGroup(), d.items0(), d.kernelLimit());
        assertTrue(tail >= 1 && tail <= linearLimit, d + ": tail work-group " + tail);

        // Batch norm's one-group-per-channel trees: a power of two, within the limits, its local floats within local memory.
        for (int floats : new int[] {BatchNormLayer.STATISTICS_LOCALS, BatchNormLayer.BACKWARD_LOCALS}) {
            int wg = LaunchSizes.reductionWorkGroup(LaunchSizes.REDUCTION_WG, floats, d.localBytes(), d.maxWorkGroup(), d.items0(),
                    d.kernelLimit());
            assertTrue(wg >= 1 && Integer.bitCount(wg) == 1 && wg <= linearLimit && (long) wg * floats * Float.BYTES <= d.localBytes(),
                    d + ": batch-norm work-group " + wg + " with " + floats + " local floats per item");
        }
    }

    @Test
    void batchNormTreesFollowLocalMemory() {
        assertEquals(256, LaunchSizes.reductionWorkGroup(256, 2, 16 * 1024, 256, 256, 256), "16 KB holds 2 x 256 floats");
        assertEquals(128, LaunchSizes.reductionWorkGroup(256, 2, 1024, 1024, 1024), "1 KB holds 2 x 128 floats");
        assertEquals(256, LaunchSizes.reductionWorkGroup(256, 1, 1024, 1024, 1024), "1 KB holds 256 floats");
        assertEquals(64, LaunchSizes.reductionWorkGroup(256, 2, 4 * 1024, 64, 64, 64), "the work-group limit binds first");
        assertEquals(1, LaunchSizes.reductionWorkGroup(256, 2, 4, 1024), "less than one item's floats: one item");
    }

    @Test
    void gpusGetTheLargestTileThatFits() {
        assertEquals(16, LaunchSizes.tile(16, 1024, 1024, 1024, 48 * 1024));
        assertEquals(8, LaunchSizes.tile(16, 64, 64, 64, 4 * 1024));
        assertEquals(8, LaunchSizes.tileWithin(16, 128), "a kernel limited to 128 items gets 8 x 8");
        assertEquals(16, LaunchSizes.tileWithin(16, 256));
    }

    @Test
    void blockedCandidatesFollowTheDeviceType() {
        assertTrue(java.util.Arrays.equals(new int[] {1, 4, 16}, LaunchSizes.blockedLocals(true, 4096)));
        assertTrue(java.util.Arrays.equals(new int[] {32, 64, 256}, LaunchSizes.blockedLocals(false, 1024)));
        assertTrue(java.util.Arrays.equals(new int[] {32, 64}, LaunchSizes.blockedLocals(false, 192)));
        assertTrue(java.util.Arrays.equals(new int[] {16}, LaunchSizes.blockedLocals(false, 16)), "below a warp: the largest that fits");
    }
}
