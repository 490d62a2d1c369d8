package backpropcl.engine;

import backpropcl.text.Plural;
import backpropcl.engine.cpu.CpuEngine;
import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.engine.opencl.OpenClEngine;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Opens the engine the user asked for: opencl, cpu (float32 Java, multi-threaded) or reference
 * (double, the truth). "auto" takes an OpenCL GPU when there is one; otherwise the cpu engine,
 * which measures faster than both the OpenCL engine on CPU runtimes such as PoCL and the
 * reference engine (docs/cpu.md), and says why; a network with conv, maxpool or batchnorm layers
 * gets the reference engine, the one engine that computes them in this version.
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
     * @param kind   auto, opencl, cpu or reference
     * @param device an OpenCL device index, or null for the default
     */
    public static Choice open(String kind, Integer device, Network net, Parameters initial) {
        String k = kind.trim().toLowerCase(Locale.ROOT);
        switch (k) {
            case "reference":
                requireNoDevice(device, k);
                return new Choice(new ReferenceEngine(net, initial), "asked for with --engine reference");
            case "cpu":
                requireNoDevice(device, k);
                return new Choice(new CpuEngine(net, initial), "asked for with --engine cpu");
            case "opencl":
                return openCl(device, net, initial);
            case "auto":
                if (device != null) {
                    return openCl(device, net, initial);
                }
                Optional<DeviceInfo> gpu = OpenClDevices.list().stream().filter(DeviceInfo::isGpu).findFirst();
                if (gpu.isPresent()) {
                    return new Choice(new OpenClEngine(net, initial, gpu.get().index()), "auto: the first OpenCL GPU");
                }
                String noGpu = OpenClDevices.unavailableReason().map(r -> "no OpenCL device (" + r + ")").orElse("no OpenCL GPU");
                CpuEngine cpu = new CpuEngine(net, initial);
                return new Choice(cpu, "auto: " + noGpu + "; the cpu engine (float32, "
                        + Plural.of(cpu.threads(), "thread") + ") is the fastest CPU path");
            default:
                throw new IllegalArgumentException("unknown engine '" + kind + "' (expected auto, opencl, cpu or reference)");
        }
    }

    /**
     * The engine of {@link #open(String, Integer, Network, Parameters)}, or a
     * {@link DataParallelEngine} when {@code devices} names OpenCL devices (one replica each;
     * with --engine opencl or auto) or {@code replicas} asks for that many single-threaded cpu
     * engines (with --engine cpu or auto). One device or one replica is the plain engine.
     *
     * @param devices the --devices value ("0,1" or "all"), or null
     * @param replicas the --replicas count, or null
     */
    public static Choice open(String kind, Integer device, String devices, Integer replicas, Network net, Parameters initial) {
        String k = kind.trim().toLowerCase(Locale.ROOT);
        if (devices == null && replicas == null) {
            return open(kind, device, net, initial);
        }
        if (devices != null && replicas != null) {
            throw new IllegalArgumentException("--devices and --replicas: choose one (--devices for OpenCL devices, --replicas for "
                    + "cpu engines)");
        }
        if (devices != null) {
            if (!k.equals("opencl") && !k.equals("auto")) {
                throw new IllegalArgumentException("--devices is for OpenCL engines, not --engine " + k + (k.equals("cpu")
                        ? " (--replicas N trains on N cpu replicas)" : ""));
            }
            if (device != null) {
                throw new IllegalArgumentException("--device and --devices: choose one (--devices " + device + " is one device)");
            }
            List<Integer> picked = DeviceList.parse(devices, OpenClDevices.list().size());
            if (picked.size() == 1) {
                return new Choice(new OpenClEngine(net, initial, picked.get(0)), "--devices " + devices);
            }
            refuseBatchNorm(net, "--devices " + devices);
            return new Choice(replicated(picked.size(), i -> new OpenClEngine(net, initial, picked.get(i))),
                    "--devices " + devices + ": one replica per device, gradients summed on the host");
        }
        if (!k.equals("cpu") && !k.equals("auto")) {
            throw new IllegalArgumentException("--replicas is for the cpu engine, not --engine " + k
                    + (k.equals("opencl") ? " (--devices 0,1 trains on several OpenCL devices)" : ""));
        }
        if (replicas == 1) {
            return new Choice(CpuEngine.replica(net, initial), "--replicas 1: one single-threaded cpu engine");
        }
        refuseBatchNorm(net, "--replicas " + replicas);
        return new Choice(replicated(replicas, i -> CpuEngine.replica(net, initial)),
                "--replicas " + replicas + ": single-threaded cpu replicas, gradients summed on the host");
    }

    /** n replicas from {@code make}, closing those made when one fails to open. */
    private static DataParallelEngine replicated(int n, java.util.function.IntFunction<Engine> make) {
        java.util.Optional<PlantedFailure> planted = PlantedFailure.fromEnvironment();   // a test switch (docs/gpu.md)
        List<Engine> made = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                made.add(make.apply(i));
            }
            DataParallelEngine engine = new DataParallelEngine(made);
            planted.ifPresent(engine::plant);
            return engine;
        } catch (RuntimeException e) {
            made.forEach(Engine::close);
            throw e;
        }
    }

    private static Choice openCl(Integer device, Network net, Parameters initial) {
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("--engine opencl: " + OpenClDevices.unavailableReason()
                    .orElse("no OpenCL device found"));
        }
        if (device != null) {
            if (device < 0 || device >= devices.size()) {
                throw new IllegalArgumentException("--device " + device + " does not exist: devices are 0.." + (devices.size() - 1)
                        + " (see 'backprop-cl devices')");
            }
            return new Choice(new OpenClEngine(net, initial, device), "--device " + device);
        }
        DeviceInfo pick = devices.stream().filter(DeviceInfo::isGpu).findFirst().orElse(devices.get(0));
        return new Choice(new OpenClEngine(net, initial, pick.index()),
                pick.isGpu() ? "the first OpenCL GPU" : "no OpenCL GPU; the first OpenCL device");
    }

    /** Data-parallel training of a network with batchnorm: refused, as each replica would normalise by its slice's statistics. */
    private static void refuseBatchNorm(Network net, String option) {
        for (int k = 0; k < net.layers().size(); k++) {
            if (net.layers().get(k) instanceof Layer.BatchNorm) {
                throw new IllegalArgumentException(option + ": layer " + (k + 1) + " 'batchnorm' needs the whole batch's statistics, "
                        + "which replicas of slices do not have (PyTorch needs SyncBatchNorm for that); train on one engine");
            }
        }
    }

    private static void requireNoDevice(Integer device, String kind) {
        if (device != null) {
            throw new IllegalArgumentException("--device is for OpenCL engines, not --engine " + kind);
        }
    }
}
