package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.testing.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, families 2 to 6, through the real launcher: an output never destroys an input, a
 * checkpoint is protected and locked, outputs are checked before the first batch, writes never
 * lose what was there, and SIGTERM/SIGHUP stop a run as Ctrl-C does. Every refused run is checked
 * for its exit code, its one stderr line, and the hashes of every file before and after.
 */
class OutputsIT {
    /** A small fast run: 300 generated 2-D points, a tiny network, the cpu engine. */
    private static final List<String> SMALL = List.of("--data", "points:moons:300", "--arch", "2-8-2", "--engine", "cpu",
            "--no-progress", "--epochs", "2");

    @TempDir
    Path dir;

    private static String[] train(List<String> base, String... more) {
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(base);
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private Launcher.Run run(String... args) {
        return Launcher.of(args).in(dir).run();
    }

    /** Runs a command that must be refused: exit 2, exactly {@code line} on stderr, nothing on stdout, no file changed. */
    private void refused(String line, String... args) {
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run r = run(args);
        assertEquals(2, r.code(), r.describe());
        assertEquals(List.of("backprop-cl: " + line), r.errLines(), r.describe());
        assertEquals("", r.out(), r.describe());
        assertEquals(before, Launcher.hashes(dir), "files changed: " + r.describe());
    }

    private Path csv(String name) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            sb.append(i % 2).append(',').append(i % 2 == 0 ? -1 - i * 0.01 : 1 + i * 0.01).append(',').append(i * 0.02).append('\n');
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    private static List<String> csvRun(String data) {
        return List.of("--data", data, "--arch", "2-4-2", "--engine", "cpu", "--no-progress", "--epochs", "1");
    }

    // ---- 2. An output never destroys an input

    @Test
    void anOutputNamingTheDataIsRefused() throws IOException {
        csv("d.csv");
        csv("d-test.csv");
        refused("--metrics d.csv is a file of the training data (--data); an output never replaces an input: name another file",
                train(csvRun("d.csv"), "--metrics", "d.csv"));
        refused("--save d-test.csv is a file of the training data (--data); an output never replaces an input: name another file",
                train(csvRun("d.csv"), "--save", "d-test.csv"));
        // X-train.csv reads its test set from X-test.csv too (the reader's own rule, DataSources.csvTestFile).
        csv("e-train.csv");
        csv("e-test.csv");
        refused("--save e-test.csv is a file of the training data (--data); an output never replaces an input: name another file",
                train(csvRun("e-train.csv"), "--save", "e-test.csv"));
        // Through a symbolic link and a different spelling: real paths are compared.
        Files.createSymbolicLink(dir.resolve("link.csv"), dir.resolve("d.csv"));
        Files.createDirectories(dir.resolve("sub"));
        refused("--save ./sub/../link.csv is a file of the training data (--data); an output never replaces an input: name another file",
                train(csvRun("d.csv"), "--save", "./sub/../link.csv"));
    }

    @Test
    void pathsAreComparedAsTheKernelResolvesThem() throws IOException {
        // a/link/../d.csv is real/d.csv: the link is followed before the "..", never folded as text.
        Files.createDirectories(dir.resolve("real/sub"));
        Files.createDirectories(dir.resolve("a"));
        Files.move(csv("d.csv"), dir.resolve("real/d.csv"));
        Files.move(csv("d-test.csv"), dir.resolve("real/d-test.csv"));
        Files.createSymbolicLink(dir.resolve("a/link"), Path.of("../real/sub"));
        refused("--metrics a/link/../d.csv is a file of the training data (--data); an output never replaces an input: name another "
                + "file", train(csvRun("real/d.csv"), "--metrics", "a/link/../d.csv"));
        // A relative link reached through a linked directory: written where the kernel says, not beside the data.
        Files.createDirectories(dir.resolve("deep/inner"));
        Files.createSymbolicLink(dir.resolve("alias"), Path.of("deep/inner"));
        Files.createSymbolicLink(dir.resolve("deep/inner/out.csv"), Path.of("../m.csv"));
        Files.writeString(dir.resolve("deep/m.csv"), "old");
        String data = Files.readString(dir.resolve("real/d.csv"));
        Launcher.Run r = run(train(csvRun("real/d.csv"), "--metrics", "alias/out.csv"));
        assertEquals(0, r.code(), r.describe());
        assertTrue(Files.readString(dir.resolve("deep/m.csv")).startsWith("epoch,"), "the file the link points to holds the metrics");
        assertTrue(Files.isSymbolicLink(dir.resolve("deep/inner/out.csv")), "the link stays");
        assertEquals(data, Files.readString(dir.resolve("real/d.csv")));
    }

    @Test
    void outputsSharingADirectoryOrNamedLikeALockFile() {
        // --checkpoint-dir and --plot in one directory take one lock between them.
        Launcher.Run r = run(train(SMALL, "--checkpoint-dir", "run1", "--plot", "run1"));
        assertEquals(0, r.code(), r.describe());
        assertTrue(Files.exists(dir.resolve("run1/checkpoint.safetensors")) && Files.exists(dir.resolve("run1/loss.png")));
        assertFalse(Files.exists(dir.resolve("run1/.backprop-cl.lock")));
        refused("--metrics run1/.backprop-cl.lock is the lock file that --checkpoint-dir run1 takes for the run; name another file",
                train(SMALL, "--checkpoint-dir", "run1", "--overwrite-checkpoint", "--metrics", "run1/.backprop-cl.lock"));
        refused("--metrics .m.safetensors.lock is the lock file that --save m.safetensors takes for the run; name another file",
                train(SMALL, "--save", "m.safetensors", "--metrics", ".m.safetensors.lock"));
    }

    @Test
    void aReplacedFileKeepsItsModeAndANewOneFollowsTheUmask() throws Exception {
        assertEquals(0, run(train(SMALL, "--metrics", "private.csv")).code());
        Files.setPosixFilePermissions(dir.resolve("private.csv"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, run(train(SMALL, "--metrics", "private.csv")).code());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("private.csv"))));
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask 077 && exec '" + Launcher.script() + "' "
                + String.join(" ", train(SMALL, "--save", "new.safetensors"))).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("new.safetensors"))));
    }

    @Test
    void anOutputNamingTheResumedCheckpointOrTheModelReadIsRefused() {
        assertEquals(0, run(train(SMALL, "--checkpoint-dir", "ck", "--save", "m.safetensors")).code());
        refused("--metrics ck/checkpoint.safetensors is the checkpoint being resumed (--resume); an output never replaces an input: "
                + "name another file", "train", "--resume", "ck", "--epochs", "3", "--metrics", "ck/checkpoint.safetensors");
        refused("--save m.safetensors is the model being read (--init-from); an output never replaces an input: name another file",
                train(List.of("--data", "points:moons:300", "--engine", "cpu", "--no-progress", "--epochs", "1"),
                        "--init-from", "m.safetensors", "--save", "m.safetensors"));
    }

    @Test
    void twoOutputsOnOneFileAreRefused() {
        refused("--metrics out.csv and --save out.csv are the same file; give each output its own name",
                train(SMALL, "--save", "out.csv", "--metrics", "out.csv"));
        refused("--checkpoint-dir ck/checkpoint.safetensors and --save ck/checkpoint.safetensors are the same file; give each output "
                + "its own name", train(SMALL, "--checkpoint-dir", "ck", "--save", "ck/checkpoint.safetensors"));
    }

    @Test
    void aTrailingSlashIsADirectory() {
        refused("--save models/ names a directory (it ends in '/'); --save needs a file name, such as models/model.safetensors",
                train(SMALL, "--save", "models/"));
        assertFalse(Files.exists(dir.resolve("models")));
    }

    @Test
    void aSpecialFileIsNeverReplaced() throws Exception {
        Path fifo = dir.resolve("pipe");
        ProcessBuilder mkfifo = new ProcessBuilder("mkfifo", fifo.toString());
        mkfifo.environment().remove("LD_PRELOAD");
        Assumptions.assumeTrue(mkfifo.start().waitFor() == 0, "no mkfifo");
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run r = run(train(SMALL, "--metrics", "pipe"));
        assertEquals(2, r.code(), r.describe());
        assertEquals(List.of("backprop-cl: --metrics pipe: cannot be written (it is not a regular file but a named pipe (FIFO), "
                + "which a write would replace)"), r.errLines(), r.describe());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still a FIFO");
        assertEquals(before, Launcher.hashes(dir));
        Launcher.Run dev = run(train(SMALL, "--save", "/dev/null"));
        assertEquals(2, dev.code(), dev.describe());
        assertEquals(List.of("backprop-cl: --save /dev/null: cannot be written (it is not a regular file but a character device, "
                + "which a write would replace)"), dev.errLines(), dev.describe());
    }

    @Test
    void aSymbolicLinkIsWrittenThrough() throws IOException {
        Path real = Files.createDirectories(dir.resolve("store")).resolve("model.safetensors");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("latest.safetensors"), Path.of("store/model.safetensors"));
        Launcher.Run r = run(train(SMALL, "--save", "latest.safetensors"));
        assertEquals(0, r.code(), r.describe());
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertTrue(Files.size(real) > 100, "the file it points to holds the model");
        try (Stream<Path> s = Files.list(real.getParent())) {
            assertEquals(List.of("model.safetensors"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file");
        }
    }

    // ---- 3. A checkpoint is protected

    @Test
    void aFreshRunDoesNotOverwriteAnotherRunsCheckpoint() {
        assertEquals(0, run(train(SMALL, "--checkpoint-dir", "ck")).code());
        refused("--checkpoint-dir ck already holds the checkpoint of a run of 2-8-2 after 2 of 2 epochs; go on with it with "
                + "--resume ck, or start over with --overwrite-checkpoint (or use another directory)",
                train(List.of("--data", "points:moons:300", "--arch", "2-16-2", "--engine", "cpu", "--no-progress"),
                        "--checkpoint-dir", "ck"));
        Launcher.Run over = run(train(SMALL, "--checkpoint-dir", "ck", "--overwrite-checkpoint", "--seed", "7"));
        assertEquals(0, over.code(), over.describe());
    }

    @Test
    void aSecondRunOnTheSameOutputsRefusesAtOnce() throws IOException {
        List<String> slow = List.of("--data", "points:moons:300", "--arch", "2-8-2", "--engine", "cpu", "--no-progress",
                "--epochs", "100000");
        Launcher.Started first = Launcher.of(train(slow, "--checkpoint-dir", "ck", "--metrics", "m.csv")).in(dir).start();
        try {
            first.awaitOutput("epoch   1", Duration.ofSeconds(60));
            long pid = first.pid();
            Launcher.Run dirRun = run(train(SMALL, "--checkpoint-dir", "ck", "--overwrite-checkpoint"));
            assertEquals(2, dirRun.code(), dirRun.describe());
            assertEquals(List.of("backprop-cl: --checkpoint-dir ck is in use by another run (process " + pid
                    + "); wait for it to finish, or give this run another directory"), dirRun.errLines(), dirRun.describe());
            Launcher.Run metricsRun = run(train(SMALL, "--metrics", "m.csv"));
            assertEquals(2, metricsRun.code(), metricsRun.describe());
            assertEquals(List.of("backprop-cl: --metrics m.csv is in use by another run (process " + pid
                    + "); wait for it to finish, or give this run another file"), metricsRun.errLines(), metricsRun.describe());
            // Another name of the same file takes the same lock.
            Files.createSymbolicLink(dir.resolve("lnk.csv"), Path.of("m.csv"));
            Launcher.Run viaLink = run(train(SMALL, "--metrics", "lnk.csv"));
            assertEquals(2, viaLink.code(), viaLink.describe());
            assertEquals(List.of("backprop-cl: --metrics lnk.csv is in use by another run (process " + pid
                    + "); wait for it to finish, or give this run another file"), viaLink.errLines(), viaLink.describe());
        } finally {
            first.signal("TERM");
        }
        Launcher.Run r = first.finish();
        assertEquals(143, r.code(), r.describe());
        assertFalse(Files.exists(dir.resolve("ck").resolve(".backprop-cl.lock")), "the lock is removed at the end");
        assertFalse(Files.exists(dir.resolve(".m.csv.lock")), "the lock is removed at the end");
        assertEquals(0, run(train(SMALL, "--metrics", "m.csv")).code(), "free again once the first run ended");
    }

    // ---- 4. Every output is checked before the first batch

    @Test
    void anUnwritableOutputIsFoundBeforeTraining() throws Exception {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Path mountLog = dir.resolve("mount.log");
        // A read-only file system even for root: a tmpfs mounted read-only in a private mount namespace.
        String launcher = Launcher.script().toString();
        String script = "mount -t tmpfs -o ro,size=64k tmpfs '" + ro + "' || exit 90\n"
                + "cd '" + dir + "'\n"
                + "'" + launcher + "' " + String.join(" ", train(SMALL, "--save", "ro/m.safetensors")) + "\n";
        ProcessBuilder pb = new ProcessBuilder("unshare", "-m", "sh", "-c", script).redirectOutput(mountLog.toFile())
                .redirectError(dir.resolve("mount.err").toFile());
        pb.environment().remove("LD_PRELOAD");   // the test JVM's libjsig is not for unshare and sh
        Process p = pb.start();
        int code = p.waitFor();
        Assumptions.assumeTrue(code != 90, "no read-only tmpfs here (needs root and unshare)");
        String err = Files.readString(dir.resolve("mount.err"));
        assertEquals(2, code, err + Files.readString(mountLog));
        assertEquals("backprop-cl: --save ro/m.safetensors: cannot be written (Read-only file system)\n", err);
        assertFalse(Files.readString(mountLog).contains("epoch"), "refused before the first epoch");

        Launcher.Run cp = run(train(SMALL, "--checkpoint-dir", "/proc/ck"));
        assertEquals(2, cp.code(), cp.describe());
        assertEquals(1, cp.errLines().size(), cp.describe());
        assertTrue(cp.err().startsWith("backprop-cl: --checkpoint-dir /proc/ck: cannot create the directory ("), cp.describe());
        assertFalse(cp.out().contains("epoch"), cp.describe());
    }

    // ---- 5. Writing never loses what was there

    @Test
    void aFullDiskIsOneLineAndKeepsTheOldFiles() throws Exception {
        assertEquals(0, run(train(SMALL, "--save", "old.safetensors", "--metrics", "old.csv")).code());
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        String launcher = "'" + Launcher.script() + "' train --data points:moons:300 --arch 2-256-256-2 --engine cpu --no-progress "
                + "--epochs 1";
        // A 256 KiB tmpfs in a private mount namespace, filled to the last byte; the model of
        // 2-256-256-2 is 267 KB. Each run's stderr and exit code go to files outside the mount.
        String script = String.join("\n",
                "M='" + mnt + "'; cd '" + dir + "'",
                "mount -t tmpfs -o size=256k tmpfs \"$M\" || exit 90",
                "cp old.safetensors \"$M/model.safetensors\"; cp old.csv \"$M/m.csv\"",
                "dd if=/dev/zero of=\"$M/filler\" bs=4k 2>/dev/null",
                launcher + " --metrics \"$M/m.csv\" > metrics.out 2> metrics.err; echo $? > metrics.code",
                launcher + " --save \"$M/model.safetensors\" > save.out 2> save.err; echo $? > save.code",
                "cp \"$M/model.safetensors\" kept.safetensors; cp \"$M/m.csv\" kept.csv; ls -A \"$M\" > left.ls", "");
        ProcessBuilder pb = new ProcessBuilder("unshare", "-m", "sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(dir.resolve("unshare.log").toFile());
        pb.environment().remove("LD_PRELOAD");
        int code = pb.start().waitFor();
        Assumptions.assumeTrue(code != 90, "no tmpfs here (needs root and unshare)");
        assertEquals(0, code, Files.readString(dir.resolve("unshare.log")));
        for (String[] c : new String[][] {{"metrics", "m.csv"}, {"save", "model.safetensors"}}) {
            String err = Files.readString(dir.resolve(c[0] + ".err"));
            assertEquals("2", Files.readString(dir.resolve(c[0] + ".code")).strip(), err);
            assertEquals("backprop-cl: " + mnt.resolve(c[1]) + ": could not write (No space left on device); any previous file "
                    + "is unchanged\n", err);
        }
        assertEquals(Files.readString(dir.resolve("old.csv")), Files.readString(dir.resolve("kept.csv")), "the old metrics are kept");
        assertEquals(Launcher.hashes(dir).get(Path.of("old.safetensors")), Launcher.hashes(dir).get(Path.of("kept.safetensors")),
                "the old model is kept");
        assertEquals(List.of("filler", "m.csv", "model.safetensors"), Files.readAllLines(dir.resolve("left.ls")).stream().sorted().toList(),
                "no temporary or lock file is left");
    }

    @Test
    void aRunThatFailsLeavesThePreviousMetricsFile() throws IOException {
        assertEquals(0, run(train(SMALL, "--metrics", "m.csv")).code());
        String before = Files.readString(dir.resolve("m.csv"));
        // Diverges in the first epoch: no row to write, so the old file stays.
        Launcher.Run r = run(train(List.of("--data", "points:moons:300", "--arch", "2-8-2", "--engine", "cpu", "--no-progress"),
                "--lr", "1e300", "--metrics", "m.csv"));
        assertEquals(3, r.code(), r.describe());
        assertEquals(before, Files.readString(dir.resolve("m.csv")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("m.csv"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary or lock file");
        }
    }

    @Test
    void aResumedRunAppendsToItsMetrics() throws IOException {
        assertEquals(0, run(train(SMALL, "--checkpoint-dir", "ck", "--metrics", "m.csv")).code());
        List<String> two = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals(3, two.size());
        assertEquals(0, run("train", "--resume", "ck", "--epochs", "4", "--metrics", "m.csv", "--no-progress").code());
        List<String> four = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals(5, four.size());
        assertEquals(two, four.subList(0, 3), "the earlier rows are kept as they were");
    }

    // ---- 6. Signals

    @Test
    void sigtermAndSighupStopAfterTheBatchWithACheckpoint() {
        for (String[] signal : new String[][] {{"TERM", "143"}, {"HUP", "129"}, {"INT", "130"}}) {
            String ck = "ck-" + signal[0];
            Launcher.Started s = Launcher.of(train(List.of("--data", "points:moons:300", "--arch", "2-8-2", "--engine", "cpu",
                    "--no-progress", "--epochs", "100000"), "--checkpoint-dir", ck)).in(dir).start();
            s.awaitOutput("epoch   2", Duration.ofSeconds(60));
            s.signal(signal[0]);
            Launcher.Run r = s.finish();
            assertEquals(Integer.parseInt(signal[1]), r.code(), r.describe());
            assertTrue(r.err().contains("backprop-cl: SIG" + signal[0] + ": stopping after this batch and writing the checkpoint"),
                    r.describe());
            assertTrue(r.out().contains("checkpoint: " + ck + "/checkpoint.safetensors; go on with: backprop-cl train --resume " + ck),
                    r.describe());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("stopped before epoch (\\d+) batch").matcher(r.out());
            assertTrue(m.find(), r.describe());
            Launcher.Run resumed = run("train", "--resume", ck, "--epochs", m.group(1), "--no-progress");
            assertEquals(0, resumed.code(), resumed.describe());
        }
    }
}
