package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Gradients;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvLayer} and {@link BatchNormLayer} copy their tensors, gradients and optimizer state to
 * and from the engine's public forms by their names in the network's {@code ParameterLayout}
 * (layers.{k}.*), and back again unchanged.
 */
class ImageLayerTensorsTest {
    private static final Network NET = Network.parse(new Shape(3, 6, 6), "conv:4x3x3,batchnorm,relu,flatten,dense:2", Cost.QUADRATIC);

    @Test
    void parametersGoInAndOutByName() {
        Parameters p = Init.HE.initialise(NET, 7);
        p.set("layers.1.weight", new float[] {0.5f, 1.5f, -1f, 2f});
        p.set("layers.1.running_mean", new float[] {0.1f, 0.2f, 0.3f, 0.4f});
        p.set("layers.1.running_var", new float[] {1.1f, 1.2f, 1.3f, 1.4f});
        p.set("layers.1.num_batches_tracked", new float[] {3});
        ConvLayer conv = conv();
        BatchNormLayer bn = batchNorm();
        conv.setParameters(p);
        bn.setParameters(p);
        assertArrayEquals(p.copy("layers.0.weight"), conv.t.w);
        assertArrayEquals(p.copy("layers.1.running_var"), bn.runningVar);
        assertEquals(3, bn.batchesTracked);
        Parameters q = Parameters.zeros(NET);
        conv.copyParameters(q);
        bn.copyParameters(q);
        for (String name : new String[] {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
            "layers.1.running_var", "layers.1.num_batches_tracked"}) {
            assertArrayEquals(p.copy(name), q.copy(name), name);
        }
        // W^T follows W: the backward product reads it.
        assertEquals(conv.t.w[1 * conv.depth + 2], conv.wT[2 * conv.filters + 1]);
    }

    @Test
    void gradientsAndOptimizerStateGoOutAndBackIn() {
        Random rnd = new Random(41);
        ConvLayer conv = conv();
        conv.resetSlots(2);
        fill(rnd, conv.t.gradW, conv.t.gradB, conv.t.slotW[0], conv.t.slotW[1], conv.t.slotB[0], conv.t.slotB[1]);
        Gradients g = new Gradients(NET);
        conv.copyGradients(g);
        TrainingState s = TrainingState.zeros(NET, Optimizer.of(Optimizer.Kind.ADAM));
        conv.copyState(s);
        ConvLayer back = conv();
        back.resetSlots(2);
        back.setGradients(g);
        back.setSlots(s);
        assertArrayEquals(conv.t.gradW, back.t.gradW, "gradW");
        assertArrayEquals(conv.t.gradB, back.t.gradB, "gradB");
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(conv.t.slotW[k], back.t.slotW[k], "slot " + k + " of W");
            assertArrayEquals(conv.t.slotB[k], back.t.slotB[k], "slot " + k + " of b");
        }
    }

    @Test
    void batchNormStateGoesOutWithItsStatisticsAndItsSlotsComeBack() {
        Random rnd = new Random(42);
        BatchNormLayer bn = batchNorm();
        bn.resetSlots(1);
        fill(rnd, bn.t.gradW, bn.t.gradB, bn.t.slotW[0], bn.t.slotB[0], bn.runningMean);
        bn.batchesTracked = 5;
        Gradients g = new Gradients(NET);
        bn.copyGradients(g);
        TrainingState s = TrainingState.zeros(NET, Optimizer.of(Optimizer.Kind.MOMENTUM));
        bn.copyState(s);
        assertArrayEquals(TrainingState.doubles(bn.runningMean, 4), s.copy("layers.1.running_mean"));
        assertArrayEquals(new double[] {5}, s.copy("layers.1.num_batches_tracked"));
        BatchNormLayer back = batchNorm();
        back.resetSlots(1);
        back.setGradients(g);
        back.setSlots(s);
        assertArrayEquals(bn.t.gradW, back.t.gradW, "gradGamma");
        assertArrayEquals(bn.t.gradB, back.t.gradB, "gradBeta");
        assertArrayEquals(bn.t.slotW[0], back.t.slotW[0], "slot of gamma");
        assertArrayEquals(bn.t.slotB[0], back.t.slotB[0], "slot of beta");
    }

    private static ConvLayer conv() {
        return new ConvLayer(0, 3, 6, 6, 4, 3, 1, 0, Activation.IDENTITY, new ImageProducts(true));
    }

    private static BatchNormLayer batchNorm() {
        return new BatchNormLayer(1, 4, 16, Activation.RELU);
    }

    private static void fill(Random rnd, float[]... arrays) {
        for (float[] a : arrays) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian();
            }
        }
    }
}
