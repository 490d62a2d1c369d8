package backpropcl.cli;

import backpropcl.engine.EngineSelector;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import picocli.CommandLine.Option;

/** Which engine and device run the work. */
public final class EngineOptions {
    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "auto",
            description = "Engine: auto (an OpenCL GPU, else the cpu engine), opencl, cpu (float32 Java, multi-threaded, "
                    + "the fastest CPU path), reference (double precision, the truth) (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--device", paramLabel = "N", converter = OptionValues.CountFromZero.class,
            description = "OpenCL device index, as listed by 'backprop-cl devices' (default: the first GPU, else the first device).")
    Integer device;

    EngineSelector.Choice open(Network net, Parameters initial) {
        return open(net, initial, null);
    }

    /** The engine, data-parallel where {@code replicas} (train's --devices or --replicas; null for none) asks for it. */
    EngineSelector.Choice open(Network net, Parameters initial, ReplicaOptions replicas) {
        try {
            return replicas == null ? EngineSelector.open(engine, device, net, initial)
                    : EngineSelector.open(engine, device, replicas.devices, replicas.replicas, net, initial);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
    }
}
