package backpropcl.io;

import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The names of each dense layer's weight and bias tensors in a model file. Version 2 names them as
 * the equivalent {@code nn.Sequential} held as {@code layers} does ({@link ParameterLayout}: k is
 * the dense layer's index in the layer list, so {@code 784-16-10} has {@code layers.0} and
 * {@code layers.2}); version 1 numbered the dense layers alone ({@code layers.0}, {@code layers.1}).
 */
final class TensorNames {
    private final String[] weights;
    private final String[] biases;
    private final boolean sequential;

    private TensorNames(String[] weights, String[] biases, boolean sequential) {
        this.weights = weights;
        this.biases = biases;
        this.sequential = sequential;
    }

    /** The names this build writes: those of {@link ParameterLayout}. */
    static TensorNames of(Network net) {
        ParameterLayout layout = ParameterLayout.of(net);
        String[] w = new String[net.denseLayers()];
        String[] b = new String[net.denseLayers()];
        for (int l = 0; l < w.length; l++) {
            w[l] = layout.weight(l).name();
            b[l] = layout.bias(l).name();
        }
        return new TensorNames(w, b, true);
    }

    /** The names of a version 1 file: {@code layers.{l}} with l counting dense layers. */
    static TensorNames version1(Network net) {
        String[] w = new String[net.denseLayers()];
        String[] b = new String[net.denseLayers()];
        for (int l = 0; l < w.length; l++) {
            w[l] = "layers." + l + ".weight";
            b[l] = "layers." + l + ".bias";
        }
        return new TensorNames(w, b, false);
    }

    String weight(int l) {
        return weights[l];
    }

    String bias(int l) {
        return biases[l];
    }

    /** The parameter tensors a network has, for a message: "layers.0.weight/bias to layers.1.weight/bias" (version 1), "layers.0.weight/bias, layers.2.weight/bias". */
    String describe() {
        if (!sequential) {
            return "layers.0.weight/bias to layers." + (weights.length - 1) + ".weight/bias";
        }
        List<String> each = new ArrayList<>();
        for (String w : weights) {
            each.add(w.substring(0, w.length() - "weight".length()) + "weight/bias");
        }
        return String.join(", ", each);
    }
}
