package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.OpenClDevices;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists every OpenCL device, its index and which train together.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty()) {
            out.println(OpenClDevices.unavailableReason().orElse("no OpenCL device found"));
            out.println("the reference engine (--engine reference) works without OpenCL");
            return ExitCodes.OK;
        }
        for (DeviceInfo d : devices) {
            out.printf(Locale.ROOT, "%d: %s [%s, %s]%n", d.index(), d.name(), d.type(), d.vendor());
            out.printf(Locale.ROOT, "   platform %s, %s, driver %s%n", d.platform(), d.openclVersion(), d.driverVersion());
            out.printf(Locale.ROOT, "   %s, %,d MiB global memory, %,d MiB max allocation, %,d KiB local, work-group <= %d%n",
                    Plural.of(d.computeUnits(), "compute unit"), d.globalMemBytes() >> 20, d.maxAllocBytes() >> 20, d.localMemBytes() >> 10, d.maxWorkGroupSize());
        }
        // Any usable devices pair, of any kind or platform: the host sums their gradients, so
        // nothing is shared between them but the host.
        if (devices.size() > 1) {
            out.printf(Locale.ROOT, "train together: any of 0..%d (train --devices 0,1 or --devices all; the host sums the gradients, "
                    + "so devices of any kind or platform pair)%n", devices.size() - 1);
        } else {
            out.println("train together: one device only (train --devices needs two; POCL_DEVICES=\"pthread pthread\" makes two on PoCL)");
        }
        return ExitCodes.OK;
    }
}
