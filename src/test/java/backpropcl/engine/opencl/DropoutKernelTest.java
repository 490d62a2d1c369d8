package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/dropout.cl's dropout_forward and dropout_backward element by element against
 * model.DropoutMask (DropoutApply): random input, output poisoned with guard regions before and
 * after it, blocks of 1, 7, 257 x 33 and shapes that are multiples of no work-group, seeds and
 * steps with both 32-bit words set, blocks that are a batch's first rows and blocks that are a
 * later slice of one (a data-parallel replica's rows firstRow..).
 */
class DropoutKernelTest {
    private static ClContext ctx;
    private static DropoutApply apply;

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        ctx = ClContext.open(0);
        apply = new DropoutApply(ctx);
    }

    @AfterAll
    static void close() {
        if (apply != null) {
            apply.close();
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    /** (seed, step, layer, p, firstRow, rows, width, work-group). */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 1}, {257, 33}, {3, 37}, {17, 100}};
        double[] ps = {0.5, 0.1, 0.75, 0.25, 0.9, 0.5};
        long[][] seedStep = {{0, 1}, {77, 3}, {-1L, 0x700000003L}, {0x0123456789abcdefL, 1L << 40}, {5, 100}, {Long.MIN_VALUE, 2}};
        int[] locals = {16, 64, 256};
        int[] firstRows = {0, 3, 0, 50, 1, 0};
        List<Arguments> out = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            out.add(Arguments.of(seedStep[i][0], seedStep[i][1], i + 1, ps[i], firstRows[i], shapes[i][0], shapes[i][1], locals[i % locals.length]));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "forward seed {0} step {1} layer {2} p {3} rows {4}.. ({5}, {6}) work-group {7}")
    @MethodSource("cases")
    void forwardMatchesTheMaskRule(long seed, long step, int layer, double p, int firstRow, int rows, int width, int local) {
        assertNull(apply.problem(ctx, seed, step, layer, p, firstRow, rows, width, local, false));
    }

    @ParameterizedTest(name = "backward seed {0} step {1} layer {2} p {3} rows {4}.. ({5}, {6}) work-group {7}")
    @MethodSource("cases")
    void backwardMatchesTheMaskRule(long seed, long step, int layer, double p, int firstRow, int rows, int width, int local) {
        assertNull(apply.problem(ctx, seed, step, layer, p, firstRow, rows, width, local, true));
    }
}
