package backpropcl.engine.opencl;

import backpropcl.model.Philox4x32;
import java.util.Locale;

/**
 * philox_fill (kernels/philox.cl) against {@link Philox4x32#uniform}: n draws on the device into
 * a buffer poisoned with NaN and followed by a guard region, which must come back bit for bit
 * as the Java function's with the guard untouched. PhiloxKernelTest runs it on the test device,
 * OclgrindSuite under Oclgrind; so it reports a problem as text rather than through JUnit.
 */
final class PhiloxFill implements AutoCloseable {
    private final ClProgram program;

    PhiloxFill(ClContext ctx) {
        program = ctx.program(new String[] {KernelSources.read("philox.cl")}, "");
    }

    /** The first difference from the Java function or the first guard element written, or null when there is none. */
    String problem(ClContext ctx, long seed, long step, int layer, int n, int local) {
        int poison = Float.floatToRawIntBits(OpenClTestSupport.POISON);
        int guard = OpenClTestSupport.GUARD;
        float[] all = new float[n + guard];
        java.util.Arrays.fill(all, OpenClTestSupport.POISON);
        try (ClBuffer out = ctx.buffer((long) all.length * Float.BYTES, "philox out")) {
            out.write(all);
            long global = (n + local - 1) / local * (long) local;
            program.kernel("philox_fill").arg(out).arg(n).arg((int) seed).arg((int) (seed >>> 32)).arg((int) step)
                    .arg((int) (step >>> 32)).arg(layer).launch(new long[] {global}, new long[] {local});
            out.read(all);
        }
        String what = String.format(Locale.ROOT, "philox_fill seed %d step %d layer %d n %d work-group %d", seed, step, layer, n, local);
        for (int i = 0; i < n; i++) {
            float want = Philox4x32.uniform(seed, step, layer, i);
            if (Float.floatToRawIntBits(all[i]) != Float.floatToRawIntBits(want)) {
                return String.format(Locale.ROOT, "%s: element %d is %s (bits %08x), Java gives %s (bits %08x)", what, i, all[i],
                        Float.floatToRawIntBits(all[i]), want, Float.floatToRawIntBits(want));
            }
        }
        for (int i = n; i < all.length; i++) {
            if (Float.floatToRawIntBits(all[i]) != poison) {
                return what + ": guard element " + (i - n) + " after the " + n + " outputs was overwritten with " + all[i];
            }
        }
        return null;
    }

    @Override
    public void close() {
        program.close();
    }
}
