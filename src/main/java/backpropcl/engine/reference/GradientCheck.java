package backpropcl.engine.reference;

import backpropcl.model.Init;
import backpropcl.model.Network;
import java.util.Random;

/**
 * Checks backpropagation against central finite differences, in double:
 * dC/dw ~ (C(w + h) - C(w - h)) / 2h for every weight and bias of a small network on one random
 * batch. The relative error is ||backprop - numeric|| / ||numeric|| over all parameters.
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
     * Runs the check on the network with Xavier-initialised parameters from the seed, a random
     * batch of inputs in [0, 1) and random one-hot targets.
     */
    public static Result run(Network net, int batch, long seed) {
        Random rnd = new Random(seed);
        ReferenceEngine engine = new ReferenceEngine(net, Init.XAVIER.initialise(net, seed));
        // Xavier biases are zero; random ones exercise the bias gradients too.
        for (int l = 0; l < net.denseLayers(); l++) {
            double[] b = engine.biases(l);
            for (int j = 0; j < b.length; j++) {
                b[j] = 0.5 * rnd.nextGaussian();
            }
        }
        double[] x = new double[Math.multiplyExact(batch, net.inputSize())];
        double[] y = new double[Math.multiplyExact(batch, net.outputSize())];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble();
        }
        for (int r = 0; r < batch; r++) {
            y[r * net.outputSize() + rnd.nextInt(net.outputSize())] = 1.0;
        }
        engine.setBatch(x, y, batch);
        engine.feedforward();
        engine.backprop();

        double diff2 = 0;
        double norm2 = 0;
        double maxAbs = 0;
        long count = 0;
        for (int l = 0; l < net.denseLayers(); l++) {
            double[][] params = {engine.weights(l), engine.biases(l)};
            double[][] grads = {engine.nablaW(l).clone(), engine.nablaB(l).clone()};
            for (int t = 0; t < 2; t++) {
                double[] p = params[t];
                for (int i = 0; i < p.length; i++) {
                    double numeric = numericDerivative(engine, p, i);
                    double d = grads[t][i] - numeric;
                    diff2 += d * d;
                    norm2 += numeric * numeric;
                    maxAbs = Math.max(maxAbs, Math.abs(d));
                    count++;
                }
            }
        }
        double rel = norm2 == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / norm2);
        return new Result(net, batch, count, rel, maxAbs);
    }

    private static double numericDerivative(ReferenceEngine engine, double[] p, int i) {
        double saved = p[i];
        p[i] = saved + STEP;
        engine.feedforward();
        double plus = engine.batchCost();
        p[i] = saved - STEP;
        engine.feedforward();
        double minus = engine.batchCost();
        p[i] = saved;
        return (plus - minus) / (2 * STEP);
    }
}
