package backpropcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.Evaluation;
import backpropcl.train.EpochResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-epoch line's columns and the estimate of the run's time left. */
class ProgressReporterTest {
    private static final double[] RATES = {3, 0.001, 1e-05, 0.000123456, 0.1, 1e-100, 4.9e-324, 1234.5};

    /** Where each column starts: the text before "lr", before the seconds, before the speed. */
    private static List<Integer> columns(String line) {
        return List.of(line.indexOf("  lr "), line.indexOf(" s  "), line.indexOf(" samples/s"));
    }

    @Test
    void theColumnsStayInPlaceForAnyLearningRate() {
        Evaluation e = new Evaluation(0.1234, 77, 100);
        for (boolean validation : new boolean[] {false, true}) {
            for (boolean train : new boolean[] {false, true}) {
                List<List<Integer>> at = new ArrayList<>();
                for (double lr : RATES) {
                    EpochResult r = new EpochResult(7, validation ? null : e, train ? e : null, 1.25, 12345, lr, validation ? e : null,
                            false);
                    String line = ProgressReporter.line(r, 3);
                    assertTrue(line.contains(String.format(java.util.Locale.ROOT, "lr %.3g", lr)), line);
                    at.add(columns(line));
                }
                for (List<Integer> c : at) {
                    assertEquals(at.get(0), c, "validation " + validation + ", train " + train + ": columns moved " + at);
                }
            }
        }
    }

    @Test
    void theLinesNameTheWatchedSetAndTheBestEpoch() {
        Evaluation e = new Evaluation(0.5, 3, 4);
        assertEquals("epoch   2  test cost 0.5000  accuracy 0.7500  lr 3.00        1.50 s      1,000 samples/s",
                ProgressReporter.line(new EpochResult(2, e, null, 1.5, 1000, 3.0), 3));
        assertEquals("epoch   2  val cost 0.5000  accuracy 0.7500  train cost 0.5000  accuracy 0.7500  lr 0.00100     1.50 s      "
                + "1,000 samples/s  best", ProgressReporter.line(new EpochResult(2, null, e, 1.5, 1000, 0.001, e, true), 3));
        // A run of 1000 epochs or more widens the epoch column for all its lines.
        assertTrue(ProgressReporter.line(new EpochResult(2, e, null, 1.5, 1000, 3.0), 4).startsWith("epoch    2  test"));
    }

    @Test
    void theBarEstimatesTheWholeRunsTimeLeft() {
        assertEquals(30_000_000_000L, ProgressReporter.estimateNanos(10_000_000_000L, 100, 300));
        assertEquals(0, ProgressReporter.estimateNanos(5, 0, 300));
        assertEquals("0:00:00", ProgressReporter.duration(0));
        assertEquals("1:02:03", ProgressReporter.duration(3723_000_000_000L));
        long[] now = {0};
        StringWriter lines = new StringWriter();
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        ProgressReporter p = new ProgressReporter(new PrintWriter(lines), true, false, new PrintStream(bar, true, StandardCharsets.UTF_8),
                () -> now[0]);
        // 3 epochs of 10 batches, a second a batch: after 5 batches of epoch 1, 25 are left, 25 s.
        p.epochStarted(1, 3, 10);
        assertEquals("run: ? left", p.runLeft(1, 0));
        for (int b = 1; b <= 5; b++) {
            now[0] += 1_000_000_000L;
            p.batchDone(1, b, b * 8);
        }
        assertEquals("run: 0:00:25 left", p.runLeft(1, 5));
        p.trainingPassDone(1);
        String screen = bar.toString(StandardCharsets.UTF_8);
        assertTrue(screen.contains("epoch 1/3") && screen.contains("run: 0:00:25 left"), screen);
        // With early stopping the run may end sooner: the estimate is an upper bound.
        ProgressReporter early = new ProgressReporter(new PrintWriter(lines), false, true, System.err, () -> now[0]);
        early.epochStarted(1, 3, 10);
        now[0] += 1_000_000_000L;
        early.batchDone(1, 1, 8);
        assertEquals("run: at most 0:00:29 left", early.runLeft(1, 1));
    }
}
