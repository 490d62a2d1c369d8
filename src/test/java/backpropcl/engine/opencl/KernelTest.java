package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.OpenClTestSupport.floats;
import static backpropcl.engine.opencl.OpenClTestSupport.gaussian;
import static backpropcl.engine.opencl.OpenClTestSupport.ints;
import static backpropcl.engine.opencl.OpenClTestSupport.permutation;
import static backpropcl.engine.opencl.OpenClTestSupport.uniform;
import static backpropcl.testing.Assertions2.assertClose;
import static backpropcl.testing.Assertions2.assertRelNorm;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.engine.opencl.OpenClTestSupport.Guarded;
import backpropcl.engine.OptimizerStep;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Inference;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel on random inputs from a seed against the same formula in double (the model's own
 * functions where they exist), with outputs poisoned with NaN and a guard region after them.
 * Matrix-product kernels run with the device's tile and with a forced 4 x 4 tile, over shapes
 * that cover widths 1..784 and batches 1..257 and are mostly not multiples of either tile.
 */
class KernelTest {
    static final int[] WIDTHS = {1, 3, 10, 16, 17, 64, 100, 300, 784};
    static final int[] BATCHES = {1, 2, 10, 33, 100, 257};
    static final Activation[] ELEMENTWISE = {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU,
        Activation.IDENTITY};

    /** float32 against double on O(1) values: per element and in relative norm, a kernel test's bound beside {@link backpropcl.engine.Tolerances}. */
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-5;

