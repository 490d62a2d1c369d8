package backpropcl.bench;

import backpropcl.testing.ForwardingEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.EngineSelector;
import backpropcl.engine.Evaluation;
import backpropcl.engine.KernelProfiling;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The whole benchmark on a network small enough to train in a blink: check, timing, report. */
class BenchmarkTest {
    private static final long SEED = 7;
    private static final Workload TINY = new Workload("T1",
            Network.of("20-10-3", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY), Init.XAVIER, 10, 0.5, false);
    private static final Workload TINY_SLOW = new Workload("T2", TINY.network(), Init.XAVIER, 10, 0.5, true);
    private static final EngineTarget REFERENCE = new EngineTarget("reference", null, null);

    /** Three Gaussian blobs in 20 dimensions, label i % 3: learnable in a few epochs. */
    private static Dataset blobs(String name, int count, long seed) {
        Random rng = new Random(SEED);
        float[][] centers = new float[3][20];
        for (float[] c : centers) {
            for (int j = 0; j < c.length; j++) {
                c[j] = rng.nextFloat();
            }
        }
        Random noise = new Random(seed);
        float[] x = new float[count * 20];
        int[] y = new int[count];
        for (int i = 0; i < count; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 20; j++) {
                x[i * 20 + j] = centers[y[i]][j] + 0.2f * (float) noise.nextGaussian();
            }
        }
        return new Dataset(name, x, y, count, 20, 3);
    }

    private static final DataSplit DATA = new DataSplit("blobs", blobs("blobs/train", 300, 1), blobs("blobs/test", 90, 2));

    /** A forwarding engine with its own description; tests override what they break. */
    private static class Delegating extends ForwardingEngine {
        Delegating(Network net, Parameters initial) {
            super(net, initial);
        }

        @Override
        public String description() {
            return "delegating (test double)";
        }
    }

    private static final class ZeroKernelTime extends Delegating implements KernelProfiling {
        int starts;

        ZeroKernelTime(Network net, Parameters initial) {
            super(net, initial);
        }

        @Override
        public void startKernelProfiling() {
            starts++;
        }

        @Override
        public long kernelNanos() {
            return 0;
        }
    }

    private static Benchmark benchmark(int epochs, boolean slowReference, StringWriter progress, Benchmark.EngineOpener opener) {
        return new Benchmark(DATA, epochs, slowReference, new PrintWriter(progress, true), opener);
    }

    @Test
    void referenceRunChecksTimesAndReports() {
        StringWriter progress = new StringWriter();
        List<BenchRow> rows = benchmark(3, false, progress, EngineSelector::open).run(List.of(TINY), List.of(REFERENCE));
        assertEquals(1, rows.size());
        BenchRow r = rows.get(0);
        assertEquals(BenchRow.Status.PASS, r.status(), r.note());
        // Two reference engines from the same parameters and batches are bitwise equal.
        assertEquals(0.0, r.checkError());
        assertEquals(3, r.epochSeconds().size());
        double median = EpochTimes.medianAfterFirst(r.epochSeconds());
        assertEquals(300 / median, r.samplesPerSecond(), 1e-9 * r.samplesPerSecond());
        assertEquals(FlopCount.perEpoch(TINY.network(), 300, 10) / median / 1e9, r.gflops(), 1e-9 * r.gflops());
        assertTrue(Double.isNaN(r.outsideKernels()), "the reference engine does not profile kernels");
        assertTrue(r.testAccuracy() > 0.9, "accuracy " + r.testAccuracy() + " on separable blobs");
        assertEquals("double precision, plain Java", r.device());
        assertTrue(progress.toString().contains("warm-up, not counted"), progress.toString());

        BenchReport report = new BenchReport(DATA.name(), 300, 90, 3, List.of(TINY), rows);
        assertTrue(report.pass());
        String text = report.text();
        assertTrue(text.contains("T1       reference"), text);
        assertTrue(text.endsWith("bench: PASS\n"), text);
        JsonObject json = JsonParser.parseString(report.json()).getAsJsonObject();
        JsonObject row = json.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("PASS", row.get("status").getAsString());
        assertEquals(r.samplesPerSecond(), row.get("samples_per_second").getAsDouble());
        assertTrue(row.get("outside_kernels").isJsonNull());
        assertEquals(FlopCount.perSample(TINY.network()),
                json.getAsJsonArray("workloads").get(0).getAsJsonObject().get("flops_per_sample").getAsLong());
        String md = report.markdown("heading");
        assertTrue(md.startsWith("### heading\n"), md);
        assertTrue(md.contains("| T1 | reference | double precision, plain Java |"), md);
    }

    @Test
    void failedCheckIsNotTimedAndFailsTheRun() {
        // Twice the learning rate: the weights leave the reference's after the first step.
        Benchmark.EngineOpener skewed = (kind, device, net, initial) -> new EngineSelector.Choice(new Delegating(net, initial) {
            @Override
            public void trainBatch(int start, int rows, double learningRate) {
                inner.trainBatch(start, rows, 2 * learningRate);
            }
        }, "test");
        StringWriter progress = new StringWriter();
        List<BenchRow> rows = benchmark(2, false, progress, skewed).run(List.of(TINY), List.of(new EngineTarget("skewed", null, null)));
        BenchRow r = rows.get(0);
        assertEquals(BenchRow.Status.FAIL, r.status());
        assertTrue(r.checkError() > CorrectnessCheck.TOLERANCE, "check error " + r.checkError());
        assertTrue(r.epochSeconds().isEmpty(), "a failed check must not be timed");
        assertFalse(progress.toString().contains("epoch 1/"), progress.toString());
        BenchReport report = new BenchReport(DATA.name(), 300, 90, 2, List.of(TINY), rows);
        assertFalse(report.pass());
        assertTrue(report.text().contains("FAIL: check error"), report.text());
        JsonObject failed = JsonParser.parseString(report.json()).getAsJsonObject().getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals(r.checkError(), failed.get("check_error").getAsDouble());
        assertFalse(JsonParser.parseString(report.json()).getAsJsonObject().get("pass").getAsBoolean());
    }

    @Test
    void profilingEngineGetsOneExtraEpochMeasured() {
        ZeroKernelTime[] opened = new ZeroKernelTime[1];
        Benchmark.EngineOpener profiled = (kind, device, net, initial) -> {
            opened[0] = new ZeroKernelTime(net, initial);
            return new EngineSelector.Choice(opened[0], "test");
        };
        List<BenchRow> rows = benchmark(2, false, new StringWriter(), profiled).run(List.of(TINY),
                List.of(new EngineTarget("profiled", null, null)));
        assertEquals(BenchRow.Status.PASS, rows.get(0).status(), rows.get(0).note());
        assertEquals(1, opened[0].starts);
        assertEquals(1.0, rows.get(0).outsideKernels());
    }

    @Test
    void engineThatBreaksFailsItsRowAndTheRunGoesOn() {
        Benchmark.EngineOpener breaks = (kind, device, net, initial) -> {
            if (kind.equals("broken")) {
                throw new IllegalStateException("kernel build failed");
            }
            return EngineSelector.open(kind, device, net, initial);
        };
        StringWriter progress = new StringWriter();
        List<BenchRow> rows = benchmark(2, false, progress, breaks).run(List.of(TINY),
                List.of(new EngineTarget("broken", null, null), REFERENCE));
        assertEquals(BenchRow.Status.FAIL, rows.get(0).status());
        assertTrue(rows.get(0).note().contains("kernel build failed"), rows.get(0).note());
        assertTrue(progress.toString().contains("IllegalStateException"), "the trace goes to the progress stream");
        assertEquals(BenchRow.Status.PASS, rows.get(1).status(), rows.get(1).note());
    }

    @Test
    void unavailableEnginesAndSlowReferenceRunsAreSkipped() {
        Benchmark.EngineOpener refuses = (kind, device, net, initial) -> {
            throw new IllegalArgumentException("unknown engine '" + kind + "'");
        };
        List<EngineTarget> targets = List.of(REFERENCE, new EngineTarget("opencl", null, "no OpenCL device: none found"),
                new EngineTarget("cpu", null, null));
        List<BenchRow> rows = benchmark(2, false, new StringWriter(), refuses).run(List.of(TINY_SLOW), targets);
        assertEquals(List.of(BenchRow.Status.SKIPPED, BenchRow.Status.SKIPPED, BenchRow.Status.SKIPPED),
                rows.stream().map(BenchRow::status).toList());
        assertTrue(rows.get(0).note().contains("--engines reference"), rows.get(0).note());
        assertEquals("no OpenCL device: none found", rows.get(1).note());
        assertEquals("cannot open: unknown engine 'cpu'", rows.get(2).note());
        BenchReport report = new BenchReport(DATA.name(), 300, 90, 2, List.of(TINY_SLOW), rows);
        assertTrue(report.pass(), "skipped rows do not fail a run");
        JsonObject skipped = JsonParser.parseString(report.json()).getAsJsonObject().getAsJsonArray("results").get(1).getAsJsonObject();
        assertEquals("SKIPPED", skipped.get("status").getAsString());
        assertTrue(skipped.get("check_error").isJsonNull());
        assertTrue(skipped.get("samples_per_second").isJsonNull());
        assertTrue(report.text().contains("SKIPPED: no OpenCL device: none found"), report.text());

        List<BenchRow> named = benchmark(2, true, new StringWriter(), EngineSelector::open).run(List.of(TINY_SLOW), List.of(REFERENCE));
        assertEquals(BenchRow.Status.PASS, named.get(0).status(), "the reference runs a slow workload when named");
    }

    /** A conv network on the blobs read as 1x4x5 images. */
    private static final Workload TINY_CONV = new Workload("T3", Network.parse(new backpropcl.model.Shape(1, 4, 5),
            "conv:2x3x3:p1,relu,maxpool:2,flatten,dense:3,softmax", Cost.CROSS_ENTROPY), Init.HE, 10, 0.1, false, 300);

    @Test
    void convWorkloadRunsWhereItCanAndIsSkippedWithTheReasonElsewhere() {
        String refusal = "conv layers run on --engine reference in this version";
        Benchmark.EngineOpener referenceOnly = (kind, device, net, initial) -> {
            if (!kind.equals("reference")) {
                throw new IllegalArgumentException(refusal);
            }
            return EngineSelector.open(kind, device, net, initial);
        };
        List<BenchRow> rows = benchmark(2, false, new StringWriter(), referenceOnly).run(List.of(TINY_CONV),
                List.of(REFERENCE, new EngineTarget("cpu", null, null)));
        BenchRow ref = rows.get(0);
        assertEquals(BenchRow.Status.PASS, ref.status(), ref.note());
        assertEquals(0.0, ref.checkError());
        double median = EpochTimes.medianAfterFirst(ref.epochSeconds());
        // conv 2*1*9*20 = 360 products (4x), dense 2*2*2 = 8 inputs to 3 (6x): 1,440 + 144 per sample.
        assertEquals(1_584, FlopCount.perSample(TINY_CONV.network()));
        assertEquals(FlopCount.perEpoch(TINY_CONV.network(), 300, 10) / median / 1e9, ref.gflops(), 1e-9 * ref.gflops());
        assertEquals(BenchRow.Status.SKIPPED, rows.get(1).status());
        assertEquals("cannot open: " + refusal, rows.get(1).note());
        BenchReport report = new BenchReport(DATA.name(), 300, 90, 2, List.of(TINY_CONV), rows);
        assertTrue(report.pass(), report.text());
        assertTrue(report.text().contains("T3 = 1x4x5 -> conv:2x3x3:p1,relu,maxpool:2,flatten,dense:3,softmax cross-entropy"),
                report.text());
        assertTrue(report.text().contains("SKIPPED: cannot open: " + refusal), report.text());
    }

    @Test
    void checkComparesConvLayersAndABiasBeforeABatchNormWithItsWeights() {
        Network net = Network.parse(new backpropcl.model.Shape(1, 4, 5), "conv:2x3x3:p1,batchnorm,relu,flatten,dense:3,softmax",
                Cost.CROSS_ENTROPY);
        Parameters a = Init.HE.initialise(net, 3);
        Parameters b = a.copy();
        assertEquals(0.0, CorrectnessCheck.ofImageLayers(a, b));
        // Rounding noise on a conv bias of zeros: small against the layer's weights, not an infinite relative error.
        a.set("layers.0.bias", new float[] {1e-9f, -1e-9f});
        double noise = CorrectnessCheck.ofImageLayers(a, b);
        assertTrue(noise > 0 && noise < 1e-6, "noise " + noise);
        // A wrong conv weight is caught (the dense view alone would not see it).
        float[] w = b.copy("layers.0.weight");
        w[0] += 0.5f;
        a.set("layers.0.weight", w);
        assertTrue(CorrectnessCheck.ofImageLayers(a, b) > CorrectnessCheck.TOLERANCE);
        // And a wrong batchnorm beta.
        Parameters c = b.copy();
        c.set("layers.1.bias", new float[] {0.5f, 0f});
        assertTrue(CorrectnessCheck.ofImageLayers(c, b) > CorrectnessCheck.TOLERANCE);
    }
}
