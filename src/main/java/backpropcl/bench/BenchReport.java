package backpropcl.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's results in three forms: a table for people (stdout), one JSON object for
 * scripts (--json), and a markdown table to append to a results file (--out).
 *
 * @param data         the data set's name
 * @param trainSamples samples per training epoch
 * @param testSamples  samples the accuracy is measured on
 * @param epochs       timed epochs per run
 * @param workloads    what was asked for
 * @param rows         one per workload and engine
 */
public record BenchReport(String data, int trainSamples, int testSamples, int epochs, List<Workload> workloads,
                          List<BenchRow> rows) {

    /** True when no row failed; skipped rows do not fail a run. */
    public boolean pass() {
        return rows.stream().noneMatch(r -> r.status() == BenchRow.Status.FAIL);
    }

    /** A description of the run: data, epochs, and how the numbers are made. */
    public String method() {
        return String.format(Locale.ROOT, "%s, %,d training samples per epoch, %,d test samples; %d epochs per run, "
                + "samples/s from the median of epochs 2..%d; seed %d; each engine first checked against the reference "
                + "(%d SGD steps, weights within %.0e)", data, trainSamples, testSamples, epochs, epochs, Benchmark.SEED,
                CorrectnessCheck.STEPS, CorrectnessCheck.TOLERANCE);
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("bench: ").append(method()).append('\n');
        for (Workload w : workloads) {
            sb.append(String.format(Locale.ROOT, "  %s = %s; %,.0f FLOP per sample%n", w.name(), w.summary(),
                    FlopCount.perSample(w.network()) + (double) FlopCount.perUpdate(w.network()) / w.batch()));
        }
        String format = "%-8s %-10s %-42s %8s %12s %9s %9s %11s %9s  %s%n";
        sb.append(String.format(Locale.ROOT, format, "workload", "engine", "device", "replicas", "samples/s", "GFLOP/s", "outside",
                "check err", "test acc", "result"));
        for (BenchRow r : rows) {
            sb.append(String.format(Locale.ROOT, format, r.workload(), r.engine(), clip(r.device().isEmpty() ? "-" : r.device(), 42), r.replicas(),
                    number(r.samplesPerSecond(), "%,.0f"), number(r.gflops(), "%.2f"), percent(r.outsideKernels()),
                    number(r.checkError(), "%.2e"), number(r.testAccuracy(), "%.4f"), result(r)));
        }
        long failed = rows.stream().filter(r -> r.status() == BenchRow.Status.FAIL).count();
        sb.append(pass() ? "bench: PASS" : "bench: FAIL (" + failed + " of " + rows.size() + " rows)").append('\n');
        return sb.toString();
    }

    public String json() {
        JsonObject o = new JsonObject();
        o.addProperty("data", data);
        o.addProperty("train_samples", trainSamples);
        o.addProperty("test_samples", testSamples);
        o.addProperty("epochs", epochs);
        o.addProperty("seed", Benchmark.SEED);
        o.addProperty("check_steps", CorrectnessCheck.STEPS);
        o.addProperty("check_tolerance", CorrectnessCheck.TOLERANCE);
        o.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        o.addProperty("processors", Runtime.getRuntime().availableProcessors());
        JsonArray ws = new JsonArray();
        for (Workload w : workloads) {
            JsonObject j = new JsonObject();
            j.addProperty("name", w.name());
            j.addProperty("network", w.network().toString());
            j.addProperty("init", w.init().cliName());
            j.addProperty("batch", w.batch());
            j.addProperty("lr", w.learningRate());
            j.addProperty("flops_per_sample", FlopCount.perSample(w.network()));
            j.addProperty("flops_per_update", FlopCount.perUpdate(w.network()));
            ws.add(j);
        }
        o.add("workloads", ws);
        JsonArray results = new JsonArray();
        for (BenchRow r : rows) {
            JsonObject j = new JsonObject();
            j.addProperty("workload", r.workload());
            j.addProperty("engine", r.engine());
            j.addProperty("replicas", r.replicas());
            j.addProperty("description", r.description());
            j.addProperty("device", r.device());
            j.addProperty("status", r.status().name());
            j.addProperty("note", r.note());
            // null when not measured or not finite (NaN or Inf in the weights; status says FAIL): JSON has no NaN.
            j.addProperty("check_error", finiteOrNull(r.checkError()));
            JsonArray secs = new JsonArray();
            r.epochSeconds().forEach(s -> secs.add(finiteOrNull(s)));
            j.add("epoch_seconds", secs);
            j.addProperty("samples_per_second", finiteOrNull(r.samplesPerSecond()));
            j.addProperty("gflops", finiteOrNull(r.gflops()));
            j.addProperty("outside_kernels", finiteOrNull(r.outsideKernels()));
            j.addProperty("test_accuracy", finiteOrNull(r.testAccuracy()));
            results.add(j);
        }
        o.add("results", results);
        o.addProperty("pass", pass());
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o);
    }

    /** A markdown section: a heading naming the time and command, the method, and the table. */
    public String markdown(String heading) {
        StringBuilder sb = new StringBuilder();
        sb.append("### ").append(heading).append("\n\n").append(method()).append(".\n\n");
        sb.append("| workload | engine | device | replicas | samples/s | GFLOP/s | outside kernels | check error | test accuracy | result |\n");
        sb.append("|---|---|---|--:|--:|--:|--:|--:|--:|---|\n");
        for (BenchRow r : rows) {
            sb.append("| ").append(String.join(" | ", r.workload(), r.engine(), r.device().isEmpty() ? "-" : r.device(), String.valueOf(r.replicas()),
                    number(r.samplesPerSecond(), "%,.0f"), number(r.gflops(), "%.2f"), percent(r.outsideKernels()),
                    number(r.checkError(), "%.2e"), number(r.testAccuracy(), "%.4f"),
                    result(r).replace("|", "\\|"))).append(" |\n");
        }
        return sb.append('\n').toString();
    }

    private static String result(BenchRow r) {
        return r.note().isEmpty() ? r.status().name() : r.status().name() + ": " + r.note();
    }

    private static String number(double v, String format) {
        return Double.isNaN(v) ? "n/a" : Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, format, v);
    }

    private static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", 100 * fraction) : "n/a";
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
    }
}
