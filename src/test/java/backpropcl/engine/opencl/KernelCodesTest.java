package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The codes the kernels share with the host: distinct per enum, and what a built kernel sees. */
class KernelCodesTest {

    /** Every macro KernelCodes defines, with the value the enums give it. */
    private static List<String[]> expected() {
        List<String[]> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            out.add(new String[] {"ACT_" + a.name(), Integer.toString(a.kernelCode())});
        }
        for (Cost c : Cost.values()) {
            out.add(new String[] {"COST_" + c.name(), Integer.toString(c.kernelCode())});
        }
        for (Optimizer.Kind k : Optimizer.Kind.values()) {
            out.add(new String[] {"OPT_" + k.name(), Integer.toString(k.kernelCode())});
        }
        return out;
    }

    private static void assertDistinct(String what, int[] codes) {
        Set<Integer> seen = new HashSet<>();
        for (int c : codes) {
            assertTrue(seen.add(c), what + " code " + c + " is given twice");
        }
    }

    @Test
    void everyConstantHasItsOwnCode() {
        assertDistinct("activation", Arrays.stream(Activation.values()).mapToInt(Activation::kernelCode).toArray());
        assertDistinct("cost", Arrays.stream(Cost.values()).mapToInt(Cost::kernelCode).toArray());
        assertDistinct("optimizer", Arrays.stream(Optimizer.Kind.values()).mapToInt(Optimizer.Kind::kernelCode).toArray());
    }

    @Test
    void theOptionsDefineEveryCodeOnceAndTheLeakySlope() {
        String options = KernelCodes.OPTIONS;
        for (String[] e : expected()) {
            String define = "-D " + e[0] + "=" + e[1];
            assertTrue((" " + options + " ").contains(" " + define + " "), define + " in: " + options);
            assertEquals(options.indexOf("-D " + e[0] + "="), options.lastIndexOf("-D " + e[0] + "="), e[0] + " twice in: " + options);
        }
        String slope = options.substring(options.indexOf("-D LEAKY_SLOPE=") + "-D LEAKY_SLOPE=".length()).split(" ")[0];
        assertTrue(slope.endsWith("f"), "a float literal: " + slope);
        assertEquals((float) Activation.LEAKY_SLOPE, Float.parseFloat(slope));
        assertEquals("-D TS=4 " + options, KernelCodes.with("-D TS=4"));
        assertEquals(options, KernelCodes.with(""));
    }

    /** A kernel built after common.cl, as every program is, writes each macro it sees; they are the enums' codes. */
    @Test
    void aBuiltKernelSeesTheEnumsCodes() {
        OpenClTestSupport.requireDevice();
        List<String[]> codes = expected();
        StringBuilder probe = new StringBuilder("__kernel void codes(__global int* out, __global float* slope) {\n");
        for (int i = 0; i < codes.size(); i++) {
            probe.append("    out[").append(i).append("] = ").append(codes.get(i)[0]).append(";\n");
        }
        probe.append("    slope[0] = LEAKY_SLOPE;\n}\n");
        try (ClContext ctx = ClContext.open(0);
             ClProgram program = ctx.program(new String[] {KernelSources.read("common.cl"), probe.toString()}, "");
             ClBuffer out = ctx.buffer((long) codes.size() * Integer.BYTES, "codes");
             ClBuffer slope = ctx.buffer(Float.BYTES, "slope")) {
            assertTrue(program.options().contains(KernelCodes.OPTIONS), program.options());
            program.kernel("codes").arg(out).arg(slope).launch(new long[] {1}, new long[] {1});
            int[] seen = new int[codes.size()];
            out.read(seen);
            float[] seenSlope = new float[1];
            slope.read(seenSlope);
            for (int i = 0; i < codes.size(); i++) {
                assertEquals(Integer.parseInt(codes.get(i)[1]), seen[i], codes.get(i)[0]);
            }
            assertEquals(Float.floatToIntBits((float) Activation.LEAKY_SLOPE), Float.floatToIntBits(seenSlope[0]));
        }
    }

    /** The engine's program carries the codes, and common.cl without them does not build (no stale copy to fall back on). */
    @Test
    void theEnginesProgramHasTheCodesAndCommonClRefusesToBuildWithoutThem() {
        OpenClTestSupport.requireDevice();
        try (ClContext ctx = ClContext.open(0)) {
            try (ClKernels kernels = new ClKernels(ctx)) {
                assertTrue(DenseLayer.of(kernels).programOptions().startsWith(DenseLayer.of(kernels).buildOptions() + " "), DenseLayer.of(kernels).programOptions());
                assertTrue(DenseLayer.of(kernels).programOptions().endsWith(KernelCodes.OPTIONS), DenseLayer.of(kernels).programOptions());
                assertTrue(!DenseLayer.of(kernels).buildOptions().contains("ACT_"), "the tuning key holds the shape only: " + DenseLayer.of(kernels).buildOptions());
            }
            OpenClException e = assertThrows(OpenClException.class,
                    () -> new ClProgram(ctx, new String[] {KernelSources.read("common.cl")}, "-D TS=4"));
            assertTrue(e.getMessage().contains("KernelCodes"), e.getMessage());
            assertEquals(0, ClProgram.liveCount());
        }
    }
}
