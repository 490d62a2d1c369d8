package backpropcl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The lanes' barrier: nobody leaves a round before all have arrived, what each wrote before it is
 * seen by all after it (plain fields), over many rounds, with parties that spin and ones that park
 * (a slow party every few rounds), and an interrupt neither breaks it nor is lost.
 */
class LaneBarrierTest {
    private static final int PARTIES = 3;
    private static final int ROUNDS = 2_000;

    @Test
    void everyRoundSeesEveryPartysWrites() throws Exception {
        LaneBarrier barrier = new LaneBarrier(PARTIES);
        int[] written = new int[PARTIES];
        AtomicReference<String> wrong = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int k = 1; k < PARTIES; k++) {
            int lane = k;
            threads.add(new Thread(() -> rounds(barrier, lane, written, wrong)));
        }
        threads.forEach(Thread::start);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> rounds(barrier, 0, written, wrong));
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, wrong.get());
    }

    /** Writes its slot, meets the others, checks every slot holds this round, meets them again. */
    private static void rounds(LaneBarrier barrier, int lane, int[] written, AtomicReference<String> wrong) {
        for (int round = 1; round <= ROUNDS; round++) {
            if (round % 200 == lane) {
                sleep(3); // the others outwait their spin and park
            }
            written[lane] = round;
            barrier.await(lane);
            for (int k = 0; k < written.length; k++) {
                if (written[k] != round) {
                    wrong.compareAndSet(null, "lane " + lane + " saw lane " + k + " at " + written[k] + " in round " + round);
                }
            }
            barrier.await(lane);
        }
    }

    @Test
    void anInterruptedWaiterWaitsOnAndKeepsItsInterrupt() throws Exception {
        LaneBarrier barrier = new LaneBarrier(2);
        boolean[] interruptedAfter = new boolean[1];
        Thread waiter = new Thread(() -> {
            barrier.await(1);
            interruptedAfter[0] = Thread.currentThread().isInterrupted();
        });
        waiter.start();
        sleep(20);
        waiter.interrupt();
        sleep(20);
        assertTrue(waiter.isAlive(), "the interrupted waiter still waits for the other party");
        barrier.await(0);
        waiter.join(10_000);
        assertTrue(interruptedAfter[0], "its interrupt status is kept");
    }

    @Test
    void oneParty() {
        LaneBarrier barrier = new LaneBarrier(1);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            barrier.await(0);
            barrier.await(0);
        });
        assertThrows(IllegalArgumentException.class, () -> new LaneBarrier(0));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
