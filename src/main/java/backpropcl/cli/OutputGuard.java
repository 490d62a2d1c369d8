package backpropcl.cli;

import backpropcl.io.AtomicFile;
import backpropcl.io.OutputFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command will read and write, checked before any work and held for the command's life:
 * <ul>
 *   <li>no output is an input or another output (real paths, symbolic links resolved);</li>
 *   <li>a file output is not a directory, not named with a trailing '/', not a special file
 *       (device, FIFO, socket), and its directory exists and takes a new file (probed);</li>
 *   <li>a directory output is not a file, and is created;</li>
 *   <li>every output is locked ({@code .NAME.lock} beside a file, {@code DIR/.backprop-cl.lock} in a
 *       directory) until {@link #close}: a second run on the same target refuses at once.</li>
 * </ul>
 * Symbolic links are written through (the file they point to is replaced, the link stays).
 */
final class OutputGuard implements AutoCloseable {
    static final String DIRECTORY_LOCK = ".backprop-cl.lock";

    private final List<Lock> locks = new ArrayList<>();
    /** Directories this guard created, outermost first: removed again at close when nothing was put in them. */
    private final List<Path> created = new ArrayList<>();

    private OutputGuard() {
    }

    /** A file or directory a command reads or writes, with the option that names it. */
    private record Entry(String option, Path path, String typed) {
    }

    /** The plan of one command: add its inputs and outputs, then {@link #acquire}. */
    static final class Plan {
        /** How deep a directory input's files are looked for: DIR/train/CLASS/FILE. */
        static final int INPUT_DEPTH = 3;

        private final List<Entry> inputs = new ArrayList<>();
        private final List<Entry> files = new ArrayList<>();
        private final Map<Entry, List<String>> directories = new LinkedHashMap<>();
        private Path ownInput;

        /**
         * A file (or every file of a directory, down to {@link #INPUT_DEPTH} folders: an image
         * folder's train/CLASS/FILE) that will be read; names that are not paths are ignored.
         */
        Plan input(String option, Path path) {
            if (path != null && Files.exists(path)) {
                if (Files.isDirectory(path)) {
                    try (var list = Files.walk(path, INPUT_DEPTH)) {
                        list.filter(Files::isRegularFile).forEach(f -> inputs.add(new Entry(option, f, f.toString())));
                    } catch (IOException | java.io.UncheckedIOException e) {
                        // unreadable: the reader will say so
                    }
                } else {
                    inputs.add(new Entry(option, path, path.toString()));
                }
            }
            return this;
        }

        /** A file to be replaced; {@code typed} is the text the user gave (a trailing '/' is refused). */
        Plan file(String option, Path path, String typed) {
            if (path != null) {
                files.add(new Entry(option, path, typed == null ? path.toString() : typed));
            }
            return this;
        }

        /** A directory that will receive {@code names}. */
        Plan directory(String option, Path dir, List<String> names) {
            if (dir != null) {
                directories.put(new Entry(option, dir, dir.toString()), names);
            }
            return this;
        }

        /** The input that the --checkpoint-dir output may replace: the checkpoint a resumed run goes on from and writes again. */
        Plan ownedInput(Path path) {
            this.ownInput = path;
            return this;
        }

        /**
         * Checks, without touching anything, that no output is an input or another output and that
         * each has the right kind of path; returns the outputs by real path.
         */
        Map<Path, Entry> check() {
            List<Entry> outputs = new ArrayList<>(files);
            for (Map.Entry<Entry, List<String>> d : directories.entrySet()) {
                for (String name : d.getValue()) {
                    Path p = d.getKey().path.resolve(name);
                    outputs.add(new Entry(d.getKey().option, p, p.toString()));
                }
            }
            Map<Path, Entry> readers = new LinkedHashMap<>();
            for (Entry in : inputs) {
                readers.putIfAbsent(real(in.path), in);
            }
            Path owned = ownInput == null ? null : real(ownInput);
            Map<Path, Entry> targets = new LinkedHashMap<>();
            for (Entry out : outputs) {
                Path r;
                try {
                    r = AtomicFile.target(out.path);
                } catch (OutputFileException e) {
                    throw new UserError(out.option + " " + e.getMessage().replace("could not write", "cannot be written")
                            .replace("; any previous file is unchanged", ""), e);
                }
                Entry in = readers.get(r);
                if (in != null && !(r.equals(owned) && out.option.equals("--checkpoint-dir"))) {
                    throw new UserError(out.option + " " + out.typed + " is " + describe(in)
                            + "; an output never replaces an input: name another file");
                }
                Entry other = targets.putIfAbsent(r, out);
                if (other != null) {
                    throw new UserError(out.option + " " + out.typed + " and " + other.option + " " + other.typed
                            + " are the same file; give each output its own name");
                }
            }
            Map<Path, Entry> lockFiles = new LinkedHashMap<>();
            for (Entry f : files) {
                lockFiles.putIfAbsent(lockFileFor(f.path), f);
            }
            for (Entry d : directories.keySet()) {
                lockFiles.putIfAbsent(real(d.path).resolve(DIRECTORY_LOCK), d);
            }
            for (Map.Entry<Path, Entry> t : targets.entrySet()) {
                Entry owner = lockFiles.get(t.getKey());
                if (owner != null) {
                    throw new UserError(t.getValue().option + " " + t.getValue().typed + " is the lock file that " + owner.option
                            + " " + owner.typed + " takes for the run; name another file");
                }
            }
            for (Entry f : files) {
                if (f.typed.endsWith("/") || f.typed.endsWith(java.io.File.separator)) {
                    throw new UserError(f.option + " " + f.typed + " names a directory (it ends in '/'); " + f.option
                            + " needs a file name, such as " + f.typed + defaultName(f.option));
                }
                if (Files.isDirectory(f.path)) {
                    throw new UserError(f.path + " is a directory; " + f.option + " needs a file name");
                }
                Path parent = f.path.toAbsolutePath().getParent();
                if (parent != null && !Files.isDirectory(parent) && !willCreate(parent)) {
                    throw new UserError(f.path + ": no such directory " + parent + " (" + f.option + ")");
                }
            }
            for (Entry dir : directories.keySet()) {
                if (Files.exists(dir.path) && !Files.isDirectory(dir.path)) {
                    throw new UserError(dir.path + " is a file, not a directory (" + dir.option + ")");
                }
            }
            return targets;
        }

        /** Whether {@code dir} is a directory output (created before any file is written). */
        private boolean willCreate(Path dir) {
            Path r = real(dir);
            return directories.keySet().stream().anyMatch(d -> real(d.path).equals(r));
        }

        /** {@link #check}, then creates the directories, probes the files and takes the locks. */
        OutputGuard acquire() {
            Map<Path, Entry> targets = check();
            OutputGuard guard = new OutputGuard();
            try {
                for (Entry dir : directories.keySet()) {
                    guard.createDirectories(dir);
                }
                for (Map.Entry<Path, Entry> t : targets.entrySet()) {
                    try {
                        AtomicFile.probe(t.getValue().path);
                    } catch (OutputFileException e) {
                        throw new UserError(t.getValue().option + " " + e.getMessage().replace("could not write", "cannot be written")
                                .replace("; any previous file is unchanged", ""), e);
                    }
                }
                for (Entry f : files) {
                    guard.lock(f.option, f.path, lockFileFor(f.path), "file");
                }
                for (Entry dir : directories.keySet()) {
                    guard.lock(dir.option, dir.path, real(dir.path).resolve(DIRECTORY_LOCK), "directory");
                }
                return guard;
            } catch (RuntimeException e) {
                guard.close();
                throw e;
            }
        }

        private static String describe(Entry in) {
            return switch (in.option) {
                case "--data" -> "a file of the training data (--data)";
                case "--resume" -> "the checkpoint being resumed (--resume)";
                case "--init-from" -> "the model being read (--init-from)";
                case "--model" -> "the model being read (--model)";
                case "METRICS_FILE" -> "a metrics file being plotted";
                default -> "an input (" + in.option + " " + in.typed + ")";
            };
        }

        private static String defaultName(String option) {
            return switch (option) {
                case "--metrics" -> "metrics.csv";
                case "--out" -> "plot.png";
                default -> "model.safetensors";
            };
        }

    }

    /** Creates a directory output and those above it that are missing, remembering which were new. */
    private void createDirectories(Entry dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.path.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        try {
            Files.createDirectories(dir.path);
            created.addAll(missing);
        } catch (IOException e) {
            throw new UserError(dir.option + " " + dir.path + ": cannot create the directory (" + AtomicFile.reason(e, null) + ")", e);
        }
    }

    /**
     * The file a path names, as the kernel resolves it (AtomicFile.target: links followed, never
     * {@code ..} folded as text): what a write replaces, and what a read reads.
     */
    static Path real(Path p) {
        try {
            return AtomicFile.target(p);
        } catch (OutputFileException e) {
            return p.toAbsolutePath();
        }
    }

    /** The lock of a file output: beside the file a write replaces (a link's target), so every name of it takes one lock. */
    static Path lockFileFor(Path file) {
        Path target = real(file);
        return target.resolveSibling("." + target.getFileName() + ".lock");
    }

    /** One lock file held open and locked; removed on release. */
    private record Lock(Path file, FileChannel channel, FileLock lock, Object key) {
    }

    /**
     * Locks {@code lockFile} for {@code target}, or refuses naming the process that holds it.
     *
     * <p>POSIX locks belong to the process and are dropped when any descriptor of the file is
     * closed, so while we hold one this process never opens the lock file again: the file is
     * checked by name with stat only. A run removes its lock file before releasing it, so a
     * run that opened the file just before that removal may lock a file that no longer has a
     * name; it notices because the name then leads to another file (or none), and tries again.
     */
    private void lock(String option, Path target, Path lockFile, String noun) {
        if (locks.stream().anyMatch(l -> l.file.equals(lockFile))) {
            // Two outputs in one directory (--checkpoint-dir run1 --plot run1): one lock serves both;
            // a second channel on the file would drop the first one's lock when closed.
            return;
        }
        String self = Long.toString(ProcessHandle.current().pid());
        for (int attempt = 0; attempt < 10; attempt++) {
            FileChannel ch;
            Object opened;
            try {
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                opened = fileKey(lockFile);
            } catch (IOException e) {
                throw new UserError(option + " " + target + ": cannot create the lock file " + lockFile + " (" + AtomicFile.reason(e, null) + ")", e);
            }
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                // Another thread of this JVM holds it (two trainings in one process). Closing this
                // channel would drop that lock (POSIX locks belong to the process), so it stays open
                // until the JVM ends: one descriptor, only in this refused case.
                throw inUse(option, target, self + ", this one", noun);
            } catch (IOException e) {
                // The file system has no locks (some network shares): go on unprotected.
                closeQuietly(ch);
                return;
            }
            if (lock == null) {
                closeQuietly(ch);
                throw inUse(option, target, holder(lockFile), noun);
            }
            if (opened == null || opened.equals(fileKey(lockFile))) {
                try {
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap((self + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                } catch (IOException e) {
                    // A full disk: the process id is only for the message; the lock holds without it.
                }
                locks.add(new Lock(lockFile, ch, lock, opened));
                return;
            }
            closeQuietly(ch);
        }
        throw inUse(option, target, holder(lockFile), noun);
    }

    /** The file's identity (device and inode) by name, without opening it; null when there is none. */
    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static UserError inUse(String option, Path target, String holder, String noun) {
        return new UserError(option + " " + target + " is in use by another run (process " + holder
                + "); wait for it to finish, or give this run another " + noun);
    }

    private static String holder(Path lockFile) {
        try {
            String s = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? "unknown" : s;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Removes the lock files (while still holding them) and releases them; removes created directories left empty. */
    @Override
    public void close() {
        for (Lock l : locks) {
            try {
                if (l.key == null || l.key.equals(fileKey(l.file))) {
                    Files.deleteIfExists(l.file);   // only our own lock file, never one a user put under that name
                }
            } catch (IOException e) {
                // a lock file left behind is harmless: the next run locks it again
            }
            closeQuietly(l.channel);
        }
        locks.clear();
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));   // only an empty directory can be deleted
            } catch (IOException e) {
                // not empty: the run wrote into it
            }
        }
        created.clear();
    }
}
