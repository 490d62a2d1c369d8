package backpropcl.engine.opencl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The routines of one context, each with its own program built from its own kernels/*.cl files
 * and options (CLBlast's routine/kernel split). Holds the engine's own routines, {@link Gather},
 * {@link OutputLayer} (output error, evaluation metrics, the fused tail) and
 * {@link OptimizerUpdate}, and builds a layer kind's routine ({@link DenseLayer},
 * {@link DropoutLayer}, ...) on the first {@link #routine} call for it, so the layers of one kind
 * share one program and a network builds only the routines of the kinds it has. The engine and
 * the kernel tests both launch through them; a routine's methods bind their arguments and
 * enqueue, never waiting. Owns the routines and the one-int placeholder buffer they bind where an
 * order or an optimizer state is absent.
 */
final class ClKernels implements AutoCloseable {
    private final ClContext ctx;
    private final ClBuffer placeholder;
    private final Gather gather;
    private final OutputLayer output;
    private final OptimizerUpdate update;
    /** The layer kinds' routines by class, in the order they were built. */
    private final Map<Class<?>, AutoCloseable> routines = new LinkedHashMap<>();

    /** Builds the engine's own routines for the context. */
    ClKernels(ClContext ctx) {
        this.ctx = ctx;
        ClBuffer none = null;
        Gather g = null;
        OutputLayer o = null;
        try {
            none = ctx.buffer(Integer.BYTES, "no-order placeholder");
            none.write(new int[] {0});
            g = new Gather(ctx, none);
            o = new OutputLayer(ctx, none);
            this.update = new OptimizerUpdate(ctx, none);
        } catch (RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {o, g, none}) {
                closeQuietly(c, e);
            }
            throw e;
        }
        this.placeholder = none;
        this.gather = g;
        this.output = o;
    }

    private static void closeQuietly(AutoCloseable c, RuntimeException cause) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }

    /** The routine of class {@code kind}, built by {@code build} on the first call for it and closed with these. */
    <T extends AutoCloseable> T routine(Class<T> kind, Function<ClContext, T> build) {
        AutoCloseable r = routines.get(kind);
        if (r == null) {
            r = build.apply(ctx);
            routines.put(kind, r);
        }
        return kind.cast(r);
    }

    Gather gather() {
        return gather;
    }

    OutputLayer output() {
        return output;
    }

    OptimizerUpdate update() {
        return update;
    }

    @Override
    public void close() {
        List<AutoCloseable> built = new ArrayList<>(routines.values());
        for (int i = built.size() - 1; i >= 0; i--) {
            try {
                built.get(i).close();
            } catch (Exception e) {
                // The routines close programs, which log release errors and never throw.
                throw new IllegalStateException(e);
            }
        }
        routines.clear();
        update.close();
        output.close();
        gather.close();
        placeholder.close();
    }
}
