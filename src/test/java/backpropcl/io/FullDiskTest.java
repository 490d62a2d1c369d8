package backpropcl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.cli.Main;
import backpropcl.io.Safetensors.Tensor;
import backpropcl.train.Checkpoint;
import java.io.File;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 6, item 3: a full disk while saving. Writes through a stream that fails after N bytes, as
 * a full disk does, for N at every kind of place in the file (none written, inside the length,
 * the header, a tensor, between tensors, the last byte); then, where this machine allows it (root
 * on Linux, a private mount namespace), a real full tmpfs under the command line's --save and
 * checkpoints. Every time: one clear line, the old file byte for byte, no temporary file. Also the
 * clean-up of temporary files that killed writers leave (see KillTest).
 */
class FullDiskTest {
    @TempDir
    Path dir;

    /** Tensors shaped as a 2-64-64-2 checkpoint with one optimizer slot: F64, 74 KB, more than one 64 KB buffer. */
    static LinkedHashMap<String, Tensor> checkpointLike() {
        Random rnd = new Random(6);
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        int[] sizes = {2, 64, 64, 2};
        for (String prefix : new String[] {"", "optimizer."}) {
            for (int l = 0; l + 1 < sizes.length; l++) {
                t.put(prefix + "layers." + l + ".weight", Tensor.f64(new long[] {sizes[l + 1], sizes[l]},
                        rnd.doubles((long) sizes[l + 1] * sizes[l]).toArray()));
                t.put(prefix + "layers." + l + ".bias", Tensor.f64(new long[] {sizes[l + 1]}, rnd.doubles(sizes[l + 1]).toArray()));
            }
        }
        t.put("f32 tail", new Tensor(new long[] {3}, new float[] {1, 2, 3}));
        return t;
    }

    static final Map<String, String> META = Map.of("format", "backprop-cl", "note", "new");

    /** Header length, start of each tensor and the total, for the byte counts below. */
    static long[] layout() {
        long header = Safetensors.header(checkpointLike(), META).length;
        List<Long> cuts = new ArrayList<>();
        long at = 8 + header;
        for (Tensor t : checkpointLike().values()) {
            cuts.add(at);
            at += (long) t.width() * t.length();
        }
        cuts.add(at);
        return cuts.stream().mapToLong(Long::longValue).toArray();
    }

    /** Bytes written before the disk is full: none, inside the length, the header, tensors and the last byte. */
    static LongStream fullAfter() {
        long[] cuts = layout();
        long dataStart = cuts[0];
        long total = cuts[cuts.length - 1];
        return LongStream.of(0, 1, 7, 8, 8 + (dataStart - 8) / 2, dataStart - 1, dataStart, dataStart + 5, cuts[1], cuts[1] + 1,
                (1 << 16) - 1, 1 << 16, (1 << 16) + 1, cuts[cuts.length - 2] + 3, total - 1);
    }

