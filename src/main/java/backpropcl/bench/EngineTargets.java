package backpropcl.bench;

import backpropcl.engine.DeviceList;
import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.OpenClDevices;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns --engines and --device into the list of engines to time. Names outside
 * {@link #KINDS} are user errors; a known engine that this machine or this build cannot open
 * (no OpenCL device; an engine not in {@code EngineSelector} yet) still becomes a target, and
 * the benchmark reports it as skipped with the reason.
 */
public final class EngineTargets {
    /** Every engine the design defines, in the order the benchmark runs them. */
    public static final List<String> KINDS = List.of("reference", "cpu", "opencl");

    private EngineTargets() {
    }

    /** As {@link #resolve(List, Integer, List, Optional)}, with this machine's OpenCL devices. */
    public static List<EngineTarget> resolve(List<String> names, Integer device) {
        return resolve(names, device, OpenClDevices.list(), OpenClDevices.unavailableReason());
    }

    /** As {@link #resolve(List, Integer, List, String, List, Optional)}, with this machine's OpenCL devices. */
    public static List<EngineTarget> resolve(List<String> names, Integer device, List<Integer> replicas, String devices) {
        return resolve(names, device, replicas, devices, OpenClDevices.list(), OpenClDevices.unavailableReason());
    }

    /**
     * The targets of {@link #resolve(List, Integer, List, Optional)}, then one cpu target per
     * count of {@code replicas} (after the cpu engine's row) and one opencl target over
     * {@code devices} (after the opencl rows).
     *
     * @param replicas cpu replica counts (bench --replicas), or null
     * @param devices  the OpenCL devices to train on together (bench --devices, as train's), or null
     * @throws IllegalArgumentException when --engines leaves out the engine they are for, or --devices names no such devices
     */
    public static List<EngineTarget> resolve(List<String> names, Integer device, List<Integer> replicas, String devices,
                                             List<DeviceInfo> openCl, Optional<String> noOpenClReason) {
        List<EngineTarget> plain = resolve(names, device, openCl, noOpenClReason);
        boolean cpu = plain.stream().anyMatch(t -> t.kind().equals("cpu"));
        boolean opencl = plain.stream().anyMatch(t -> t.kind().equals("opencl"));
        if (replicas != null && !cpu) {
            throw new IllegalArgumentException("--replicas times cpu replicas, but --engines does not include cpu");
        }
        if (devices != null && !opencl) {
            throw new IllegalArgumentException("--devices times OpenCL devices together, but --engines does not include opencl");
        }
        List<EngineTarget> targets = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
            EngineTarget t = plain.get(i);
            boolean lastOfKind = i + 1 == plain.size() || !plain.get(i + 1).kind().equals(t.kind());
            targets.add(t);
            if (lastOfKind && t.kind().equals("cpu") && replicas != null) {
                replicas.forEach(n -> targets.add(new EngineTarget("cpu", null, null, n, null, n)));
            }
            if (lastOfKind && t.kind().equals("opencl") && devices != null) {
                targets.add(openCl.isEmpty() ? new EngineTarget("opencl", null, t.unavailable(), null, devices, 0)
                        : new EngineTarget("opencl", null, null, null, devices, DeviceList.parse(devices, openCl.size()).size()));
            }
        }
        return targets;
    }

    /**
     * @param names            engine names, or null for every engine
     * @param device           restricts opencl to this device index, or null for every device
     * @param devices          the OpenCL devices there are
     * @param noOpenClReason   why there are none, when there are none
     */
    public static List<EngineTarget> resolve(List<String> names, Integer device, List<DeviceInfo> devices,
                                             Optional<String> noOpenClReason) {
        Set<String> kinds = new LinkedHashSet<>();
        for (String raw : names == null ? KINDS : names) {
            String k = raw.trim().toLowerCase(Locale.ROOT);
            if (!KINDS.contains(k)) {
                throw new IllegalArgumentException("unknown engine '" + raw.trim() + "' (bench times named engines: "
                        + String.join(", ", KINDS) + ")");
            }
            kinds.add(k);
        }
        if (device != null && !kinds.contains("opencl")) {
            throw new IllegalArgumentException("--device " + device + " picks an OpenCL device, but --engines does not include opencl");
        }
        if (device != null && !devices.isEmpty() && (device < 0 || device >= devices.size())) {
            throw new IllegalArgumentException("--device " + device + " does not exist: devices are 0.." + (devices.size() - 1)
                    + " (see 'backprop-cl devices')");
        }
        List<EngineTarget> targets = new ArrayList<>();
        for (String k : kinds) {
            if (!k.equals("opencl")) {
                targets.add(new EngineTarget(k, null, null));
            } else if (devices.isEmpty()) {
                targets.add(new EngineTarget(k, device, "no OpenCL device: " + noOpenClReason.orElse("none found")));
            } else {
                for (DeviceInfo d : devices) {
                    if (device == null || device == d.index()) {
                        targets.add(new EngineTarget(k, d.index(), null));
                    }
                }
            }
        }
        return targets;
    }
}
