package backpropcl.engine.opencl;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * Owns one OpenCL buffer and knows its size in bytes. Reads and writes are blocking and checked
 * against both the buffer and the host array (offsets and lengths are in elements of the host
 * array's type). Released in {@link #close()}.
 */
final class ClBuffer implements AutoCloseable {
    private static final AtomicInteger LIVE = new AtomicInteger();
    /** Reads and writes between host and device enqueued, over the whole JVM (for transfer-count tests). */
    private static final AtomicLong READS = new AtomicLong();
    private static final AtomicLong WRITES = new AtomicLong();

    private final ClContext ctx;
    private final long bytes;
    private final String what;
    private cl_mem mem;

    ClBuffer(ClContext ctx, cl_mem mem, long bytes, String what) {
        this.ctx = ctx;
        this.mem = mem;
        this.bytes = bytes;
        this.what = what;
        LIVE.incrementAndGet();
    }

    /** Buffers allocated and not yet closed, over the whole JVM (for leak tests). */
    static int liveCount() {
        return LIVE.get();
    }

    /** Host-device reads enqueued so far, over the whole JVM. */
    static long readCount() {
        return READS.get();
    }

    /** Host-device writes enqueued so far, over the whole JVM. */
    static long writeCount() {
        return WRITES.get();
    }

    static void countRead() {
        READS.incrementAndGet();
    }

    static void countWrite() {
        WRITES.incrementAndGet();
    }

    long bytes() {
        return bytes;
    }

    /** Capacity in 4-byte elements (float or int). */
    long floats() {
        return bytes / Sizeof.cl_float;
    }

    String what() {
        return what;
    }

    cl_mem mem() {
        if (mem == null) {
            throw new IllegalStateException("buffer " + what + " is closed");
        }
        return mem;
    }

    void write(float[] src) {
        write(0, src, 0, src.length);
    }

    /** Writes src[from..from+len) to elements [offset..offset+len) of this buffer. */
    void write(long offset, float[] src, int from, int len) {
        check(offset, len, Sizeof.cl_float, src.length, from);
        transfer(true, offset * Sizeof.cl_float, (long) len * Sizeof.cl_float, Pointer.to(src).withByteOffset((long) from * Sizeof.cl_float));
    }

    void write(int[] src) {
        write(0, src, 0, src.length);
    }

    void write(long offset, int[] src, int from, int len) {
        check(offset, len, Sizeof.cl_int, src.length, from);
        transfer(true, offset * Sizeof.cl_int, (long) len * Sizeof.cl_int, Pointer.to(src).withByteOffset((long) from * Sizeof.cl_int));
    }

    void write(byte[] src) {
        check(0, src.length, 1, src.length, 0);
        transfer(true, 0, src.length, Pointer.to(src));
    }

    void read(float[] dst) {
        read(0, dst, 0, dst.length);
    }

    /** Reads elements [offset..offset+len) of this buffer into dst[from..from+len); waits for queued work. */
    void read(long offset, float[] dst, int from, int len) {
        check(offset, len, Sizeof.cl_float, dst.length, from);
        transfer(false, offset * Sizeof.cl_float, (long) len * Sizeof.cl_float, Pointer.to(dst).withByteOffset((long) from * Sizeof.cl_float));
    }

    void read(int[] dst) {
        read(0, dst, 0, dst.length);
    }

    void read(long offset, int[] dst, int from, int len) {
        check(offset, len, Sizeof.cl_int, dst.length, from);
        transfer(false, offset * Sizeof.cl_int, (long) len * Sizeof.cl_int, Pointer.to(dst).withByteOffset((long) from * Sizeof.cl_int));
    }

    private void check(long offset, int len, int elemBytes, int hostLength, int from) {
        if (offset < 0 || len < 0 || from < 0 || from > hostLength - len) {
            throw new IndexOutOfBoundsException(what + ": host range [" + from + ", " + from + " + " + len
                    + ") of an array of " + hostLength + ", buffer offset " + offset);
        }
        if ((offset + len) * elemBytes > bytes) {
            throw new IndexOutOfBoundsException(what + ": elements [" + offset + ", " + (offset + len) + ") of "
                    + elemBytes + " bytes do not fit in a buffer of " + bytes + " bytes");
        }
    }

    private void transfer(boolean write, long offsetBytes, long lenBytes, Pointer host) {
        if (lenBytes == 0) {
            return;
        }
        cl_command_queue q = ctx.queue();
        cl_mem m = mem();
        (write ? WRITES : READS).incrementAndGet();
        if (write) {
            ctx.run("clEnqueueWriteBuffer(" + what + ")", () -> CL.clEnqueueWriteBuffer(q, m, true, offsetBytes, lenBytes, host, 0, null, null));
        } else {
            ctx.run("clEnqueueReadBuffer(" + what + ")", () -> CL.clEnqueueReadBuffer(q, m, true, offsetBytes, lenBytes, host, 0, null, null));
        }
    }

    /** Releases the buffer; a failure is logged, not thrown. Safe to call twice. */
    @Override
    public void close() {
        if (mem == null) {
            return;
        }
        cl_mem m = mem;
        mem = null;
        ctx.release("clReleaseMemObject(" + what + ")", () -> CL.clReleaseMemObject(m));
        LIVE.decrementAndGet();
    }
}
