package backpropcl.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way this program writes a file (models, checkpoints, metrics, pictures, the kernel
 * tuning cache): into a temporary file beside the target, forced to disk, then renamed over the
 * target, and the directory forced too. A reader, or a crash at any moment, sees the old file or
 * the whole new one, never half of one.
 *
 * <p>Temporary files are named {@code .NAME.PID-N.tmp} and locked while written, so that the next
 * write of the same target can remove those that a killed writer left behind. A target that is a
 * symbolic link is written through: the file it points to is replaced and the link stays. A new
 * file gets the umask's permissions; a replaced one keeps its own.
 */
public final class AtomicFile {
    /** Writes the contents of a file; may throw IOException, which becomes a {@link OutputFileException}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    /**
     * Replaces {@code file} with what {@code body} writes, atomically.
     *
     * @throws OutputFileException naming {@code file} (never the temporary file) and the system's reason;
     *     any previous file is then unchanged and no temporary file is left
     */
    public static void write(Path file, Body body) {
        Path target = target(file);
        Path dir = target.getParent();
        Path tmp = null;
        boolean moved = false;
        try {
            removeStaleTemporaries(dir, target.getFileName().toString());
            tmp = createTemporary(dir, target.getFileName().toString());
            keepPermissions(target, tmp);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                lockQuietly(channel);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            move(tmp, target);
            moved = true;
            syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            if (e instanceof OutputFileException o) {
                throw o;
            }
            throw new OutputFileException(file, reason(e, dir), e);
        } finally {
            if (tmp != null && !moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // The write already failed; that is the error to report.
                }
            }
        }
    }

    /**
     * Appends {@code bytes} to {@code file}, which this process wrote whole and which is
     * {@code size} bytes long: the bytes go at that offset, and a failed write is cut off again,
     * so the file holds whole records only. For files that grow by small records (a metrics row
     * per epoch), where replacing the whole file each time would cost time quadratic in its
     * length; the first write of such a file is a {@link #write}, so the previous file survives a
     * run that fails before writing anything.
     *
     * @return the new size
     * @throws OutputFileException naming {@code file} and the system's reason
     */
    public static long append(Path file, long size, byte[] bytes) {
        Path target = target(file);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            try {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                for (long at = size; b.hasRemaining(); ) {
                    at += ch.write(b, at);
                }
                return size + bytes.length;
            } catch (IOException e) {
                try {
                    ch.truncate(size);
                } catch (IOException ignored) {
                    // the write's error is the one to report
                }
                throw e;
            }
        } catch (IOException e) {
            throw new OutputFileException(file, reason(e, target.getParent()), e);
        }
    }

    /**
     * Checks now, before hours of work, that {@code file} could be written: its directory exists
     * and takes a new file (a temporary probe, removed at once), and the target is not a special
     * file. Does not create or change the target.
     */
    public static void probe(Path file) {
        Path target = target(file);
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new OutputFileException(file, Files.isDirectory(target) ? "it is a directory"
                    : "it is not a regular file but a " + kind(target) + ", which a write would replace");
        }
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            throw new OutputFileException(file, "no such directory " + dir);
        }
        Path tmp = null;
        try {
            tmp = createTemporary(dir, target.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            throw new OutputFileException(file, reason(e, dir), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a probe that cannot be removed is only clutter; the next write removes it
                }
            }
        }
    }

    /** What a special file is, in words. */
    static String kind(Path p) {
        try {
            var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
            if (a.isOther()) {
                Object mode = Files.getAttribute(p, "unix:mode");
                int type = mode instanceof Integer m ? m & 0170000 : 0;
                return switch (type) {
                    case 0020000 -> "character device";
                    case 0060000 -> "block device";
                    case 0010000 -> "named pipe (FIFO)";
                    case 0140000 -> "socket";
                    default -> "special file";
                };
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // fall through
        }
        return "special file";
    }

    /**
     * The file a write of {@code file} replaces, as the kernel resolves it: an existing file by its
     * real path (symbolic links followed, so a link is written through and stays a link), a new
     * file by its directory's real path and its name. Never folds {@code ..} as text, which would
     * differ from the kernel's answer after a symbolic link. A link to nothing is refused. The
     * checks of {@code OutputGuard} and the write use this one answer.
     */
    public static Path target(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            if (Files.exists(abs)) {
                return abs.toRealPath();
            }
            if (Files.isSymbolicLink(abs)) {
                throw new OutputFileException(file, "it is a symbolic link to " + Files.readSymbolicLink(abs)
                        + ", which does not exist");
            }
            Path parent = abs.getParent();
            if (parent != null && abs.getFileName() != null && Files.isDirectory(parent)) {
                return parent.toRealPath().resolve(abs.getFileName());
            }
        } catch (IOException e) {
            throw new OutputFileException(file, reason(e, abs.getParent()), e);
        }
        return abs;
    }

    /**
     * A new temporary file for {@code name} in {@code dir}, created as any program creates a file
     * (mode 0666 less the umask), not 0600 as Files.createTempFile makes it.
     */
    private static Path createTemporary(Path dir, String name) throws IOException {
        String prefix = temporaryPrefix(name, ProcessHandle.current().pid());
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** A file that is replaced keeps its permissions (a private metrics file stays private). Best effort. */
    private static void keepPermissions(Path target, Path tmp) {
        try {
            if (Files.isRegularFile(target)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // the new file has the umask's permissions
        }
    }

    /**
     * Puts a finished file in place of {@code target} as {@link #write} puts its temporary file: its
     * bytes forced to disk, moved over {@code target} atomically where the file system can, and the
     * directory forced. For a file that was written elsewhere and checked before it may be used (a
     * download's {@code .part}, once its SHA-256 is right).
     *
     * @throws IOException the system's error; {@code target} is then the old file or none
     */
    public static void moveInto(Path finished, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(finished, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        move(finished, target);
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) {
            syncDirectory(dir);
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The system's reason for a failed write, in its own words ("No space left on device"), without file names. */
    public static String reason(Exception e, Path dir) {
        if (dir != null && !Files.isDirectory(dir)) {
            return "no such directory " + dir;
        }
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof FileSystemException)) {
            t = t.getCause();
        }
        if (t instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (t instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /**
     * The start of the name of a temporary file for {@code name}: ".NAME.PID-", then random digits
     * and ".tmp" follow. The writer's process id tells a later write whether the file
     * is still being written or was left by a process that died (kill -9, a crash, power loss).
     */
    static String temporaryPrefix(String name, long pid) {
        return "." + name + "." + pid + "-";
    }

    /**
     * Deletes the temporary files that earlier writes of {@code name} in {@code dir} left when their
     * process died before finishing: those whose process id is not a live process and that no one
     * holds a lock on (the lock protects a writer whose id means nothing here: one in another PID
     * namespace, or on another host sharing the folder). Files of this process, of live processes
     * and of any other name are never touched; failures are ignored (the files are only clutter).
     */
    static void removeStaleTemporaries(Path dir, String name) {
        Pattern pattern = Pattern.compile(Pattern.quote("." + name + ".") + "([0-9]{1,18})-[0-9]+\\.tmp");
        long self = ProcessHandle.current().pid();
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> pattern.matcher(p.getFileName().toString()).matches())) {
            for (Path p : entries) {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (m.matches()) {
                    long pid = Long.parseLong(m.group(1));
                    if (pid != self && ProcessHandle.of(pid).isEmpty()) {
                        stale.add(p);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (Path p : stale) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock != null) {
                    Files.deleteIfExists(p);
                    lock.release();
                }
            } catch (IOException | RuntimeException e) {
                // Held by a live writer, already gone, or locks are not supported here: leave it.
            }
        }
    }

    /** Locks the temporary file while it is written, where the file system supports locks (see removeStaleTemporaries). */
    private static void lockQuietly(FileChannel channel) {
        try {
            channel.tryLock();
        } catch (IOException | RuntimeException e) {
            // No locks here: the process id in the name still protects the file.
        }
    }

    /** Forces the directory entry of the move to disk; not every platform can open a directory, so best effort. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file itself is on disk; only the rename may be lost by a crash in the next moments.
        }
    }
}
