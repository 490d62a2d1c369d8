package backpropcl.engine.opencl;

/**
 * How many OpenCL objects this JVM holds right now: allocated and not yet released by their
 * owners ({@link ClBuffer}, {@link ClProgram}, {@link ClContext}). For leak tests outside this
 * package (backpropcl.reliability); counting costs nothing, the counters run anyway.
 */
public final class LiveObjects {

    private LiveObjects() {
    }

    /** Device buffers (cl_mem) made and not yet closed, over the whole JVM. */
    public static int buffers() {
        return ClBuffer.liveCount();
    }

    /** Programs built and not yet closed, over the whole JVM. */
    public static int programs() {
        return ClProgram.liveCount();
    }

    /** Host-to-device buffer writes enqueued so far, over the whole JVM (a test takes the difference over a step). */
    public static long writes() {
        return ClBuffer.writeCount();
    }

    /** Device-to-host buffer reads enqueued so far, over the whole JVM. */
    public static long reads() {
        return ClBuffer.readCount();
    }

    /** Contexts (each with its queue) opened and not yet closed, over the whole JVM. */
    public static int contexts() {
        return ClContext.liveCount();
    }
}