    private static ClContext ctx;
    private static ClKernels device;   // the tile the device allows (16 on PoCL)
    private static DenseLayer small;    // a forced 4 x 4 tile, and four-lane blocked kernels

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        ctx = ClContext.open(0);
        device = new ClKernels(ctx);
        small = new DenseLayer(ctx, 4, BlockedShape.DEFAULT);
        assertEquals(4, small.tile());
        assertEquals(4, small.blockedShape().vw());
    }

    @AfterAll
    static void close() {
        if (small != null) {
            small.close();
        }
        if (device != null) {
            device.close();
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    /** The kernel variants every matrix test rotates through: both tiles, and the blocked family at three work-group sizes. */
    static final String[] VARIANTS = {"tiled/16", "tiled/4", "blocked/1", "blocked/4", "blocked/16", "four-lane blocked/4"};

    /** (rows, n, m, seed, variant): every width as m and as n, every batch, with every variant. */
    static Stream<Arguments> matrixShapes() {
        List<Arguments> out = new ArrayList<>();
        int seed = 100;
        int v = 0;
        for (int i = 0; i < WIDTHS.length; i++) {
            for (int j = 0; j < 3; j++) {
                int m = WIDTHS[i];
                int n = WIDTHS[(i + 3 * j + 1) % WIDTHS.length];
                int rows = BATCHES[(i + 2 * j) % BATCHES.length];
                out.add(Arguments.of(rows, n, m, seed++, VARIANTS[v++ % VARIANTS.length]));
            }
        }
        for (String variant : VARIANTS) {
            out.add(Arguments.of(257, 17, 784, seed++, variant));
            out.add(Arguments.of(33, 100, 64, seed++, variant));
            out.add(Arguments.of(10, 16, 784, seed++, variant));
        }
        return out.stream();
    }

    /** The dense routine of a variant name ("tiled/16" uses the device's tile, "blocked" the device's vector width). */
    static DenseLayer dense(String variant) {
        return variant.equals("tiled/4") || variant.startsWith("four-lane") ? small : DenseLayer.of(device);
    }

    static Variant variant(String name) {
        DenseLayer k = dense(name);
        return name.startsWith("tiled") ? k.tiled() : Variant.parse(name.replace("four-lane ", ""), k.tile());
    }

    @ParameterizedTest(name = "rows={0} n={1} m={2} seed={3} {4}")
    @MethodSource("matrixShapes")
    void denseForward(int rows, int n, int m, long seed, String variant) {
        Random rnd = new Random(seed);
        Activation act = seed % 6 == 5 ? Activation.SOFTMAX : ELEMENTWISE[(int) (seed % ELEMENTWISE.length)];
        float[] x = uniform(rnd, rows * m, -1, 1);
        float[] w = gaussian(rnd, n * m, Math.sqrt(2.0 / (n + m)));
        float[] b = gaussian(rnd, n, 0.3);
        double[] z = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double s = b[j];
                for (int k = 0; k < m; k++) {
                    s += (double) x[r * m + k] * w[j * m + k];
                }
                z[r * n + j] = s;
            }
        }
        double[] a = new double[z.length];
        act.apply(z, a, rows, n);
        try (ClBuffer xb = floats(ctx, x, "x"); ClBuffer wb = floats(ctx, w, "W"); ClBuffer bb = floats(ctx, b, "b");
             Guarded zb = new Guarded(ctx, rows * n, "z"); Guarded ab = new Guarded(ctx, rows * n, "a")) {
            dense(variant).forward(zb.buf, ab.buf, xb, wb, bb, rows, n, m, act, variant(variant));
            String what = "dense_forward " + variant + " " + act.cliName() + " " + rows + "x" + n + "x" + m;
            double[] zGot = zb.readChecked(what + " z");
            double[] aGot = ab.readChecked(what + " a");
            assertClose(what + " z", z, zGot, ATOL, RTOL, seed);
            assertRelNorm(what + " z", z, zGot, RTOL, seed);
            assertClose(what + " a", a, aGot, ATOL, RTOL, seed);
            assertRelNorm(what + " a", a, aGot, RTOL, seed);
            // The inputs are not outputs: still what was written.
            assertArrayEquals(x, readFloats(xb, x.length), "x unchanged");
        }
    }

    @ParameterizedTest(name = "rows={0} n={1} m={2} seed={3} {4}")
    @MethodSource("matrixShapes")
    void backward(int rows, int n, int m, long seed, String variant) {
        Random rnd = new Random(seed);
        Activation act = ELEMENTWISE[(int) (seed % ELEMENTWISE.length)];
        float[] delta = gaussian(rnd, rows * n, 0.5);
        float[] w = gaussian(rnd, n * m, Math.sqrt(2.0 / (n + m)));
        float[] zPrev = gaussian(rnd, rows * m, 1.5);
        float[] aPrev = new float[zPrev.length];
        for (int i = 0; i < zPrev.length; i++) {
            aPrev[i] = (float) act.value(zPrev[i]);
        }
        double[] gradA = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < m; k++) {
                    gradA[r * m + k] += (double) delta[r * n + j] * w[j * m + k];
                }
            }
        }
        double[] expected = new double[rows * m];
        act.backward(toDouble(zPrev), toDouble(aPrev), gradA, expected, rows, m);
        try (ClBuffer db = floats(ctx, delta, "delta"); ClBuffer wb = floats(ctx, w, "W"); ClBuffer zb = floats(ctx, zPrev, "z_prev");
             ClBuffer ab = floats(ctx, aPrev, "a_prev"); Guarded out = new Guarded(ctx, rows * m, "delta_prev")) {
            dense(variant).backward(out.buf, db, wb, zb, ab, rows, n, m, act, variant(variant));
            String what = "backward " + variant + " " + act.cliName() + " " + rows + "x" + n + "x" + m;
            double[] got = out.readChecked(what);
            assertClose(what, expected, got, ATOL, RTOL, seed);
            assertRelNorm(what, expected, got, RTOL, seed);
        }
    }

    @ParameterizedTest(name = "rows={0} n={1} m={2} seed={3} {4}")
    @MethodSource("matrixShapes")
    void gradientsAndUpdate(int rows, int n, int m, long seed, String variant) {
        Random rnd = new Random(seed);
        float eta = 0.37f;
        float[] delta = gaussian(rnd, rows * n, 0.5);
        float[] aPrev = uniform(rnd, rows * m, 0, 1);
        float[] w = gaussian(rnd, n * m, Math.sqrt(2.0 / (n + m)));
        float[] b = gaussian(rnd, n, 0.3);
        double[] gw = new double[n * m];
        double[] gb = new double[n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                gb[j] += delta[r * n + j];
                for (int k = 0; k < m; k++) {
                    gw[j * m + k] += (double) delta[r * n + j] * aPrev[r * m + k];
                }
            }
        }
        double[] wNew = new double[n * m];
        for (int i = 0; i < gw.length; i++) {
            gw[i] /= rows;
            wNew[i] = w[i] - (double) eta * gw[i];
        }
        double[] bNew = new double[n];
        for (int j = 0; j < n; j++) {
            gb[j] /= rows;
            bNew[j] = b[j] - (double) eta * gb[j];
        }
        try (ClBuffer db = floats(ctx, delta, "delta"); ClBuffer ab = floats(ctx, aPrev, "a_prev");
             Guarded wb = new Guarded(ctx, n * m, "W").with(w); Guarded bb = new Guarded(ctx, n, "b").with(b);
             Guarded gwb = new Guarded(ctx, n * m, "gradW"); Guarded gbb = new Guarded(ctx, n, "gradB")) {
            dense(variant).gradientsSgd(gwb.buf, wb.buf, gbb.buf, bb.buf, db, ab, rows, n, m, eta, variant(variant));
            String what = "gradients " + variant + " " + rows + "x" + n + "x" + m;
            double[] gwGot = gwb.readChecked(what + " gradW");
            double[] gbGot = gbb.readChecked(what + " gradB");
            assertClose(what + " gradW", gw, gwGot, ATOL, RTOL, seed);
            assertRelNorm(what + " gradW", gw, gwGot, RTOL, seed);
            assertClose(what + " gradB", gb, gbGot, ATOL, RTOL, seed);
            assertRelNorm(what + " gradB", gb, gbGot, RTOL, seed);
            assertClose(what + " W after", wNew, wb.readChecked(what + " W"), ATOL, RTOL, seed);
            assertClose(what + " b after", bNew, bb.readChecked(what + " b"), ATOL, RTOL, seed);
        }
    }

    /** Every rule with and without weight decay, on odd shapes, at Adam's first step and a later one. */
    static Stream<Arguments> optimizerSteps() {
        int[][] shapes = {{1, 1}, {3, 17}, {10, 784}, {300, 7}};
        List<Arguments> out = new ArrayList<>();
        long seed = 500;
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            for (double decay : new double[] {0, 0.05}) {
                int[] shape = shapes[(int) (seed % shapes.length)];
                out.add(Arguments.of(kind, decay, shape[0], shape[1], seed % 2 == 0 ? 1L : 7L, seed++));
            }
        }
        return out.stream();
    }

    /**
     * optimizer_step (kernels/update.cl) on the weights and biases of a dense layer of n x m, from
     * random parameters, gradients and state, against one update of the reference engine given the
     * same numbers; the guard after every tensor the kernel writes stays poisoned.
     */
    @ParameterizedTest(name = "{0} decay {1} n={2} m={3} step {4}")
    @MethodSource("optimizerSteps")
    void optimizerStepMatchesTheReference(Optimizer.Kind kind, double decay, int n, int m, long step, long seed) {
        Random rnd = new Random(seed);
        Optimizer o = Optimizer.of(kind).withMomentum(0.8).withBetas(0.85, 0.99).withEpsilon(1e-6).withWeightDecay(decay);
        double lr = kind.isAdam() ? 0.01 : 0.3;
        Network net = Network.of(m + "-" + n, Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        p.setWeights(0, gaussian(rnd, n * m, 0.5));
        p.setBiases(0, gaussian(rnd, n, 0.5));
        float[] gw = gaussian(rnd, n * m, 0.1);
        float[] gb = gaussian(rnd, n, 0.1);
        TrainingState before = TrainingState.fresh(p, o);
        before.setSteps(step - 1);
        float[][] slotW = new float[kind.slots()][];
        float[][] slotB = new float[kind.slots()][];
        for (int k = 0; k < kind.slots(); k++) {
            // Adam's second moment is a mean of squares: never negative.
            slotW[k] = k == 1 ? uniform(rnd, n * m, 0, 0.01) : gaussian(rnd, n * m, 0.1);
            slotB[k] = k == 1 ? uniform(rnd, n, 0, 0.01) : gaussian(rnd, n, 0.1);
            before.setSlotWeights(k, 0, slotW[k]);
            before.setSlotBiases(k, 0, slotB[k]);
        }
        TrainingState expected;
        try (ReferenceEngine ref = new ReferenceEngine(net, p)) {
            ref.setState(before);
            Gradients grads = new Gradients(net);
            grads.setWeights(0, gw);
            grads.setBiases(0, gb);
            ref.setGradients(grads);
            ref.update(lr);
            expected = ref.state();
        }
        OptimizerStep c = OptimizerStep.of(o, lr, step);
        String what = "optimizer_step " + o.describe() + " " + n + "x" + m + " step " + step;
        try (Guarded wb = new Guarded(ctx, n * m, "W").with(p.copyWeights(0)); Guarded bb = new Guarded(ctx, n, "b").with(p.copyBiases(0));
             ClBuffer gwb = floats(ctx, gw, "gradW"); ClBuffer gbb = floats(ctx, gb, "gradB");
             Guarded s1w = new Guarded(ctx, n * m, "s1 W"); Guarded s2w = new Guarded(ctx, n * m, "s2 W");
             Guarded s1b = new Guarded(ctx, n, "s1 b"); Guarded s2b = new Guarded(ctx, n, "s2 b")) {
            Guarded[] sw = {s1w, s2w};
            Guarded[] sb = {s1b, s2b};
            for (int k = 0; k < kind.slots(); k++) {
                sw[k].with(slotW[k]);
                sb[k].with(slotB[k]);
            }
            device.update().step(wb.buf, gwb, kind.slots() > 0 ? s1w.buf : null, kind.slots() > 1 ? s2w.buf : null, n * m, c, true);
            device.update().step(bb.buf, gbb, kind.slots() > 0 ? s1b.buf : null, kind.slots() > 1 ? s2b.buf : null, n, c, false);
            assertClose(what + " W", expected.copyWeights(0), wb.readChecked(what + " W"), ATOL, RTOL, seed);
            assertClose(what + " b", expected.copyBiases(0), bb.readChecked(what + " b"), ATOL, RTOL, seed);
            for (int k = 0; k < kind.slots(); k++) {
                String slot = what + " " + kind.slotName(k);
                assertClose(slot + " W", expected.copySlotWeights(k, 0), sw[k].readChecked(slot + " W"), ATOL, RTOL, seed);
                assertClose(slot + " b", expected.copySlotBiases(k, 0), sb[k].readChecked(slot + " b"), ATOL, RTOL, seed);
            }
        }
    }

    /** Softmax of rows with spreads up to +-1000: shifted by the row max, it never overflows. */
    @Test
    void softmaxRowsIsStable() {
        long seed = 7;
        Random rnd = new Random(seed);
        for (int n : new int[] {1, 3, 10, 17, 100, 300, 784}) {
            for (int rows : new int[] {1, 33}) {
                float[] z = gaussian(rnd, rows * n, 5);
                z[0] = 1000f;
                if (z.length > 1) {
                    z[z.length - 1] = -1000f;
                }
                double[] expected = new double[z.length];
                Activation.SOFTMAX.apply(toDouble(z), expected, rows, n);
                try (ClBuffer zb = floats(ctx, z, "z"); Guarded ab = new Guarded(ctx, rows * n, "a")) {
                    DenseLayer.of(device).softmaxRows(ab.buf, zb, rows, n);
                    String what = "softmax_rows " + rows + "x" + n;
                    double[] got = ab.readChecked(what);
                    assertClose(what, expected, got, 1e-7, RTOL, seed);
                    for (int r = 0; r < rows; r++) {
                        double s = 0;
                        for (int j = 0; j < n; j++) {
                            s += got[r * n + j];
                        }
                        assertEquals(1.0, s, 1e-5, what + " row " + r + " sums to 1");
                    }
                }
            }
        }
    }

    /** (cost, output activation) pairs the model allows. */
    static Stream<Arguments> costs() {
        List<Arguments> out = new ArrayList<>();
        for (Activation act : Activation.values()) {
            for (Cost cost : Cost.values()) {
                if (cost.supports(act)) {
                    out.add(Arguments.of(cost, act));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} after {1}")
    @MethodSource("costs")
    void outputError(Cost cost, Activation act) {
        long seed = 31L * cost.ordinal() + act.ordinal();
        Random rnd = new Random(seed);
        for (int n : new int[] {1, 3, 10, 17, 300}) {
            for (int rows : new int[] {1, 10, 257}) {
                int count = rows + 11;
                int start = 5;
                int[] labels = new int[count];
                for (int i = 0; i < count; i++) {
                    labels[i] = rnd.nextInt(n);
                }
                int[] order = permutation(rnd, count);
                float[] z = gaussian(rnd, rows * n, 2);
                float[] a = activations(act, z, rows, n);
                double[] y = new double[rows * n];
                for (int r = 0; r < rows; r++) {
                    y[r * n + labels[order[start + r]]] = 1;
                }
                double[] expected = new double[rows * n];
                cost.outputError(act, toDouble(z), toDouble(a), y, expected, rows, n);
                try (ClBuffer zb = floats(ctx, z, "z"); ClBuffer ab = floats(ctx, a, "a"); ClBuffer lb = ints(ctx, labels, "labels");
                     ClBuffer ob = ints(ctx, order, "order"); Guarded db = new Guarded(ctx, rows * n, "delta")) {
                    device.output().error(db.buf, zb, ab, lb, ob, start, rows, n, cost, act);
                    String what = "output_error " + cost.cliName() + "/" + act.cliName() + " " + rows + "x" + n;
                    double[] got = db.readChecked(what);
                    assertClose(what, expected, got, 1e-6, RTOL, seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} after {1}")
    @MethodSource("costs")
    void metrics(Cost cost, Activation act) {
        long seed = 77L * cost.ordinal() + act.ordinal();
        Random rnd = new Random(seed);
        for (int n : new int[] {1, 2, 10, 17}) {
            for (int rows : new int[] {1, 33, 257}) {
                int start = 3;
                int count = rows + start + 2;
                int[] labels = new int[count];
                for (int i = 0; i < count; i++) {
                    labels[i] = rnd.nextInt(n);
                }
                float[] z = gaussian(rnd, rows * n, 3);
                float[] a = activations(act, z, rows, n);
                double[] y = new double[rows * n];
                double cost0 = 0;
                long hits = 0;
                double[] zd = toDouble(z);
                double[] ad = toDouble(a);
                for (int r = 0; r < rows; r++) {
                    int label = labels[start + r];
                    y[r * n + label] = 1;
                    cost0 += cost.sampleCost(act, zd, ad, y, r * n, n);
                    hits += Inference.argmax(ad, r * n, n) == label ? 1 : 0;
                }
                int slot = 2;
                try (ClBuffer zb = floats(ctx, z, "z"); ClBuffer ab = floats(ctx, a, "a"); ClBuffer lb = ints(ctx, labels, "labels");
                     Guarded cb = new Guarded(ctx, 4, "cost per block"); ClBuffer hb = ints(ctx, new int[] {-1, -1, -1, -1, -1}, "hits")) {
                    device.output().metrics(cb.buf, hb, slot, zb, ab, lb, null, start, rows, n, cost, act);
                    String what = "metrics_reduce " + cost.cliName() + "/" + act.cliName() + " " + rows + "x" + n;
                    double[] costs = cb.readChecked(what);
                    int[] h = new int[5];
                    hb.read(h);
                    for (int s = 0; s < 4; s++) {
                        if (s != slot) {
                            assertTrue(Double.isNaN(costs[s]), what + ": slot " + s + " was written");
                        }
                    }
                    assertArrayEquals(new int[] {-1, -1, (int) hits, -1, -1}, h, what + " hits");
                    assertClose(what + " cost", new double[] {cost0}, new double[] {costs[slot]}, 1e-5, 1e-5, seed);
                }
            }
        }
    }

    @Test
    void gatherFloatRowsThroughThePermutation() {
        long seed = 11;
        Random rnd = new Random(seed);
        for (int width : new int[] {1, 3, 17, 784}) {
            int count = 45;
            float[] features = gaussian(rnd, count * width, 1);
            int[] order = permutation(rnd, count);
            int start = 7;
            int rows = 33;
            float[] expected = new float[rows * width];
            float[] identity = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(features, order[start + r] * width, expected, r * width, width);
                System.arraycopy(features, (start + r) * width, identity, r * width, width);
            }
            try (ClBuffer fb = floats(ctx, features, "features"); ClBuffer ob = ints(ctx, order, "order");
                 Guarded x = new Guarded(ctx, rows * width, "x")) {
                device.gather().f32(x.buf, fb, ob, start, rows, width);
                assertArrayEquals(toDouble(expected), x.readChecked("gather f32"), "gather_rows_f32 width " + width);
                device.gather().f32(x.buf, fb, null, start, rows, width);
                assertArrayEquals(toDouble(identity), x.readChecked("gather f32"), "gather_rows_f32 unordered width " + width);
            }
        }
    }

    /** Bytes through the table give back the host's k / 255f exactly. */
    @Test
    void gatherByteRowsThroughThePermutation() {
        long seed = 12;
        Random rnd = new Random(seed);
        int width = 784;
        int count = 40;
        float[] features = new float[count * width];
        for (int i = 0; i < features.length; i++) {
            features[i] = rnd.nextInt(256) / 255f;
        }
        float[] table = DeviceData.byteTable(features);
        assertTrue(table != null, "k / 255f features are byte-encodable");
        byte[] bytes = new byte[features.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Math.round(features[i] * 255f);
        }
        int[] order = permutation(rnd, count);
        int start = 3;
        int rows = 37;
        float[] expected = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(features, order[start + r] * width, expected, r * width, width);
        }
        try (ClBuffer fb = ctx.buffer(bytes.length, "bytes"); ClBuffer tb = floats(ctx, table, "table");
             ClBuffer ob = ints(ctx, order, "order"); Guarded x = new Guarded(ctx, rows * width, "x")) {
            fb.write(bytes);
            device.gather().u8(x.buf, fb, tb, ob, start, rows, width);
            assertArrayEquals(toDouble(expected), x.readChecked("gather u8"), "gather_rows_u8");
        }
    }

    @Test
    void byteTableRefusesWhatBytesCannotHoldExactly() {
        assertTrue(DeviceData.byteTable(new float[] {0f, 1f, 0.5f}) != null);
        assertEquals(null, DeviceData.byteTable(new float[] {0.3f, 0.3001f}), "two values in one bucket");
        assertEquals(null, DeviceData.byteTable(new float[] {-0.5f}), "negative");
        assertEquals(null, DeviceData.byteTable(new float[] {2f}), "above 1");
        assertEquals(null, DeviceData.byteTable(new float[] {Float.NaN}), "NaN");
    }

    /** a = f(z) in float: element-wise by the model's function, softmax per row in double then rounded. */
    static float[] activations(Activation act, float[] z, int rows, int n) {
        double[] a = new double[z.length];
        act.apply(toDouble(z), a, rows, n);
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static float[] readFloats(ClBuffer b, int n) {
        float[] f = new float[n];
        b.read(0, f, 0, n);
        return f;
    }
}
