package backpropcl.io;

import backpropcl.io.Safetensors.Contents;
import backpropcl.io.Safetensors.Tensor;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A trained network saved as a safetensors file that PyTorch can read.
 *
 * <p>Tensors: {@code layers.{i}.weight} of shape (out, in) and {@code layers.{i}.bias} of shape
 * (out), float32, for each dense layer i = 0, 1, ... Note that i counts dense layers: a PyTorch
 * {@code nn.Sequential} of Linear layers with activations between them numbers its Linear layers
 * 0, 2, 4, ..., so rename {@code layers.1} to {@code 2} etc. (or use a ModuleList named
 * {@code layers} holding only the Linear layers) to load our file with {@code load_state_dict}.
 *
 * <p>Metadata, all strings: {@code format} "backprop-cl", {@code version} "1", {@code arch} e.g.
 * "784-16-16-10", {@code activations} one per dense layer e.g. "sigmoid,sigmoid,sigmoid", and
 * {@code cost} e.g. "quadratic". The network is rebuilt from these; every tensor's shape is checked
 * against it.
 */
public final class ModelFile {

    public static final String FORMAT = "backprop-cl";
    public static final String VERSION = "1";

    private ModelFile() {
    }

    /**
     * A network and its parameters, as read from a file.
     */
    public record Saved(Network network, Parameters parameters) {
    }

    /** Writes {@code p}, the parameters of {@code net}, to {@code file}, atomically. */
    public static void save(Path file, Network net, Parameters p) {
        if (!p.network().equals(net)) {
            throw new IllegalArgumentException("parameters are for " + p.network() + ", not " + net);
        }
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < net.layers(); l++) {
            tensors.put(weightName(l), new Tensor(new long[] {net.size(l + 1), net.size(l)}, p.weights(l)));
            tensors.put(biasName(l), new Tensor(new long[] {net.size(l + 1)}, p.biases(l)));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("version", VERSION);
        metadata.put("arch", net.archString());
        metadata.put("activations", activations(net));
        metadata.put("cost", net.cost().cliName());
        Safetensors.write(file, tensors, metadata);
    }

    /** Reads a model file: the network from its metadata, the parameters from its tensors. */
    public static Saved load(Path file) {
        Contents c = Safetensors.read(file);
        Network net = network(file, c.metadata());
        // Shapes first, allocation after: the tensors that passed are no larger than the file.
        Set<String> expected = new LinkedHashSet<>();
        for (int l = 0; l < net.layers(); l++) {
            check(file, net, c, weightName(l), new long[] {net.size(l + 1), net.size(l)});
            check(file, net, c, biasName(l), new long[] {net.size(l + 1)});
            expected.add(weightName(l));
            expected.add(biasName(l));
        }
        for (String name : c.tensors().keySet()) {
            if (!expected.contains(name)) {
                throw new ModelFileException(file + ": unexpected tensor '" + name + "'; a " + net.archString()
                        + " network has layers.0.weight/bias to layers." + (net.layers() - 1) + ".weight/bias only");
            }
        }
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < net.layers(); l++) {
            float[] w = c.tensors().get(weightName(l)).data();
            float[] b = c.tensors().get(biasName(l)).data();
            System.arraycopy(w, 0, p.weights(l), 0, w.length);
            System.arraycopy(b, 0, p.biases(l), 0, b.length);
        }
        return new Saved(net, p);
    }

    /**
     * Reads the parameters of a model file that must have been made for {@code expected} (same
     * widths, activations and cost).
     */
    public static Parameters loadFor(Path file, Network expected) {
        Saved s = load(file);
        if (!s.network().equals(expected)) {
            throw new ModelFileException(file + " was made for " + s.network() + ", not " + expected);
        }
        return s.parameters();
    }

    static String weightName(int layer) {
        return "layers." + layer + ".weight";
    }

    static String biasName(int layer) {
        return "layers." + layer + ".bias";
    }

    private static String activations(Network net) {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < net.layers(); l++) {
            sb.append(l == 0 ? "" : ",").append(net.activation(l).cliName());
        }
        return sb.toString();
    }

    /** The network that the metadata describes. */
    private static Network network(Path file, Map<String, String> meta) {
        if (!meta.containsKey("format")) {
            throw new ModelFileException(file + ": no 'format' in __metadata__; expected a " + FORMAT
                    + " model file (metadata format, version, arch, activations, cost)");
        }
        if (!FORMAT.equals(meta.get("format"))) {
            throw new ModelFileException(file + ": format '" + meta.get("format") + "' is not a " + FORMAT + " model");
        }
        if (!VERSION.equals(meta.get("version"))) {
            throw new ModelFileException(file + ": version '" + meta.get("version") + "' is not supported (this build reads "
                    + "version " + VERSION + ")");
        }
        for (String key : new String[] {"arch", "activations", "cost"}) {
            if (!meta.containsKey(key)) {
                throw new ModelFileException(file + ": no '" + key + "' in __metadata__");
            }
        }
        try {
            int[] sizes = Network.parseArch(meta.get("arch"));
            String[] names = meta.get("activations").split(",", -1);
            Activation[] acts = new Activation[names.length];
            for (int i = 0; i < names.length; i++) {
                acts[i] = Activation.parse(names[i]);
            }
            return new Network(sizes, acts, Cost.parse(meta.get("cost")));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file + ": metadata arch '" + meta.get("arch") + "', activations '"
                    + meta.get("activations") + "', cost '" + meta.get("cost") + "' is not a network: " + e.getMessage(), e);
        }
    }

    /** Checks that tensor {@code name} is there and has the given shape. */
    private static void check(Path file, Network net, Contents c, String name, long[] shape) {
        Tensor t = c.tensors().get(name);
        if (t == null) {
            throw new ModelFileException(file + ": tensor '" + name + "' is missing; expected shape "
                    + Arrays.toString(shape) + " for " + net.archString());
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(file + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + "; expected " + Arrays.toString(shape) + " for " + net.archString());
        }
    }
}
