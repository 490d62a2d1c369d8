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
        description = "Lists every OpenCL device with the index that --device takes.")
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
        return ExitCodes.OK;
    }
}
