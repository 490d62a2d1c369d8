package backpropcl.engine.opencl;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_INVALID_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * Deliberately broken kernels and launches (src/test/resources/oclgrind/), run through JOCL
 * directly on the first device of the first platform. ci/oclgrind-suite runs each under Oclgrind
 * and fails unless Oclgrind reports the fault: proof that the suite catches what it is for.
 * <ul>
 *   <li>race: a local tile read by a neighbour with no barrier (a data race);
 *   <li>oob: a read one float past the end of a buffer;
 *   <li>uninit: local memory that nothing wrote, copied to global memory;
 *   <li>api: a launch whose global size (10) is no multiple of its work-group size (4).
 * </ul>
 * The kernels run to completion on the simulator (the results are wrong, not the exit): the
 * verdict is Oclgrind's report, which the script reads.
 */
final class PlantedFaults {
    static final List<String> NAMES = List.of("race", "oob", "uninit", "api");
    /** Work-items of each launch: one work-group. */
    private static final int N = 8;

    private PlantedFaults() {
    }

    /** Runs the named fault; 0 when it ran as planted, 1 when the runtime did not behave as planned, 2 for an unknown name. */
    static int run(String name) {
        if (!NAMES.contains(name)) {
            System.err.println("PlantedFaults: unknown fault '" + name + "'; expected one of " + NAMES);
            return 2;
        }
        CL.setExceptionsEnabled(true);
        cl_platform_id[] platform = new cl_platform_id[1];
        CL.clGetPlatformIDs(1, platform, null);
        cl_device_id[] device = new cl_device_id[1];
        CL.clGetDeviceIDs(platform[0], CL_DEVICE_TYPE_ALL, 1, device, null);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform[0]);
        cl_context context = CL.clCreateContext(props, 1, device, null, null, null);
        cl_command_queue queue = null;
        cl_program program = null;
        cl_kernel kernel = null;
        cl_mem in = null;
        cl_mem out = null;
        try {
            queue = createQueue(context, device[0]);
            String file = name.equals("api") ? "copy" : "planted_" + name;
            program = CL.clCreateProgramWithSource(context, 1, new String[] {source(file)}, null, null);
            CL.clBuildProgram(program, 1, device, null, null, null);
            kernel = CL.clCreateKernel(program, name.equals("api") ? "copy" : "planted_" + name, null);
            float[] input = new float[N];
            for (int i = 0; i < N; i++) {
                input[i] = i + 1;
            }
            in = CL.clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) N * Sizeof.cl_float, Pointer.to(input), null);
            out = CL.clCreateBuffer(context, CL_MEM_READ_WRITE, (long) N * Sizeof.cl_float, null, null);
            CL.clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(in));
            CL.clSetKernelArg(kernel, 1, Sizeof.cl_mem, Pointer.to(out));
            if (name.equals("race") || name.equals("uninit")) {
                CL.clSetKernelArg(kernel, 2, (long) N * Sizeof.cl_float, null);
            } else {
                CL.clSetKernelArg(kernel, 2, Sizeof.cl_int, Pointer.to(new int[] {N}));
            }
            if (name.equals("api")) {
                return launchWithBadWorkGroup(queue, kernel);
            }
            CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {N}, new long[] {N}, 0, null, null);
            float[] result = new float[N];
            CL.clEnqueueReadBuffer(queue, out, true, 0, (long) N * Sizeof.cl_float, Pointer.to(result), 0, null, null);
            System.out.println("planted " + name + ": ran; output " + java.util.Arrays.toString(result));
            return 0;
        } finally {
            release(out, in, kernel, program, queue, context);
        }
    }

    /** clCreateCommandQueue is deprecated in OpenCL 2.0, but Oclgrind is a 1.2 device. */
    @SuppressWarnings("deprecation")
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        return CL.clCreateCommandQueue(context, device, 0, null);
    }

    private static int launchWithBadWorkGroup(cl_command_queue queue, cl_kernel kernel) {
        try {
            CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {10}, new long[] {4}, 0, null, null);
            CL.clFinish(queue);
        } catch (CLException e) {
            if (e.getStatus() == CL_INVALID_WORK_GROUP_SIZE) {
                System.out.println("planted api: clEnqueueNDRangeKernel refused global 10 / local 4 as planted");
                return 0;
            }
            throw e;
        }
        System.err.println("planted api: the runtime accepted global 10 with work-groups of 4; it should not");
        return 1;
    }

    private static String source(String file) {
        String path = "/oclgrind/" + file + ".cl";
        try (InputStream s = PlantedFaults.class.getResourceAsStream(path)) {
            if (s == null) {
                throw new IllegalStateException("test resource " + path + " is missing from the class path");
            }
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    /** Releases in the order given; a failure is printed, not thrown, so the rest are still released. */
    private static void release(Object... objects) {
        for (Object o : objects) {
            if (o == null) {
                continue;
            }
            try {
                if (o instanceof cl_mem m) {
                    CL.clReleaseMemObject(m);
                } else if (o instanceof cl_kernel k) {
                    CL.clReleaseKernel(k);
                } else if (o instanceof cl_program p) {
                    CL.clReleaseProgram(p);
                } else if (o instanceof cl_command_queue q) {
                    CL.clReleaseCommandQueue(q);
                } else if (o instanceof cl_context c) {
                    CL.clReleaseContext(c);
                }
            } catch (CLException e) {
                System.err.println("PlantedFaults: release failed: " + e.getMessage());
            }
        }
    }
}
