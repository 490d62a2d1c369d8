package backpropcl.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) during training: the first one asks the run to stop after its current batch
 * (the trainer then writes a checkpoint), a second one ends the JVM at once with exit code 130.
 * Installed for the length of a try-with-resources block; the previous handler comes back on close.
 */
final class InterruptSignal implements BooleanSupplier, AutoCloseable {
    private static final Signal INT = new Signal("INT");

    private final AtomicBoolean requested = new AtomicBoolean();
    private final Runnable onFirst;
    private SignalHandler previous;
    private boolean installed;

    private InterruptSignal(Runnable onFirst) {
        this.onFirst = onFirst;
    }

    /** Installs the handler; where the JVM does not allow it (e.g. -Xrs), Ctrl-C keeps its default and this never fires. */
    static InterruptSignal install(Runnable onFirst) {
        InterruptSignal s = new InterruptSignal(onFirst);
        try {
            s.previous = Signal.handle(INT, s::handle);
            s.installed = true;
        } catch (IllegalArgumentException e) {
            // The signal is reserved: training cannot be stopped cleanly, only killed.
        }
        return s;
    }

    private void handle(Signal sig) {
        if (requested.compareAndSet(false, true)) {
            onFirst.run();
        } else {
            Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
        }
    }

    @Override
    public boolean getAsBoolean() {
        return requested.get();
    }

    @Override
    public void close() {
        if (installed) {
            Signal.handle(INT, previous);
        }
    }
}
