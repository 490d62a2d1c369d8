package backpropcl.plot;

import backpropcl.model.Layer;
import backpropcl.model.Network;
import java.util.Locale;

/**
 * The layer that {@code visualize} draws and how: a conv network's first conv layer (one tile per
 * filter, its input channels side by side), else the first dense layer (one square tile per
 * neuron over the input image).
 *
 * @param tensor   the weight tensor's name, e.g. {@code layers.0.weight}
 * @param name     what the caption calls it: "first-layer weights", or the tensor's name for a conv layer
 * @param subject  the same in a sentence: "the first-layer weights", or the tensor's name
 * @param tiles    neurons or filters
 * @param channels panels per tile (a filter's input channels; 1 for a dense layer)
 * @param side     pixels per panel side before scaling (28 for MNIST, K for a conv layer)
 * @param layout   the caption's account of the tiles, e.g. "one 28x28 tile per neuron (16)"
 */
record FirstLayer(String tensor, String name, String subject, int tiles, int channels, int side, String layout) {

    /**
     * @throws IllegalArgumentException for a network whose first dense layer's weights are not
     *                                  an image: inputs not a square number, or pooled images
     *                                  without a conv layer
     */
    static FirstLayer of(Network net) {
        for (int k = 0; k < net.layers().size(); k++) {
            if (net.layers().get(k) instanceof Layer.Conv conv) {
                int c = net.inputShape(k).channels();
                int kk = conv.kernel();
                String tensor = "layers." + k + ".weight";
                return new FirstLayer(tensor, tensor, tensor, conv.filters(), c, kk, String.format(Locale.ROOT,
                        "%d filters of %dx%dx%d, one tile per filter%s", conv.filters(), c, kk, kk,
                        c == 1 ? "" : " (its " + c + " input channels side by side)"));
            }
        }
        if (!net.inputShape().isFlat()) {
            throw new IllegalArgumentException("no conv layer to draw, and the first dense layer's inputs are pooled, not the "
                    + "image's pixels, so its weights make no image");
        }
        int side = TileGrid.squareSide(net.inputSize());
        if (side == 0) {
            throw new IllegalArgumentException("the first layer has " + net.inputSize() + " inputs, which is not a square "
                    + "number, so its weights do not make square images (784 inputs make 28x28)");
        }
        return new FirstLayer("layers." + net.denseIndex(0) + ".weight", "first-layer weights", "the first-layer weights",
                net.size(1), 1, side,
                denseLayout(side, net.size(1)));
    }

    /** "one 28x28 tile per neuron (16)". */
    static String denseLayout(int side, int neurons) {
        return String.format(Locale.ROOT, "one %dx%d tile per neuron (%d)", side, side, neurons);
    }

    /** Whether this is a conv layer's filters (else a dense layer's neurons). */
    boolean conv() {
        return name.equals(tensor);
    }

    /** The weights in all tiles. */
    int values() {
        return tiles * channels * side * side;
    }

    /** The layout, widened where the caption needs it at the grid's font size. */
    TileGrid grid(String[] caption) {
        TileGrid at = conv() ? TileGrid.filters(tiles, channels, side, TileGrid.MIN_WIDTH) : TileGrid.of(tiles, side * side);
        return at.widenedTo(TileImage.widthFor(caption, at.text()));
    }
}
