package backpropcl.engine.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReferenceEngineTest {

    @Test
    void oneNeuronByHand() {
        Network net = Network.of("1-1", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        p.setWeight(0, 0, 0.5f);
        p.setBias(0, 0, 0.125f);
        ReferenceEngine e = new ReferenceEngine(net, p);
        e.setBatch(new double[] {2}, new double[] {1}, 1);
        e.feedforward();
        e.backprop();
        double z = 0.5 * 2 + 0.125;
        double a = 1 / (1 + Math.exp(-z));
        double delta = (a - 1) * a * (1 - a);
        LayerTrace t = e.trace(0);
        assertEquals(z, t.z()[0], 1e-15);
        assertEquals(a, t.a()[0], 1e-15);
        assertEquals(delta, t.delta()[0], 1e-15);
        assertEquals(2 * delta, t.gradW()[0], 1e-15);
        assertEquals(delta, t.gradB()[0], 1e-15);
        assertEquals(0.5 * (a - 1) * (a - 1), e.batchCost(), 1e-15);
        e.update(3.0);
        assertEquals(0.5 - 3.0 * 2 * delta, e.weights(0)[0], 1e-15);
        assertEquals(0.125 - 3.0 * delta, e.biases(0)[0], 1e-15);
    }

    /** The gradient of a batch is the mean of its samples' gradients, for shapes from 1 to odd sizes. */
    @Test
    void batchGradientIsTheMeanOfSampleGradients() {
        Random rnd = new Random(5);
        int[][] shapes = {{1, 1}, {1, 3, 1}, {7, 1, 5}, {13, 17, 3}, {31, 8, 8, 10}};
        for (int[] shape : shapes) {
            for (int batch : new int[] {1, 2, 7, 33}) {
                StringBuilder arch = new StringBuilder();
                for (int s : shape) {
                    arch.append(arch.length() == 0 ? "" : "-").append(s);
                }
                Network net = Network.of(arch.toString(), Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
                Parameters p = Init.XAVIER.initialise(net, rnd.nextLong());
                double[] x = new double[batch * net.inputSize()];
                double[] y = new double[batch * net.outputSize()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = rnd.nextDouble();
                }
                for (int r = 0; r < batch; r++) {
                    y[r * net.outputSize() + rnd.nextInt(net.outputSize())] = 1;
                }
                ReferenceEngine whole = new ReferenceEngine(net, p);
                whole.setBatch(x, y, batch);
                whole.feedforward();
                whole.backprop();

                ReferenceEngine single = new ReferenceEngine(net, p);
                for (int l = 0; l < net.denseLayers(); l++) {
                    double[] sumW = new double[whole.gradW(l).length];
                    for (int r = 0; r < batch; r++) {
                        single.setBatch(slice(x, r, net.inputSize()), slice(y, r, net.outputSize()), 1);
                        single.feedforward();
                        single.backprop();
                        for (int i = 0; i < sumW.length; i++) {
                            sumW[i] += single.gradW(l)[i] / batch;
                        }
                    }
                    for (int i = 0; i < sumW.length; i++) {
                        assertEquals(sumW[i], whole.gradW(l)[i], 1e-13, arch + " batch " + batch + " layer " + l + " index " + i);
                    }
                }
            }
        }
    }

    private static double[] slice(double[] v, int row, int width) {
        double[] s = new double[width];
        System.arraycopy(v, row * width, s, 0, width);
        return s;
    }

    @Test
    void evaluateCountsArgmaxMatches() {
        Network net = Network.of("2-2", Activation.SIGMOID, Activation.IDENTITY, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        // Output = input: the argmax is the larger feature.
        p.setWeight(0, 0, 1);
        p.setWeight(0, 3, 1);
        float[] x = {0.9f, 0.1f, 0.2f, 0.7f, 0.6f, 0.3f};
        Dataset d = new Dataset("t", x, new int[] {0, 1, 1}, 3, 2, 2);
        Evaluation e = new ReferenceEngine(net, p).evaluate(d);
        assertEquals(2, e.correct());
        assertEquals(3, e.count());
        double cost = (0.5 * (0.01 + 0.01) + 0.5 * (0.04 + 0.09) + 0.5 * (0.36 + 0.49)) / 3;
        assertEquals(cost, e.meanCost(), 1e-7);
    }

    @Test
    void parametersRoundTripThroughFloat() {
        Network net = Network.of("5-4-3", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, 3);
        assertTrue(p.bitwiseEquals(new ReferenceEngine(net, p).parameters()));
    }
}
