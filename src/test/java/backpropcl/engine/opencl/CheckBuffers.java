package backpropcl.engine.opencl;

import backpropcl.engine.RelativeError;
import backpropcl.model.Activation;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jocl.CL;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_mem;

/**
 * The device buffers of a kernel check that runs both as a JUnit test and under Oclgrind
 * (OclgrindSuite), so it reports a problem as text: inputs by slot name, and outputs that are a
 * sub-buffer of a larger buffer poisoned with NaN, so that guard regions before and after them
 * must stay untouched. Slots are kept from case to case, made with room for {@link #MIN_SLOT}
 * values at least, and grown larger-first, the new buffer made before the old one is released, as
 * the engine does: Oclgrind 21.10 misreads a buffer made after a smaller one was released
 * (docs/gpu.md), so the small cases OclgrindSuite runs must never grow a slot.
 */
final class CheckBuffers implements AutoCloseable {
    /**
     * Floats before an output: 4096 bytes, a multiple of every device's sub-buffer alignment
     * (CL_DEVICE_MEM_BASE_ADDR_ALIGN, 1024 to 4096 bits on the devices we know).
     */
    static final int GUARD_BEFORE = 1024;

    /** The fewest values a slot is made for: more than the guards and values of every case OclgrindSuite runs. */
    static final int MIN_SLOT = 8192;

