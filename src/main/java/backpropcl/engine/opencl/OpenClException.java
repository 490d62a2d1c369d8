package backpropcl.engine.opencl;

import org.jocl.CL;

/**
 * An OpenCL call that failed, or a request the device cannot meet. The message names the call, the
 * status by its name (CL_OUT_OF_RESOURCES, not -5) and the device, and carries the build log when a
 * program did not compile.
 */
public class OpenClException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Status for failures that did not come from an OpenCL call (e.g. a data set too large). */
    public static final int NO_STATUS = 0;

    private final String call;
    private final int status;
    private final String device;

    /**
     * @param call   the OpenCL function, e.g. "clBuildProgram"
     * @param status its status code
     * @param device the device's name
     * @param detail more to say (a build log), or null
     * @param cause  the JOCL exception, or null
     */
    public OpenClException(String call, int status, String device, String detail, Throwable cause) {
        super(call + " failed with " + statusName(status) + " on " + device + (detail == null ? "" : ": " + detail), cause);
        this.call = call;
        this.status = status;
        this.device = device;
    }

    /** A failure that is not an OpenCL status, e.g. a buffer larger than the device allows. */
    public OpenClException(String device, String message) {
        super(message + " (device " + device + ")");
        this.call = null;
        this.status = NO_STATUS;
        this.device = device;
    }

    /** The OpenCL function that failed, or null when the failure did not come from a call. */
    public String call() {
        return call;
    }

    /** The OpenCL status code, or {@link #NO_STATUS}. */
    public int status() {
        return status;
    }

    public String device() {
        return device;
    }

    /** "CL_OUT_OF_RESOURCES" for -5; "status N" for a code OpenCL does not name. */
    public static String statusName(int status) {
        try {
            String s = CL.stringFor_errorCode(status);
            if (s != null && s.startsWith("CL_")) {
                return s;
            }
        } catch (Throwable t) {
            // JOCL's native library did not load; fall through to the number.
        }
        return "status " + status;
    }
}
