package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NetworkTest {

    @Test
    void parsesTheLessonNetwork() {
        Network n = Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        assertArrayEquals(new int[] {784, 16, 16, 10}, n.sizes());
        assertEquals(3, n.denseLayers());
        assertEquals(784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10, n.parameterCount());
        assertEquals("784-16-16-10 [sigmoid,sigmoid,sigmoid] quadratic", n.toString());
    }

    @Test
    void rejectsBadArchitectures() {
        assertEquals("--arch '784--10': '' is not a layer width (expected positive integers joined by '-', e.g. 784-16-16-10)",
                assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784--10")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784-0-10")).getMessage()
                .contains("width 0 is out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784-1000000000-10")).getMessage()
                .contains("out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Network.parseArch("784")).getMessage()
                .contains("at least two widths"));
        assertThrows(IllegalArgumentException.class, () -> Network.parseArch("a-b"));
    }

    @Test
    void crossEntropyNeedsSigmoidOrSoftmaxOutput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.of("4-3", Activation.RELU, Activation.IDENTITY, Cost.CROSS_ENTROPY));
        assertEquals("cross-entropy cost needs a sigmoid or softmax output, not identity", e.getMessage());
    }

    @Test
    void softmaxOnlyOnTheOutput() {
        assertThrows(IllegalArgumentException.class, () -> Network.of("4-3-2", Activation.SOFTMAX, Activation.SOFTMAX, Cost.QUADRATIC));
    }

    @Test
    void initialisationIsDeterministicAndScaled() {
        Network n = Network.of("300-200-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Parameters a = Init.HE.initialise(n, 42);
        assertTrue(a.bitwiseEquals(Init.HE.initialise(n, 42)));
        assertFalse(a.bitwiseEquals(Init.HE.initialise(n, 43)));
        assertEquals(Math.sqrt(2.0 / 300), std(a.copyWeights(0)), 0.01 * Math.sqrt(2.0 / 300) * 3);
        assertEquals(Math.sqrt(2.0 / 210), std(Init.XAVIER.initialise(n, 1).copyWeights(1)), 0.1 * Math.sqrt(2.0 / 210));
        assertEquals(0.0, std(a.copyBiases(0)), 0.0, "He biases are zero");
        Parameters normal = Init.NORMAL.initialise(n, 1);
        assertEquals(1.0, std(normal.copyWeights(0)), 0.01);
        assertEquals(1.0, std(normal.copyBiases(0)), 0.2);
    }

    /** The standard deviation of the values (population). */
    static double std(float[] v) {
        double s = 0;
        double s2 = 0;
        for (float x : v) {
            s += x;
            s2 += (double) x * x;
        }
        double mean = s / v.length;
        return Math.sqrt(Math.max(0, s2 / v.length - mean * mean));
    }

    // The --layers grammar (LayerSpec) and the checks of Network's constructor.

    @Test
    void theDenseShorthandIsItsLayerList() {
        Network shorthand = Network.of("784-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Network layered = Network.parse(784, "dense:16,sigmoid,dense:10,sigmoid", Cost.QUADRATIC);
        assertEquals(shorthand, layered);
        assertEquals(shorthand.hashCode(), layered.hashCode());
        assertEquals(shorthand.toString(), layered.toString());
        assertTrue(layered.isDenseChain());
        assertEquals("dense:16,sigmoid,dense:10,sigmoid", shorthand.spec());
        assertFalse(layered.equals(Network.parse(784, "dense:16,sigmoid,dense:10,sigmoid", Cost.CROSS_ENTROPY)));
        assertFalse(layered.equals(Network.parse(784, "dense:16,tanh,dense:10,sigmoid", Cost.QUADRATIC)));
    }

    @Test
    void parsesLayerSpecs() {
        Network n = Network.parse(784, "dense:128,relu,dropout:0.5,dense:10,softmax", Cost.CROSS_ENTROPY);
        assertArrayEquals(new int[] {784, 128, 10}, n.sizes());
        assertEquals(5, n.layers().size());
        assertEquals(2, n.denseLayers());
        assertEquals(Activation.RELU, n.activation(0));
        assertEquals(Activation.SOFTMAX, n.outputActivation());
        assertEquals(0.0, n.dropoutBefore(0));
        assertEquals(0.5, n.dropoutBefore(1));
        assertEquals(2, n.dropoutIndex(1));
        assertEquals(0, n.denseIndex(0));
        assertEquals(3, n.denseIndex(1));
        assertTrue(n.hasDropout());
        assertFalse(n.isDenseChain());
        assertEquals("dense:128,relu,dropout:0.5,dense:10,softmax", n.spec());
        assertEquals(n, Network.parse(784, n.spec(), Cost.CROSS_ENTROPY));

        // Input dropout, a flatten first, a dense layer with no activation (the identity), "linear", spaces and case.
        Network input = Network.parse(12, "flatten,dropout:0.25,linear:6,dense:3,sigmoid", Cost.QUADRATIC);
        assertEquals(0.25, input.dropoutBefore(0));
        assertEquals(1, input.dropoutIndex(0));
        assertEquals(2, input.denseIndex(0));
        assertEquals(Activation.IDENTITY, input.activation(0));
        assertEquals("flatten,dropout:0.25,dense:6,dense:3,sigmoid", input.spec());
        assertEquals(6 * 12 + 6 + 3 * 6 + 3, input.parameterCount());
        assertEquals(Network.parse(4, "dense:3,relu,dense:2,sigmoid", Cost.QUADRATIC),
                Network.parse(4, " DENSE:3 , ReLU,dense: 2 ,Sigmoid", Cost.QUADRATIC));
        assertEquals(Activation.LEAKY_RELU, Network.parse(4, "dense:3,leaky-relu,dense:2,identity", Cost.QUADRATIC).activation(0));
        assertEquals(0.0, Network.parse(4, "dropout:0,dense:2,sigmoid", Cost.QUADRATIC).dropoutBefore(0));
    }

    @Test
    void refusesWhatTheGrammarDoesNotHave() {
        String kinds = "(expected dense:N, conv:FxKxK[:sS][:pP], maxpool:K[:sS], batchnorm, dropout:P, flatten, sigmoid, tanh, relu, "
                + "leaky-relu, softmax or identity)";
        assertRefused("--layers 'dense:4,swish', layer 2 'swish': unknown layer kind 'swish' " + kinds, "dense:4,swish");
        assertRefused("--layers 'dense,sigmoid', layer 1 'dense': dense needs its width, e.g. dense:16", "dense,sigmoid");
        assertRefused("--layers 'dense:x', layer 1 'dense:x': 'x' is not a width (a whole number 1..1048576)", "dense:x");
        assertRefused("--layers 'dense:0', layer 1 'dense:0': dense width 0 is out of range 1..1048576", "dense:0");
        assertRefused("--layers 'dropout,dense:2', layer 1 'dropout': dropout needs its probability, e.g. dropout:0.5",
                "dropout,dense:2");
        assertRefused("--layers 'dropout:half,dense:2', layer 1 'dropout:half': 'half' is not a probability (0 <= P < 1, e.g. 0.5)",
                "dropout:half,dense:2");
        assertRefused("--layers 'dropout:1,dense:2', layer 1 'dropout:1': dropout probability 1.0 is out of range: need 0 <= p < 1",
                "dropout:1,dense:2");
        assertRefused("--layers 'dropout:-0.1,dense:2', layer 1 'dropout:-0.1': dropout probability -0.1 is out of range: "
                + "need 0 <= p < 1", "dropout:-0.1,dense:2");
        assertRefused("--layers 'dropout:NaN,dense:2', layer 1 'dropout:NaN': dropout probability NaN is out of range: "
                + "need 0 <= p < 1", "dropout:NaN,dense:2");
        assertRefused("--layers 'flatten:2,dense:2', layer 1 'flatten:2': flatten takes no argument", "flatten:2,dense:2");
        assertRefused("--layers 'dense:2,relu:2', layer 2 'relu:2': relu takes no argument", "dense:2,relu:2");
        assertRefused("--layers is empty: give the layers in order, e.g. dense:16,sigmoid,dense:10,sigmoid", " ");
        assertRefused("--layers 'dense:4,,sigmoid', layer 2 '': empty (two commas in a row, or one at an end?)", "dense:4,,sigmoid");
        assertRefused("--layers 'dense:4,', layer 2 '': empty (two commas in a row, or one at an end?)", "dense:4,");
    }

    @Test
    void refusesLayerListsThatMakeNoNetwork() {
        assertRefused("layer 2 'flatten': flatten belongs first, before the first dense layer (a dense network's rows are flat "
                + "already)", "dense:4,flatten,dense:3");
        // A dropout may sit before the flatten of a dense layer's input (as after conv layers).
        assertEquals(0.5, Network.parse(4, "dropout:0.5,flatten,dense:3", Cost.QUADRATIC).dropoutBefore(0));
        assertRefused("layer 1 'relu': an activation goes right after a dense, conv, maxpool or batchnorm layer", "relu,dense:4");
        assertRefused("layer 3 'relu': an activation goes right after a dense, conv, maxpool or batchnorm layer (write "
                + "dense:N,relu,dropout:P: dropout after the activation)", "dense:4,dropout:0.5,relu,dense:2");
        assertRefused("layer 3 'tanh': an activation goes right after a dense, conv, maxpool or batchnorm layer (two activations "
                + "in a row)",
                "dense:4,relu,tanh,dense:2");
        assertRefused("layer 3 'dropout:0.3': two dropout layers in a row; use one with the combined probability",
                "dense:4,dropout:0.2,dropout:0.3,dense:2");
        assertRefused("dropout cannot be the last layer: the cost reads the output layer's activation", "dense:4,sigmoid,dropout:0.5");
        assertRefused("softmax is only allowed on the output layer", "dense:4,softmax,dense:2,sigmoid");
        assertRefused("layer 3 'dropout:0.5': dropout after softmax; softmax is only allowed on the output layer",
                "dense:4,softmax,dropout:0.5,dense:2");
        assertRefused("a network needs at least one dense layer", "flatten");
        assertRefused("a network needs at least one dense layer", "dropout:0.5");
        assertEquals("cross-entropy cost needs a sigmoid or softmax output, not identity", assertThrows(IllegalArgumentException.class,
                () -> Network.parse(4, "dense:3", Cost.CROSS_ENTROPY)).getMessage());
        assertEquals("input width 0 is out of range 1..1048576", assertThrows(IllegalArgumentException.class,
                () -> Network.parse(0, "dense:3", Cost.QUADRATIC)).getMessage());
    }

    private static void assertRefused(String message, String spec) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Network.parse(4, spec, Cost.QUADRATIC)).getMessage(),
                spec);
    }
}
