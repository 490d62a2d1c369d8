package backpropcl.cli;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) during training: the first one asks every run in progress to stop after its
 * current batch (the trainer then writes a checkpoint), a second one ends the JVM at once with exit
 * code 130. Used in a try-with-resources block; trainings may run side by side in one JVM.
 *
 * <p>The handler is installed once and stays: sun.misc.Signal cannot hand back the JVM's own
 * handler (it returns null for it), so with no run in progress ours does what that one does,
 * System.exit with 130, shutdown hooks included.
 */
final class InterruptSignal implements BooleanSupplier, AutoCloseable {
    private static final Set<InterruptSignal> ACTIVE = ConcurrentHashMap.newKeySet();
    private static boolean installed;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final Runnable onFirst;

    private InterruptSignal(Runnable onFirst) {
        this.onFirst = onFirst;
    }

    /** Starts listening; where the JVM does not allow it (e.g. -Xrs), Ctrl-C keeps its default and this never fires. */
    static synchronized InterruptSignal install(Runnable onFirst) {
        if (!installed) {
            try {
                Signal.handle(new Signal("INT"), InterruptSignal::dispatch);
                installed = true;
            } catch (IllegalArgumentException e) {
                // The signal is reserved: training can only be killed, not stopped cleanly.
            }
        }
        InterruptSignal s = new InterruptSignal(onFirst);
        ACTIVE.add(s);
        return s;
    }

    /** Asks each run to stop; when every run was asked already, or none is in progress, ends the JVM. */
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
        ACTIVE.remove(this);
    }
}
