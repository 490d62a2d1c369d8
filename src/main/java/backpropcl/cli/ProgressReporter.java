package backpropcl.cli;

import backpropcl.data.StratifiedSplit;
import backpropcl.engine.Evaluation;
import backpropcl.train.EpochResult;
import backpropcl.train.TrainingListener;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a training run: a progress bar per epoch on stderr (when asked for) whose message also
 * estimates the time left in the whole run, and one summary line per epoch on stdout whose columns
 * stay in place from line to line and run to run, whatever the learning rate.
 */
final class ProgressReporter implements TrainingListener {
    /** Room for a learning rate in %.3g: "3.00", "0.000123", "1.00e-05", up to "1.00e-100". */
    static final int LR_WIDTH = 9;
    /** How often the estimate of the run's time left is worked out again. */
    private static final long ESTIMATE_NANOS = 250_000_000L;

    private final PrintWriter out;
    private final boolean showBar;
    private final PrintStream barStream;
    private final LongSupplier clock;
    private final boolean mayStopEarly;
    private ProgressBar bar;
    private int epochs;
    private int batches;
    private int epochWidth = 3;
    /** When this process's first batch began, and how many batches it has trained since. */
    private long runStart = -1;
    private long batchesDone;
    private long lastEstimate;

    /** showBar: draw a bar on stderr (only sensible when it is a terminal). */
    ProgressReporter(PrintWriter out, boolean showBar) {
        this(out, showBar, false, System.err, System::nanoTime);
    }

    /**
     * @param mayStopEarly whether early stopping may end the run before its last epoch (the
     *                     estimate is then an upper bound, and says so)
     * @param barStream    where the bar goes (stderr)
     * @param clock        nanoseconds, for the estimate
     */
    ProgressReporter(PrintWriter out, boolean showBar, boolean mayStopEarly, PrintStream barStream, LongSupplier clock) {
        this.out = out;
        this.showBar = showBar;
        this.mayStopEarly = mayStopEarly;
        this.barStream = barStream;
        this.clock = clock;
    }

    @Override
    public void validationSplit(StratifiedSplit split) {
        out.println("validation split: " + split.describe("train", "validation"));
        out.flush();
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        this.epochs = epochs;
        this.batches = batches;
        this.epochWidth = Math.max(3, Integer.toString(epochs).length());
        if (runStart < 0) {
            runStart = clock.getAsLong();
        }
        if (showBar) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(batches)
                    .setUnit(" batches", 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(barStream))
                    .build();
            bar.setExtraMessage(runLeft(epoch, 0));
        }
    }

    @Override
    public void batchDone(int epoch, int batch, int samplesDone) {
        batchesDone++;
        if (bar != null) {
            bar.stepTo(batch);
            long now = clock.getAsLong();
            if (now - lastEstimate >= ESTIMATE_NANOS || batch == batches) {
                lastEstimate = now;
                bar.setExtraMessage(runLeft(epoch, batch));
            }
        }
    }

    /** The bar's message: the time the whole run has left at this rate, from epoch (1-based) and batch done. */
    String runLeft(int epoch, int batch) {
        long remaining = (long) (epochs - epoch) * batches + (batches - batch);
        String left = batchesDone == 0 ? "?" : duration(estimateNanos(clock.getAsLong() - runStart, batchesDone, remaining));
        return "run: " + (mayStopEarly && remaining > 0 ? "at most " : "") + left + " left";
    }

    /**
     * The time {@code remaining} batches take at the rate so far: {@code elapsed} nanoseconds over
     * {@code done} batches (evaluations between epochs included).
     */
    static long estimateNanos(long elapsed, long done, long remaining) {
        return done <= 0 ? 0 : (long) ((double) elapsed / done * remaining);
    }

    /** H:MM:SS, as the bar shows its own times. */
    static String duration(long nanos) {
        long s = Math.round(nanos / 1e9);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    @Override
    public void trainingPassDone(int epoch) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void epochDone(EpochResult r) {
        out.println(line(r, epochWidth));
        out.flush();
    }

    /**
     * An epoch's line: the watched set's cost and accuracy (validation, else test), the training
     * set's when measured, the learning rate in a column of {@link #LR_WIDTH}, time and speed, and
     * "best" on an epoch that improved on the best so far.
     */
    static String line(EpochResult r, int epochWidth) {
        Evaluation watched = r.watched();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %" + epochWidth + "d  %s cost %.4f  accuracy %.4f",
                r.epoch(), r.validation() != null ? "val" : "test", watched.meanCost(), watched.accuracy()));
        if (r.train() != null) {
            line.append(String.format(Locale.ROOT, "  train cost %.4f  accuracy %.4f",
                    r.train().meanCost(), r.train().accuracy()));
        }
        line.append(String.format(Locale.ROOT, "  lr %-" + LR_WIDTH + "s %6.2f s  %,9.0f samples/s",
                String.format(Locale.ROOT, "%.3g", r.learningRate()), r.seconds(), r.samplesPerSecond()));
        if (r.best()) {
            line.append("  best");
        }
        return line.toString();
    }
}
