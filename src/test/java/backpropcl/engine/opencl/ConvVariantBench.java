package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The two ways conv.cl computes a convolution, timed against each other on one device: the direct
 * kernels (one work-item per element written) and the im2col variant (conv_im2col and layout
 * kernels around the dense products, each product in every variant the tuner may pick, the best
 * kept), for the forward, the input delta and the weight and bias gradients, at the conv layers of
 * LeNet-5 (W4, batch 32) and of W5 (batch 64). Each time is the best of GemmBenchmark's five rounds.
 *
 * <p>Run: {@code java -cp ... backpropcl.engine.opencl.ConvVariantBench [device]} (the classpath
 * of bench/gemm.sh). Prints one table row per layer and pass.
 */
public final class ConvVariantBench {
    /** (label, rows, geometry). */
    static final Object[][] LAYERS = {
        {"W4 conv1 (LeNet: 1x28x28, conv:6x5x5:p2)", 32, new ConvGeometry(1, 28, 28, 6, 5, 1, 2)},
        {"W4 conv2 (LeNet: 6x14x14, conv:16x5x5)", 32, new ConvGeometry(6, 14, 14, 16, 5, 1, 0)},
        {"W5 conv1 (1x28x28, conv:32x3x3:p1)", 64, new ConvGeometry(1, 28, 28, 32, 3, 1, 1)},
        {"W5 conv2 (32x14x14, conv:64x3x3:p1)", 64, new ConvGeometry(32, 14, 14, 64, 3, 1, 1)},
    };

    private ConvVariantBench() {
    }

    public static void main(String[] args) {
        int device = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        try (ClContext ctx = ClContext.open(device); ClKernels k = new ClKernels(ctx)) {
            System.out.println("device: " + ctx.deviceName() + " (" + ctx.info().driverVersion() + ")");
            System.out.println("| layer, batch | pass | direct ms | im2col ms (best dense variant) | direct / im2col |");
            System.out.println("|---|---|---:|---:|---:|");
            ConvLayer conv = ConvLayer.of(k);
            DenseLayer dense = DenseLayer.of(k);
            KernelTuner tuner = new KernelTuner(ctx, dense, KernelTuner.Mode.TUNE, TuningCache.load(java.nio.file.Path.of("/dev/null/none")));
            for (Object[] layer : LAYERS) {
                rows(ctx, conv, dense, tuner, (String) layer[0], (int) layer[1], (ConvGeometry) layer[2]);
            }
        }
    }

    private static void rows(ClContext ctx, ConvLayer conv, DenseLayer dense, KernelTuner tuner, String label, int rows, ConvGeometry g) {
        Random rnd = new Random(1);
        List<ClBuffer> bufs = new ArrayList<>();
        try (ConvLayer.Im2colScratch s = ConvLayer.Im2colScratch.of(ctx, g, rows, "bench")) {
            ClBuffer x = GemmBenchmark.filled(ctx, bufs, rnd, (long) rows * g.inputs(), "x");
            ClBuffer zPrev = GemmBenchmark.filled(ctx, bufs, rnd, (long) rows * g.inputs(), "z_prev");
            ClBuffer deltaPrev = GemmBenchmark.filled(ctx, bufs, rnd, (long) rows * g.inputs(), "delta_prev");
            ClBuffer w = GemmBenchmark.filled(ctx, bufs, rnd, g.weights(), "W");
            ClBuffer b = GemmBenchmark.filled(ctx, bufs, rnd, g.filters(), "b");
            ClBuffer gw = GemmBenchmark.filled(ctx, bufs, rnd, g.weights(), "grad W");
            ClBuffer gb = GemmBenchmark.filled(ctx, bufs, rnd, g.filters(), "grad b");
            ClBuffer z = GemmBenchmark.filled(ctx, bufs, rnd, (long) rows * g.outputs(), "z");
            ClBuffer a = GemmBenchmark.filled(ctx, bufs, rnd, (long) rows * g.outputs(), "a");
            ClBuffer delta = GemmBenchmark.filled(ctx, bufs, rnd, (long) rows * g.outputs(), "delta");
            conv.im2col(s.cols, x, rows, g);
            Activation relu = Activation.RELU;
            for (Product product : Product.values()) {
                GemmBenchmark.Launch direct = switch (product) {
                    case FORWARD -> () -> conv.forward(z, a, x, w, b, rows, g, relu);
                    case BACKWARD -> () -> conv.backward(deltaPrev, delta, w, zPrev, x, rows, g, relu);
                    case GRADIENTS -> () -> {
                        conv.weightGradients(gw, delta, x, rows, g);
                        conv.biasGradients(gb, delta, rows, g);
                    };
                };
                double tDirect = GemmBenchmark.seconds(ctx, direct);
                double best = Double.MAX_VALUE;
                Variant bestVariant = null;
                for (Variant v : tuner.candidates(product)) {
                    GemmBenchmark.Launch im2col = switch (product) {
                        case FORWARD -> () -> conv.forwardIm2col(z, a, x, w, b, rows, g, relu, dense, v, s);
                        case BACKWARD -> () -> conv.backwardIm2col(deltaPrev, delta, w, zPrev, x, rows, g, relu, dense, v, s);
                        case GRADIENTS -> () -> conv.gradientsIm2col(gw, gb, w, b, delta, x, rows, g, dense, v, s);
                    };
                    double t = GemmBenchmark.seconds(ctx, im2col);
                    if (t < best) {
                        best = t;
                        bestVariant = v;
                    }
                }
                System.out.printf(Locale.ROOT, "| %s, %d | %s | %.3f | %.3f (%s) | %.2f |%n", label, rows,
                        product.name().toLowerCase(Locale.ROOT), tDirect * 1e3, best * 1e3, bestVariant, tDirect / best);
            }
        } finally {
            for (ClBuffer buf : bufs) {
                buf.close();
            }
        }
    }
}
