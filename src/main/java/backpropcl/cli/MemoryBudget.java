package backpropcl.cli;

import backpropcl.text.Plural;
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
                    net.name(), net.parameterCount(), engine, need / 1e9, free / 1e9));
        }
    }

    static void check(Network net, String engine) {
        Runtime rt = Runtime.getRuntime();
        check(net, engine, rt.maxMemory(), rt.totalMemory() - rt.freeMemory());
    }

    /** The most elements a Java array can hold (as IdxReader and the JDK's own collections take it). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Host bytes per unit of a layer per batch row: the reference's z, a and delta in double, the
     * cpu engine's z, a, delta and the transposed delta in float; the OpenCL engine keeps them on
     * the device (which checks its own buffers).
     */
    static long bytesPerActivation(String engine) {
        return switch (engine.trim().toLowerCase(Locale.ROOT)) {
            case "reference" -> 3 * 8;
            case "opencl" -> 0;
            default -> 4 * 4;
        };
    }

    /**
     * Refuses, before anything is allocated, a batch whose buffers cannot be made: a batch of
     * {@code rows} rows (the batch size, or the whole training set when that is smaller) through
     * the widest layer must be one Java array, and the batch's activations must fit in the heap
     * next to the parameters. Without it, {@code rows x width} overflows an int.
     *
     * @param batch the --batch option as given, for the message
     */
    static void checkBatch(Network net, String engine, int batch, int rows, long maxHeap, long usedHeap) {
        checkBatchArrays(net, batch, rows);
        long units = 0;
        for (int l = 0; l <= net.denseLayers(); l++) {
            units += net.size(l);
        }
        double activations = (double) rows * units * bytesPerActivation(engine);
        double parameters = (double) net.parameterCount() * bytesPerParameter(engine);
        long free = maxHeap - usedHeap;
        if (activations + parameters > free) {
            long most = (long) Math.max(1, (free - parameters) / ((double) units * bytesPerActivation(engine)));
            throw new UserError(String.format(Locale.ROOT,
                    "--batch %d: a batch of %s through %s needs about %.1f GB of memory on the %s engine "
                            + "(and %.1f GB for the parameters), more than the %.1f GB this JVM can use; give --batch %d or less, "
                            + "or a larger heap with BACKPROP_CL_JAVA_OPTS=-Xmx...",
                    batch, Plural.grouped(rows, "sample"), net.name(), activations / 1e9, engine, parameters / 1e9, free / 1e9, most));
        }
    }

    static void checkBatch(Network net, String engine, int batch, int rows) {
        Runtime rt = Runtime.getRuntime();
        checkBatch(net, engine, batch, rows, rt.maxMemory(), rt.totalMemory() - rt.freeMemory());
    }

    /** Refuses a batch of {@code rows} rows whose values in the widest layer (or the input) are more than one array holds. */
    static void checkBatchArrays(Network net, int batch, int rows) {
        int widest = 0;
        for (int l = 0; l <= net.denseLayers(); l++) {
            widest = Math.max(widest, net.size(l));
        }
        long values = (long) rows * widest;
        if (values > MAX_ARRAY) {
            throw new UserError(String.format(Locale.ROOT,
                    "--batch %d: a batch of %s through a layer %,d wide is %,d values, more than one array holds "
                            + "(%,d); give --batch %d or less", batch, Plural.grouped(rows, "sample"), widest, values, MAX_ARRAY, MAX_ARRAY / widest));
        }
    }
}
