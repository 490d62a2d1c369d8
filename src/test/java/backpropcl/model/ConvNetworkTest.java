package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Conv, maxpool and batchnorm layers in the model: their tokens, shapes, order rules and tensors. */
class ConvNetworkTest {
    static final Shape MNIST = new Shape(1, 28, 28);
    static final String LENET = "conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,"
            + "dense:10,softmax";

    /** Messages and plot titles name a conv network by its shape and layers; its dense widths alone would hide the convs. */
    @Test
    void aConvNetworkIsNamedByItsShapeAndLayersADenseOneByItsWidths() {
        Network conv = Network.parse(new Shape(1, 28, 28), "conv:6x5x5:p2,relu,maxpool:2,flatten,dense:10,softmax", Cost.CROSS_ENTROPY);
        assertEquals("1x28x28 -> conv:6x5x5:p2,relu,maxpool:2,flatten,dense:10,softmax", conv.name());
        assertEquals("1176-10", conv.archString());
        assertEquals("784-16-10", Network.of("784-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC).name());
        // A chart's title: the parameterised layers by their sizes (XChart does not wrap a title).
        assertEquals("1x28x28 conv6-dense10", conv.shortName());
        assertEquals("784-16-10", Network.of("784-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC).shortName());
    }

    @Test
    void leNet5HasItsShapesAndParameterCount() {
        Network n = Network.parse(MNIST, LENET, Cost.CROSS_ENTROPY);
        assertEquals(MNIST, n.inputShape());
        assertEquals(784, n.inputSize());
        assertEquals(400, n.size(0), "the dense view starts at the flattened conv output");
        assertArrayEquals(new int[] {400, 120, 84, 10}, n.sizes());
        String[] shapes = {"6x28x28", "6x28x28", "6x14x14", "16x10x10", "16x10x10", "16x5x5", "400", "120", "120", "84", "84", "10", "10"};
        for (int k = 0; k < shapes.length; k++) {
            assertEquals(shapes[k], n.shape(k).toString(), "layer " + k);
        }
        assertEquals(MNIST, n.inputShape(0));
        assertEquals(n.shape(2), n.inputShape(3));
        assertEquals(61706, n.parameterCount(), "LeNet-5's well-known count");
        assertTrue(n.isConvolutional());
        assertEquals(7, n.denseIndex(0));
        assertEquals(Activation.RELU, n.activation(0));
        assertEquals(LENET, n.spec());
        assertEquals(n, Network.parse(MNIST, n.spec(), Cost.CROSS_ENTROPY));
        assertEquals("1x28x28 -> " + LENET + " cross-entropy", n.toString());
        assertEquals("nn.Conv2d(1, 6, kernel_size=5, stride=1, padding=2)", n.torchModule(0));
        assertEquals("nn.MaxPool2d(kernel_size=2, stride=2)", n.torchModule(2));
        assertEquals("nn.Conv2d(6, 16, kernel_size=5, stride=1, padding=0)", n.torchModule(3));
        assertEquals("nn.Flatten()", n.torchModule(6));
        assertEquals("nn.Linear(400, 120)", n.torchModule(7));
    }

    @Test
    void parsesConvAndPoolTokens() {
        List<Layer> l = LayerSpec.parse("conv:6x5x5:p2,conv:3x3x3:s2,conv:4x1x1:P1:S3,maxpool:2,maxpool:3:s1,batchnorm");
        assertEquals(new Layer.Conv(6, 5, 1, 2), l.get(0));
        assertEquals(new Layer.Conv(3, 3, 2, 0), l.get(1));
        assertEquals(new Layer.Conv(4, 1, 3, 1), l.get(2));
        assertEquals(new Layer.MaxPool(2, 2), l.get(3));
        assertEquals(new Layer.MaxPool(3, 1), l.get(4));
        assertEquals(new Layer.BatchNorm(), l.get(5));
        assertEquals("conv:6x5x5:p2,conv:3x3x3:s2,conv:4x1x1:s3:p1,maxpool:2,maxpool:3:s1,batchnorm", LayerSpec.format(l));
        assertEquals(l, LayerSpec.parse(LayerSpec.format(l)));
        assertEquals("maxpool:2", new Layer.MaxPool(2, 2).spec());
    }

    @Test
    void refusesBadConvAndPoolTokens() {
        assertRefused("--layers 'conv:6x5', layer 1 'conv:6x5': '6x5' is not FxKxK (filters x kernel height x kernel width, e.g. 6x5x5)",
                "conv:6x5");
        assertRefused("--layers 'conv:6x5x3', layer 1 'conv:6x5x3': a 5x3 kernel; conv takes square kernels only (FxKxK, e.g. 6x5x5)",
                "conv:6x5x3");
        assertRefused("--layers 'conv', layer 1 'conv': conv needs its filters and kernel, e.g. conv:6x5x5", "conv");
        assertRefused("--layers 'conv:ax5x5', layer 1 'conv:ax5x5': 'a' is not a number of filters", "conv:ax5x5");
        assertRefused("--layers 'conv:6x5x5:q2', layer 1 'conv:6x5x5:q2': 'q2' is not an option (expected sS for the stride or pP "
                + "for the padding, e.g. conv:6x5x5:s1:p2)", "conv:6x5x5:q2");
        assertRefused("--layers 'conv:6x5x5:p1:p2', layer 1 'conv:6x5x5:p1:p2': 'p' is given twice", "conv:6x5x5:p1:p2");
        assertRefused("--layers 'conv:6x5x5:px', layer 1 'conv:6x5x5:px': 'x' is not a whole number after 'p' (sS for the stride "
                + "or pP for the padding, e.g. conv:6x5x5:s1:p2)", "conv:6x5x5:px");
        assertRefused("--layers 'conv:6x5x5:s0', layer 1 'conv:6x5x5:s0': conv stride 0 is out of range 1..1048576", "conv:6x5x5:s0");
        assertRefused("--layers 'conv:0x5x5', layer 1 'conv:0x5x5': conv filters 0 is out of range 1..1048576", "conv:0x5x5");
        assertRefused("--layers 'maxpool', layer 1 'maxpool': maxpool needs its window, e.g. maxpool:2", "maxpool");
        assertRefused("--layers 'maxpool:2:p1', layer 1 'maxpool:2:p1': 'p1' is not an option (expected sS for the stride, e.g. "
                + "maxpool:3:s2)", "maxpool:2:p1");
        assertRefused("--layers 'batchnorm:3', layer 1 'batchnorm:3': batchnorm takes no argument", "batchnorm:3");
    }

    @Test
    void refusesLayerOrdersThatMakeNoConvNetwork() {
        assertNet("layer 1 'conv:6x5x5': conv needs images (CxHxW); the data gives rows of 4 values", Shape.flat(4),
                "conv:6x5x5,relu,flatten,dense:2");
        assertNet("layer 3 'maxpool:2': maxpool needs images (CxHxW); after layer 2 'flatten' the rows are flat (576 values)", MNIST,
                "conv:1x5x5,flatten,maxpool:2,dense:2");
        assertNet("layer 1 'conv:6x5x5': a 5x5 kernel does not fit the 1x4x4 input", new Shape(1, 4, 4), "conv:6x5x5,flatten,dense:2");
        assertNet("layer 1 'conv:6x7x7:p1': a 7x7 kernel does not fit the 1x4x4 input padded by 1", new Shape(1, 4, 4),
                "conv:6x7x7:p1,flatten,dense:2");
        assertNet("layer 2 'maxpool:3': a 3x3 window does not fit the 2x2x2 input", new Shape(1, 4, 4), "conv:2x3x3,maxpool:3,flatten,dense:2");
        assertNet("layer 3 'dense:10': write flatten before the first dense layer after conv and maxpool layers (...maxpool:2,"
                + "flatten,dense:10)", MNIST, "conv:6x5x5,maxpool:2,dense:10");
        assertNet("layer 1 'batchnorm': batchnorm goes right after a dense, conv, maxpool or activation layer", MNIST,
                "batchnorm,conv:2x3x3,flatten,dense:2");
        assertNet("layer 3 'batchnorm': batchnorm goes right after a dense, conv, maxpool or activation layer", MNIST,
                "conv:2x3x3,batchnorm,batchnorm,flatten,dense:2");
        assertNet("batchnorm cannot be the last layer: the output layer is dense with its optional activation", Shape.flat(4),
                "dense:3,batchnorm");
        assertNet("layer 4 'relu': the output layer is dense with its optional activation (the list ends with ...,batchnorm,relu)",
                Shape.flat(4), "dense:3,relu,batchnorm,relu");
        assertNet("layer 2 'conv:2x3x3': dropout goes on the input of a dense layer (dropout:P,dense:N, or dropout:P,flatten,dense:N "
                + "after conv layers)", MNIST, "dropout:0.5,conv:2x3x3,flatten,dense:2");
        assertNet("layer 4 'flatten': two flatten layers in a row; one is enough", MNIST, "conv:2x3x3,relu,flatten,flatten,dense:2");
        assertNet("softmax is only allowed on the output layer", MNIST, "conv:2x3x3,softmax,flatten,dense:2");
    }

    @Test
    void activationsAndBatchnormFollowConvPoolAndDenseLayers() {
        Network n = Network.parse(new Shape(3, 9, 9), "conv:4x3x3:s2:p1,batchnorm,relu,maxpool:2,tanh,batchnorm,dropout:0.25,flatten,"
                + "dense:5,batchnorm,sigmoid,dense:2,softmax", Cost.CROSS_ENTROPY);
        assertEquals("4x5x5", n.shape(0).toString());
        assertEquals("4x2x2", n.shape(3).toString());
        assertEquals(16, n.size(0));
        assertEquals(0.25, n.dropoutBefore(0));
        assertEquals(6, n.dropoutIndex(0));
        assertEquals(Activation.IDENTITY, n.activation(0), "a batchnorm follows dense 0");
        assertEquals("nn.BatchNorm2d(4)", n.torchModule(1));
        assertEquals("nn.BatchNorm1d(5)", n.torchModule(9));
        assertEquals(9, n.rowBatchNorm(), "the batchnorm on images has 2x2 values per channel and row; the one on rows has one");
        assertEquals(1, Network.parse(new Shape(2, 3, 3), "conv:5x3x3,batchnorm,relu,flatten,dense:2", Cost.QUADRATIC).rowBatchNorm());
        assertEquals(-1, Network.parse(new Shape(2, 3, 3), "conv:5x2x2,batchnorm,relu,flatten,dense:2", Cost.QUADRATIC).rowBatchNorm());
    }

    @Test
    void aBatchnormOnA1x1ConvOutputIsStillBatchNorm2d() {
        Network n = Network.parse(new Shape(2, 3, 3), "conv:5x3x3,batchnorm,relu,flatten,dense:2", Cost.QUADRATIC);
        assertTrue(n.shape(0).isFlat());
        assertEquals("nn.BatchNorm2d(5)", n.torchModule(1));
        assertEquals("nn.BatchNorm1d(5)", new Layer.BatchNorm().torchModule(n.shape(0)), "the layer alone sees only the shape");
        assertEquals("layer 2 'dense:2': write flatten before the first dense layer after conv and maxpool layers (...conv:5x3x3,"
                + "flatten,dense:2)", assertThrows(IllegalArgumentException.class,
                () -> Network.parse(new Shape(2, 3, 3), "conv:5x3x3,dense:2", Cost.QUADRATIC)).getMessage());
    }

    @Test
    void aDenseNetworkOnImagesIsTheSameNetworkAsOnRows() {
        String spec = "dense:16,sigmoid,dense:10,sigmoid";
        Network onImages = Network.parse(MNIST, spec, Cost.QUADRATIC);
        Network onRows = Network.of("784-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        assertEquals(onRows, onImages);
        assertEquals(onRows.hashCode(), onImages.hashCode());
        assertEquals(Shape.flat(784), onImages.inputShape());
        assertFalse(onImages.isConvolutional());
        assertTrue(Init.XAVIER.initialise(onImages, 5).bitwiseEquals(Init.XAVIER.initialise(onRows, 5)));
        Network flat = Network.parse(MNIST, "flatten,dense:10,sigmoid", Cost.QUADRATIC);
        assertEquals(Network.parse(784, "flatten,dense:10,sigmoid", Cost.QUADRATIC), flat);
        assertFalse(Network.parse(MNIST, "flatten,dense:10,sigmoid", Cost.QUADRATIC).equals(
                Network.parse(MNIST, "conv:1x1x1,flatten,dense:10,sigmoid", Cost.QUADRATIC)));
    }

    @Test
    void theLayoutHoldsEveryLayersTensorsInListOrder() {
        Network n = Network.parse(new Shape(3, 6, 6), "conv:4x3x3,batchnorm,relu,flatten,dense:5,batchnorm,dense:2", Cost.QUADRATIC);
        ParameterLayout layout = ParameterLayout.of(n);
        List<String> names = layout.tensors().stream().map(ParameterLayout.Tensor::name).toList();
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
                "layers.1.running_var", "layers.1.num_batches_tracked", "layers.4.weight", "layers.4.bias", "layers.5.weight",
                "layers.5.bias", "layers.5.running_mean", "layers.5.running_var", "layers.5.num_batches_tracked", "layers.6.weight",
                "layers.6.bias"), names);
        assertArrayEquals(new int[] {4, 3, 3, 3}, layout.tensor("layers.0.weight").shape());
        assertArrayEquals(new int[] {5, 64}, layout.tensor("layers.4.weight").shape());
        assertArrayEquals(new int[0], layout.tensor("layers.1.num_batches_tracked").shape());
        assertEquals(1, layout.tensor("layers.1.num_batches_tracked").length());
        assertFalse(layout.tensor("layers.1.running_var").trainable());
        assertTrue(layout.tensor("layers.1.weight").trainable());
        assertFalse(layout.tensor("layers.1.weight").decayed(), "batchnorm's gamma is not decayed");
        assertTrue(layout.tensor("layers.0.weight").decayed());
        assertFalse(layout.tensor("layers.0.bias").decayed());
        assertEquals(layout.tensor("layers.4.weight"), layout.weight(0), "dense 0 is layer 4");
        assertEquals(layout.tensor("layers.6.bias"), layout.bias(1));
        long trainable = 4 * 27 + 4 + 4 + 4 + 5 * 64 + 5 + 5 + 5 + 2 * 5 + 2;
        assertEquals(trainable, layout.parameterCount());
        assertEquals(trainable, n.parameterCount());
        assertEquals(trainable + 2 * 4 + 1 + 2 * 5 + 1, layout.size());
        assertEquals(List.of(), layout.tensorsOf(2));
        assertEquals(5, layout.tensorsOf(5).size());
        assertEquals("the network 3x6x6 -> conv:4x3x3,batchnorm,relu,flatten,dense:5,batchnorm,dense:2 quadratic has no tensor "
                + "'layers.2.weight'", assertThrows(IllegalArgumentException.class, () -> layout.tensor("layers.2.weight")).getMessage());
    }

    @Test
    void initialisationDrawsConvWeightsByTheirFansAndSetsBatchnormToPyTorchsStart() {
        Network n = Network.parse(new Shape(3, 20, 20), "conv:64x5x5,batchnorm,relu,flatten,dense:2", Cost.QUADRATIC);
        Parameters p = Init.HE.initialise(n, 7);
        double he = Math.sqrt(2.0 / (3 * 25));
        assertEquals(he, NetworkTest.std(p.copy("layers.0.weight")), 0.05 * he);
        assertEquals(0.0, NetworkTest.std(p.copy("layers.0.bias")), 0.0);
        Parameters x = Init.XAVIER.initialise(n, 7);
        double xavier = Math.sqrt(2.0 / (3 * 25 + 64 * 25));
        assertEquals(xavier, NetworkTest.std(x.copy("layers.0.weight")), 0.05 * xavier);
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, p.copy("layers.1.weight"));
        assertArrayEquals(new float[64], p.copy("layers.1.bias"));
        assertArrayEquals(new float[64], p.copy("layers.1.running_mean"));
        assertArrayEquals(ones, p.copy("layers.1.running_var"));
        assertArrayEquals(new float[1], p.copy("layers.1.num_batches_tracked"));
        assertTrue(p.bitwiseEquals(Init.HE.initialise(n, 7)));
    }

    @Test
    void tensorsAreSetAndCopiedByName() {
        Network n = Network.parse(new Shape(1, 3, 3), "conv:2x2x2,batchnorm,flatten,dense:1", Cost.QUADRATIC);
        Parameters p = Parameters.zeros(n);
        p.set("layers.1.running_mean", new float[] {3, 4});
        assertArrayEquals(new float[] {3, 4}, p.copy("layers.1.running_mean"));
        assertEquals(3, p.values()[(int) p.layout().tensor("layers.1.running_mean").offset()]);
        TrainingState s = TrainingState.fresh(p, Optimizer.of(Optimizer.Kind.ADAM));
        assertArrayEquals(new double[] {3, 4}, s.copy("layers.1.running_mean"));
        s.set("layers.0.bias", new double[] {0.5, -1});
        assertArrayEquals(new float[] {0.5f, -1}, s.parameters().copy("layers.0.bias"));
        s.setSlot(1, "layers.1.weight", new double[] {2, 2});
        assertArrayEquals(new double[] {2, 2}, s.copySlot(1, "layers.1.weight"));
        assertEquals("layers.1.running_var is not trained: it has no optimizer state", assertThrows(IllegalArgumentException.class,
                () -> s.setSlot(0, "layers.1.running_var", new double[2])).getMessage());
        assertArrayEquals(new double[2], s.copySlot(0, "layers.1.running_var"));
    }

    private static void assertRefused(String message, String spec) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> LayerSpec.parse(spec)).getMessage(), spec);
    }

    private static void assertNet(String message, Shape data, String spec) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Network.parse(data, spec, Cost.QUADRATIC)).getMessage(),
                spec);
    }
}
