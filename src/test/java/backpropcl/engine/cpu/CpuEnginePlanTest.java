package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import backpropcl.data.Dataset;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.selftest.SyntheticData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cpu engine's factory: one layer object per layer kind, with the fusions it plans. */
class CpuEnginePlanTest {
    private static final DenseProducts PRODUCTS = new DenseProducts(BlasLibrary.load(), DenseProducts.vectorModule());
    private static final ImageProducts IMAGES = new ImageProducts(PRODUCTS.simd());

    @Test
    void activationsBecomeEpiloguesAndIdentitiesAreLeftOut() {
        Network net = Network.parse(784, "flatten,dropout:0.2,dense:32,relu,dropout:0,dense:16,dense:12,tanh,dropout:0.5,dense:10,softmax",
                Cost.CROSS_ENTROPY);
        List<CpuLayer> plan = CpuEngine.plan(net, PRODUCTS, IMAGES);
        List<Class<?>> kinds = plan.stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(DropoutLayer.class, DenseLayer.class, DenseLayer.class, DenseLayer.class, DropoutLayer.class, DenseLayer.class), kinds);
        assertArrayEquals(new int[] {784, 32, 16, 12, 12, 10}, plan.stream().mapToInt(CpuLayer::outputs).toArray());
        Activation[] epilogues = {Activation.RELU, Activation.IDENTITY, Activation.TANH, Activation.SOFTMAX};
        int l = 0;
        for (CpuLayer layer : plan) {
            if (layer instanceof DenseLayer d) {
                assertSame(d, d.parameterised());
                assertEquals(l, d.index(), "dense layers are numbered as ParameterLayout's weight(l)");
                assertEquals(epilogues[l++], d.activation);
            } else {
                assertNull(layer.parameterised());
            }
        }
        assertEquals(epilogues.length, l);
    }

    /**
     * A conv network's plan on the shapes the layers get: conv and batchnorm take the activation
     * after them as their epilogue, one after a maxpool is a layer of its own, flatten is left out.
     */
    @Test
    void convLayersTakeTheirShapesAndEpilogues() {
        Network net = Network.parse(new Shape(3, 12, 12), "conv:8x3x3:p1,batchnorm,relu,maxpool:2,tanh,conv:4x3x3:s2,flatten,dense:16,"
                + "batchnorm,dense:5,softmax", Cost.CROSS_ENTROPY);
        List<CpuLayer> plan = CpuEngine.plan(net, PRODUCTS, IMAGES);
        List<Class<?>> kinds = plan.stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(ConvLayer.class, BatchNormLayer.class, MaxPoolLayer.class, ActivationLayer.class, ConvLayer.class,
                DenseLayer.class, BatchNormLayer.class, DenseLayer.class), kinds);
        assertArrayEquals(new int[] {8 * 144, 8 * 144, 8 * 36, 8 * 36, 4 * 4, 16, 16, 5}, plan.stream().mapToInt(CpuLayer::outputs).toArray());
        BatchNormLayer image = (BatchNormLayer) plan.get(1);
        BatchNormLayer flat = (BatchNormLayer) plan.get(6);
        assertEquals(List.of(8, 144, 16, 1), List.of(image.channels, image.spatial, flat.channels, flat.spatial));
        assertEquals(Activation.RELU, image.activation);
        assertEquals(Activation.IDENTITY, ((ConvLayer) plan.get(0)).activation);
        assertEquals(List.of(0, 1, 5), List.of(((ConvLayer) plan.get(0)).index(), image.index(), ((ConvLayer) plan.get(4)).index()));
    }

    /** Flatten and dropout 0 are planned out: a network with them trains to the bits of the one without. */
    @Test
    void flattenAndDropoutZeroTrainAsTheirAbsence() {
        Network plain = Network.parse(784, "dense:16,sigmoid,dense:10,sigmoid", Cost.QUADRATIC);
        Network padded = Network.parse(784, "flatten,dense:16,sigmoid,dropout:0,dense:10,sigmoid", Cost.QUADRATIC);
        Parameters p = Init.NORMAL.initialise(plain, 5);
        Parameters q = Parameters.zeros(padded);
        for (int k = 0; k < plain.denseLayers(); k++) {
            q.setWeights(k, p.copyWeights(k));
            q.setBiases(k, p.copyBiases(k));
        }
        Dataset data = SyntheticData.random("random", 5, 60, 784, 10, true);
        try (CpuEngine a = new CpuEngine(plain, p, 2); CpuEngine b = new CpuEngine(padded, q, 2)) {
            for (CpuEngine e : new CpuEngine[] {a, b}) {
                e.setTrainingData(data);
                e.setSeed(5);
                for (int s = 0; s < 3; s++) {
                    e.trainBatch(s * 20, 20, 3.0);
                }
            }
            for (int k = 0; k < plain.denseLayers(); k++) {
                assertArrayEquals(a.parameters().copyWeights(k), b.parameters().copyWeights(k), "weights of dense layer " + k);
                assertArrayEquals(a.parameters().copyBiases(k), b.parameters().copyBiases(k), "biases of dense layer " + k);
            }
        }
    }
}
