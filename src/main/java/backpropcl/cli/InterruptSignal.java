package backpropcl.cli;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) during training: the first one asks every run in progress to stop after its
 * current batch (the trainer then writes a checkpoint), a second one ends the JVM at once with exit
 * code 130. Used in a try-with-resources block; the JVM's handler is installed while at least one
 * block is open (trainings may run side by side in one JVM) and the previous one comes back after
 * the last closes.
 */
final class InterruptSignal implements BooleanSupplier, AutoCloseable {
    private static final Signal INT = new Signal("INT");
    private static final Set<InterruptSignal> ACTIVE = ConcurrentHashMap.newKeySet();
    private static SignalHandler previous;
    private static boolean installed;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final Runnable onFirst;

    private InterruptSignal(Runnable onFirst) {
        this.onFirst = onFirst;
    }

    /** Starts listening; where the JVM does not allow it (e.g. -Xrs), Ctrl-C keeps its default and this never fires. */
    static synchronized InterruptSignal install(Runnable onFirst) {
        InterruptSignal s = new InterruptSignal(onFirst);
        if (ACTIVE.isEmpty() && !installed) {
            try {
                previous = Signal.handle(INT, InterruptSignal::dispatch);
                installed = true;
            } catch (IllegalArgumentException e) {
                installed = false;   // the signal is reserved: training can only be killed, not stopped
            }
        }
        ACTIVE.add(s);
        return s;
    }

    /**
     * The first Ctrl-C asks each run to stop; one when every run was asked already ends the JVM at
     * once, and one with no run in progress ends it as Ctrl-C does (shutdown hooks run).
     */
    private static void dispatch(Signal sig) {
        if (ACTIVE.isEmpty()) {
            System.exit(ExitCodes.INTERRUPTED);
        }
        boolean asked = false;
        for (InterruptSignal s : ACTIVE) {
            if (s.requested.compareAndSet(false, true)) {
                s.onFirst.run();
                asked = true;
            }
        }
        if (!asked) {
            Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
        }
    }

    @Override
    public boolean getAsBoolean() {
        return requested.get();
    }

    @Override
    public void close() {
        synchronized (InterruptSignal.class) {
            ACTIVE.remove(this);
            // sun.misc.Signal gives null for the JVM's own handler, which it cannot hand back: then
            // ours stays, and with no run in progress it exits as that one would.
            if (ACTIVE.isEmpty() && installed && previous != null) {
                Signal.handle(INT, previous);
                installed = false;
            }
        }
    }
}
