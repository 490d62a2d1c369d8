package backpropcl.engine.opencl;

import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

/**
 * Sums the device time of the kernels a context launches, from OpenCL profiling events, while it
 * is running; off it costs nothing (launches then create no events). The events are read and
 * released in batches, which waits for the queue: only benchmarks turn it on.
 */
final class KernelClock {
    /** Events kept before they are read and released. */
    private static final int BATCH = 4096;

    private final ClContext ctx;
    private final List<cl_event> events = new ArrayList<>();
    private boolean running;
    private long nanos;

    KernelClock(ClContext ctx) {
        this.ctx = ctx;
    }

    /** Starts from zero, counting every kernel launched from now on. */
    void start() {
        drain();
        nanos = 0;
        running = true;
    }

    /** An event for the next launch to fill in, or null when the clock is not running. */
    cl_event eventForLaunch() {
        return running ? new cl_event() : null;
    }

    /** Takes the event of a launch that {@link #eventForLaunch} gave. */
    void launched(cl_event event) {
        events.add(event);
        if (events.size() >= BATCH) {
            drain();
        }
    }

    /** Kernel nanoseconds since {@link #start}, after waiting for the queued kernels. */
    long nanos() {
        drain();
        return nanos;
    }

    /** Reads and releases every held event (waiting for them first). */
    void drain() {
        if (events.isEmpty()) {
            return;
        }
        ctx.finish();
        long[] start = new long[1];
        long[] end = new long[1];
        for (cl_event e : events) {
            ctx.run("clGetEventProfilingInfo", () -> {
                CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
                CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
            });
            nanos += end[0] - start[0];
            ctx.release("clReleaseEvent", () -> CL.clReleaseEvent(e));
        }
        events.clear();
    }

    /** Releases held events without reading them (the context is closing). */
    void discard() {
        for (cl_event e : events) {
            ctx.release("clReleaseEvent", () -> CL.clReleaseEvent(e));
        }
        events.clear();
        running = false;
    }
}
