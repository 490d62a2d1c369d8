package backpropcl.engine.opencl;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.RelativeError;
import backpropcl.engine.Tolerances;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import backpropcl.selftest.CheckCase;
import backpropcl.selftest.EngineCheck;
import backpropcl.selftest.RoleResult;
import backpropcl.selftest.SyntheticData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The workload of ci/oclgrind-suite, which starts this main under Oclgrind: whole training steps,
 * evaluate and trace of the OpenCL engine on OpenCL device 0, on shapes small enough for a
 * simulator and odd enough to hit every edge (widths 1, 3, 5, 7, 13, 17, 19; batches 1, 3, 17 and
 * partial ones; evaluation sets of 3, 13, 37 and 529 samples, multiples of no tile or block), each
 * checked against the reference engine. Between them the networks use every activation and both
 * costs, softmax with the quadratic cost included, and both feature paths (bytes and floats). It
 * goes through the public Engine API only, so it covers whatever kernels the engine launches.
 * Oclgrind's own reports (races, invalid accesses, uninitialized values, API errors) are judged by
 * the script; this main exits 1 when a result differs from the reference.
 *
 * <p>Two orders of the same work (see {@link Order}): {@code steady}, in which no engine buffer
 * ever grows, and {@code growing}, in which the batch and evaluation buffers are reallocated
 * larger. The second is for memory checks of reallocation; it is run without Oclgrind's
 * uninitialized-value check, which reports false positives there (docs/gpu.md).
 *
 * <pre>
 *   OclgrindSuite [--order steady|growing] [--require-device TEXT] [--only TEXT]
 *   OclgrindSuite --planted race|oob|uninit|api      one planted fault (see {@link PlantedFaults})
 *   OclgrindSuite --philox [--require-device TEXT]   kernels/philox.cl alone (see {@link #runPhilox})
 *   OclgrindSuite --dropout [--require-device TEXT]  kernels/dropout.cl alone (see {@link #runDropout})
 *   OclgrindSuite --conv|--maxpool|--batchnorm [--require-device TEXT]
 *                                                  kernels/conv.cl, maxpool.cl or batchnorm.cl alone
 *                                                  (see {@link #runConv}, {@link #runMaxPool}, {@link #runBatchNorm})
 * </pre>
 * {@code --require-device Oclgrind} exits 2 unless device 0 is the simulator, so that a run that
 * Oclgrind failed to intercept cannot pass on the real device unchecked; {@code --only} runs the
 * cases whose label contains the text.
 */
public final class OclgrindSuite {
    /** The order in which each case's batches and evaluation sets come. */
    enum Order {
        /**
         * Largest batch first, larger evaluation set first, training-run batches no larger: every
         * buffer keeps the size of its first allocation. Oclgrind 21.10's uninitialized-value check
         * loses track of kernel stores past the old size when a buffer is released and a larger one
         * created in its place (docs/gpu.md has a minimal reproduction), so this order is the one
         * run with that check.
         */
        STEADY,
        /** Batches and evaluation sets smallest first: the engine reallocates its buffers larger. */
        GROWING
    }

    private OclgrindSuite() {
    }

    public static void main(String[] args) {
        String required = null;
        String only = "";
        Order order = Order.STEADY;
        boolean philox = false;
        boolean dropout = false;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--planted" -> System.exit(PlantedFaults.run(value(args, i)));
                case "--philox" -> philox = true;
                case "--dropout" -> dropout = true;
                case "--conv", "--maxpool", "--batchnorm" -> file = args[i].substring(2);
                case "--require-device" -> required = value(args, i++);
                case "--only" -> only = value(args, i++);
                case "--order" -> order = parseOrder(value(args, i++));
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (file != null) {
            System.exit(switch (file) {
                case "conv" -> runConv(required);
                case "maxpool" -> runMaxPool(required);
                default -> runBatchNorm(required);
            });
        }
        System.exit(philox ? runPhilox(required) : dropout ? runDropout(required) : runSuite(order, required, only));
    }

    static int runSuite(Order order, String requiredDevice, String only) {
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty()) {
            System.err.println("oclgrind-suite: no OpenCL device: " + OpenClDevices.unavailableReason().orElse("none found"));
            return 2;
        }
        DeviceInfo d = devices.get(0);
        // The script checks the work-group limit on this line to see that its --max-wgsize reached the device.
        System.out.printf("oclgrind-suite: device 0 is %s (%s, %s, work-group <= %d), order %s%n", d.name(), d.platform(),
                d.openclVersion(), d.maxWorkGroupSize(), order.name().toLowerCase(Locale.ROOT));
        if (wrongDevice(d, requiredDevice)) {
            return 2;
        }
        long t0 = System.nanoTime();
        int failed = 0;
        int ran = 0;
        for (CheckCase c : cases(order)) {
            if (!c.label().contains(only)) {
                continue;
            }
            ran++;
            long t = System.nanoTime();
            try (OpenClEngine cl = new OpenClEngine(c.network(), c.initial(), 0);
                 ReferenceEngine ref = new ReferenceEngine(c.network(), c.initial())) {
                List<RoleResult> results = EngineCheck.run(c, cl, ref);
                System.out.printf(Locale.ROOT, "%s  (%.1f s)%n", c.label(), (System.nanoTime() - t) / 1e9);
                for (RoleResult r : results) {
                    System.out.printf(Locale.ROOT, "  %-18s %11.3e %8.0e  %s  %s%n", r.role().label(), r.error(), r.tolerance(),
                            r.pass() ? "PASS" : "FAIL", r.where());
                    failed += r.pass() ? 0 : 1;
                }
            } catch (RuntimeException e) {
                System.out.println(c.label() + "  FAIL: " + e);
                e.printStackTrace(System.out);
                failed++;
            }
        }
        for (Optimizer o : OPTIMIZERS) {
            String label = "optimizer " + o.describe() + " on 7-5-3, fused tail and layered";
            if (!label.contains(only)) {
                continue;
            }
            ran++;
            long t = System.nanoTime();
            try {
                double error = optimizerError(o);
                boolean pass = error <= OPTIMIZER_TOLERANCE;
                System.out.printf(Locale.ROOT, "%s  (%.1f s)%n  %-18s %11.3e %8.0e  %s  after 3 steps%n", label,
                        (System.nanoTime() - t) / 1e9, "optimizer state", error, OPTIMIZER_TOLERANCE, pass ? "PASS" : "FAIL");
                failed += pass ? 0 : 1;
            } catch (RuntimeException e) {
                System.out.println(label + "  FAIL: " + e);
                e.printStackTrace(System.out);
                failed++;
            }
        }
        if (ran == 0) {
            System.err.println("oclgrind-suite: no case's label contains '" + only + "'");
            return 2;
        }
        System.out.printf(Locale.ROOT, "oclgrind-suite: %s (%d of %d cases run, %d checks failed, %.1f s)%n",
                failed == 0 ? "results match the reference" : "MISMATCH", ran, cases(order).size() + OPTIMIZERS.size(), failed,
                (System.nanoTime() - t0) / 1e9);
        return failed == 0 ? 0 : 1;
    }

    /**
     * philox_fill (kernels/philox.cl, which the engine does not build yet) bit for bit against the
     * Java generator, output poisoned and guarded (PhiloxFill), on sizes that are multiples of no
     * work-group; 0 when every case matches, 1 otherwise.
     */
    static int runPhilox(String requiredDevice) {
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty() || wrongDevice(devices.get(0), requiredDevice)) {
            System.err.println("oclgrind-suite: no OpenCL device 0 to run kernels/philox.cl on, or not the required one");
            return 2;
        }
        int failed = 0;
        try (ClContext ctx = ClContext.open(0); PhiloxFill fill = new PhiloxFill(ctx)) {
            int[][] sizes = {{1, 16}, {37, 16}, {257, 64}};
            for (int[] s : sizes) {
                String problem = fill.problem(ctx, 0x0123456789abcdefL, 0x700000003L, 2, s[0], s[1]);
                System.out.printf(Locale.ROOT, "philox_fill n %d work-group %d: %s%n", s[0], s[1], problem == null ? "PASS" : "FAIL " + problem);
                failed += problem == null ? 0 : 1;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /**
     * dropout_forward and dropout_backward (kernels/dropout.cl, with the philox.cl it needs, built
     * alone) element by element against model.DropoutMask, output poisoned with guards before and
     * after it (DropoutApply), on blocks that are multiples of no work-group, a batch's first rows
     * and a later slice of one (rows 5.., a data-parallel replica's); 0 when every case
     * matches, 1 otherwise.
     */
    static int runDropout(String requiredDevice) {
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty() || wrongDevice(devices.get(0), requiredDevice)) {
            System.err.println("oclgrind-suite: no OpenCL device 0 to run kernels/dropout.cl on, or not the required one");
            return 2;
        }
        int failed = 0;
        try (ClContext ctx = ClContext.open(0); DropoutApply apply = new DropoutApply(ctx)) {
            int[][] shapes = {{1, 1, 16, 0}, {1, 7, 16, 0}, {9, 29, 64, 0}, {9, 29, 64, 5}};
            for (int[] s : shapes) {
                for (boolean backward : new boolean[] {false, true}) {
                    String problem = apply.problem(ctx, 0x0123456789abcdefL, 0x700000003L, 3, 0.5, s[3], s[0], s[1], s[2], backward);
                    System.out.printf(Locale.ROOT, "dropout_%s rows %d.. (%d, %d) work-group %d: %s%n", backward ? "backward" : "forward",
                            s[3], s[0], s[1], s[2], problem == null ? "PASS" : "FAIL " + problem);
                    failed += problem == null ? 0 : 1;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** A case of a kernel file's check: its label, and its problem (null when there is none) when run. */
    private record KernelCase(String label, java.util.function.Supplier<String> run) {
    }

    /**
     * Runs the cases of kernel file {@code file} in order, printing PASS or FAIL with the problem
     * for each; 0 when every case passes, 1 when one fails.
     */
    private static int runCases(String file, List<KernelCase> cases) {
        int failed = 0;
        for (KernelCase c : cases) {
            String problem = c.run().get();
            System.out.println(c.label() + ": " + (problem == null ? "PASS" : "FAIL " + problem));
            failed += problem == null ? 0 : 1;
        }
        System.out.printf(Locale.ROOT, "%s: %d of %d cases pass%n", file, cases.size() - failed, cases.size());
        return failed == 0 ? 0 : 1;
    }

    /** Whether device 0 is there and is the required one; says on stderr why not. */
    private static boolean haveDevice(String file, String requiredDevice) {
        List<DeviceInfo> devices = OpenClDevices.list();
        if (devices.isEmpty() || wrongDevice(devices.get(0), requiredDevice)) {
            System.err.println("oclgrind-suite: no OpenCL device 0 to run " + file + " on, or not the required one");
            return false;
        }
        return true;
    }

    /**
     * conv_forward, conv_backward, conv_weight_gradients and conv_bias_gradients (kernels/conv.cl
     * with common.cl, built alone), and the im2col variant's passes (conv.cl's im2col, layout,
     * col2im and scale kernels around the dense products of the dense routine), against
     * ConvCheck's loops, outputs between poisoned guards, on small shapes with kernels 1 and 3,
     * strides 1 and 2, padding 0 to 2 and a 1x1 output.
     */
    static int runConv(String requiredDevice) {
        if (!haveDevice("kernels/conv.cl", requiredDevice)) {
            return 2;
        }
        Object[][] shapes = {
            {1, new ConvGeometry(1, 5, 5, 2, 1, 1, 0), Activation.RELU},
            {3, new ConvGeometry(3, 7, 6, 2, 3, 2, 1), Activation.TANH},
            {2, new ConvGeometry(2, 4, 4, 1, 3, 2, 2), Activation.LEAKY_RELU},
            {1, new ConvGeometry(3, 3, 3, 3, 3, 1, 0), Activation.SIGMOID},
        };
        try (ConvCheck check = new ConvCheck(CheckBuffers.onDevice0())) {
            List<KernelCase> cases = new ArrayList<>();
            for (ConvCheck.Kernel kernel : ConvCheck.Kernel.values()) {
                for (Object[] s : shapes) {
                    cases.add(new KernelCase(kernel.name().toLowerCase(Locale.ROOT) + " rows " + s[0] + " " + s[1],
                            () -> check.problem(kernel, (int) s[0], (ConvGeometry) s[1], (Activation) s[2], 31)));
                }
            }
            return runCases("kernels/conv.cl", cases);
        }
    }

    /**
     * maxpool_forward and maxpool_backward (kernels/maxpool.cl with common.cl, built alone) against
     * MaxPoolCheck's loops and the first-maximum rule, with and without ties, outputs between
     * poisoned guards, on adjacent, overlapping and gapped windows.
     */
    static int runMaxPool(String requiredDevice) {
        if (!haveDevice("kernels/maxpool.cl", requiredDevice)) {
            return 2;
        }
        Object[][] shapes = {
            {1, new PoolGeometry(1, 4, 4, 2, 2), true},
            {3, new PoolGeometry(3, 7, 9, 3, 2), true},
            {2, new PoolGeometry(1, 10, 11, 2, 3), false},
        };
        try (MaxPoolCheck check = new MaxPoolCheck(CheckBuffers.onDevice0())) {
            List<KernelCase> cases = new ArrayList<>();
            for (boolean backward : new boolean[] {false, true}) {
                for (Object[] s : shapes) {
                    cases.add(new KernelCase((backward ? "maxpool_backward" : "maxpool_forward") + " rows " + s[0] + " " + s[1]
                            + (Boolean.TRUE.equals(s[2]) ? " with ties" : ""),
                            () -> check.problem(backward, (int) s[0], (PoolGeometry) s[1], Activation.RELU, (boolean) s[2], 37)));
                }
            }
            return runCases("kernels/maxpool.cl", cases);
        }
    }

    /**
     * batchnorm_statistics, batchnorm_forward (training and evaluation), batchnorm_backward and
     * batchnorm_running_update (kernels/batchnorm.cl with common.cl, built alone) against
     * BatchNormCheck's loops, outputs between poisoned guards, with the device's reduction
     * work-group and a forced one of 4, on images, flat rows and a count past 256.
     */
    static int runBatchNorm(String requiredDevice) {
        if (!haveDevice("kernels/batchnorm.cl", requiredDevice)) {
            return 2;
        }
        int[][] shapes = {{3, 3, 25}, {7, 2, 1}, {1, 2, 300}};
        try (BatchNormCheck device = new BatchNormCheck(CheckBuffers.onDevice0(), LaunchSizes.REDUCTION_WG)) {
            try (BatchNormCheck small = new BatchNormCheck(new CheckBuffers(device.context()), 4)) {
                List<KernelCase> cases = new ArrayList<>();
                for (BatchNormCheck.Kernel kernel : BatchNormCheck.Kernel.values()) {
                    for (int[] s : shapes) {
                        for (BatchNormCheck check : new BatchNormCheck[] {device, small}) {
                            cases.add(new KernelCase(String.format(Locale.ROOT, "%s (%d, %d, %d) work-groups %s",
                                    kernel.name().toLowerCase(Locale.ROOT), s[0], s[1], s[2],
                                    java.util.Arrays.toString(check.reductionWorkGroups())),
                                    () -> check.problem(kernel, s[0], s[1], s[2], Activation.TANH, 41)));
                        }
                    }
                }
                return runCases("kernels/batchnorm.cl", cases);
            }
        }
    }

    /** True (and says so on stderr) when a device is required and device 0 is not it: Oclgrind did not intercept OpenCL. */
    private static boolean wrongDevice(DeviceInfo d, String requiredDevice) {
        if (requiredDevice != null && !(d.name() + " " + d.platform()).contains(requiredDevice)) {
            System.err.println("oclgrind-suite: device 0 is not '" + requiredDevice + "': Oclgrind did not intercept OpenCL");
            return true;
        }
        return false;
    }

    /** The rules kernels/update.cl runs (plain SGD is fused into the gradient kernels, which the cases above check). */
    static final List<Optimizer> OPTIMIZERS = List.of(
            Optimizer.of(Optimizer.Kind.ADAMW).withWeightDecay(0.1),
            Optimizer.of(Optimizer.Kind.NESTEROV).withWeightDecay(0.01));

    /** One step, float32 against double ({@link Tolerances#ONE_STEP_F32}), held here over three steps. */
    static final double OPTIMIZER_TOLERANCE = Tolerances.ONE_STEP_F32;

    /**
     * Three steps of {@code o} on a 7-5-3 network with and without the fused tail (batches of 4,
     * then 3 through the same buffers): the largest relative error of the parameters and the
     * optimizer's state tensors against the reference.
     */
    static double optimizerError(Optimizer o) {
        Network net = net(new int[] {7, 5, 3}, Cost.CROSS_ENTROPY, Activation.TANH, Activation.SOFTMAX);
        Parameters p = Init.XAVIER.initialise(net, 13);
        Dataset train = SyntheticData.random("train", 13, 11, 7, 3, true);
        double worst = 0;
        for (boolean tail : new boolean[] {true, false}) {
            try (OpenClEngine cl = new OpenClEngine(net, p, 0, KernelTuner.Mode.fromEnvironment(), tail);
                 ReferenceEngine ref = new ReferenceEngine(net, p)) {
                for (Engine e : new Engine[] {cl, ref}) {
                    e.setOptimizer(o);
                    e.setTrainingData(train);
                    e.setOrder(null);
                    e.trainBatch(0, 4, 0.05);
                    e.trainBatch(4, 4, 0.05);
                    e.trainBatch(8, 3, 0.05);
                }
                TrainingState a = cl.state();
                TrainingState b = ref.state();
                for (int l = 0; l < net.denseLayers(); l++) {
                    worst = Math.max(worst, RelativeError.of(b.copyWeights(l), a.copyWeights(l)));
                    worst = Math.max(worst, RelativeError.of(b.copyBiases(l), a.copyBiases(l)));
                    for (int k = 0; k < o.kind().slots(); k++) {
                        worst = Math.max(worst, RelativeError.of(b.copySlotWeights(k, l), a.copySlotWeights(k, l)));
                        worst = Math.max(worst, RelativeError.of(b.copySlotBiases(k, l), a.copySlotBiases(k, l)));
                    }
                }
            }
        }
        return worst;
    }

    /** The networks, data and batches; small, because Oclgrind interprets every work-item. */
    static List<CheckCase> cases(Order order) {
        List<CheckCase> out = new ArrayList<>();
        // Batches 1, 3, 17 and the partial rest of the 23-sample epoch.
        out.add(make(order, net(new int[] {7, 5, 3}, Cost.QUADRATIC, Activation.SIGMOID, Activation.SIGMOID), Init.NORMAL,
                23, 37, true, List.of(1, 3, 17, 2), true, 2.0, 6, 4, 7));
        // Two hidden layers; a 529-sample evaluation (more than one evaluation block); file order.
        out.add(make(order, net(new int[] {13, 9, 4, 2}, Cost.CROSS_ENTROPY, Activation.TANH, Activation.RELU, Activation.SIGMOID),
                Init.XAVIER, 21, 529, false, List.of(4, 17), false, 0.5, 5, 5, 8));
        // Softmax with the quadratic cost: the Jacobian-product output error.
        out.add(make(order, net(new int[] {7, 5, 3}, Cost.QUADRATIC, Activation.LEAKY_RELU, Activation.SOFTMAX), Init.HE,
                20, 13, true, List.of(3, 17), true, 1.0, 4, 6, 9));
        // Widths past a 16-tile and a batch of 17: two tiles in every direction.
        out.add(make(order, net(new int[] {19, 17, 3}, Cost.CROSS_ENTROPY, Activation.RELU, Activation.SOFTMAX), Init.HE,
                18, 37, false, List.of(1, 17), true, 0.3, 3, 7, 10));
        // Width 1 everywhere, identity output with the quadratic cost.
        out.add(make(order, net(new int[] {1, 1, 1}, Cost.QUADRATIC, Activation.IDENTITY, Activation.IDENTITY), Init.NORMAL,
                5, 3, true, List.of(1, 3), true, 0.1, 3, 2, 11));
        // A hidden layer of width 1 before a softmax.
        out.add(make(order, net(new int[] {3, 1, 4}, Cost.CROSS_ENTROPY, Activation.IDENTITY, Activation.SOFTMAX), Init.XAVIER,
                10, 13, false, List.of(1, 3), false, 0.5, 3, 3, 12));
        // Dropout on the input and after a hidden layer, inside whole engine steps (dropout.cl in place).
        out.add(make(order, Network.parse(9, "dropout:0.25,dense:6,tanh,dropout:0.5,dense:3,softmax", Cost.QUADRATIC), Init.XAVIER,
                19, 13, true, List.of(2, 17), true, 0.5, 3, 4, 13));
        // A conv network: conv (im2col under the pinned kernel families), relu, max pooling, batch norm (batch and running
        // statistics, evaluation on the running ones), flatten and dense, inside whole engine steps.
        out.add(make(order, Network.parse(new Shape(2, 5, 5), "conv:3x3x3:p1,relu,maxpool:2,batchnorm,flatten,dense:3,softmax",
                Cost.CROSS_ENTROPY), Init.HE, 19, 13, true, List.of(2, 9), true, 0.3, 3, 2, 14));
        return out;
    }

    private static Network net(int[] sizes, Cost cost, Activation... activations) {
        return new Network(sizes, activations, cost);
    }

    /**
     * One case; {@code growingBatches} smallest first, reordered for {@code order}. The second
     * evaluation set has the other feature type than the training set, so both are uploaded.
     */
    private static CheckCase make(Order order, Network net, Init init, int trainCount, int evalCount, boolean bytes,
                                  List<Integer> growingBatches, boolean shuffled, double lr, int trainingSteps,
                                  int trainingBatch, long seed) {
        int classes = net.outputSize();
        Dataset train = SyntheticData.random("train", seed, trainCount, net.inputSize(), classes, bytes);
        Dataset eval = SyntheticData.random("second set", seed + 100, evalCount, net.inputSize(), classes, !bytes);
        Comparator<Dataset> bySize = Comparator.comparingInt(Dataset::count);
        List<Integer> batches = new ArrayList<>(growingBatches);
        List<Dataset> evaluations = new ArrayList<>(List.of(train, eval));
        if (order == Order.STEADY) {
            batches.sort(Comparator.reverseOrder());
            evaluations.sort(bySize.reversed());
            if (trainingBatch > batches.get(0)) {
                throw new IllegalArgumentException(net + ": a training batch of " + trainingBatch + " would grow the buffers");
            }
        } else {
            evaluations.sort(bySize);
        }
        Parameters initial = init.initialise(net, seed);
        String label = net + ", " + (bytes ? "byte" : "float") + " features, batches " + batches;
        return new CheckCase(label, initial, train, evaluations, batches, shuffled, lr, trainingSteps, trainingBatch, seed);
    }

    private static Order parseOrder(String s) {
        try {
            return Order.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            usage("--order takes steady or growing, not " + s);
            return Order.STEADY;
        }
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            usage(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static void usage(String problem) {
        System.err.println("OclgrindSuite: " + problem + "; usage: OclgrindSuite [--order steady|growing|--philox|--dropout|--conv|--maxpool"
                + "|--batchnorm] [--require-device TEXT]"
                + " [--only TEXT] | --planted " + String.join("|", PlantedFaults.NAMES));
        System.exit(2);
    }
}
