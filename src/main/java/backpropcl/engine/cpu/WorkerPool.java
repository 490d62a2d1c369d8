package backpropcl.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A fixed set of threads that run the chunks of one parallel step, the calling thread included.
 * Chunks are claimed in any order by whichever thread is free; the caller returns when every
 * chunk is done. The pool never decides how work is split (see {@link Chunks}), so results do
 * not depend on the number of threads.
 *
 * <p>A step of the cpu engine lasts from a few microseconds to a millisecond, so a wake-up
 * through a blocking queue would cost as much as the work: idle workers and the waiting caller
 * spin briefly before they park.
 */
final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());
    /** How long an idle thread spins before it parks: longer than the gap between two steps of a batch. */
    private static final long SPIN_NANOS = 50_000;

    /** The body of one step; called once per chunk index. */
    @FunctionalInterface
    interface ChunkTask {
        void run(int chunk);
    }

    /** One step: its own counters, so a worker that wakes late cannot touch the next step. */
    private static final class Step {
        final ChunkTask task;
        final int chunks;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger unfinished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Step(ChunkTask task, int chunks, Thread caller) {
            this.task = task;
            this.chunks = chunks;
            this.caller = caller;
            this.unfinished = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    task.run(c);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (unfinished.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    private final Thread[] workers;
    private volatile Step current;
    private volatile boolean closed;

    /** @param threads threads that work on a step, the caller included (1 = no extra threads) */
    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(this::workerLoop, "cpu-engine-worker-" + (i + 1));
            // Daemon: an engine that is never closed must not keep the JVM alive.
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /** Threads that work on a step, the caller included. */
    int threads() {
        return workers.length + 1;
    }

    /** Runs task(0) .. task(chunks - 1), spread over the threads; rethrows the first failure. */
    void run(int chunks, ChunkTask task) {
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        if (chunks <= 1 || workers.length == 0) {
            for (int c = 0; c < chunks; c++) {
                task.run(c);
            }
            return;
        }
        Step step = new Step(task, chunks, Thread.currentThread());
        current = step;
        for (int i = 0; i < Math.min(workers.length, chunks - 1); i++) {
            LockSupport.unpark(workers[i]);
        }
        step.work();
        long spinStart = System.nanoTime();
        while (step.unfinished.get() > 0) {
            if (System.nanoTime() - spinStart < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        Throwable t = step.failure.get();
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private void workerLoop() {
        Step done = null;
        long idleSince = System.nanoTime();
        while (!closed) {
            Step s = current;
            if (s != done && s != null) {
                s.work();
                done = s;
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** Stops the workers; idempotent. A worker that does not stop within a second is logged and left (it is a daemon). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        for (Thread w : workers) {
            try {
                w.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (w.isAlive()) {
                LOG.log(Level.WARNING, "{0} did not stop within a second", w.getName());
            }
        }
    }
}
