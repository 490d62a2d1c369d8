package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    /** Thousands of steps of varied size: every chunk runs exactly once per step, and the caller sees all their writes. */
    @Test
    void everyChunkRunsOnceAndIsVisibleAfterwards() {
        try (WorkerPool pool = new WorkerPool(3)) {
            Set<String> threadsUsed = ConcurrentHashMap.newKeySet();
            for (int step = 0; step < 5000; step++) {
                int chunks = 1 + step % 9;
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                int[] plain = new int[chunks];
                pool.run(chunks, c -> {
                    runs.incrementAndGet(c);
                    plain[c] = c + 1;
                    threadsUsed.add(Thread.currentThread().getName());
                    if (c == 0) {
                        Thread.onSpinWait();
                    }
                });
                for (int c = 0; c < chunks; c++) {
                    assertEquals(1, runs.get(c), "chunk " + c + " of " + chunks + " in step " + step);
                    assertEquals(c + 1, plain[c], "a plain write of chunk " + c + " is visible to the caller");
                }
            }
            assertTrue(threadsUsed.size() >= 2, "the workers took part: " + threadsUsed);
        }
    }

    @Test
    void aFailingChunkIsRethrownAfterTheOthersFinish() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicIntegerArray runs = new AtomicIntegerArray(4);
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.run(4, c -> {
                runs.incrementAndGet(c);
                if (c == 2) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            for (int c = 0; c < 4; c++) {
                assertEquals(1, runs.get(c));
            }
            // The pool still works after a failure.
            AtomicIntegerArray again = new AtomicIntegerArray(3);
            pool.run(3, again::incrementAndGet);
            assertEquals(3, again.get(0) + again.get(1) + again.get(2));
        }
    }

    @Test
    void oneThreadRunsInTheCaller() {
        try (WorkerPool pool = new WorkerPool(1)) {
            assertEquals(1, pool.threads());
            Thread caller = Thread.currentThread();
            pool.run(5, c -> assertSame(caller, Thread.currentThread()));
        }
    }

    @Test
    void closeIsIdempotentAndRefusesLaterWork() {
        WorkerPool pool = new WorkerPool(2);
        pool.run(2, c -> { });
        pool.close();
        assertDoesNotThrow(pool::close);
        assertThrows(IllegalStateException.class, () -> pool.run(2, c -> { }));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }
}
