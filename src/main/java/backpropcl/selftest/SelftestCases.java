package backpropcl.selftest;

import backpropcl.data.DataSources;
import backpropcl.data.DataSplit;
import backpropcl.data.Dataset;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Shape;
import java.util.List;

/**
 * The networks {@code backprop-cl selftest} checks: the two networks users train most (on the
 * bundled MNIST digits), two small odd ones that between them reach every activation, both
 * costs, softmax with the quadratic cost, width 1, batch 1 and partial tiles, one with dropout,
 * and a conv network with max pooling and batch norm.
 */
public final class SelftestCases {
    private static final long SEED = 20240607L;
    /** Enough MNIST samples for 100 steps to wrap an epoch; the evaluation uses the 2,000 test digits. */
    private static final int MNIST_TRAIN = 1500;

    private SelftestCases() {
    }

    /** A network on random data: a training set, a second set for evaluate(), then 100 training steps. */
    private static CheckCase smallCase(Network net, int trainCount, int evalCount, boolean byteLike, List<Integer> batches,
                                       boolean shuffled, double lr, int trainingBatch) {
        String name = "random " + net.inputSize() + "-wide";
        Dataset train = SyntheticData.random(name, SEED, trainCount, net.inputSize(), net.outputSize(), byteLike);
        Dataset eval = SyntheticData.random(name + " (second set)", SEED + 1, evalCount, net.inputSize(), net.outputSize(), byteLike);
        return new CheckCase(net.toString(), Init.XAVIER.initialise(net, SEED), train, List.of(train, eval), batches, shuffled,
                lr, 100, trainingBatch, SEED);
    }

    public static List<CheckCase> defaults() {
        DataSplit mnist = DataSources.resolve(DataSources.DEFAULT, 10);
        Dataset train = mnist.train().head(MNIST_TRAIN);
        Dataset test = mnist.test();

        Network classic = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Network deep = Network.of("784-128-64-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Network odd = new Network(new int[] {13, 9, 4, 3},
                new Activation[] {Activation.TANH, Activation.LEAKY_RELU, Activation.SOFTMAX}, Cost.QUADRATIC);
        Network dropout = Network.parse(64, "dropout:0.2,dense:32,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        // LeNet-like with every image layer kind. Batch norm follows the pooling, not a bias (whose gradient it makes 0); not
        // after dense:16,relu either: there float32 itself drifts from float64 by 1e-1 in 100 steps (PyTorch's too), so the
        // training row could not tell a bad device from a good one.
        Network conv = Network.parse(new Shape(1, 28, 28), "conv:4x5x5:p2,relu,maxpool:2,batchnorm,conv:6x3x3,tanh,flatten,dense:16,"
                + "relu,dense:10,softmax", Cost.CROSS_ENTROPY);
        Network narrow = new Network(new int[] {29, 1, 6, 2},
                new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.SIGMOID}, Cost.CROSS_ENTROPY);

        return List.of(
                new CheckCase(classic.toString(), Init.NORMAL.initialise(classic, SEED), train, List.of(train, test),
                        List.of(10), true, 3.0, 100, 10, SEED),
                new CheckCase(deep.toString(), Init.HE.initialise(deep, SEED), train, List.of(train, test),
                        List.of(32), true, 0.1, 100, 32, SEED),
                // Float features (not byte-like), a batch over two 16-tiles, then a smaller one in the same buffers.
                smallCase(odd, 300, 77, false, List.of(37, 5), true, 1.0, 7),
                // Batch 1, then a larger one (the batch buffers grow), in file order.
                smallCase(narrow, 200, 51, true, List.of(1, 17), false, 0.5, 17),
                // Dropout on the input and on a hidden layer: every engine drops the reference's elements.
                smallCase(dropout, 200, 51, false, List.of(33, 8), true, 0.3, 16),
                // Conv (direct or im2col), max pooling and batch norm on the digits, a batch then a smaller one.
                new CheckCase(conv.toString(), Init.HE.initialise(conv, SEED), train, List.of(train, test), List.of(16, 5), true, 0.05,
                        100, 16, SEED));
    }
}
