package backpropcl.engine.opencl;

import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_CUSTOM;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VENDOR;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_DRIVER_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PLATFORM_VERSION;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices of this machine. Device indexes count devices over all
 * platforms in platform order; that index is what {@code --device} and {@link OpenClEngine} take.
 * Nothing here throws when OpenCL is missing: {@link #list()} is then empty and
 * {@link #unavailableReason()} says what is missing and what to install.
 */
public final class OpenClDevices {
    /** What to install on Debian/Ubuntu for an OpenCL runtime that needs no GPU. */
    static final String INSTALL_HINT = "install the OpenCL loader and a driver, e.g. "
            + "`apt-get install ocl-icd-opencl-dev pocl-opencl-icd` (PoCL runs on the CPU), plus your GPU vendor's OpenCL driver for a GPU";

    /** The ICD loader's status when no platform is installed (cl_khr_icd). */
    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private static boolean exceptionsEnabled;

    private OpenClDevices() {
    }

    /** A device with the JOCL handles the package needs to open it. */
    record Handle(DeviceInfo info, cl_platform_id platform, cl_device_id device, String platformVersion) {
    }

    /** The outcome of looking for devices: what was found, or why nothing was. */
    record Probe(List<Handle> handles, String missing) {
    }

    /** Every device of every platform, in index order; empty when there is no usable OpenCL. */
    public static List<DeviceInfo> list() {
        List<DeviceInfo> out = new ArrayList<>();
        for (Handle h : probe().handles()) {
            out.add(h.info());
        }
        return out;
    }

    /**
     * Empty when at least one OpenCL device exists; otherwise one line saying what is missing (the
     * OpenCL library, any platform, any device) and what to install.
     */
    public static Optional<String> unavailableReason() {
        Probe p = probe();
        return p.handles().isEmpty() ? Optional.of(p.missing()) : Optional.empty();
    }

    /**
     * The lock for the runtime calls that set things up: device probing, context creation and
     * program builds. PoCL 3.1 does not guard its device setup, and a test JVM opening two engines
     * at once in two threads died of a SIGSEGV once in about five full test runs with probing
     * already serialised (ConcurrencyTest; the crashing call was not isolated). These calls happen
     * once per engine, so holding one lock across them costs nothing. Launches, reads and writes
     * are not serialised.
     */
    static final Object SETUP = OpenClDevices.class;

    /** Turns on JOCL's exceptions (once); throws whatever loading the native library throws. */
    static synchronized void initJocl() {
        if (!exceptionsEnabled) {
            CL.setExceptionsEnabled(true);
            exceptionsEnabled = true;
        }
    }

    /**
     * Looks for devices; never throws. Synchronized: the first call makes the OpenCL runtime set
     * up its devices, and PoCL 3.1 does not guard that against a second thread, which then sees no
     * device or crashes the JVM in clGetDeviceInfo (two engines opened at once by two threads;
     * ConcurrencyTest). Calls after the first are quick, so serialising them all costs nothing.
     */
    static synchronized Probe probe() {
        try {
            initJocl();
        } catch (Throwable t) {
            // JOCL throws UnsatisfiedLinkError (or an error wrapping it) when libOpenCL.so is missing.
            return new Probe(List.of(), "no OpenCL library (libOpenCL.so) could be loaded (" + oneLine(t) + "); " + INSTALL_HINT);
        }
        int[] count = new int[1];
        try {
            CL.clGetPlatformIDs(0, null, count);
        } catch (CLException e) {
            if (e.getStatus() == CL_PLATFORM_NOT_FOUND_KHR) {
                count[0] = 0;
            } else {
                return new Probe(List.of(), "the OpenCL library found no platform (clGetPlatformIDs: "
                        + OpenClException.statusName(e.getStatus()) + "); " + INSTALL_HINT);
            }
        } catch (Throwable t) {
            return new Probe(List.of(), "the OpenCL library could not be used (" + oneLine(t) + "); " + INSTALL_HINT);
        }
        if (count[0] == 0) {
            return new Probe(List.of(), "the OpenCL library is installed but no OpenCL platform (driver) is registered "
                    + "in /etc/OpenCL/vendors; " + INSTALL_HINT);
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        List<Handle> handles = new ArrayList<>();
        StringBuilder problems = new StringBuilder();
        try {
            CL.clGetPlatformIDs(platforms.length, platforms, null);
            for (int p = 0; p < platforms.length; p++) {
                String platformName = platformString(platforms[p], CL_PLATFORM_NAME);
                String platformVersion = platformString(platforms[p], CL_PLATFORM_VERSION);
                cl_device_id[] devices;
                try {
                    int[] n = new int[1];
                    CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n);
                    devices = new cl_device_id[n[0]];
                    if (n[0] > 0) {
                        CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, n[0], devices, null);
                    }
                } catch (CLException e) {
                    if (e.getStatus() != CL_DEVICE_NOT_FOUND) {
                        problems.append("; platform ").append(platformName).append(": clGetDeviceIDs failed with ")
                                .append(OpenClException.statusName(e.getStatus()));
                    }
                    devices = new cl_device_id[0];
                }
                for (cl_device_id d : devices) {
                    handles.add(new Handle(describe(d, handles.size(), p, platformName), platforms[p], d, platformVersion));
                }
            }
        } catch (Throwable t) {
            return new Probe(List.of(), "listing OpenCL platforms failed (" + oneLine(t) + "); " + INSTALL_HINT);
        }
        if (handles.isEmpty()) {
            return new Probe(List.of(), platforms.length + " OpenCL platform(s) found but no device" + problems
                    + "; " + INSTALL_HINT);
        }
        return new Probe(List.copyOf(handles), null);
    }

    /** The device with the given global index; IllegalArgumentException naming the valid range. */
    static Handle handle(int index) {
        Probe p = probe();
        if (p.handles().isEmpty()) {
            throw new IllegalArgumentException("no OpenCL device: " + p.missing());
        }
        if (index < 0 || index >= p.handles().size()) {
            throw new IllegalArgumentException("OpenCL device " + index + " does not exist; valid devices are 0.."
                    + (p.handles().size() - 1) + " (see `backprop-cl devices`)");
        }
        return p.handles().get(index);
    }

    private static DeviceInfo describe(cl_device_id d, int index, int platformIndex, String platform) {
        long type = deviceLong(d, CL_DEVICE_TYPE);
        String typeName;
        if ((type & CL_DEVICE_TYPE_GPU) != 0) {
            typeName = "GPU";
        } else if ((type & CL_DEVICE_TYPE_CPU) != 0) {
            typeName = "CPU";
        } else if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            typeName = "ACCELERATOR";
        } else if ((type & CL_DEVICE_TYPE_CUSTOM) != 0) {
            typeName = "CUSTOM";
        } else {
            typeName = "DEFAULT";
        }
        return new DeviceInfo(index, platformIndex, platform, deviceString(d, CL_DEVICE_NAME),
                deviceString(d, CL_DEVICE_VENDOR), typeName, deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS),
                deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceLong(d, CL_DEVICE_LOCAL_MEM_SIZE), (int) Math.min(Integer.MAX_VALUE, deviceSize(d, CL_DEVICE_MAX_WORK_GROUP_SIZE)),
                deviceString(d, CL_DEVICE_VERSION), deviceString(d, CL_DRIVER_VERSION));
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    /** A cl_ulong (or cl_bitfield) property. */
    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    /** A cl_uint property. */
    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    /** A size_t property. */
    static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }

    private static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return m.replace('\n', ' ');
    }
}
