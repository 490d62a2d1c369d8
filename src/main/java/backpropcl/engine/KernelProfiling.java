package backpropcl.engine;

/**
 * An engine that can say how long its device spent inside kernels, so a benchmark can tell
 * kernel time from launch and host overhead. Profiling may slow launches a little; it is off
 * until {@link #startKernelProfiling} is called.
 */
public interface KernelProfiling {

    /** Starts counting kernel time from zero. */
    void startKernelProfiling();

    /** Nanoseconds the device spent executing kernels since the last start; waits for queued work first. */
    long kernelNanos();
}
