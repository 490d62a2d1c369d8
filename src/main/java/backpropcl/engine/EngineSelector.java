package backpropcl.engine;

import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.util.Locale;

/**
 * Opens the engine the user asked for. "auto" takes the fastest engine available and says why.
 */
public final class EngineSelector {

    /** An opened engine and the one-line reason it was chosen; closing it closes the engine. */
    public record Choice(Engine engine, String reason) implements AutoCloseable {
        @Override
        public void close() {
            engine.close();
        }
    }

    private EngineSelector() {
    }

    /**
     * @param kind   auto, opencl or reference
     * @param device an OpenCL device index, or null for the default
     */
    public static Choice open(String kind, Integer device, Network net, Parameters initial) {
        String k = kind.trim().toLowerCase(Locale.ROOT);
        switch (k) {
            case "reference":
                requireNoDevice(device, k);
                return new Choice(new ReferenceEngine(net, initial), "asked for with --engine reference");
            case "auto":
                requireNoDevice(device, k);
                return new Choice(new ReferenceEngine(net, initial), "the only engine built so far");
            default:
                throw new IllegalArgumentException("unknown engine '" + kind + "' (expected auto or reference)");
        }
    }

    private static void requireNoDevice(Integer device, String kind) {
        if (device != null) {
            throw new IllegalArgumentException("--device is for OpenCL engines, not --engine " + kind);
        }
    }
}
