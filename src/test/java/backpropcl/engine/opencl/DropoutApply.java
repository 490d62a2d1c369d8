package backpropcl.engine.opencl;

import backpropcl.model.DropoutMask;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * kernels/dropout.cl (built alone, after the philox.cl it needs) against {@link DropoutMask}: one
 * dropout_forward or dropout_backward over a (rows, width) block of random values, its output a
 * sub-buffer of a larger buffer poisoned with NaN, so that guard regions before and after it must
 * stay untouched; every element must come back bit for bit as the Java rule gives it (kept:
 * value * floatScale(p) in float, dropped: 0), element e = (firstRow + r) * width + j for a block
 * that is rows firstRow.. of its batch. DropoutKernelTest runs
 * it on the test device, OclgrindSuite under Oclgrind; so it reports a problem as text.
 */
final class DropoutApply implements AutoCloseable {
    /** Floats before the output (CheckBuffers'). */
    static final int GUARD_BEFORE = CheckBuffers.GUARD_BEFORE;

    private final ClProgram program;
    // The guarded output and the input, kept from case to case and grown larger-first, as the
    // engine does: Oclgrind 21.10 misreads a buffer made after a smaller one was released (docs/gpu.md).
    private ClBuffer whole;
    private ClBuffer in;
    private int capacity;

    DropoutApply(ClContext ctx) {
        program = ctx.program(KernelSources.sources(DropoutLayer.FILES), "");
    }

    private void ensure(ClContext ctx, int n) {
        if (n <= capacity) {
            return;
        }
        ClBuffer largerWhole = ctx.buffer((long) (GUARD_BEFORE + n + OpenClTestSupport.GUARD) * Float.BYTES, "dropout out with guards");
        ClBuffer largerIn = ctx.buffer((long) n * Float.BYTES, "dropout in");
        if (whole != null) {
            whole.close();
            in.close();
        }
        whole = largerWhole;
        in = largerIn;
        capacity = n;
    }

    /**
     * The first difference from the Java rule or the first guard element written, or null when
     * there is none, for dropout layer {@code layer} with probability {@code p} on step
     * {@code step} of seed {@code seed} on rows {@code firstRow ..} of a batch, the backward kernel
     * when {@code backward}.
     */
    String problem(ClContext ctx, long seed, long step, int layer, double p, int firstRow, int rows, int width, int local,
            boolean backward) {
        int n = rows * width;
        int total = GUARD_BEFORE + n + OpenClTestSupport.GUARD;
        float[] input = new float[n];
        Random random = new Random(seed ^ step ^ n);
        for (int i = 0; i < n; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] all = new float[total];
        Arrays.fill(all, OpenClTestSupport.POISON);
        DropoutDraw draw = DropoutDraw.of(seed, step, layer, p, firstRow * width);
        long global = (n + local - 1) / local * (long) local;
        ensure(ctx, n);
        whole.write(0, all, 0, total);
        in.write(0, input, 0, n);
        try (ClBuffer out = CheckBuffers.region(ctx, whole, GUARD_BEFORE, n)) {
            if (backward) {
                // The delta to update in place, copied in by dropout_forward with p = 0 (keeps all,
                // scale 1: exact), so the values are a kernel's writes through this sub-buffer:
                // Oclgrind 21.10 reported host writes read back through a sub-buffer as
                // uninitialized, now and then.
                DropoutDraw.of(seed, step, layer, 0.0).bind(program.kernel("dropout_forward").arg(out).arg(in).arg(n))
                        .launch(new long[] {global}, new long[] {local});
            }
            ClKernel k = backward ? program.kernel("dropout_backward").arg(out) : program.kernel("dropout_forward").arg(out).arg(in);
            draw.bind(k.arg(n)).launch(new long[] {global}, new long[] {local});
        }
        whole.read(0, all, 0, total);
        String what = String.format(Locale.ROOT, "dropout_%s seed %d step %d layer %d p %s rows %d.. (%d, %d) work-group %d",
                backward ? "backward" : "forward", seed, step, layer, p, firstRow, rows, width, local);
        int poison = Float.floatToRawIntBits(OpenClTestSupport.POISON);
        for (int i = 0; i < GUARD_BEFORE; i++) {
            if (Float.floatToRawIntBits(all[i]) != poison) {
                return what + ": guard element " + i + " before the outputs was overwritten with " + all[i];
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                int e = r * width + j;
                float want = DropoutMask.keeps(seed, step, layer, firstRow * width + e, p) ? input[e] * DropoutMask.floatScale(p) : 0f;
                float got = all[GUARD_BEFORE + e];
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want)) {
                    return String.format(Locale.ROOT, "%s: element (%d, %d) is %s, the rule gives %s (input %s)", what, r, j, got, want,
                            input[e]);
                }
            }
        }
        for (int i = GUARD_BEFORE + n; i < total; i++) {
            if (Float.floatToRawIntBits(all[i]) != poison) {
                return what + ": guard element " + (i - GUARD_BEFORE - n) + " after the " + n + " outputs was overwritten with " + all[i];
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (whole != null) {
            whole.close();
            in.close();
        }
        program.close();
    }
}
