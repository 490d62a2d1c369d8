package backpropcl.engine.opencl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The scratch buffers a tuner times kernels on: filled with small numbers, released together. */
final class TuningBuffers implements AutoCloseable {
    private final ClContext ctx;
    private final List<ClBuffer> all = new ArrayList<>();

    TuningBuffers(ClContext ctx) {
        this.ctx = ctx;
    }

    /** A new buffer of {@code floats} values of 0.01, released with these. */
    ClBuffer filled(long floats, String what) {
        ClBuffer buf = ctx.buffer(floats * Float.BYTES, what);
        all.add(buf);
        float[] v = new float[(int) floats];
        Arrays.fill(v, 0.01f);
        buf.write(v);
        return buf;
    }

    @Override
    public void close() {
        for (ClBuffer buf : all) {
            buf.close();
        }
        all.clear();
    }
}
