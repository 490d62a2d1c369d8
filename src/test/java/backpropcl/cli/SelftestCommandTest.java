package backpropcl.cli;

import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.selftest.Role;
import backpropcl.testing.CommandRun;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backprop-cl selftest} as a user on a new workstation meets it. */
class SelftestCommandTest {
    @TempDir
    Path dir;


    /** Skips without an OpenCL device, except under CI=true, where CI installs PoCL and a missing device is a failure. */
    private static DeviceInfo firstDeviceOrSkip() {
        Optional<String> why = OpenClDevices.unavailableReason();
        if (why.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but no OpenCL device is usable: " + why.get());
            }
            Assumptions.abort("no OpenCL device: " + why.get());
        }
        List<DeviceInfo> all = OpenClDevices.list();
        return all.stream().filter(d -> d.isGpu()).findFirst().orElse(all.get(0));
    }

    @Test
    void helpSaysWhatItIsForAndHowItExits() {
        CommandRun r = run("selftest", "--help");
        assertEquals(0, r.code());
        String help = r.out().replaceAll("\\s+", " ");   // picocli wraps lines at its own width
        for (String s : new String[] {"new workstation", "reference engine", "--device", "--json", "forward (z)", "Exit code 0",
            "2 when there is no OpenCL device"}) {
            assertTrue(help.contains(s), "selftest --help lacks '" + s + "':\n" + r.out());
        }
        assertTrue(run("--help").out().contains("selftest"), "the top-level help lists selftest");
    }

    @Test
    void passesOnTheDefaultDeviceWithEveryRoleInTheTable() {
        DeviceInfo d = firstDeviceOrSkip();
        CommandRun r = run("selftest");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("selftest on OpenCL device " + d.index() + ": " + d.name()), r.out());
        assertTrue(r.out().contains("driver " + d.driverVersion()), r.out());
        assertTrue(r.out().contains(d.openclVersion()), r.out());
        for (Role role : Role.values()) {
            assertTrue(r.out().contains("  " + role.label() + " "), "no row for " + role.label() + ":\n" + r.out());
        }
        for (String network : new String[] {"784-16-16-10 [sigmoid,sigmoid,sigmoid] quadratic",
            "784-128-64-10 [relu,relu,softmax] cross-entropy", "13-9-4-3 [tanh,leaky-relu,softmax] quadratic",
            "29-1-6-2 [identity,relu,sigmoid] cross-entropy",
            "64 -> dropout:0.2,dense:32,relu,dropout:0.5,dense:10,softmax cross-entropy",
            "1x28x28 -> conv:4x5x5:p2,relu,maxpool:2,batchnorm,conv:6x3x3,tanh,flatten,dense:16,relu,dense:10,softmax cross-entropy"}) {
            assertTrue(r.out().contains("\n" + network + "\n"), "no block for " + network + ":\n" + r.out());
        }
        assertFalse(r.out().contains("FAIL"), r.out());
        assertTrue(r.out().strip().lines().reduce((a, b) -> b).orElse("").startsWith("selftest: PASS (63 checks on 6 networks"), r.out());
    }

    @Test
    void jsonHasTheDeviceAndEveryRow() {
        DeviceInfo d = firstDeviceOrSkip();
        CommandRun r = run("selftest", "--json", "--device", String.valueOf(d.index()));
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("pass").getAsBoolean());
        assertEquals(d.name(), o.getAsJsonObject("device").get("name").getAsString());
        assertEquals(d.driverVersion(), o.getAsJsonObject("device").get("driver_version").getAsString());
        assertEquals(6, o.getAsJsonArray("networks").size());
        int rows = 0;
        for (JsonElement n : o.getAsJsonArray("networks")) {
            for (JsonElement row : n.getAsJsonObject().getAsJsonArray("rows")) {
                JsonObject j = row.getAsJsonObject();
                assertTrue(j.get("pass").getAsBoolean(), j.toString());
                assertTrue(j.get("rel_error").getAsDouble() <= j.get("tolerance").getAsDouble(), j.toString());
                rows++;
            }
        }
        assertEquals(63, rows);
    }

    @Test
    void aDeviceThatDoesNotExistIsAOneLineUserError() {
        CommandRun r = run("selftest", "--device", "99");
        assertEquals(2, r.code(), r.out());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("backprop-cl: "), err);
        assertTrue(err.contains("99"), err);
    }

    /** With no OpenCL platform at all (the ICD loader pointed at an empty folder): exit 2 and one line saying so. */
    @Test
    void noOpenClPlatformExitsTwoWithOneLine() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "selftest");
        pb.environment().put("OCL_ICD_VENDORS", dir.toString());   // ocl-icd reads *.icd from here only
        pb.redirectErrorStream(false);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "selftest did not exit");
        assertEquals(2, p.exitValue(), out + err);
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING:")).toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("backprop-cl: selftest needs an OpenCL device: "), err);
    }
}
