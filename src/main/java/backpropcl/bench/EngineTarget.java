package backpropcl.bench;

/**
 * One engine the benchmark times: an {@link backpropcl.engine.EngineSelector} engine name and,
 * for OpenCL, a device index.
 *
 * @param kind        reference, cpu or opencl
 * @param device      the OpenCL device index, or null
 * @param unavailable why it cannot run here (then every workload is a skipped row), or null
 */
public record EngineTarget(String kind, Integer device, String unavailable) {

    /** "opencl:0", or the kind alone. */
    public String label() {
        return device == null ? kind : kind + ":" + device;
    }
}
