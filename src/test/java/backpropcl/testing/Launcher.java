package backpropcl.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real launcher, {@code ./backprop-cl ARGS...}, as a child process: what a person meets (exit
 * code, stdout, stderr line by line, signals). It runs the jar that {@code mvn package} built
 * (BACKPROP_CL_JAR, set by the failsafe configuration), so the launcher tests are integration tests
 * ({@code *IT.java}) that run after packaging.
 */
public final class Launcher {
    private final Path program;
    private final List<String> args;
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean emptyEnvironment;
    private Path dir = projectRoot();
    private Duration timeout = Duration.ofMinutes(3);
    private byte[] stdin = new byte[0];

    private Launcher(Path program, List<String> args) {
        this.program = program;
        this.args = args;
    }

    /** {@code ./backprop-cl ARGS...} in the project root. */
    public static Launcher of(String... args) {
        return new Launcher(script(), List.of(args));
    }

    /** Another copy of the launcher, e.g. an unpacked bundle's {@code bin/backprop-cl}. */
    public static Launcher program(Path program, String... args) {
        return new Launcher(program, List.of(args));
    }

    /** The checkout: Maven runs the tests there. */
    public static Path projectRoot() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath();
    }

    /** The launcher script. */
    public static Path script() {
        return projectRoot().resolve("backprop-cl");
    }

    public Launcher env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Starts from an empty environment, as {@code env -i} does: only the {@link #env} entries. */
    public Launcher emptyEnvironment() {
        this.emptyEnvironment = true;
        return this;
    }

    /** Runs in {@code dir} (relative paths in the arguments are then relative to it). */
    public Launcher in(Path dir) {
        this.dir = dir;
        return this;
    }

    public Launcher timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public Launcher stdin(String text) {
        this.stdin = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** Starts the process; stdout and stderr are kept apart, read by {@link Started#finish()}. */
    public Started start() {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        // As a person's shell has it: the test JVM's own LD_PRELOAD (libjsig, from the failsafe
        // configuration) must not hide a launcher that forgot it.
        pb.environment().remove("LD_PRELOAD");
        if (emptyEnvironment) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().write(stdin);
            p.getOutputStream().close();
            return new Started(p, timeout, String.join(" ", cmd));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs to the end. */
    public Run run() {
        return start().finish();
    }

    /** A launcher process in progress; its output is drained as it comes so that it never blocks on a full pipe. */
    public static final class Started {
        private final Process process;
        private final Duration timeout;
        private final String command;
        private final CompletableFuture<String> out;
        private final CompletableFuture<String> err;

        Started(Process process, Duration timeout, String command) {
            this.process = process;
            this.timeout = timeout;
            this.command = command;
            this.out = drain(process.getInputStream());
            this.err = drain(process.getErrorStream());
        }

        public Process process() {
            return process;
        }

        /** The JVM's process id: the launcher execs java, so it is the launcher's. */
        public long pid() {
            return process.pid();
        }

        /** Sends a signal (INT, TERM, HUP, KILL, ...) with kill(1). */
        public void signal(String name) {
            try {
                ProcessBuilder pb = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO();
                pb.environment().remove("LD_PRELOAD");
                Process k = pb.start();
                if (k.waitFor() != 0) {
                    throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Waits until stdout so far contains {@code text}, or fails after the timeout. */
        public void awaitOutput(String text, Duration limit) {
            long end = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < end) {
                if (partialOut.toString().contains(text)) {
                    return;
                }
                if (!process.isAlive() && out.isDone()) {
                    break;
                }
                sleep(20);
            }
            throw new AssertionError("no '" + text + "' from " + command + " within " + limit + "; output so far:\n" + partialOut);
        }

        private final StringBuffer partialOut = new StringBuffer();

        private CompletableFuture<String> drain(InputStream in) {
            boolean isOut = in == process.getInputStream();
            // A thread of its own per stream: the common pool may have one worker (2 cores), and a
            // stream left unread until the other ends can fill its pipe and stop the process.
            java.util.concurrent.Executor ownThread = r -> {
                Thread t = new Thread(r, "launcher-drain");
                t.setDaemon(true);
                t.start();
            };
            return CompletableFuture.supplyAsync(() -> {
                StringBuilder all = new StringBuilder();
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                        all.append(s);
                        if (isOut) {
                            partialOut.append(s);
                        }
                    }
                } catch (IOException e) {
                    all.append("(read failed: ").append(e.getMessage()).append(')');
                }
                return all.toString();
            }, ownThread);
        }

        /** Waits for the end (killing the process after the timeout) and returns what it did. */
        public Run finish() {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError(command + " ran past " + timeout + "; stdout:\n" + partialOut);
                }
                return new Run(process.exitValue(), out.get(30, TimeUnit.SECONDS), err.get(30, TimeUnit.SECONDS), command);
            } catch (Exception e) {
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(command + ": " + e, e);
            }
        }
    }

    /** What a finished launcher process did. */
    public record Run(int code, String out, String err, String command) {
        /** stderr's lines. */
        public List<String> errLines() {
            return err.lines().toList();
        }

        /** Everything, for assertion messages. */
        public String describe() {
            return command + "\nexit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every regular file under {@code root} (recursively) with its SHA-256: to show that nothing changed. */
    public static Map<Path, String> hashes(Path root) {
        Map<Path, String> result = new java.util.TreeMap<>();
        try (var files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    result.put(root.relativize(p), TestBytes.sha256(Files.readAllBytes(p)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }
}
