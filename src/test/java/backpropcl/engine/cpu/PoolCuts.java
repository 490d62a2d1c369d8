package backpropcl.engine.cpu;

/** Runs a routine of units [u0, u1) cut into a given number of chunks on a {@link WorkerPool}, as the engine cuts its steps. */
final class PoolCuts {
    /** The body of one chunk: units [u0, u1). */
    @FunctionalInterface
    interface Range {
        void run(int u0, int u1);
    }

    private PoolCuts() {
    }

    /** body over [0, units) in {@code chunks} chunks (at most units) of {@link Chunks#start}, on pool's threads. */
    static void run(WorkerPool pool, int units, int chunks, Range body) {
        int n = Math.max(1, Math.min(chunks, units));
        pool.run(n, c -> body.run(Chunks.start(c, n, units), Chunks.start(c + 1, n, units)));
    }
}
