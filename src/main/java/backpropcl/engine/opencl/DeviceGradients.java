package backpropcl.engine.opencl;

import backpropcl.engine.Engine;
import backpropcl.model.Gradients;
import backpropcl.model.ParameterLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Every gradient tensor of an engine in ONE device buffer, laid out as {@link ParameterLayout}
 * with each tensor's start rounded up to CL_DEVICE_MEM_BASE_ADDR_ALIGN, so a step's gradients
 * cross the bus as one read and come back as one write. Each tensor's kernels see their own
 * sub-buffer (clCreateSubBuffer) of it: the kernels, their arguments and their launches are the
 * same as with a buffer per tensor, so no arithmetic changes; the price is at most one alignment
 * (32 floats on PoCL, 64 to 1024 on GPUs) of padding per tensor. Kernels taking an offset argument
 * would need no padding but would change every gradient kernel's source and signature.
 *
 * <p>The host side is a direct buffer (JOCL reads without blocking only into direct memory) of
 * the device buffer's size; the read is enqueued without blocking ({@link #startRead}) and the
 * caller converts the ranges it needs once the read has arrived ({@link Engine.GradientArrival#await}).
 */
final class DeviceGradients implements AutoCloseable {
    private final ClContext ctx;
    private final ParameterLayout layout;
    /** Where tensor i (layout order) starts in the device buffer, in floats. */
    private final long[] deviceOffset;
    private final ClBuffer whole;
    private final FloatBuffer host;
    /** The read in flight or last arrived, released when the next one starts or on close. */
    private cl_event pending;

    /** The buffer of {@code layout}'s tensors on {@code ctx}'s device, its tensors aligned as the device asks. */
    DeviceGradients(ClContext ctx, ParameterLayout layout) {
        this.ctx = ctx;
        this.layout = layout;
        long alignFloats = Math.max(1, ctx.call("clGetDeviceInfo",
                () -> OpenClDevices.deviceInt(ctx.device(), CL.CL_DEVICE_MEM_BASE_ADDR_ALIGN)) / 8 / Sizeof.cl_float);
        List<ParameterLayout.Tensor> tensors = layout.tensors();
        this.deviceOffset = new long[tensors.size()];
        long at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            at = (at + alignFloats - 1) / alignFloats * alignFloats;
            deviceOffset[i] = at;
            at += tensors.get(i).length();
        }
        this.whole = ctx.buffer(Math.max(1, at) * Sizeof.cl_float, "gradients");
        this.host = ByteBuffer.allocateDirect((int) Math.max(1, at) * Sizeof.cl_float).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The layout the buffer follows. */
    ParameterLayout layout() {
        return layout;
    }

    /** Tensor {@code t}'s place in the buffer as a buffer of its own (the caller closes it before this). */
    ClBuffer tensor(ParameterLayout.Tensor t, String what) {
        int i = layout.tensors().indexOf(t);
        cl_buffer_region region = new cl_buffer_region(deviceOffset[i] * Sizeof.cl_float, (long) t.length() * Sizeof.cl_float);
        cl_mem parent = whole.mem();
        // JOCL runs with exceptions enabled (OpenClDevices): a failed call throws, call() names it.
        cl_mem mem = ctx.call("clCreateSubBuffer(" + what + ")",
                () -> CL.clCreateSubBuffer(parent, CL.CL_MEM_READ_WRITE, CL.CL_BUFFER_CREATE_TYPE_REGION, region, null));
        return new ClBuffer(ctx, mem, (long) t.length() * Sizeof.cl_float, what);
    }

    /**
     * Enqueues the read of the whole buffer without blocking (after the kernels already queued)
     * and hands it to the device; {@code into}'s values are filled range by range by the returned
     * {@link Engine.GradientArrival#await}, which may be called from any thread for disjoint ranges.
     */
    Engine.GradientArrival startRead(Gradients into) {
        releasePending();
        cl_command_queue q = ctx.queue();
        cl_mem m = whole.mem();
        cl_event event = new cl_event();
        ctx.run("clEnqueueReadBuffer(gradients)", () -> CL.clEnqueueReadBuffer(q, m, false, 0, whole.bytes(), Pointer.to(host), 0, null, event));
        pending = event;
        ClBuffer.countRead();
        ctx.flush();
        double[] to = into.values();
        return (from, end) -> {
            ctx.run("clWaitForEvents(gradients)", () -> CL.clWaitForEvents(1, new cl_event[] {event}));
            copyOut(to, from, end);
        };
    }

    /** Layout elements [from, end) of the host copy into {@code to}, exact (float to double). */
    private void copyOut(double[] to, int from, int end) {
        List<ParameterLayout.Tensor> tensors = layout.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            ParameterLayout.Tensor t = tensors.get(i);
            int lo = (int) Math.max(from, t.offset());
            int hi = (int) Math.min(end, t.offset() + t.length());
            long shift = deviceOffset[i] - t.offset();
            for (int e = lo; e < hi; e++) {
                to[e] = host.get((int) (e + shift));
            }
        }
    }

    /** Writes {@code g}'s values, rounded to float, to the buffer in one blocking write. */
    void write(Gradients g) {
        releasePending();
        double[] from = g.values();
        List<ParameterLayout.Tensor> tensors = layout.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            ParameterLayout.Tensor t = tensors.get(i);
            int at = (int) t.offset();
            int to = (int) deviceOffset[i];
            for (int e = 0; e < t.length(); e++) {
                host.put(to + e, (float) from[at + e]);
            }
        }
        cl_command_queue q = ctx.queue();
        cl_mem m = whole.mem();
        ctx.run("clEnqueueWriteBuffer(gradients)", () -> CL.clEnqueueWriteBuffer(q, m, true, 0, whole.bytes(), Pointer.to(host), 0, null, null));
        ClBuffer.countWrite();
    }

    /** Waits for the read in flight, if any, and releases its event (the host copy is then free to reuse). */
    private void releasePending() {
        if (pending != null) {
            cl_event e = pending;
            pending = null;
            ctx.run("clWaitForEvents(gradients)", () -> CL.clWaitForEvents(1, new cl_event[] {e}));
            ctx.release("clReleaseEvent(gradients)", () -> CL.clReleaseEvent(e));
        }
    }

    /** Releases the buffer (its tensors' sub-buffers are closed before, by their layers); a failure is logged. */
    @Override
    public void close() {
        ctx.release("the gradient read", this::releasePending);
        whole.close();
    }
}
