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
 * kernels/conv.cl's conv_forward, conv_backward, conv_weight_gradients and conv_bias_gradients,
 * and the im2col variant's forward, input delta and gradients (with the tiled and the blocked
 * dense products), against double loops from nn.Conv2d's definition (ConvCheck): 1 and 3 channels (and 2), kernels
 * 1, 3 and 5, strides 1 and 2, padding 0, 1 and 2, a 1x1 output, batches 1, 3 and 7, LeNet's first
 * layer on 28x28, every element-wise activation; each kernel on each shape.
 */
class ConvKernelTest {
    private static ConvCheck check;

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        check = new ConvCheck(CheckBuffers.onDevice0());
    }

    @AfterAll
    static void close() {
        if (check != null) {
            check.close();
        }
    }

    /** (rows, geometry): C, H, W, F, K, S, P. */
    static final Object[][] SHAPES = {
        {1, new ConvGeometry(1, 5, 5, 2, 1, 1, 0)},     // kernel 1
        {7, new ConvGeometry(3, 9, 7, 4, 3, 1, 1)},     // 3 channels, "same" padding
        {7, new ConvGeometry(3, 11, 10, 5, 5, 2, 2)},   // kernel 5, stride 2, padding 2, odd sizes
        {1, new ConvGeometry(3, 3, 3, 3, 3, 1, 0)},     // a 1x1 output
        {7, new ConvGeometry(1, 28, 28, 6, 5, 1, 2)},   // LeNet's first layer
        {1, new ConvGeometry(1, 8, 9, 3, 3, 2, 0)},     // stride 2, the last column unread
        {7, new ConvGeometry(3, 5, 5, 2, 5, 2, 1)},     // kernel as large as the input, padded: 2x2
        {3, new ConvGeometry(2, 4, 4, 1, 3, 2, 2)},     // padding 2 with kernel 3: windows in the padding
    };

    /** (kernel, rows, geometry, activation, seed). */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ConvCheck.Kernel kernel : ConvCheck.Kernel.values()) {
            for (int i = 0; i < SHAPES.length; i++) {
                out.add(Arguments.of(kernel, SHAPES[i][0], SHAPES[i][1], KernelTest.ELEMENTWISE[i % KernelTest.ELEMENTWISE.length],
                        300L + i));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} rows {1} {2} {3} seed {4}")
    @MethodSource("cases")
    void kernelMatchesTheDefinition(ConvCheck.Kernel kernel, int rows, ConvGeometry g, Activation act, long seed) {
        assertNull(check.problem(kernel, rows, g, act, seed));
    }
}
