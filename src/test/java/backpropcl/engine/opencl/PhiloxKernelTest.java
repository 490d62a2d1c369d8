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
 * kernels/philox.cl's philox_fill bit for bit against backpropcl.model.Philox4x32.uniform (whose
 * generator Philox4x32Test checks against Random123's known answers), with its output poisoned
 * and a guard region after it, for sizes that are multiples of none of the work-groups.
 */
class PhiloxKernelTest {
    private static ClContext ctx;
    private static PhiloxFill fill;

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        ctx = ClContext.open(0);
        fill = new PhiloxFill(ctx);
    }

    @AfterAll
    static void close() {
        if (fill != null) {
            fill.close();
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    /** (seed, step, layer, n, work-group): seeds and steps with both 32-bit words set, and the extremes. */
    static Stream<Arguments> cases() {
        long[][] seedStepLayer = {{0, 0, 0}, {42, 1, 1}, {-1L, -1L, Integer.MAX_VALUE}, {0x0123456789abcdefL, 0x700000003L, 5},
            {Long.MIN_VALUE, 1L << 40, 2}};
        int[] sizes = {1, 37, 1009, 4099};
        int[] locals = {16, 64, 256};
        List<Arguments> out = new ArrayList<>();
        int k = 0;
        for (long[] s : seedStepLayer) {
            for (int n : sizes) {
                out.add(Arguments.of(s[0], s[1], (int) s[2], n, locals[k++ % locals.length]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "seed {0} step {1} layer {2} n {3} work-group {4}")
    @MethodSource("cases")
    void fillMatchesJavaBitForBit(long seed, long step, int layer, int n, int local) {
        assertNull(fill.problem(ctx, seed, step, layer, n, local));
    }
}
