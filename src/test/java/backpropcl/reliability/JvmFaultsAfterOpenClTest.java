package backpropcl.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.opencl.OpenClEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM's own faults while an OpenCL runtime's signal handlers are installed (issue 12, family 1).
 * PoCL's LLVM takes SIGSEGV, SIGBUS and SIGILL, and PoCL SIGFPE, while a context is open. The JVM
 * turns a null field read into a NullPointerException and an integer division by zero into an
 * ArithmeticException through exactly those signals. Without signal chaining (libjsig) measured
 * here: in 30 of 30 JVMs 1 or 2 of 4,000,000 divisions by zero returned 0 with no exception
 * (PoCL's handler stepped over the instruction), and 1 of 30 died with exit 139 and no hs_err.
 */
class JvmFaultsAfterOpenClTest {
    static final Network NET = Network.of("64-48-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
    static final int ITERATIONS = 2_000_000;

    private static final class Box {
        int v = 1;
    }

    private static volatile Box nullBox;
    private static volatile int zero;

    private static int readField(Box b) {
        return b.v;
    }

    private static int divide(int a, int b) {
        return a / b;
    }

    /** Two threads, each ITERATIONS divisions by zero and null reads: how many did not throw. */
    static long faultsThatDidNotThrow() throws InterruptedException {
        long[] wrong = new long[2];
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < ITERATIONS; i++) {
                    try {
                        divide(i, zero);
                        wrong[id]++;
                    } catch (ArithmeticException expected) {
                        // as it must
                    }
                    try {
                        readField(nullBox);
                        wrong[id]++;
                    } catch (NullPointerException expected) {
                        // as it must
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return wrong[0] + wrong[1];
    }

    @Test
    void withSignalChainingEveryFaultIsItsJavaException() throws Exception {
        OpenClGate.requireDevice();
        assertTrue(String.valueOf(System.getenv("LD_PRELOAD")).contains("libjsig"),
                "the test JVM runs as the launcher runs the program, with libjsig preloaded (pom.xml)");
        try (OpenClEngine engine = new OpenClEngine(NET, Init.HE.initialise(NET, 5), 0)) {
            assertEquals(0, faultsThatDidNotThrow(), "divisions by zero or null reads that did not throw");
        }
    }

    @Test
    void withoutItPoclsHandlersTakeTheJvmsFaults() throws Exception {
        // The control: the same in a child JVM without libjsig must go wrong (a fault that did not
        // throw, or a dead JVM); a few tries, since each JVM loses only one or two of 8,000,000.
        OpenClGate.requireDevice();
        List<String> seen = new ArrayList<>();
        for (int attempt = 0; attempt < 4; attempt++) {
            ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(List.of("-Xmx256m"), Child.class.getName(), List.of()))
                    .redirectErrorStream(true);
            pb.environment().remove("LD_PRELOAD");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = p.waitFor();
            seen.add("exit " + code + ": " + out);
            if (code != 0 || !out.endsWith("did not throw: 0")) {
                return;
            }
        }
        throw new AssertionError("4 JVMs without libjsig took every fault right; the test above proves nothing: " + seen);
    }

    /** The child of the control: opens an engine, keeps it open, counts the faults that did not throw. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            try (OpenClEngine engine = new OpenClEngine(NET, Init.HE.initialise(NET, 5), 0)) {
                System.out.println("did not throw: " + faultsThatDidNotThrow());
            }
        }
    }
}
