package backpropcl.bench;

/**
 * One engine the benchmark times: an {@link backpropcl.engine.EngineSelector} engine name and,
 * for OpenCL, a device index; or a data-parallel engine over several single-threaded cpu
 * replicas (bench --replicas) or several OpenCL devices (bench --devices).
 *
 * @param kind        reference, cpu or opencl
 * @param device      the OpenCL device index, or null
 * @param unavailable why it cannot run here (then every workload is a skipped row), or null
 * @param replicas    the cpu replica count (as train --replicas), or null
 * @param devices     the OpenCL devices (as train --devices: "0,1" or "all"), or null
 * @param count       how many replicas or devices the engine trains on (1 for a plain engine)
 */
public record EngineTarget(String kind, Integer device, String unavailable, Integer replicas, String devices, int count) {

    /** A plain engine: one device or one cpu engine. */
    public EngineTarget(String kind, Integer device, String unavailable) {
        this(kind, device, unavailable, null, null, 1);
    }

    /** Whether it is a data-parallel engine (--replicas or --devices). */
    public boolean parallel() {
        return replicas != null || devices != null;
    }

    /** "opencl:0", "opencl:0,1" (--devices), "cpu x2" (--replicas 2), or the kind alone. */
    public String label() {
        if (replicas != null) {
            return kind + " x" + replicas;
        }
        if (devices != null) {
            return kind + ":" + devices;
        }
        return device == null ? kind : kind + ":" + device;
    }
}