    @ParameterizedTest(name = "full after {0} bytes")
    @MethodSource("fullAfter")
    void aFullDiskGivesOneClearLineAndKeepsTheOldFile(long limit) throws IOException {
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, tinyOld(), Map.of("note", "old"));
        byte[] before = Files.readAllBytes(f);
        OutputFileException e = assertThrows(OutputFileException.class,
                () -> Safetensors.write(f, checkpointLike(), META, out -> new FullAfter(out, limit, false)));
        assertEquals(f + ": could not write (No space left on device); any previous file is unchanged", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "the old file is byte for byte as it was");
        assertEquals(List.of("model.safetensors"), listing(dir), "no temporary file is left");
    }

    @Test
    void aFullDiskOnTheFirstWriteOfAFileLeavesNothing() throws IOException {
        Path f = dir.resolve("new.safetensors");
        for (long limit : new long[] {0, 100, 70_000}) {
            OutputFileException e = assertThrows(OutputFileException.class,
                    () -> Safetensors.write(f, checkpointLike(), META, out -> new FullAfter(out, limit, false)));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertEquals(List.of(), listing(dir), "after " + limit + " bytes");
        }
    }

    /** Some file systems report the lack of space only when the data is flushed (NFS, quotas). */
    @Test
    void aFullDiskReportedAtFlushKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, tinyOld(), null);
        byte[] before = Files.readAllBytes(f);
        OutputFileException e = assertThrows(OutputFileException.class,
                () -> Safetensors.write(f, checkpointLike(), META, out -> new FullAfter(out, Long.MAX_VALUE, true)));
        assertEquals(f + ": could not write (No space left on device); any previous file is unchanged", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of("model.safetensors"), listing(dir));
    }

    @Test
    void exactlyEnoughRoomWritesTheWholeFile() throws IOException {
        long total = layout()[layout().length - 1];
        Path f = dir.resolve("model.safetensors");
        Safetensors.write(f, tinyOld(), null);
        Safetensors.write(f, checkpointLike(), META, out -> new FullAfter(out, total, false));
        assertEquals(total, Files.size(f));
        Safetensors.Contents c = Safetensors.read(f);
        assertArrayEquals(checkpointLike().get("layers.1.weight").doubles(), c.tensors().get("layers.1.weight").doubles());
    }

    /**
     * Temporary files named for a process that is gone are removed by the next write of the same
     * file; those of this process, of a live process, of another file, of the old naming, and one
     * that a writer holds locked stay.
     */
    @Test
    @DisabledOnOs(OS.WINDOWS)   // runs `true` for a pid that has ended
    void theNextWriteRemovesWhatKilledWritersLeft() throws Exception {
        Path f = dir.resolve("checkpoint.safetensors");
        long dead = deadPid();
        long self = ProcessHandle.current().pid();
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        String deadTemp = AtomicFile.temporaryPrefix("checkpoint.safetensors", dead) + "123.tmp";
        String lockedTemp = AtomicFile.temporaryPrefix("checkpoint.safetensors", dead) + "456.tmp";
        List<String> keep = List.of(
                AtomicFile.temporaryPrefix("checkpoint.safetensors", self) + "1.tmp",
                AtomicFile.temporaryPrefix("checkpoint.safetensors", live) + "2.tmp",
                AtomicFile.temporaryPrefix("model.safetensors", dead) + "3.tmp",
                AtomicFile.temporaryPrefix("checkpoint.safetensors.1", dead) + "3.tmp",
                ".checkpoint.safetensors.8731950295.tmp",
                "checkpoint.safetensors." + dead + "-4.tmp");
        for (String name : keep) {
            Files.writeString(dir.resolve(name), "partial");
        }
        Files.writeString(dir.resolve(deadTemp), "partial");
        Files.writeString(dir.resolve(lockedTemp), "partial");
        try (FileChannel ch = FileChannel.open(dir.resolve(lockedTemp), StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            assertTrue(lock.isValid());
            Safetensors.write(f, tinyOld(), null);
        }
        List<String> expected = new ArrayList<>(keep);
        expected.add("checkpoint.safetensors");
        expected.add(lockedTemp);
        assertEquals(expected.stream().sorted().toList(), listing(dir), "only " + deadTemp + " is gone");
        Safetensors.write(f, tinyOld(), null);
        expected.remove(lockedTemp);
        assertEquals(expected.stream().sorted().toList(), listing(dir), "unlocked, the dead writer's file goes too");
    }

    /**
     * A real full file system: a tmpfs mounted in a private mount namespace ({@code unshare -m},
     * so the mount is gone with the namespace and nothing outside sees it), filled, then the
     * command line saves a model over an old one and writes a checkpoint over an old one. Needs
     * root on Linux with unshare; skipped otherwise (the stream tests above cover every platform).
     */
    @Test
    void aRealFullFileSystemUnderTheCommandLine() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        assumeTmpfsMountable(mnt);
        Path out = Files.createDirectories(dir.resolve("out"));
        Path old = dir.resolve("old.safetensors");
        Path oldCp = dir.resolve("oldcp");
        String[] small = {"--data", "points:moons:300", "--engine", "cpu", "--no-progress"};
        assertEquals(0, cli(concat(new String[] {"train", "--arch", "2-8-2", "--epochs", "1", "--save", old.toString()}, small)));
        assertEquals(0, cli(concat(new String[] {"train", "--arch", "2-64-64-2", "--optimizer", "nesterov", "--lr", "0.1", "--epochs", "1",
            "--checkpoint-dir", oldCp.toString()}, small)));
        String java = String.join(" ", List.of(quote(javaBin()), "--add-modules", "jdk.incubator.vector", "-Xmx256m", "-cp",
                quote(System.getProperty("java.class.path")), Main.class.getName()));
        String train = java + " train " + String.join(" ", small);
        // Model: 2-256-256-2 is 267 KB; the tmpfs has 256 KB. Checkpoint: 74 KB over an old one of 74 KB.
        String script = String.join("\n",
                "set -u",
                "M=" + quote(mnt.toString()) + "; O=" + quote(out.toString()),
                "mount -t tmpfs -o size=256k tmpfs \"$M\" || exit 90",
                "cp " + quote(old.toString()) + " \"$M/model.safetensors\"",
                "dd if=/dev/zero of=\"$M/filler\" bs=4k 2>/dev/null",   // up to ENOSPC: not one byte left
                "df -k \"$M\" > \"$O/df-full\"",
                train + " --arch 2-256-256-2 --epochs 1 --save \"$M/model.safetensors\" > \"$O/full.out\" 2> \"$O/full.err\"; echo $? > \"$O/full.code\"",
                "cp \"$M/model.safetensors\" \"$O/full.model\"; ls -A \"$M\" > \"$O/full.ls\"",
                "truncate -s -96k \"$M/filler\"",   // 96 KB free: the write stops inside layers.1.weight (256 KB)
                train + " --arch 2-256-256-2 --epochs 1 --save \"$M/model.safetensors\" > \"$O/part.out\" 2> \"$O/part.err\"; echo $? > \"$O/part.code\"",
                "cp \"$M/model.safetensors\" \"$O/part.model\"; ls -A \"$M\" > \"$O/part.ls\"",
                "rm \"$M/model.safetensors\"; cp -r " + quote(oldCp.toString()) + " \"$M/cp\"",
                "truncate -s 0 \"$M/filler\"; dd if=/dev/zero of=\"$M/filler\" bs=4k 2>/dev/null; truncate -s -32k \"$M/filler\"",
                java + " train --no-progress --resume \"$M/cp\" --epochs 3 > \"$O/cp.out\" 2> \"$O/cp.err\"; echo $? > \"$O/cp.code\"",
                "cp \"$M/cp/checkpoint.safetensors\" \"$O/cp.checkpoint\"; ls -A \"$M/cp\" > \"$O/cp.ls\"",
                "");
        Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(dir.resolve("unshare.log").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the full-disk script did not finish");
        String log = Files.readString(dir.resolve("unshare.log"));
        assertEquals(0, p.exitValue(), "script: " + log);
        assertFalse(Files.exists(mnt.resolve("model.safetensors")), "the tmpfs was private to the namespace");

        byte[] oldBytes = Files.readAllBytes(old);
        for (String run : new String[] {"full", "part"}) {
            String err = errors(out.resolve(run + ".err"));
            assertEquals("2", read(out.resolve(run + ".code")).strip(), run + ": exit code; stderr: " + err + read(out.resolve(run + ".out")));
            assertEquals(1, err.strip().lines().count(), run + ": one line: " + err);
            assertTrue(err.startsWith("backprop-cl: " + mnt.resolve("model.safetensors") + ": could not write (No space left on device)"),
                    run + ": " + err);
            assertArrayEquals(oldBytes, Files.readAllBytes(out.resolve(run + ".model")), run + ": the old model is byte for byte kept");
            assertEquals(List.of("filler", "model.safetensors"), read(out.resolve(run + ".ls")).lines().sorted().toList(),
                    run + ": no temporary file");
        }
        String err = errors(out.resolve("cp.err"));
        assertEquals("2", read(out.resolve("cp.code")).strip(), "checkpoint: exit code; stderr: " + err + read(out.resolve("cp.out")));
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("backprop-cl: " + mnt.resolve("cp").resolve("checkpoint.safetensors")
                + ": could not write (No space left on device)"), err);
        assertArrayEquals(Files.readAllBytes(Checkpoint.file(oldCp)), Files.readAllBytes(out.resolve("cp.checkpoint")),
                "the old checkpoint is byte for byte kept");
        assertEquals(List.of("checkpoint.safetensors"), read(out.resolve("cp.ls")).lines().toList(), "no temporary file");
        System.out.println("FullDiskTest: a real full tmpfs: " + errors(out.resolve("part.err")).strip() + " | " + err.strip());
    }

    /** Skips unless this is Linux, we are root and a tmpfs mounts in a private namespace (a trial mount, gone at once). */
    private static void assumeTmpfsMountable(Path mnt) throws InterruptedException {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"), "needs Linux");
        try {
            Process id = new ProcessBuilder("id", "-u").start();
            String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            Assumptions.assumeTrue(id.waitFor() == 0 && uid.equals("0"), "mounting a tmpfs needs root (uid " + uid + ")");
            Process trial = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs '" + mnt + "'")
                    .redirectErrorStream(true).start();
            String why = new String(trial.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            Assumptions.assumeTrue(trial.waitFor() == 0, "no tmpfs in a private mount namespace here: " + why);
        } catch (IOException e) {
            Assumptions.abort("cannot run id or unshare: " + e.getMessage());
        }
    }

    /** A stream that takes {@code limit} bytes and then fails as a full disk does, on write or (atFlush) on flush. */
    static final class FullAfter extends FilterOutputStream {
        private long left;
        private final boolean atFlush;

        FullAfter(OutputStream out, long limit, boolean atFlush) {
            super(out);
            this.left = limit;
            this.atFlush = atFlush;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                out.write(b, off, (int) left);
                left = 0;
                throw new IOException("No space left on device");
            }
            out.write(b, off, len);
            left -= len;
        }

        @Override
        public void flush() throws IOException {
            if (atFlush) {
                throw new IOException("No space left on device");
            }
            super.flush();
        }
    }

    private static LinkedHashMap<String, Tensor> tinyOld() {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("layers.0.weight", new Tensor(new long[] {1, 2}, new float[] {4, 5}));
        return t;
    }

    /** The pid of a process that has ended. */
    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        assertEquals(0, p.waitFor());
        assertTrue(ProcessHandle.of(p.pid()).isEmpty());
        return p.pid();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int cli(String... args) {
        StringWriter sink = new StringWriter();
        return Main.run(args, new PrintWriter(sink), new PrintWriter(sink));
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private static String read(Path f) throws IOException {
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "(missing " + f.getFileName() + ")";
    }

    /** The child's stderr without the JVM's own notice about the incubating Vector API. */
    private static String errors(Path f) throws IOException {
        return read(f).lines().filter(l -> !l.startsWith("WARNING: Using incubator modules"))
                .map(l -> l + "\n").reduce("", String::concat);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java" + (File.separatorChar == '\\' ? ".exe" : "")).toString();
    }
}
