package backpropcl.io;

import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The name in a model file of each tensor of {@link ParameterLayout}. Version 2 names them as the
 * equivalent {@code nn.Sequential} held as {@code layers} does (k is the layer's index in the
 * layer list, so {@code 784-16-10} has {@code layers.0} and {@code layers.2}; a batchnorm layer
 * has {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} and
 * {@code num_batches_tracked}); version 1 numbered the dense layers alone ({@code layers.0},
 * {@code layers.1}).
 */
final class TensorNames {
    /** A layout tensor and its name in the file. */
    record Named(String name, ParameterLayout.Tensor tensor) {
    }

    private final List<Named> all;
    private final boolean sequential;

    private TensorNames(List<Named> all, boolean sequential) {
        this.all = List.copyOf(all);
        this.sequential = sequential;
    }

    /** The names this build writes: those of {@link ParameterLayout}. */
    static TensorNames of(Network net) {
        List<Named> all = new ArrayList<>();
        for (ParameterLayout.Tensor t : ParameterLayout.of(net).tensors()) {
            all.add(new Named(t.name(), t));
        }
        return new TensorNames(all, true);
    }

    /** The names of a version 1 file (a dense network): {@code layers.{l}} with l counting dense layers. */
    static TensorNames version1(Network net) {
        ParameterLayout layout = ParameterLayout.of(net);
        List<Named> all = new ArrayList<>();
        for (int l = 0; l < net.denseLayers(); l++) {
            all.add(new Named("layers." + l + ".weight", layout.weight(l)));
            all.add(new Named("layers." + l + ".bias", layout.bias(l)));
        }
        return new TensorNames(all, false);
    }

    /** Every tensor in layout order. */
    List<Named> all() {
        return all;
    }

    /** The tensors grouped by layer, in layout order: the optimizer's slots are written layer by layer. */
    Map<String, List<Named>> byLayer() {
        Map<String, List<Named>> m = new LinkedHashMap<>();
        for (Named n : all) {
            m.computeIfAbsent(n.name().substring(0, n.name().lastIndexOf('.')), k -> new ArrayList<>()).add(n);
        }
        return m;
    }

    /**
     * The parameter tensors a network has, for a message: "layers.0.weight/bias to
     * layers.1.weight/bias" (version 1), "layers.0.weight/bias, layers.2.weight/bias".
     */
    String describe() {
        if (!sequential) {
            return "layers.0.weight/bias to layers." + (all.size() / 2 - 1) + ".weight/bias";
        }
        List<String> each = new ArrayList<>();
        byLayer().forEach((layer, tensors) -> each.add(layer + "." + String.join("/",
                tensors.stream().map(n -> n.name().substring(layer.length() + 1)).toList())));
        return String.join(", ", each);
    }
}
