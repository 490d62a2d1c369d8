package backpropcl.cli;

import backpropcl.train.EpochResult;
import backpropcl.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a training run: a progress bar per epoch on stderr (when asked for), and one summary line
 * per epoch on stdout.
 */
final class ProgressReporter implements TrainingListener {
    private final PrintWriter out;
    private final boolean showBar;
    private ProgressBar bar;

    /** showBar: draw a bar on stderr (only sensible when it is a terminal). */
    ProgressReporter(PrintWriter out, boolean showBar) {
        this.out = out;
        this.showBar = showBar;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        if (showBar) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(batches)
                    .setUnit(" batches", 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .build();
        }
    }

    @Override
    public void batchDone(int epoch, int batch, int samplesDone) {
        if (bar != null) {
            bar.stepTo(batch);
        }
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
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %3d  test cost %.4f  accuracy %.4f",
                r.epoch(), r.test().meanCost(), r.test().accuracy()));
        if (r.train() != null) {
            line.append(String.format(Locale.ROOT, "  train cost %.4f  accuracy %.4f",
                    r.train().meanCost(), r.train().accuracy()));
        }
        line.append(String.format(Locale.ROOT, "  lr %.3g  %6.2f s  %,9.0f samples/s", r.learningRate(), r.seconds(),
                r.samplesPerSecond()));
        out.println(line);
        out.flush();
    }
}
