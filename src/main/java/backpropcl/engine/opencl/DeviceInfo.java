package backpropcl.engine.opencl;

/**
 * What one OpenCL device reports about itself, in plain Java types.
 *
 * @param index            global index over all platforms in order (what {@code --device} takes)
 * @param platformIndex    index of its platform
 * @param platform         the platform's name, e.g. "Portable Computing Language"
 * @param name             the device's name
 * @param vendor           the device's vendor
 * @param type             GPU, CPU, ACCELERATOR, CUSTOM or DEFAULT
 * @param computeUnits     CL_DEVICE_MAX_COMPUTE_UNITS
 * @param globalMemBytes   CL_DEVICE_GLOBAL_MEM_SIZE
 * @param maxAllocBytes    CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest single buffer
 * @param localMemBytes    CL_DEVICE_LOCAL_MEM_SIZE
 * @param maxWorkGroupSize CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param openclVersion    CL_DEVICE_VERSION, e.g. "OpenCL 3.0 PoCL ..."
 * @param driverVersion    CL_DRIVER_VERSION
 */
public record DeviceInfo(int index, int platformIndex, String platform, String name, String vendor, String type,
                         int computeUnits, long globalMemBytes, long maxAllocBytes, long localMemBytes,
                         int maxWorkGroupSize, String openclVersion, String driverVersion) {

    /** Whether the device reports the GPU type. */
    public boolean isGpu() {
        return type.contains("GPU");
    }

    /** Whether the device reports the CPU type (a CPU runtime such as PoCL). */
    public boolean isCpu() {
        return type.contains("CPU");
    }
}
