package backpropcl.engine.opencl;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * Owns a program built for one device and the kernels made from it (one {@link ClKernel} per
 * name, made on first use). A build failure throws an {@link OpenClException} that carries the
 * build log. Released in {@link #close()}, kernels first.
 */
final class ClProgram implements AutoCloseable {
    private static final AtomicInteger LIVE = new AtomicInteger();

    private final ClContext ctx;
    private final String options;
    private cl_program program;
    private final Map<String, ClKernel> kernels = new LinkedHashMap<>();

    ClProgram(ClContext ctx, String[] sources, String options) {
        this.ctx = ctx;
        this.options = options;
        cl_program p = ctx.call("clCreateProgramWithSource",
                () -> CL.clCreateProgramWithSource(ctx.context(), sources.length, sources, null, null));
        try {
            synchronized (OpenClDevices.SETUP) {   // see OpenClDevices.SETUP: not every runtime builds two programs at once safely
                CL.clBuildProgram(p, 1, new cl_device_id[] {ctx.device()}, options, null, null);
            }
        } catch (CLException e) {
            String log = buildLog(ctx, p);
            ctx.release("clReleaseProgram", () -> CL.clReleaseProgram(p));
            throw new OpenClException("clBuildProgram", e.getStatus(), ctx.deviceName(),
                    "options '" + options + "', build log:\n" + log, e);
        } catch (RuntimeException e) {
            ctx.release("clReleaseProgram", () -> CL.clReleaseProgram(p));
            throw e;
        }
        this.program = p;
        LIVE.incrementAndGet();
    }

    /** Programs built and not yet closed, over the whole JVM (for leak tests). */
    static int liveCount() {
        return LIVE.get();
    }

    String options() {
        return options;
    }

    /**
     * The kernels with these names, for a routine's constructor: when one cannot be made, the
     * program is closed (its owner never gets it) and the error is thrown.
     */
    ClKernel[] kernelsOrClose(String... names) {
        ClKernel[] out = new ClKernel[names.length];
        try {
            for (int i = 0; i < names.length; i++) {
                out[i] = kernel(names[i]);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return out;
    }

    /** The kernel with this name, made once and then reused. */
    ClKernel kernel(String name) {
        if (program == null) {
            throw new IllegalStateException("program is closed");
        }
        ClKernel k = kernels.get(name);
        if (k == null) {
            cl_kernel ck = ctx.call("clCreateKernel(" + name + ")", () -> CL.clCreateKernel(program, name, null));
            k = new ClKernel(ctx, ck, name);
            kernels.put(name, k);
        }
        return k;
    }

    private static String buildLog(ClContext ctx, cl_program p) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(p, ctx.device(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(p, ctx.device(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            int n = 0;
            while (n < buf.length && buf[n] != 0) {
                n++;
            }
            return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
        } catch (Throwable t) {
            return "(the build log could not be read: " + t + ")";
        }
    }

    @Override
    public void close() {
        if (program == null) {
            return;
        }
        for (ClKernel k : kernels.values()) {
            k.close();
        }
        kernels.clear();
        cl_program p = program;
        program = null;
        ctx.release("clReleaseProgram", () -> CL.clReleaseProgram(p));
        LIVE.decrementAndGet();
    }
}
