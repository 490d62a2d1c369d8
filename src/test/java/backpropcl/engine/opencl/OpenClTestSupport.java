package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import backpropcl.train.Shuffle;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/** Shared pieces of the OpenCL tests: the device gate, poisoned buffers with guards, random data. */
final class OpenClTestSupport {
    /** A NaN with a payload of our own: an untouched element keeps exactly these bits. */
    static final float POISON = Float.intBitsToFloat(0x7fc0dead);
    /** Elements after every output buffer that a kernel must not touch. */
    static final int GUARD = 37;

    private OpenClTestSupport() {
    }

    /**
     * Skips the calling test when there is no OpenCL device, except under CI=true, where a missing
     * device fails: CI installs PoCL, so no device there means the runtime is broken.
     */
    static void requireDevice() {
        Optional<String> why = OpenClDevices.unavailableReason();
        if (why.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but no OpenCL device is usable: " + why.get());
            }
            Assumptions.abort("no OpenCL device: " + why.get());
        }
    }

    /** The number of OpenCL devices (0 when OpenCL is unavailable). */
    static int deviceCount() {
        List<DeviceInfo> all = OpenClDevices.list();
        return all.size();
    }

    /** A buffer of len floats followed by GUARD guard floats, all poisoned; optionally filled with data first. */
    static final class Guarded implements AutoCloseable {
        final ClBuffer buf;
        final int len;

        Guarded(ClContext ctx, int len, String what) {
            this.len = len;
            this.buf = ctx.buffer((long) (len + GUARD) * Float.BYTES, what);
            float[] p = new float[len + GUARD];
            java.util.Arrays.fill(p, POISON);
            buf.write(p);
        }

        /** Writes data to the first len floats (the guard stays poisoned). */
        Guarded with(float[] data) {
            assertEquals(len, data.length, "data length");
            buf.write(0, data, 0, len);
            return this;
        }

        /** Reads the buffer back, fails when a guard element changed, returns the first len as double. */
        double[] readChecked(String name) {
            float[] all = new float[len + GUARD];
            buf.read(all);
            for (int i = len; i < len + GUARD; i++) {
                if (Float.floatToRawIntBits(all[i]) != Float.floatToRawIntBits(POISON)) {
                    fail(name + ": guard element " + (i - len) + " after the " + len + " outputs was overwritten with " + all[i]);
                }
            }
            double[] d = new double[len];
            for (int i = 0; i < len; i++) {
                d[i] = all[i];
            }
            return d;
        }

        @Override
        public void close() {
            buf.close();
        }
    }

    /** n floats uniform in [lo, hi). */
    static float[] uniform(Random rnd, int n, double lo, double hi) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return f;
    }

    /** n floats N(0, std^2). */
    static float[] gaussian(Random rnd, int n, double std) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (std * rnd.nextGaussian());
        }
        return f;
    }

    /** A random permutation of 0..n-1, made as the trainer makes its epochs' orders. */
    static int[] permutation(Random rnd, int n) {
        return Shuffle.permutation(n, rnd.nextLong(), 0);
    }

    static ClBuffer ints(ClContext ctx, int[] data, String what) {
        ClBuffer b = ctx.buffer((long) Math.max(1, data.length) * Integer.BYTES, what);
        if (data.length > 0) {
            b.write(data);
        }
        return b;
    }

    static ClBuffer floats(ClContext ctx, float[] data, String what) {
        ClBuffer b = ctx.buffer((long) Math.max(1, data.length) * Float.BYTES, what);
        if (data.length > 0) {
            b.write(data);
        }
        return b;
    }
}
