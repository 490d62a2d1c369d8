package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertNull;

import backpropcl.model.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/maxpool.cl's maxpool_forward (maxima and first-maximum index exactly) and
 * maxpool_backward against loops from nn.MaxPool2d's definition and the tie rule (MaxPoolCheck):
 * 1 and 3 channels, windows 1, 2, 3 and 5, strides 1, 2 and 3 (overlapping, adjacent and gapped
 * windows), sizes the windows do not divide, a 1x1 output, batches 1 and 7, LeNet's pooling of
 * 6x28x28, each with Gaussian inputs and with ties.
 */
class MaxPoolKernelTest {
    private static MaxPoolCheck check;

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        check = new MaxPoolCheck(CheckBuffers.onDevice0());
    }

    @AfterAll
    static void close() {
        if (check != null) {
            check.close();
        }
    }

    /** (rows, geometry): C, H, W, K, S. */
    static final Object[][] SHAPES = {
        {1, new PoolGeometry(1, 4, 4, 2, 2)},
        {7, new PoolGeometry(3, 7, 9, 2, 2)},     // the last row and column in no window
        {7, new PoolGeometry(3, 9, 8, 3, 2)},     // overlapping windows
        {1, new PoolGeometry(1, 6, 5, 3, 1)},     // stride 1
        {7, new PoolGeometry(3, 5, 5, 5, 5)},     // a 1x1 output
        {7, new PoolGeometry(6, 28, 28, 2, 2)},   // LeNet's first pooling
        {1, new PoolGeometry(1, 3, 3, 1, 1)},     // window 1: the identity
        {7, new PoolGeometry(1, 10, 11, 2, 3)},   // stride past the window: elements in no window
    };

    /** (kernel, rows, geometry, activation, ties, seed). */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kernel : new String[] {"maxpool_forward", "maxpool_backward"}) {
            for (int i = 0; i < SHAPES.length; i++) {
                for (boolean ties : new boolean[] {false, true}) {
                    out.add(Arguments.of(kernel, SHAPES[i][0], SHAPES[i][1], KernelTest.ELEMENTWISE[i % KernelTest.ELEMENTWISE.length],
                            ties, 400L + 2 * i + (ties ? 1 : 0)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} rows {1} {2} {3} ties {4} seed {5}")
    @MethodSource("cases")
    void kernelMatchesTheDefinition(String kernel, int rows, PoolGeometry g, Activation act, boolean ties, long seed) {
        assertNull(check.problem(kernel.equals("maxpool_backward"), rows, g, act, ties, seed));
    }
}
