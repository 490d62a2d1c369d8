package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.OpenClTestSupport.floats;
import static backpropcl.engine.opencl.OpenClTestSupport.ints;
import static backpropcl.testing.Assertions2.assertCloseAndRelNorm;

import backpropcl.data.Dataset;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.opencl.OpenClTestSupport.Guarded;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * train_tail (kernels/fused_tail.cl) on its own: the first layer's z and a of a batch come from the
 * reference engine's step, every output buffer of the kernel is poisoned (with a guard after it),
 * and everything it computes (the later layers' z, a and delta, the first layer's delta, the later
 * layers' gradients, W and b after the step) must match that same reference step.
 */
class FusedTailKernelTest {
    // Per element (allclose) on one kernel's outputs: not the per-tensor norms of backpropcl.engine.Tolerances.
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;
    private static final float ETA = 0.7f;

    private static ClContext ctx;
    private static ClKernels kernels;

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        ctx = ClContext.open(0);
        kernels = new ClKernels(ctx);
    }

    @AfterAll
    static void close() {
        if (kernels != null) {
            kernels.close();
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    /** (arch, hidden, output, cost, batch rows): tails of 1 to 3 layers, every output error case, odd batches. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC, 10));
        out.add(Arguments.of("9-7-5-3", Activation.TANH, Activation.SIGMOID, Cost.CROSS_ENTROPY, 7));
        out.add(Arguments.of("12-8-6-4-3", Activation.TANH, Activation.SOFTMAX, Cost.QUADRATIC, 33));
        out.add(Arguments.of("20-10-4", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY, 1));
        out.add(Arguments.of("6-5-4", Activation.LEAKY_RELU, Activation.SIGMOID, Cost.QUADRATIC, 16));
        out.add(Arguments.of("10-6-5-2", Activation.RELU, Activation.IDENTITY, Cost.QUADRATIC, 11));
        out.add(Arguments.of("3-1-1", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC, 5));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}/{2}/{3} batch {4}")
    @MethodSource("cases")
    void tailMatchesTheReferenceStep(String arch, Activation hidden, Activation output, Cost cost, int rows) {
        Network net = Network.of(arch, hidden, output, cost);
        long seed = arch.hashCode() + rows;
        Parameters p = Init.XAVIER.initialise(net, seed);
        int start = 2;
        Dataset data = SyntheticData.random("random", seed, rows + start + 1, net.inputSize(), net.outputSize(), true);
        int layers = net.denseLayers();
        List<AutoCloseable> open = new ArrayList<>();
        try (ReferenceEngine ref = new ReferenceEngine(net, p)) {
            ref.setTrainingData(data);
            ref.setOrder(null);
            ref.trainBatch(start, rows, ETA);

            ClBuffer[] w = new ClBuffer[layers];
            ClBuffer[] b = new ClBuffer[layers];
            ClBuffer[] gw = new ClBuffer[layers];
            ClBuffer[] gb = new ClBuffer[layers];
            ClBuffer[] z = new ClBuffer[layers];
            ClBuffer[] a = new ClBuffer[layers];
            ClBuffer[] delta = new ClBuffer[layers];
            Guarded[][] outputs = new Guarded[layers][];
            LayerTrace first = ref.trace(0);
            // The first layer: z and a are the tail's input, its delta an output; its parameters are not the tail's.
            z[0] = keep(open, floats(ctx, toFloat(first.z()), "z[0]"));
            a[0] = keep(open, floats(ctx, toFloat(first.a()), "a[0]"));
            Guarded delta0 = keep(open, new Guarded(ctx, rows * net.size(1), "delta[0]"));
            delta[0] = delta0.buf;
            w[0] = b[0] = gw[0] = gb[0] = keep(open, floats(ctx, new float[] {0f}, "unused"));
            for (int l = 1; l < layers; l++) {
                int n = net.size(l + 1);
                int m = net.size(l);
                Guarded[] g = {
                    keep(open, new Guarded(ctx, n * m, "W[" + l + "]").with(p.copyWeights(l))),
                    keep(open, new Guarded(ctx, n, "b[" + l + "]").with(p.copyBiases(l))),
                    keep(open, new Guarded(ctx, n * m, "gradW[" + l + "]")),
                    keep(open, new Guarded(ctx, n, "gradB[" + l + "]")),
                    keep(open, new Guarded(ctx, rows * n, "z[" + l + "]")),
                    keep(open, new Guarded(ctx, rows * n, "a[" + l + "]")),
                    keep(open, new Guarded(ctx, rows * n, "delta[" + l + "]"))};
                outputs[l] = g;
                w[l] = g[0].buf;
                b[l] = g[1].buf;
                gw[l] = g[2].buf;
                gb[l] = g[3].buf;
                z[l] = g[4].buf;
                a[l] = g[5].buf;
                delta[l] = g[6].buf;
            }
            ClBuffer labels = keep(open, ints(ctx, data.labels(), "labels"));

            kernels.output().trainTail(rows, net, ETA, labels, null, start, w, b, gw, gb, z, a, delta);

            String what = "train_tail " + net + " batch " + rows;
            assertCloseAndRelNorm(what + " delta[0]", first.delta(), delta0.readChecked(what + " delta[0]"), ATOL, RTOL, seed);
            String[] names = {"W after", "b after", "gradW", "gradB", "z", "a", "delta"};
            for (int l = 1; l < layers; l++) {
                LayerTrace t = ref.trace(l);
                double[][] want = {t.weights(), t.biases(), t.gradW(), t.gradB(), t.z(), t.a(), t.delta()};
                for (int i = 0; i < names.length; i++) {
                    String at = what + " layer " + l + " " + names[i];
                    assertCloseAndRelNorm(at, want[i], outputs[l][i].readChecked(at), ATOL, RTOL, seed);
                }
            }
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