    /** A kernel's result that differs from the test's, or a guard it overwrote: the check's problem. */
    static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message);
        }
    }

    private final ClContext ctx;
    private final boolean ownsContext;
    private final Map<String, ClBuffer> slots = new LinkedHashMap<>();
    private final Map<String, Integer> capacity = new LinkedHashMap<>();

    /** Buffers on {@code ctx}, which the caller closes after these. */
    CheckBuffers(ClContext ctx) {
        this(ctx, false);
    }

    private CheckBuffers(ClContext ctx, boolean ownsContext) {
        this.ctx = ctx;
        this.ownsContext = ownsContext;
    }

    /** Buffers on a context of their own on OpenCL device 0, closed with them. */
    static CheckBuffers onDevice0() {
        return new CheckBuffers(ClContext.open(0), true);
    }

    ClContext context() {
        return ctx;
    }

    /** The buffer of slot {@code name}, at least {@code floats} 32-bit values long. */
    ClBuffer slot(String name, int floats) {
        Integer have = capacity.get(name);
        if (have != null && have >= floats) {
            return slots.get(name);
        }
        int size = Math.max(MIN_SLOT, floats);
        ClBuffer larger = ctx.buffer((long) size * Float.BYTES, name);
        ClBuffer old = slots.put(name, larger);
        if (old != null) {
            old.close();
        }
        capacity.put(name, size);
        return larger;
    }

    /** Slot {@code name} holding {@code data}. */
    ClBuffer input(String name, float[] data) {
        ClBuffer b = slot(name, data.length);
        b.write(0, data, 0, data.length);
        return b;
    }

    /** Slot {@code name} holding {@code data}. */
    ClBuffer input(String name, int[] data) {
        ClBuffer b = slot(name, data.length);
        b.write(0, data, 0, data.length);
        return b;
    }

    /** An output of {@code n} values in slot {@code name}, between guards, all poisoned. */
    Output output(String name, int n) {
        return new Output(name, n);
    }

    /** n values of a poisoned buffer, GUARD_BEFORE values before them and OpenClTestSupport.GUARD after. */
    final class Output implements AutoCloseable {
        private final String name;
        private final ClBuffer whole;
        private final int n;
        /** The n values as their own buffer, for the kernel. */
        final ClBuffer buf;

        private Output(String name, int n) {
            this.name = name;
            this.n = n;
            int total = GUARD_BEFORE + n + OpenClTestSupport.GUARD;
            float[] poison = new float[total];
            Arrays.fill(poison, OpenClTestSupport.POISON);
            this.whole = slot(name, total);
            whole.write(0, poison, 0, total);
            this.buf = region(ctx, whole, GUARD_BEFORE, n);
        }

        /** The values the kernel wrote as floats; a Mismatch when it wrote a guard. */
        float[] floats() {
            int total = GUARD_BEFORE + n + OpenClTestSupport.GUARD;
            float[] all = new float[total];
            whole.read(0, all, 0, total);
            int poison = Float.floatToRawIntBits(OpenClTestSupport.POISON);
            for (int i = 0; i < total; i++) {
                if ((i < GUARD_BEFORE || i >= GUARD_BEFORE + n) && Float.floatToRawIntBits(all[i]) != poison) {
                    throw new Mismatch(String.format(Locale.ROOT, "%s: guard element %d %s its %d values was overwritten with %s", name,
                            i < GUARD_BEFORE ? i : i - GUARD_BEFORE - n, i < GUARD_BEFORE ? "before" : "after", n, all[i]));
                }
            }
            return Arrays.copyOfRange(all, GUARD_BEFORE, GUARD_BEFORE + n);
        }

        /** The values the kernel wrote as ints (the same 32 bits); a Mismatch when it wrote a guard. */
        int[] ints() {
            float[] f = floats();
            int[] out = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = Float.floatToRawIntBits(f[i]);
            }
            return out;
        }

        @Override
        public void close() {
            buf.close();
        }
    }

    /** A Mismatch unless ||got - want|| / ||want|| <= tol (an unwritten, NaN, value never passes). */
    static void compare(String what, double[] want, float[] got, double tol) {
        double[] g = new double[got.length];
        for (int i = 0; i < got.length; i++) {
            g[i] = got[i];
        }
        double error = RelativeError.of(g, want);
        if (!(error <= tol)) {
            int worst = 0;
            for (int i = 0; i < g.length; i++) {
                if (!(Math.abs(g[i] - want[i]) <= Math.abs(g[worst] - want[worst]))) {
                    worst = i;
                }
            }
            throw new Mismatch(String.format(Locale.ROOT, "%s: relative error %.3e > %.0e; element %d is %s, the test gives %s", what,
                    error, tol, worst, got[worst], want[worst]));
        }
    }

    /** A Mismatch unless got equals want element for element. */
    static void compareExactly(String what, int[] want, int[] got) {
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[i]) {
                throw new Mismatch(String.format(Locale.ROOT, "%s: element %d is %d, the test gives %d", what, i, got[i], want[i]));
            }
        }
    }

    /** a = f(z) in float for each of z: the input a layer below hands up, with the z it came from. */
    static float[] activations(Activation act, float[] z) {
        float[] a = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = (float) act.value(z[i]);
        }
        return a;
    }

    /** gradient times f'(z) element by element, in place: the delta of a layer's input whose activation f produced a from z. */
    static void timesDerivative(double[] gradient, Activation act, float[] z, float[] a) {
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] *= act.derivative(z[i], a[i]);
        }
    }

    /** Floats [offset, offset + count) of {@code parent} as a buffer of their own (clCreateSubBuffer). */
    static ClBuffer region(ClContext ctx, ClBuffer parent, int offset, int count) {
        cl_buffer_region region = new cl_buffer_region((long) offset * Sizeof.cl_float, (long) count * Sizeof.cl_float);
        int[] err = new int[1];
        cl_mem mem = CL.clCreateSubBuffer(parent.mem(), CL.CL_MEM_READ_WRITE, CL.CL_BUFFER_CREATE_TYPE_REGION, region, err);
        if (err[0] != CL.CL_SUCCESS) {
            throw new IllegalStateException("clCreateSubBuffer failed: " + CL.stringFor_errorCode(err[0]));
        }
        return new ClBuffer(ctx, mem, (long) count * Sizeof.cl_float, parent.what() + " [" + offset + ", +" + count + ")");
    }

    @Override
    public void close() {
        for (ClBuffer b : slots.values()) {
            b.close();
        }
        slots.clear();
        capacity.clear();
        if (ownsContext) {
            ctx.close();
        }
    }
}
