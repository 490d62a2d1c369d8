package backpropcl.engine.reference;

import backpropcl.data.Dataset;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import java.util.List;
import java.util.Random;

/**
 * Checks backpropagation against central finite differences, in double:
 * dC/dw ~ (C(w + h) - C(w - h)) / 2h for every trainable value (weights, biases, batchnorm's gamma
 * and beta) of a small network on one random batch. The relative error is
 * ||backprop - numeric|| / ||numeric|| over all of them. Batchnorm is checked in training mode,
 * where its output depends on the whole batch through the batch statistics.
 *
 * <p>It uses the engine's public half only: {@link ReferenceEngine#computeGradients} and
 * {@link ReferenceEngine#gradients} for backprop, and for C the cost of the same batch in training
 * mode ({@link ReferenceEngine#trainingCost}) with one parameter moved through the training state.
 * Neither call advances the step, so a network with dropout is checked on one fixed mask: the one
 * of step 1 of the seed.
 */
public final class GradientCheck {
    /** Step of the central difference; its truncation error is O(h^2), its rounding O(eps/h). */
    public static final double STEP = 1e-5;

    private GradientCheck() {
    }

    /** Result of one check. */
    public record Result(Network network, int batch, long parameters, double relativeError, double maxAbsError) {
    }

    /** A network and the batch it is checked on. */
    public record Case(Network network, int batch) {
    }

    /**
     * Conv networks of odd shapes, each with its batch ({@code batch} is the check's default): 1 and
     * 3 channels, kernels 1, 3 and 5, stride 2, padding, a 1x1 spatial output, max pooling with a
     * partial window left over, batchnorm on images and on rows, two conv layers in a row, dropout
     * after a flatten, batches of 1, 2, 3 and the default.
     */
    public static List<Case> convolutionalCases(int batch) {
        return List.of(
                new Case(Network.parse(new Shape(1, 5, 5), "conv:2x3x3,sigmoid,flatten,dense:3,softmax", Cost.CROSS_ENTROPY), batch),
                new Case(Network.parse(new Shape(3, 6, 6), "conv:4x3x3:s2:p1,tanh,flatten,dense:2,sigmoid", Cost.QUADRATIC), 1),
                new Case(Network.parse(new Shape(2, 5, 5), "conv:3x5x5,tanh,flatten,dense:2,softmax", Cost.CROSS_ENTROPY), 3),
                new Case(Network.parse(new Shape(1, 7, 7), "conv:3x1x1,leaky-relu,maxpool:2,flatten,dense:3,softmax",
                        Cost.CROSS_ENTROPY), 2),
                new Case(Network.parse(new Shape(3, 6, 6), "conv:4x3x3:p1,batchnorm,tanh,maxpool:2:s1,flatten,dense:5,batchnorm,"
                        + "sigmoid,dense:2,softmax", Cost.CROSS_ENTROPY), 3),
                new Case(Network.parse(new Shape(1, 4, 4), "conv:2x3x3,batchnorm,sigmoid,flatten,dropout:0.3,dense:2,sigmoid",
                        Cost.QUADRATIC), 1),
                new Case(Network.parse(new Shape(1, 8, 8), "conv:3x3x3:p1,relu,maxpool:2,conv:4x3x3:s1,tanh,flatten,dense:4,sigmoid,"
                        + "dense:3,softmax", Cost.CROSS_ENTROPY), batch));
    }

    /**
     * Runs the check on the network with Xavier-initialised parameters from the seed, random
     * biases, a random batch of inputs in [0, 1) and random one-hot targets; dropout draws its
     * mask from the same seed.
     */
    public static Result run(Network net, int batch, long seed) {
        Random rnd = new Random(seed);
        try (ReferenceEngine engine = new ReferenceEngine(net, Init.XAVIER.initialise(net, seed))) {
            engine.setSeed(seed);
            // Xavier biases are zero; random ones exercise the bias gradients too.
            TrainingState state = engine.state();
            for (int l = 0; l < net.denseLayers(); l++) {
                for (int j = 0; j < net.size(l + 1); j++) {
                    state.setBias(l, j, 0.5 * rnd.nextGaussian());
                }
            }
            // So are conv biases and batchnorm's beta; gamma 1 +- 0.5 (after the dense ones: a dense network draws as before).
            for (ParameterLayout.Tensor t : state.layout().tensors()) {
                boolean bias = t.name().endsWith(".bias") && !isDense(net, t);
                boolean gamma = t.trainable() && !t.decayed() && t.name().endsWith(".weight");
                for (int i = 0; bias || gamma ? i < t.length() : false; i++) {
                    state.values()[t.index(i)] = (gamma ? 1 : 0) + 0.5 * rnd.nextGaussian();
                }
            }
            engine.setState(state);
            engine.setTrainingData(randomBatch(net, batch, rnd));
            engine.computeGradients(0, batch);
            Gradients backprop = engine.gradients();

            double diff2 = 0;
            double norm2 = 0;
            double maxAbs = 0;
            long count = 0;
            // The state and the gradients share one flat layout: every weight and bias, in layer order.
            double[] p = state.values();
            double[] grads = backprop.values();
            for (ParameterLayout.Tensor t : state.layout().tensors()) {
                for (int j = 0; t.trainable() && j < t.length(); j++) {
                    int i = t.index(j);
                    double numeric = numericDerivative(engine, state, p, i, batch);
                    double d = grads[i] - numeric;
                    diff2 += d * d;
                    norm2 += numeric * numeric;
                    maxAbs = Math.max(maxAbs, Math.abs(d));
                    count++;
                }
            }
            double rel = norm2 == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / norm2);
            return new Result(net, batch, count, rel, maxAbs);
        }
    }

    private static boolean isDense(Network net, ParameterLayout.Tensor t) {
        for (int l = 0; l < net.denseLayers(); l++) {
            if (t.name().startsWith("layers." + net.denseIndex(l) + ".")) {
                return true;
            }
        }
        return false;
    }

    /** A data set of one batch: inputs in [0, 1) and a random class per row. */
    private static Dataset randomBatch(Network net, int batch, Random rnd) {
        float[] x = new float[Math.multiplyExact(batch, net.inputSize())];
        int[] labels = new int[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble();
        }
        for (int r = 0; r < batch; r++) {
            labels[r] = rnd.nextInt(net.outputSize());
        }
        return new Dataset("gradcheck batch", x, labels, batch, net.inputSize(), net.outputSize());
    }

    /** (C(p[i] + h) - C(p[i] - h)) / 2h, p the state's flat buffer, which is set back afterwards. */
    private static double numericDerivative(ReferenceEngine engine, TrainingState state, double[] p, int i, int batch) {
        double saved = p[i];
        p[i] = saved + STEP;
        engine.setState(state);
        double plus = engine.trainingCost(0, batch);
        p[i] = saved - STEP;
        engine.setState(state);
        double minus = engine.trainingCost(0, batch);
        p[i] = saved;
        engine.setState(state);
        return (plus - minus) / (2 * STEP);
    }
}
