package backpropcl.engine.opencl;

import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_ITEM_SIZES;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;

/**
 * Owns an OpenCL context and one in-order command queue for one device. Buffers and programs are
 * made through it and must be closed before it. Holds the device's name for messages and the
 * limits that launch sizes are chosen from.
 */
final class ClContext implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClContext.class.getName());
    private static final AtomicInteger LIVE = new AtomicInteger();

    private final OpenClDevices.Handle handle;
    private final String deviceName;
    private final cl_device_id device;
    private cl_context context;
    private cl_command_queue queue;

    // Limits read once from the device.
    private final long maxWorkGroupSize;
    private final long[] maxWorkItemSizes;
    private final long localMemBytes;
    private final int preferredFloatWidth;
    private final KernelClock clock = new KernelClock(this);

    /** Opens the device with the given global index (as in {@link OpenClDevices#list()}). */
    static ClContext open(int deviceIndex) {
        return new ClContext(OpenClDevices.handle(deviceIndex));
    }

    ClContext(OpenClDevices.Handle handle) {
        this.handle = handle;
        this.deviceName = handle.info().name();
        this.device = handle.device();
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, handle.platform());
        this.maxWorkGroupSize = call("clGetDeviceInfo", () -> OpenClDevices.deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
        this.localMemBytes = call("clGetDeviceInfo", () -> OpenClDevices.deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE));
        this.preferredFloatWidth = call("clGetDeviceInfo",
                () -> OpenClDevices.deviceInt(device, CL.CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT));
        this.maxWorkItemSizes = call("clGetDeviceInfo", () -> {
            long[] v = new long[3];
            CL.clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, 3L * Sizeof.size_t, Pointer.to(v), null);
            return v;
        });
        synchronized (OpenClDevices.SETUP) {
            this.context = call("clCreateContext", () -> CL.clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null));
        }
        try {
            // clCreateCommandQueue is deprecated in OpenCL 2.0 but is the call every 1.2 device has.
            @SuppressWarnings("deprecation")
            // Profiling is enabled on every queue so that KernelClock can be started at any time;
            // launches create events only while it runs.
            cl_command_queue q = call("clCreateCommandQueue",
                    () -> CL.clCreateCommandQueue(context, device, CL.CL_QUEUE_PROFILING_ENABLE, null));
            this.queue = q;
        } catch (RuntimeException e) {
            release("clReleaseContext", () -> CL.clReleaseContext(context));
            throw e;
        }
        LIVE.incrementAndGet();
    }

    /** The kernel-time clock of this context's queue (off until started). */
    KernelClock clock() {
        return clock;
    }

    /** Contexts opened and not yet closed, over the whole JVM (for leak tests). */
    static int liveCount() {
        return LIVE.get();
    }

    String deviceName() {
        return deviceName;
    }

    DeviceInfo info() {
        return handle.info();
    }

    /** The platform's version string, e.g. "OpenCL 3.0 PoCL 3.1+debian Linux, ...". */
    String platformVersion() {
        return handle.platformVersion();
    }

    long maxWorkGroupSize() {
        return maxWorkGroupSize;
    }

    /** CL_DEVICE_MAX_WORK_ITEM_SIZES for dimensions 0..2. */
    long maxWorkItemSize(int dim) {
        return maxWorkItemSizes[dim];
    }

    /** CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT: 8 on AVX2 CPU runtimes, often 1 on GPUs. */
    int preferredFloatWidth() {
        return preferredFloatWidth;
    }

    long localMemBytes() {
        return localMemBytes;
    }

    long maxAllocBytes() {
        return handle.info().maxAllocBytes();
    }

    long globalMemBytes() {
        return handle.info().globalMemBytes();
    }

    cl_device_id device() {
        return device;
    }

    cl_context context() {
        return live();
    }

    cl_command_queue queue() {
        live();
        return queue;
    }

    /** A new read-write buffer of the given size; {@code what} names it in messages. */
    ClBuffer buffer(long bytes, String what) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(what + ": a buffer needs at least one byte, asked for " + bytes);
        }
        if (bytes > maxAllocBytes()) {
            throw new OpenClException(deviceName, what + " needs one buffer of " + bytes
                    + " bytes; the device allows at most " + maxAllocBytes() + " bytes per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
        }
        cl_context c = live();
        cl_mem mem = call("clCreateBuffer(" + what + ", " + bytes + " bytes)", () -> CL.clCreateBuffer(c, CL_MEM_READ_WRITE, bytes, null, null));
        return new ClBuffer(this, mem, bytes, what);
    }

    /**
     * Builds a program from the sources with the build options and the host's codes
     * ({@link KernelCodes}); throws with the build log on failure.
     */
    ClProgram program(String[] sources, String options) {
        return new ClProgram(this, sources, KernelCodes.with(options));
    }

    /** Hands the queued commands to the device without waiting for them. */
    void flush() {
        cl_command_queue q = queue();
        run("clFlush", () -> CL.clFlush(q));
    }

    /** Waits until every queued command has finished. */
    void finish() {
        cl_command_queue q = queue();
        run("clFinish", () -> CL.clFinish(q));
    }

    /** Runs a JOCL call and turns its CLException into an OpenClException naming the call and device. */
    <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (CLException e) {
            throw new OpenClException(what, e.getStatus(), deviceName, null, e);
        }
    }

    void run(String what, Runnable body) {
        try {
            body.run();
        } catch (CLException e) {
            throw new OpenClException(what, e.getStatus(), deviceName, null, e);
        }
    }

    /** Runs a release call, logging (never throwing) a failure. */
    void release(String what, Runnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            String status = t instanceof CLException e ? OpenClException.statusName(e.getStatus()) : t.toString();
            LOG.log(Level.WARNING, what + " failed with " + status + " on " + deviceName, t);
        }
    }

    private cl_context live() {
        if (context == null) {
            throw new IllegalStateException("the OpenCL context for " + deviceName + " is closed");
        }
        return context;
    }

    /** Waits for queued work, then releases the queue and the context; release errors are logged. */
    @Override
    public void close() {
        if (context == null) {
            return;
        }
        cl_command_queue q = queue;
        cl_context c = context;
        release("clFinish", () -> CL.clFinish(q));
        clock.discard();
        queue = null;
        context = null;
        release("clReleaseCommandQueue", () -> CL.clReleaseCommandQueue(q));
        release("clReleaseContext", () -> CL.clReleaseContext(c));
        LIVE.decrementAndGet();
    }
}
