package backpropcl.cli;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;

/**
 * A request to stop training: Ctrl-C (SIGINT), SIGTERM (timeout, docker stop, batch schedulers)
 * or SIGHUP (a closed terminal). The first one asks every run in progress to stop after its
 * current batch (the trainer then writes a checkpoint); a second one ends the JVM at once. The
 * exit code is 128 + the signal's number, as shells report it: 130, 143, 129. Used in a
 * try-with-resources block; trainings may run side by side in one JVM.
 *
 * <p>The handlers are installed once and stay: sun.misc.Signal cannot hand back the JVM's own
 * handler (it returns null for it), so with no run in progress ours does what that one does,
 * System.exit with 128 + the number, shutdown hooks included.
 */
final class InterruptSignal implements BooleanSupplier, AutoCloseable {
    /** The signals that stop a run, with their numbers on Linux and macOS alike. */
    private static final String[] NAMES = {"INT", "TERM", "HUP"};

    private static final Set<InterruptSignal> ACTIVE = ConcurrentHashMap.newKeySet();
    private static boolean installed;

    /** The first signal, claimed before its message is printed. */
    private final AtomicReference<Signal> claimed = new AtomicReference<>();
    /**
     * Set only after the message is printed: the run may stop, and the JVM exit, as soon as it
     * sees this, and the message must not be lost to that exit.
     */
    private volatile Signal requested;
    private final java.util.function.Consumer<String> onFirst;

    private InterruptSignal(java.util.function.Consumer<String> onFirst) {
        this.onFirst = onFirst;
    }

    /**
     * Starts listening; {@code onFirst} gets the signal's name ("SIGTERM") when the first one
     * comes. Where the JVM does not allow a signal (e.g. -Xrs), it keeps its default.
     */
    static synchronized InterruptSignal install(java.util.function.Consumer<String> onFirst) {
        if (!installed) {
            for (String name : NAMES) {
                try {
                    Signal.handle(new Signal(name), InterruptSignal::dispatch);
                } catch (IllegalArgumentException e) {
                    // Reserved or unknown here: training can only be killed by it, not stopped cleanly.
                }
            }
            installed = true;
        }
        InterruptSignal s = new InterruptSignal(onFirst);
        ACTIVE.add(s);
        return s;
    }

    /** Asks each run to stop; when every run was asked already, or none is in progress, ends the JVM. */
    private static void dispatch(Signal sig) {
        if (ACTIVE.isEmpty()) {
            System.exit(128 + sig.getNumber());
        }
        boolean asked = false;
        for (InterruptSignal s : ACTIVE) {
            if (s.claimed.compareAndSet(null, sig)) {
                s.onFirst.accept("SIG" + sig.getName());
                s.requested = sig;
                asked = true;
            }
        }
        if (!asked) {
            Runtime.getRuntime().halt(128 + sig.getNumber());
        }
    }

    @Override
    public boolean getAsBoolean() {
        return requested != null;
    }

    /** 128 + the number of the signal that stopped the run (130 for Ctrl-C), or 130 when none came. */
    int exitCode() {
        Signal s = requested;
        return s == null ? ExitCodes.INTERRUPTED : 128 + s.getNumber();
    }

    @Override
    public void close() {
        ACTIVE.remove(this);
    }
}
