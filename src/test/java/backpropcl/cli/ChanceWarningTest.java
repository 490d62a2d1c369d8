package backpropcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Evaluation;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.train.EpochResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The default learning rate that follows the network, and the warning of a run stuck at chance (issue 12, family 7). */
class ChanceWarningTest {
    private static Network net(String hidden, String output, String cost) {
        return Network.of("784-16-16-10", Activation.parse(hidden), Activation.parse(output), Cost.parse(cost));
    }

    @Test
    void defaultLearningRateFollowsTheNetwork() {
        Optimizer.Kind sgd = Optimizer.Kind.SGD;
        assertEquals(3.0, TrainCommand.defaultLearningRate(sgd, net("sigmoid", "sigmoid", "quadratic")), "the lesson: unchanged");
        assertEquals(3.0, TrainCommand.defaultLearningRate(sgd, net("sigmoid", "softmax", "quadratic")));
        assertEquals(0.1, TrainCommand.defaultLearningRate(sgd, net("relu", "sigmoid", "quadratic")));
        assertEquals(0.1, TrainCommand.defaultLearningRate(sgd, net("leaky-relu", "softmax", "cross-entropy")));
        assertEquals(0.3, TrainCommand.defaultLearningRate(sgd, net("tanh", "sigmoid", "quadratic")));
        assertEquals(0.3, TrainCommand.defaultLearningRate(sgd, net("sigmoid", "softmax", "cross-entropy")));
        assertEquals(0.3, TrainCommand.defaultLearningRate(sgd, net("sigmoid", "identity", "quadratic")));
        assertEquals(0.3, TrainCommand.defaultLearningRate(Optimizer.Kind.MOMENTUM, net("sigmoid", "sigmoid", "quadratic")));
        assertEquals(0.01, TrainCommand.defaultLearningRate(Optimizer.Kind.NESTEROV, net("relu", "softmax", "cross-entropy")));
        assertEquals(0.03, TrainCommand.defaultLearningRate(Optimizer.Kind.MOMENTUM, net("tanh", "softmax", "cross-entropy")));
        assertEquals(0.001, TrainCommand.defaultLearningRate(Optimizer.Kind.ADAM, net("relu", "softmax", "cross-entropy")));
        assertEquals(0.001, TrainCommand.defaultLearningRate(Optimizer.Kind.ADAMW, net("sigmoid", "sigmoid", "quadratic")));
    }

    /** 10 samples: labels 0,0,0,1,1,2,3,4,5,6; the most common class has 0.3 of them. */
    private static Dataset test() {
        return new Dataset("t", new float[10 * 784], new int[] {0, 0, 0, 1, 1, 2, 3, 4, 5, 6}, 10, 784, 10);
    }

    private static String warning(Network net, double lr, Init init, int epoch, long correct) {
        StringWriter s = new StringWriter();
        ChanceWarning w = new ChanceWarning(new PrintWriter(s), net, test(), lr, TrainCommand.defaultLearningRate(Optimizer.Kind.SGD, net),
                init);
        w.epochDone(new EpochResult(epoch, new Evaluation(2.3, correct, 10), null, 1, 1, lr));
        return s.toString().strip();
    }

    @Test
    void warnsOnceAtEpochTwoWhenAtChanceWithTheLikelyCause() {
        assertEquals(0.3, ChanceWarning.largestClassShare(test()));
        Network relu = net("relu", "sigmoid", "quadratic");
        assertEquals("warning: test accuracy 0.3000 after 2 epochs is chance level (always answering the most common class scores "
                + "0.3000); likely cause: --lr 3.0 is too high for this network (a relu unit that a large step pushes below 0 for every "
                + "input stops learning); try --lr 0.1 --init he", warning(relu, 3.0, Init.NORMAL, 2, 3));
        assertEquals("warning: test accuracy 0.2000 after 2 epochs is chance level (always answering the most common class scores "
                + "0.3000); likely cause: N(0,1) initial weights (--init normal) are far too large for relu layers; try --init he",
                warning(relu, 0.1, Init.NORMAL, 2, 2));
        Network lesson = net("sigmoid", "sigmoid", "quadratic");
        assertTrue(warning(lesson, 0.01, Init.NORMAL, 2, 3).endsWith("likely cause: --lr 0.01 is too low for this network; try --lr 3.0"));
        assertTrue(warning(lesson, 3.0, null, 2, 3).endsWith("likely cause: the learning rate or the initial weights; try another --lr "
                + "or --init, and check the data's labels"));
        assertEquals("", warning(relu, 3.0, Init.NORMAL, 1, 3), "not after epoch 1");
        assertEquals("", warning(relu, 3.0, Init.NORMAL, 3, 3), "only once, after epoch 2");
        assertEquals("", warning(relu, 3.0, Init.NORMAL, 2, 6), "0.6 is above chance");
    }
}
