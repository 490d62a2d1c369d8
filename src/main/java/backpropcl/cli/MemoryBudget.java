package backpropcl.cli;

import backpropcl.model.Network;
import java.util.Locale;

/**
 * Refuses a network whose parameters cannot fit in this JVM's heap, before anything is allocated:
 * a width of 10^6 is a legal network but 3 GB of weights, and an OutOfMemoryError part way through
 * is no way to say so.
 */
final class MemoryBudget {
    private MemoryBudget() {
    }

    /**
     * Host bytes per parameter an engine keeps, optimizer state of Adam included: the initial float
     * copy, then the reference's double weights, gradients and two state tensors, or the cpu engine's
     * float weights, transposed weights, gradients and two state tensors, or the OpenCL engine's
     * host copies (its device memory is checked by the device).
     */
    static long bytesPerParameter(String engine) {
        return switch (engine.trim().toLowerCase(Locale.ROOT)) {
            case "reference" -> 4 + 4 * 8;
            case "opencl" -> 4 + 4;
            default -> 4 + 5 * 4;   // cpu, and auto, which falls back to cpu
        };
    }

    /** @throws UserError when the parameters of {@code net} on {@code engine} need more than the heap can still give */
    static void check(Network net, String engine, long maxHeap, long usedHeap) {
        double need = (double) net.parameterCount() * bytesPerParameter(engine);
        long free = maxHeap - usedHeap;
        if (need > free) {
            throw new UserError(String.format(Locale.ROOT,
                    "--arch %s has %,d parameters: the %s engine needs about %.1f GB of memory for them, more than the "
                            + "%.1f GB this JVM can use (narrower layers, or a larger heap with BACKPROP_CL_JAVA_OPTS=-Xmx...)",
                    net.archString(), net.parameterCount(), engine, need / 1e9, free / 1e9));
        }
    }

    static void check(Network net, String engine) {
        Runtime rt = Runtime.getRuntime();
        check(net, engine, rt.maxMemory(), rt.totalMemory() - rt.freeMemory());
    }
}
