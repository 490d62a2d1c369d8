package backpropcl.cli;

import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import java.util.Locale;

/**
 * The layers of a network as a table, as Keras' {@code model.summary()} prints it: each layer's
 * index k (its tensors are {@code layers.k.*}), its token, the shape of one sample after it and its
 * trainable values; then the total. {@code train} prints it for conv networks, whose shapes the
 * spec does not show.
 */
final class LayerSummary {
    private LayerSummary() {
    }

    /** The table, one line per layer after a header line and the input's line, ending with the total; lines end with '\n'. */
    static String of(Network net) {
        ParameterLayout layout = ParameterLayout.of(net);
        StringBuilder sb = new StringBuilder();
        String row = "%5s  %-20s %-12s %12s%n";
        sb.append(String.format(Locale.ROOT, row, "layer", "kind", "output", "parameters"));
        sb.append(String.format(Locale.ROOT, row, "", "input", net.inputShape(), ""));
        for (int k = 0; k < net.layers().size(); k++) {
            long n = layout.tensorsOf(k).stream().filter(ParameterLayout.Tensor::trainable).mapToLong(ParameterLayout.Tensor::length).sum();
            sb.append(String.format(Locale.ROOT, row, k, net.layers().get(k).spec(), net.shape(k), String.format(Locale.ROOT, "%,d", n)));
        }
        sb.append(String.format(Locale.ROOT, row, "", "total", "", String.format(Locale.ROOT, "%,d", net.parameterCount())));
        return sb.toString();
    }
}
