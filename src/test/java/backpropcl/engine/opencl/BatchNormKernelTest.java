package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import backpropcl.model.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/batchnorm.cl's batchnorm_statistics, batchnorm_forward (training and evaluation),
 * batchnorm_backward and batchnorm_running_update against double loops from the definitions
 * (BatchNormCheck): 1 and 3 channels, images (BatchNorm2d) and flat rows (HW 1, BatchNorm1d),
 * batches 1, 2 and 7, LeNet's 6x28x28 after its first conv, counts below, at and above the
 * reduction work-group, with the device's work-groups and with a forced group of 4.
 */
class BatchNormKernelTest {
    private static BatchNormCheck device;
    private static BatchNormCheck small;

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        CheckBuffers buffers = CheckBuffers.onDevice0();
        device = new BatchNormCheck(buffers, LaunchSizes.REDUCTION_WG);
        small = new BatchNormCheck(new CheckBuffers(buffers.context()), 4);
    }

    @AfterAll
    static void close() {
        if (small != null) {
            small.close();
        }
        if (device != null) {
            device.close();
        }
    }

    /** (rows, channels, HW). */
    static final int[][] SHAPES = {
        {7, 3, 25},     // 3x5x5 images
        {1, 1, 9},      // batch 1, one channel of 3x3
        {7, 6, 784},    // LeNet's 6x28x28
        {7, 10, 1},     // BatchNorm1d over 10 features
        {2, 1, 1},      // the smallest count with a running variance: 2 (not for the backward, below)
        {3, 2, 1},      // BatchNorm1d over 2 features of 3 rows
        {3, 3, 100},    // a count of 300, past a 256 work-group
        {1, 3, 1024},   // batch 1 of 3x32x32: every value from one row
    };

    /**
     * (kernel, rows, channels, HW, activation, forced group of 4, seed). Not the backward with 2
     * values per channel: there the outputs are +-gamma + beta whatever x is (up to eps), so the
     * exact input delta is of the order of eps and float32's is cancellation against it, with no
     * relative error to hold it to.
     */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (BatchNormCheck.Kernel kernel : BatchNormCheck.Kernel.values()) {
            for (int i = 0; i < SHAPES.length; i++) {
                if (kernel == BatchNormCheck.Kernel.BATCHNORM_BACKWARD && SHAPES[i][0] * SHAPES[i][2] <= 2) {
                    continue;
                }
                for (boolean forcedSmall : new boolean[] {false, true}) {
                    out.add(Arguments.of(kernel, SHAPES[i][0], SHAPES[i][1], SHAPES[i][2],
                            KernelTest.ELEMENTWISE[i % KernelTest.ELEMENTWISE.length], forcedSmall, 500L + 2 * i + (forcedSmall ? 1 : 0)));
                }
            }
        }
        return out.stream();
    }

    @Test
    void theForcedGroupIsFour() {
        assertArrayEquals(new int[] {4, 4}, small.reductionWorkGroups());
    }

    @ParameterizedTest(name = "{0} ({1}, {2}, {3}) {4} work-group 4: {5} seed {6}")
    @MethodSource("cases")
    void kernelMatchesTheDefinition(BatchNormCheck.Kernel kernel, int rows, int channels, int hw, Activation act, boolean forcedSmall,
                                    long seed) {
        assertNull((forcedSmall ? small : device).problem(kernel, rows, channels, hw, act, seed));
    }
}
