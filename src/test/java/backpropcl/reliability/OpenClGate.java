package backpropcl.reliability;

import static org.junit.jupiter.api.Assertions.fail;

import backpropcl.engine.opencl.OpenClDevices;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The device gate of the OpenCL tests (as OpenClTestSupport.requireDevice in engine.opencl): skip
 * when there is no OpenCL device, fail under CI=true, where PoCL is installed and a missing device
 * means a broken runtime.
 */
public final class OpenClGate {
    private OpenClGate() {
    }

    public static void requireDevice() {
        Optional<String> why = OpenClDevices.unavailableReason();
        if (why.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but no OpenCL device is usable: " + why.get());
            }
            Assumptions.abort("no OpenCL device: " + why.get());
        }
    }
}
