package backpropcl.engine.reference;

import backpropcl.data.Dataset;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.TrainingState;
import java.util.Random;

/**
 * Checks backpropagation against central finite differences, in double:
 * dC/dw ~ (C(w + h) - C(w - h)) / 2h for every weight and bias of a small network on one random
 * batch. The relative error is ||backprop - numeric|| / ||numeric|| over all parameters.
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
            for (int i = 0; i < p.length; i++) {
                double numeric = numericDerivative(engine, state, p, i, batch);
                double d = grads[i] - numeric;
                diff2 += d * d;
                norm2 += numeric * numeric;
                maxAbs = Math.max(maxAbs, Math.abs(d));
                count++;
            }
            double rel = norm2 == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / norm2);
            return new Result(net, batch, count, rel, maxAbs);
        }
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
