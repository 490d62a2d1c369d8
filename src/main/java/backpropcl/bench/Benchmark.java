package backpropcl.bench;

import backpropcl.data.DataSplit;
import backpropcl.engine.EngineSelector;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.train.DivergedException;
import backpropcl.train.EpochResult;
import backpropcl.train.TrainingListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs every workload on every engine: open the engine on the workload's initial parameters,
 * check it against the reference, and only when the check passes, time it. One row per pair;
 * an engine that cannot open is a skipped row, an engine that fails is a failed row, and the
 * run goes on with the next pair. Progress goes to the given stream (stderr in the CLI).
 */
public final class Benchmark {
    /** Seeds the initial parameters and the shuffling of every run, so engines see the same batches. */
    public static final long SEED = 1;

    /** How the benchmark gets an engine; {@link EngineSelector#open} outside tests. */
    @FunctionalInterface
    public interface EngineOpener {
        /** Throws IllegalArgumentException when the engine is unknown or cannot open here. */
        EngineSelector.Choice open(String kind, Integer device, Network net, Parameters initial);

        /** A target's engine: over its replicas or devices through {@link EngineSelector} when it has them, else as above. */
        default EngineSelector.Choice open(EngineTarget t, Network net, Parameters initial) {
            return t.parallel() ? EngineSelector.open(t.kind(), null, t.devices(), t.replicas(), net, initial)
                    : open(t.kind(), t.device(), net, initial);
        }
    }

    private final DataSplit data;
    private final int epochs;
    private final boolean referenceOnSlowWorkloads;
    private final PrintWriter progress;
    private final EngineOpener opener;

    /**
     * @param data                     training and test sets for every workload
     * @param epochs                   timed epochs per run, at least 2 (the first is warm-up)
     * @param referenceOnSlowWorkloads run the reference engine on workloads marked slow for it
     * @param progress                 where to report what is running
     */
    public Benchmark(DataSplit data, int epochs, boolean referenceOnSlowWorkloads, PrintWriter progress) {
        this(data, epochs, referenceOnSlowWorkloads, progress, EngineSelector::open);
    }

    /** As above, opening engines with {@code opener}. */
    public Benchmark(DataSplit data, int epochs, boolean referenceOnSlowWorkloads, PrintWriter progress, EngineOpener opener) {
        if (epochs < 2) {
            throw new IllegalArgumentException("--epochs must be at least 2: the first epoch is warm-up and not counted, got " + epochs);
        }
        this.data = data;
        this.epochs = epochs;
        this.referenceOnSlowWorkloads = referenceOnSlowWorkloads;
        this.progress = progress;
        this.opener = opener;
    }

    /** One row per workload and engine, workloads outermost. */
    public List<BenchRow> run(List<Workload> workloads, List<EngineTarget> targets) {
        List<BenchRow> rows = new ArrayList<>();
        for (Workload w : workloads) {
            for (EngineTarget t : targets) {
                BenchRow row = runOne(w, t);
                progress.printf(Locale.ROOT, "%s on %s: %s%s%n", w.name(), t.label(), row.status(),
                        row.note().isEmpty() ? "" : " (" + row.note() + ")");
                progress.flush();
                rows.add(row);
            }
        }
        return rows;
    }

    private BenchRow runOne(Workload w, EngineTarget t) {
        if (t.unavailable() != null) {
            return BenchRow.skipped(w.name(), t.label(), t.count(), "", t.unavailable());
        }
        if (t.kind().equals("reference") && w.slowOnReference() && !referenceOnSlowWorkloads) {
            return BenchRow.skipped(w.name(), t.label(), t.count(), "", "skipped by default: far too slow in double-precision plain loops; "
                    + "name it with --engines reference to run it");
        }
        Parameters initial = w.init().initialise(w.network(), SEED);
        EngineSelector.Choice choice;
        try {
            choice = opener.open(t, w.network(), initial);
        } catch (IllegalArgumentException e) {
            // What EngineSelector says for an engine it does not know or cannot open here.
            return BenchRow.skipped(w.name(), t.label(), t.count(), "", "cannot open: " + e.getMessage());
        } catch (RuntimeException e) {
            // A runtime that is there but breaks (a kernel that does not build) is a failure, not a skip.
            e.printStackTrace(progress);
            return BenchRow.failed(w.name(), t.label(), t.count(), "", Double.NaN, "failed to open: " + e);
        }
        try (choice) {
            String description = choice.engine().description();
            progress.printf(Locale.ROOT, "%s on %s, %s: %s%n", w.name(), t.label(), description, w.summary());
            progress.flush();
            double error = Double.NaN;
            try {
                long t0 = System.nanoTime();
                error = CorrectnessCheck.run(choice.engine(), w, initial, data.train(), SEED, ties -> {
                    if (!ties.agreed()) {
                        progress.println("  check: " + ties.describe(t.kind()));
                    }
                });
                progress.printf(Locale.ROOT, "  check: weights within %.2e of the reference after %d steps (%.1f s)%n", error,
                        CorrectnessCheck.STEPS, (System.nanoTime() - t0) / 1e9);
                if (!CorrectnessCheck.passes(error)) {
                    return BenchRow.failed(w.name(), t.label(), t.count(), description, error, String.format(Locale.ROOT,
                            "check error %.3e > %.0e after %d steps: not timed", error, CorrectnessCheck.TOLERANCE, CorrectnessCheck.STEPS));
                }
                choice.engine().setParameters(initial);
                EpochTiming.Measurement m = EpochTiming.run(choice.engine(), w, data, epochs, SEED, epochProgress());
                return row(w, t, description, error, m);
            } catch (DivergedException e) {
                return BenchRow.failed(w.name(), t.label(), t.count(), description, error, e.getMessage());
            } catch (RuntimeException e) {
                // One engine's failure must not cost the other rows; the trace shows where it came from.
                e.printStackTrace(progress);
                return BenchRow.failed(w.name(), t.label(), t.count(), description, error, e.toString());
            }
        }
    }

    private BenchRow row(Workload w, EngineTarget t, String description, double error, EpochTiming.Measurement m) {
        int samples = data.train().count();
        double median = EpochTimes.medianAfterFirst(m.epochSeconds());
        double gflops = FlopCount.perEpoch(w.network(), samples, w.batch()) / median / 1e9;
        return new BenchRow(w.name(), t.label(), t.count(), description, BenchRow.Status.PASS, "", error, m.epochSeconds(),
                samples / median, gflops, m.outsideKernels(), m.test().accuracy());
    }

    private TrainingListener epochProgress() {
        return new TrainingListener() {
            @Override
            public void epochDone(EpochResult r) {
                progress.printf(Locale.ROOT, "  epoch %d/%d: %.3f s, %,.0f samples/s%s%n", r.epoch(), epochs, r.seconds(),
                        r.samplesPerSecond(), r.epoch() == 1 ? " (warm-up, not counted)" : "");
                progress.flush();
            }
        };
    }
}
