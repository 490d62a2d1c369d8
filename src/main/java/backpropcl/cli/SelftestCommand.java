package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.engine.Tolerances;
import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.engine.opencl.OpenClEngine;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.selftest.CheckCase;
import backpropcl.selftest.EngineCheck;
import backpropcl.selftest.RoleResult;
import backpropcl.selftest.SelftestCases;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "selftest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Checks an OpenCL device's kernels against the reference engine.",
            "",
            "Checks that an OpenCL device computes what the reference engine computes, kernel by kernel. "
                + "Run it on a new workstation, a new GPU or a new driver before trusting it with training.",
            "",
            "For four networks (784-16-16-10 sigmoid/quadratic and 784-128-64-10 ReLU/softmax/cross-entropy on the "
                + "bundled MNIST digits; 13-9-4-3 and 29-1-6-2, which reach every activation and both costs, on random "
                + "data) it runs training steps from the same parameters on the device and on the double-precision "
                + "reference engine, evaluates both, and trains both for 100 steps.",
            "",
            "Per kernel role it prints the largest relative error ||device - reference|| / ||reference||: forward (z), "
                + "activation (a), output error, backward (delta), weight and bias gradients, SGD update (W and b after "
                + "the step), metrics (evaluate's mean cost; the fraction of samples whose correctness differs) and "
                + "training (W and b after 100 steps). Tolerances: " + Tolerances.ONE_STEP_F32_TEXT + " for one step and the cost, "
                + Tolerances.CORRECT_FRACTION_F32_TEXT + " for the correct count, " + Tolerances.AFTER_STEPS_F32_TEXT
                + " after 100 steps.",
            "",
            "Exit code 0 when every row passes, 1 when any fails (or the device cannot build or run the kernels), "
                + "2 when there is no OpenCL device or no device with that index."},
        footer = {"", "Examples:",
            "  backprop-cl selftest            # the first GPU, else the first device",
            "  backprop-cl devices && backprop-cl selftest --device 1",
            "  backprop-cl selftest --json > selftest.json"})
final class SelftestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", paramLabel = "N",
            description = "OpenCL device index, as listed by 'backprop-cl devices' (default: the first GPU, else the first device).")
    Integer device;

    @Option(names = "--json", description = "Print the results as one JSON object.")
    boolean json;

    /** The outcome for one network: its role results, or why it could not run. */
    record NetworkReport(String network, List<RoleResult> results, String error) {
        boolean pass() {
            return error == null && results.stream().allMatch(RoleResult::pass);
        }
    }

    @Override
    public Integer call() {
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty()) {
            throw new UserError("selftest needs an OpenCL device: " + OpenClDevices.unavailableReason().orElse("none found"));
        }
        DeviceInfo info = choose(devices);
        long t0 = System.nanoTime();
        List<NetworkReport> reports = new ArrayList<>();
        for (CheckCase c : SelftestCases.defaults()) {
            reports.add(check(c, info.index()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        boolean pass = reports.stream().allMatch(NetworkReport::pass);
        if (json) {
            printJson(info, reports, pass, seconds);
        } else {
            printTable(info, reports, pass, seconds);
        }
        return pass ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private DeviceInfo choose(List<DeviceInfo> devices) {
        if (device == null) {
            return devices.stream().filter(DeviceInfo::isGpu).findFirst().orElse(devices.get(0));
        }
        if (device < 0 || device >= devices.size()) {
            throw new UserError("--device " + device + " does not exist: devices are 0.." + (devices.size() - 1)
                    + " (see 'backprop-cl devices')");
        }
        return devices.get(device);
    }

    private NetworkReport check(CheckCase c, int deviceIndex) {
        try (OpenClEngine cl = new OpenClEngine(c.network(), c.initial(), deviceIndex);
             ReferenceEngine ref = new ReferenceEngine(c.network(), c.initial())) {
            return new NetworkReport(c.label(), EngineCheck.run(c, cl, ref), null);
        } catch (RuntimeException e) {
            // A device that cannot build or run the kernels is exactly what a selftest is for: report it
            // as a failure of this network (the stack trace goes to stderr for a bug report) and go on.
            e.printStackTrace(spec.commandLine().getErr());
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new NetworkReport(c.label(), List.of(), message.replace('\n', ' '));
        }
    }

    private void printTable(DeviceInfo d, List<NetworkReport> reports, boolean pass, double seconds) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "selftest on OpenCL device %d: %s [%s]%n", d.index(), d.name(), d.type());
        out.printf(Locale.ROOT, "  vendor %s, driver %s, %s, platform %s%n", d.vendor(), d.driverVersion(), d.openclVersion(), d.platform());
        out.println("  rel. error: the largest ||device - reference|| / ||reference|| of each kernel role");
        int checks = 0;
        int failed = 0;
        for (NetworkReport r : reports) {
            out.println();
            out.println(r.network());
            if (r.error() != null) {
                out.println("  FAIL  the device could not run this network: " + r.error());
                failed++;
                continue;
            }
            out.printf(Locale.ROOT, "  %-18s %11s %10s  %-6s %s%n", "role", "rel. error", "tolerance", "result", "worst at");
            for (RoleResult row : r.results()) {
                out.printf(Locale.ROOT, "  %-18s %11.3e %10.0e  %-6s %s%n", row.role().label(), row.error(), row.tolerance(),
                        row.pass() ? "PASS" : "FAIL", row.where());
                checks++;
                failed += row.pass() ? 0 : 1;
            }
        }
        out.println();
        if (pass) {
            out.printf(Locale.ROOT, "selftest: PASS (%s on %s, %.1f s)%n", Plural.of(checks, "check"),
                    Plural.of(reports.size(), "network"), seconds);
        } else {
            out.printf(Locale.ROOT, "selftest: FAIL (%d failed on %s, %.1f s): do not trust this device for training%n",
                    failed, Plural.of(reports.size(), "network"), seconds);
        }
    }

    private void printJson(DeviceInfo d, List<NetworkReport> reports, boolean pass, double seconds) {
        JsonObject o = new JsonObject();
        JsonObject dev = new JsonObject();
        dev.addProperty("index", d.index());
        dev.addProperty("name", d.name());
        dev.addProperty("type", d.type());
        dev.addProperty("vendor", d.vendor());
        dev.addProperty("platform", d.platform());
        dev.addProperty("driver_version", d.driverVersion());
        dev.addProperty("opencl_version", d.openclVersion());
        o.add("device", dev);
        JsonArray networks = new JsonArray();
        for (NetworkReport r : reports) {
            JsonObject n = new JsonObject();
            n.addProperty("network", r.network());
            if (r.error() != null) {
                n.addProperty("error", r.error());
            }
            JsonArray rows = new JsonArray();
            for (RoleResult row : r.results()) {
                JsonObject j = new JsonObject();
                j.addProperty("role", row.role().label());
                j.add("rel_error", JsonOutput.number(row.error()));   // null: NaN or Inf in a tensor (pass is false)
                j.add("tolerance", JsonOutput.number(row.tolerance()));
                j.addProperty("pass", row.pass());
                j.addProperty("worst_at", row.where());
                rows.add(j);
            }
            n.add("rows", rows);
            n.addProperty("pass", r.pass());
            networks.add(n);
        }
        o.add("networks", networks);
        o.add("seconds", JsonOutput.number(seconds));
        o.addProperty("pass", pass);
        spec.commandLine().getOut().println(JsonOutput.pretty(o));
    }
}
