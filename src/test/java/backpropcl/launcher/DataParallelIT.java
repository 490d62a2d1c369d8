package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.testing.Launcher;
import backpropcl.train.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train --devices and --replicas through the launcher: the engine line names every replica, and
 * each wrong use is one line, exit 2, nothing written. The OpenCL cases run on two PoCL devices
 * (POCL_DEVICES="pthread pthread") and skip where OpenCL is unavailable.
 */
class DataParallelIT {
    private static final String TWO_POCL = "pthread pthread";

    @TempDir
    Path dir;

    private static Launcher train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", "points:moons:60", "--arch", "2-5-2", "--epochs", "2",
                "--batch", "7", "--no-progress"));
        args.addAll(List.of(more));
        return Launcher.of(args.toArray(String[]::new)).env("POCL_DEVICES", TWO_POCL);
    }

    private void refused(Launcher launcher, String line) {
        Refusals.refused(dir, launcher, line);
    }

    /** Skips unless the launcher lists exactly two devices with POCL_DEVICES="pthread pthread" (PoCL is the only runtime). */
    private void requireTwoPoclDevices() {
        Assumptions.assumeTrue(OpenClDevices.unavailableReason().isEmpty(), "no OpenCL device");
        Launcher.Run devices = Launcher.of("devices").env("POCL_DEVICES", TWO_POCL).in(dir).run();
        long listed = devices.out().lines().filter(l -> l.matches("\\d+: .*")).count();
        Assumptions.assumeTrue(listed == 2, "POCL_DEVICES=\"" + TWO_POCL + "\" gives " + listed + " devices, not two");
    }

    @Test
    void wrongUsesAreOneLineEach() {
        refused(train("--engine", "cpu", "--devices", "0,1"), "--devices is for OpenCL engines, not --engine cpu (--replicas N trains on "
                + "N cpu replicas)");
        refused(train("--engine", "opencl", "--replicas", "2"), "--replicas is for the cpu engine, not --engine opencl (--devices 0,1 "
                + "trains on several OpenCL devices)");
        refused(train("--device", "0", "--devices", "0,1"), "--device and --devices: choose one (--devices 0 is one device)");
        refused(train("--replicas", "0"), "--replicas must be a whole number >= 1, got 0");
    }

    @Test
    void unknownAndRepeatedDevicesAreOneLineEach() {
        requireTwoPoclDevices();
        refused(train("--devices", "0,0"), "--devices 0,0: device 0 is given twice");
        refused(train("--devices", "0,9"), "--devices 0,9: device 9 does not exist: devices are 0..1 (see 'backprop-cl devices')");
        refused(train("--devices", "0,x"), "--devices 0,x: expected device indices separated by commas (0,1) or all, got 'x'");
    }

    @Test
    void cpuReplicasTrainAndTheEngineLineNamesThem() {
        Launcher.Run run = train("--engine", "cpu", "--replicas", "2").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        String engine = run.out().lines().filter(l -> l.startsWith("engine: ")).findFirst().orElse("");
        assertTrue(engine.startsWith("engine: data-parallel over 2 replicas: 0: cpu (") && engine.contains("; 1: cpu (")
                && engine.endsWith("(--replicas 2: single-threaded cpu replicas, gradients summed on the host)"), run.describe());
        assertTrue(run.out().contains("done: test accuracy"), run.describe());
    }

    @Test
    void twoDevicesTrainAndDevicesSaysTheyPair() {
        requireTwoPoclDevices();
        Launcher.Run run = train("--devices", "all").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        String engine = run.out().lines().filter(l -> l.startsWith("engine: ")).findFirst().orElse("");
        assertTrue(engine.startsWith("engine: data-parallel over 2 replicas: 0: opencl (") && engine.contains("; 1: opencl ("),
                run.describe());
        Launcher.Run devices = Launcher.of("devices").env("POCL_DEVICES", TWO_POCL).in(dir).run();
        assertEquals(0, devices.code(), devices.describe());
        assertTrue(devices.out().contains("train together: any of 0..1 (train --devices 0,1 or --devices all"), devices.describe());
    }

    /**
     * A replica that fails in the second (last) epoch (BACKPROP_CL_FAIL_REPLICA, the test switch)
     * stops the run: exit 1, one stderr line naming the replica, the first epoch's checkpoint on
     * disk; a resume without the switch finishes where an uninterrupted run ends (bitwise: the same N).
     */
    @Test
    void aReplicaFailingMidRunStopsWithOneLineAndTheLastCheckpointResumes() {
        // 60 training points in batches of 7: 9 steps an epoch, so step 12 is in the second epoch.
        Launcher.Run failed = train("--engine", "cpu", "--replicas", "2", "--checkpoint-dir", "ck")
                .env("BACKPROP_CL_FAIL_REPLICA", "1@12").in(dir).run();
        assertEquals(1, failed.code(), failed.describe());
        assertEquals(1, failed.errLines().size(), failed.describe());
        String line = failed.errLines().get(0);
        assertTrue(line.contains("replica 1 (cpu (") && line.endsWith(
                "failed: IllegalStateException: planted by BACKPROP_CL_FAIL_REPLICA=1@12 (a test switch)"), failed.describe());
        assertEquals(9, Checkpoint.load(dir.resolve("ck")).state().steps(), "the first epoch's checkpoint");

        // The engine is not part of a checkpoint: the same 2 replicas are asked for again, so the resume is exact.
        Launcher.Run resumed = Launcher.of("train", "--resume", "ck", "--engine", "cpu", "--replicas", "2", "--no-progress").in(dir).run();
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("done: test accuracy"), resumed.describe());
        Launcher.Run straight = train("--engine", "cpu", "--replicas", "2", "--checkpoint-dir", "straight").in(dir).run();
        assertEquals(0, straight.code(), straight.describe());
        assertTrue(Checkpoint.load(dir.resolve("ck")).state().bitwiseEquals(Checkpoint.load(dir.resolve("straight")).state()),
                "the resumed run does not end where the uninterrupted one does");
    }

    @Test
    void aMalformedFailureSwitchIsOneLine() {
        refused(train("--engine", "cpu", "--replicas", "2").env("BACKPROP_CL_FAIL_REPLICA", "one"),
                "BACKPROP_CL_FAIL_REPLICA: expected K@STEP (replica K >= 0 fails at step STEP >= 1), got 'one'");
    }
}
