package backpropcl.engine.opencl;

import static org.jocl.CL.CL_KERNEL_NUM_ARGS;
import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

/**
 * One kernel of a {@link ClProgram} (which owns and releases it). Arguments are bound with a
 * running index, then {@link #launch} enqueues it and checks that every argument was bound:
 * <pre>  k.arg(z).arg(a).arg(rows).local(64 * 4).launch(global, local);</pre>
 * Launching never waits for the device.
 */
final class ClKernel {
    private final ClContext ctx;
    private final String name;
    private final int numArgs;
    private final long workGroupSize;
    private cl_kernel kernel;
    private int next;

    ClKernel(ClContext ctx, cl_kernel kernel, String name) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.name = name;
        int[] n = new int[1];
        ctx.run("clGetKernelInfo(" + name + ")", () -> CL.clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, Sizeof.cl_uint, Pointer.to(n), null));
        this.numArgs = n[0];
        long[] wg = new long[1];
        ctx.run("clGetKernelWorkGroupInfo(" + name + ")", () -> CL.clGetKernelWorkGroupInfo(kernel, ctx.device(),
                CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(wg), null));
        this.workGroupSize = wg[0];
    }

    String name() {
        return name;
    }

    /** CL_KERNEL_WORK_GROUP_SIZE: the largest work-group this kernel can be launched with on its device. */
    long workGroupSize() {
        return workGroupSize;
    }

    /** The work-group of a 1-D element-wise launch: 64 items, or the largest power of two within the device's and this kernel's limits. */
    int linearWorkGroup() {
        return LaunchSizes.powerOfTwoAtMost(LaunchSizes.LINEAR_WG, ctx.maxWorkGroupSize(), ctx.maxWorkItemSize(0), workGroupSize);
    }

    ClKernel arg(ClBuffer b) {
        return set(Sizeof.cl_mem, Pointer.to(b.mem()));
    }

    ClKernel arg(int v) {
        return set(Sizeof.cl_int, Pointer.to(new int[] {v}));
    }

    ClKernel arg(float v) {
        return set(Sizeof.cl_float, Pointer.to(new float[] {v}));
    }

    /** A __local argument of the given size in bytes. */
    ClKernel local(long bytes) {
        return set(bytes, null);
    }

    private ClKernel set(long size, Pointer value) {
        int i = next++;
        try {
            CL.clSetKernelArg(live(), i, size, value);
        } catch (CLException e) {
            next = 0;
            throw new OpenClException("clSetKernelArg(" + name + ", arg " + i + ")", e.getStatus(), ctx.deviceName(), null, e);
        }
        return this;
    }

    private cl_kernel live() {
        if (kernel == null) {
            throw new IllegalStateException("kernel " + name + " is released");
        }
        return kernel;
    }

    /**
     * Enqueues the kernel over the global range with the given work-group size (same dimensions;
     * every global size a multiple of its local size). Does not wait.
     */
    void launch(long[] global, long[] local) {
        int bound = next;
        next = 0;
        if (bound != numArgs) {
            throw new IllegalStateException("kernel " + name + " takes " + numArgs + " arguments, " + bound + " were bound");
        }
        for (int d = 0; d < global.length; d++) {
            if (global[d] <= 0 || local[d] <= 0 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException("kernel " + name + ": global size " + global[d]
                        + " is not a positive multiple of the local size " + local[d] + " in dimension " + d);
            }
        }
        cl_command_queue q = ctx.queue();
        cl_event event = ctx.clock().eventForLaunch();
        try {
            CL.clEnqueueNDRangeKernel(q, live(), global.length, null, global, local, 0, null, event);
            if (event != null) {
                ctx.clock().launched(event);
            }
        } catch (CLException e) {
            throw new OpenClException("clEnqueueNDRangeKernel(" + name + ", global " + java.util.Arrays.toString(global)
                    + ", local " + java.util.Arrays.toString(local) + ")", e.getStatus(), ctx.deviceName(), null, e);
        }
    }

    /**
     * Enqueues the kernel 1-D over {@code items} work-items, rounded up to its
     * {@link #linearWorkGroup()} (the kernel skips the items past the end). Does not wait.
     */
    void launchLinear(long items) {
        int wg = linearWorkGroup();
        launch(new long[] {LaunchSizes.roundUp(items, wg)}, new long[] {wg});
    }

    void close() {
        if (kernel == null) {
            return;
        }
        cl_kernel k = kernel;
        kernel = null;
        ctx.release("clReleaseKernel(" + name + ")", () -> CL.clReleaseKernel(k));
    }
}
