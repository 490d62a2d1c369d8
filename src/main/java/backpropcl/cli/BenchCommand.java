package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.bench.BenchReport;
import backpropcl.bench.BenchRow;
import backpropcl.bench.Benchmark;
import backpropcl.bench.EngineTarget;
import backpropcl.bench.EngineTargets;
import backpropcl.bench.Workload;
import backpropcl.bench.Workloads;
import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.engine.Tolerances;
import backpropcl.io.AtomicFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Checks, then times, training on every engine and device.",
            "",
            "Workloads:",
            "  W1  784-16-16-10, sigmoid, quadratic cost, normal init, batch 10, lr 3.0",
            "  W2  784-128-64-10, ReLU, softmax + cross-entropy, He init, batch 100, lr 0.1",
            "  W3  784-1024-1024-10, as W2 with batch 256, lr 0.05",
            "  W4  LeNet-5 on 1x28x28: 6 then 16 5x5 filters, each with ReLU and a 2x2 max pool, dense 120-84-10, "
                + "softmax; cross-entropy, He init, batch 32, lr 0.05",
            "  W5  on 1x28x28: 32 then 64 3x3 filters (padding 1), each with batchnorm, ReLU and a 2x2 max pool, "
                + "dense 128-10, softmax; cross-entropy, He init, batch 64, lr 0.05 (both as --layers specs in "
                + "docs/benchmarks.md)",
            "W4 and W5 run on the engines that compute conv layers; the others are skipped rows saying why.",
            "",
            "First a check: 3 SGD steps on the engine and on the reference engine (double) from the same parameters; "
                + "every weight tensor must agree within " + Tolerances.AFTER_STEPS_F32_TEXT + " (relative norm), else the row FAILs and is not timed. Then "
                + "E epochs of the trainer's loop (seeded shuffle, seed 1), with no evaluation inside the timed region but "
                + "a one-sample read-back that waits for queued work.",
            "  replicas         how many replicas or devices the row's engine trained on: 1 for a plain engine, N for "
                + "--replicas N (cpu x N) or for the devices of --devices (opencl:0,1)",
            "  samples/s        training samples / median epoch after the first (warm-up)",
            "  GFLOP/s          matrix FLOPs per epoch / that median; per sample and layer (m inputs, n outputs) 2mn "
                + "forward + 2mn backward (not the first layer) + 2mn weight gradient, plus 2(mn + n) per batch for the "
                + "update; a conv layer counts 2FCKKH'W' for each of the three; pooling and batchnorm are elementwise and "
                + "not counted (docs/benchmarks.md)",
            "  outside kernels  for engines that profile kernels: the share of one extra epoch's wall time not spent in "
                + "kernels; n/a for others",
            "  test acc         test-set accuracy after the timed epochs, a sanity check",
            "The reference engine skips W3 and W5 unless --engines names it. An engine that cannot run here is a skipped row "
                + "with the reason. Progress goes to stderr.",
            "Exit code 0 when no row failed, 1 when one did, 2 for a user error.",
            ""},
        footer = {"", "Examples:",
            "  backprop-cl bench",
            "  backprop-cl bench --workloads W2 --engines cpu,opencl --epochs 6 --json",
            "  backprop-cl bench --workloads W2 --engines cpu --replicas 1,2",
            "  POCL_DEVICES=\"pthread pthread\" backprop-cl bench --engines opencl --devices 0,1",
            "  backprop-cl bench --train-samples 60000 --out docs/results.md"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--workloads", paramLabel = "W", split = ",",
            description = "Workloads to run: W1 to W5 (default: W1,W2,W3).")
    List<String> workloadNames;

    @Option(names = "--engines", paramLabel = "NAME", split = ",",
            description = "Engines to time: reference, cpu, opencl (default: all of them, opencl on every device).")
    List<String> engineNames;

    @Option(names = "--device", paramLabel = "N", converter = OptionValues.CountFromZero.class,
            description = "Time opencl on this device only, as listed by 'backprop-cl devices' (default: every device).")
    Integer device;

    @Option(names = "--replicas", paramLabel = "N", split = ",", converter = OptionValues.Count.class,
            description = "Also time the cpu engine as N single-threaded replicas (as train --replicas N), a row for each N "
                    + "given (e.g. 1,2), after the cpu engine's own row.")
    List<Integer> replicas;

    @Option(names = "--devices", paramLabel = "LIST",
            description = "Also time these OpenCL devices training together (as train --devices: 0,1 or all), one row "
                    + "after the opencl rows.")
    String devices;

    @Option(names = "--epochs", paramLabel = "E", converter = BenchCommand.Epochs.class, defaultValue = "4",
            description = "Timed epochs per run, at least 2; the first is warm-up (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = "auto",
            description = "Data set, as for train; auto: fashion-mnist when installed (/usr/share/datasets/fashion-mnist), "
                    + "else the bundled mnist-10k (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--train-samples", paramLabel = "N", converter = OptionValues.Count.class,
            description = "Training samples per epoch, the first N of the set (default: 10000 for W1-W3, which keeps W3 within half "
                    + "a minute per engine on 2 CPU cores; 2000 for W4 and W5, whose convolutions are slower; the larger of the two "
                    + "when both kinds run).")
    Integer trainSamples;

    @Option(names = "--test-samples", paramLabel = "N", converter = OptionValues.Count.class,
            description = "Test samples for the accuracy column, the first N (default: all).")
    Integer testSamples;

    @Option(names = "--json", description = "Print the results as one JSON object instead of the table.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also append the results to FILE as a markdown table.")
    Path out;

    /** --epochs: the first is warm-up, so at least 2. */
    static final class Epochs extends OptionValues.IntAtLeast {
        Epochs() {
            super(2, "a whole number >= 2 (the first epoch is warm-up and not counted)");
        }
    }

    @Override
    public Integer call() {
        List<Workload> workloads;
        List<EngineTarget> targets;
        try {
            workloads = workloadNames == null ? Workloads.STANDARD : Workloads.select(workloadNames, Workloads.ALL);
            targets = EngineTargets.resolve(engineNames, device, replicas, devices);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        // --out is checked (writable, not special, not the data) and locked before minutes of timing.
        OutputGuard.Plan outputs = new OutputGuard.Plan().input("--data", DataOptions.asPath(data))
                .file("--out", out, OptionValues.typed(spec, "--out"));
        outputs.check();
        try (OutputGuard guard = outputs.acquire()) {
            return run(workloads, targets, err);
        }
    }

    private int run(List<Workload> workloads, List<EngineTarget> targets, PrintWriter err) {
        DataSplit split = load(workloads, err);

        boolean referenceNamed = engineNames != null && engineNames.stream().anyMatch(n -> n.trim().equalsIgnoreCase("reference"));
        List<BenchRow> rows = new Benchmark(split, epochs, referenceNamed, err).run(workloads, targets);
        BenchReport report = new BenchReport(split.name(), split.train().count(), split.test().count(), epochs, workloads, rows);

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(json ? report.json() + "\n" : report.text());
        stdout.flush();
        if (out != null) {
            append(out, report.markdown(heading()));
            err.println("appended the results to " + out);
        }
        return report.pass() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    /** The data set, cut to the sample counts asked for; every workload must fit its width and labels. */
    private DataSplit load(List<Workload> workloads, PrintWriter err) {
        String source = data.equals("auto")
                ? (Files.isDirectory(DataSources.FASHION_MNIST_DIR) ? "fashion-mnist" : DataSources.DEFAULT) : data;
        err.println("loading " + source + " ...");
        err.flush();
        DataSplit split = DataSources.resolve(source, workloads.get(0).network().outputSize());
        Dataset train = split.train().head(trainSamples != null ? trainSamples : Workloads.trainSamples(workloads));
        Dataset test = testSamples == null ? split.test() : split.test().head(testSamples);
        for (Workload w : workloads) {
            if (w.network().inputSize() != train.width() || w.network().outputSize() < train.classes()) {
                String net = w.network().isConvolutional() ? w.network().inputShape().toString() : w.network().archString();
                throw new UserError(w.name() + " (" + net + ") does not fit " + split.name() + ": "
                        + Plural.of(train.width(), "feature") + " and " + Plural.of(train.classes(), "class"));
            }
        }
        if (train.count() == 0 || test.count() == 0) {
            throw new UserError(split.name() + " has no " + (train.count() == 0 ? "training" : "test") + " samples");
        }
        return new DataSplit(split.name(), train, test);
    }

    /** "`backprop-cl bench --workloads W2`, 2025-01-31 14:05 +01:00": how and when the table was made. */
    private String heading() {
        // The parse result of a subcommand holds the whole command line, "bench" included.
        String args = String.join(" ", spec.commandLine().getParseResult().originalArgs());
        String when = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm xxx", Locale.ROOT));
        return "`backprop-cl " + args + "`, " + when;
    }

    /**
     * Appends by replacing the file, atomically, with its old text and the new: a failed or killed
     * bench leaves the results file as it was, never with half a table.
     */
    private static void append(Path file, String text) {
        byte[] old;
        try {
            old = Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            throw new UserError("--out " + file + ": cannot read it to append: " + e.getMessage(), e);
        }
        AtomicFile.write(file, out -> {
            out.write(old);
            out.write(text.getBytes(StandardCharsets.UTF_8));
        });
    }
}
