package backpropcl.io;

import backpropcl.io.Safetensors.Contents;
import backpropcl.io.Safetensors.Tensor;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Shape;
import backpropcl.model.TrainingState;
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
 * <p>Tensors (version 2): {@code layers.{k}.weight} of shape (out, in) and {@code layers.{k}.bias}
 * of shape (out), float32, for each dense layer, k its index in the network's layer list: the
 * names of the equivalent {@code nn.Sequential} held as an attribute {@code layers}, so PyTorch's
 * {@code load_state_dict(..., strict=True)} takes the file as it is ({@code bench/torch_load.py};
 * {@code 784-16-10} has {@code layers.0} and {@code layers.2}, the sigmoid between them being
 * {@code layers.1}). The names come from {@link backpropcl.model.ParameterLayout}. A conv layer
 * has {@code weight} (F, C, K, K) and {@code bias} (F); a batchnorm layer {@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var} (C each) and {@code num_batches_tracked}
 * (shape [], I64 as in PyTorch, in models and checkpoints alike). A conv network's metadata also
 * holds {@value #INPUT_SHAPE}, the shape its layers were built on (its network is rebuilt on it).
 *
 * <p>Metadata, all strings: {@code format} "backprop-cl", {@code version} "2", {@value #INPUT_WIDTH}
 * (values per sample), {@value #LAYERS} (the layer list as a {@code --layers} spec, e.g.
 * "dense:16,sigmoid,dropout:0.5,dense:10,sigmoid") and {@code cost} e.g. "quadratic"; the network
 * is rebuilt from these, and every tensor's shape is checked against it. {@code arch} (the dense
 * widths, e.g. "784-16-10") and {@code activations} (one per dense layer, identity where none
 * follows) describe the same network and must agree with it.
 *
 * <p>Version 1 files (before layer lists) still load, exactly as before: they have no
 * {@value #LAYERS} and {@value #INPUT_WIDTH}, the network is {@code arch} with {@code activations},
 * and their tensors count dense layers only ({@code layers.0}, {@code layers.1}, ...).
 *
 * <p>The optimizer's state, when saved with the model: metadata {@code optimizer} and its
 * hyperparameters ({@link Optimizer#toMetadata}) and {@code optimizer_steps}; tensors
 * {@code optimizer.layers.{k}.weight.{slot}} and {@code optimizer.layers.{k}.bias.{slot}}, float32,
 * with PyTorch's slot names ({@code momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq}), for the
 * trainable tensors only (none for batchnorm's statistics).
 *
 * <p>What the model was trained on, written by {@code train --save} (a file without these keys,
 * from an older backprop-cl, loads and works as before): {@value #DATA_SOURCE} (the --data value
 * as given), {@value #DATA_SOURCE_PATH} (its absolute path when it is a file or folder),
 * {@value #INPUT_SHAPE} ("1x28x28" for MNIST images, "4" for 4 CSV features), {@value #SPLIT_SEED}
 * (the seed of a CSV file's stratified test split), {@value #CLASS_NAMES}, and the training data's
 * fingerprint ({@code data_name}, {@code data_count}, {@code data_hash}, ..., the CSV label column
 * and separator, and the normalisation with its fitted numbers, {@code normalize},
 * {@code normalize_offset}, {@code normalize_scale}: see {@code train.DataFingerprint} and
 * {@code data.Preprocessing}).
 */
public final class ModelFile {

    public static final String FORMAT = "backprop-cl";
    public static final String VERSION = "2";

    /** The version of files written before networks were layer lists; still read. */
    public static final String VERSION_1 = "1";

    /** The metadata key of the layer list, as a {@code --layers} spec (version 2). */
    public static final String LAYERS = "layers";

    /** The metadata key of the network's input width (version 2). */
    public static final String INPUT_WIDTH = "input_width";

    private ModelFile() {
    }

    /**
     * A network and its parameters, as read from a file.
     */
    public record Saved(Network network, Parameters parameters, TrainingState optimizerState, Map<String, String> metadata) {

        /** Whether the file held an optimizer's state (then {@link #optimizerState} has it, with these parameters). */
        public boolean hasOptimizerState() {
            return optimizerState != null;
        }

        /** The class names the model was trained with, in label order, or null when the file has none. */
        public java.util.List<String> classNames() {
            return ModelFile.classNames(metadata);
        }
    }

    /** The metadata key of the class names: a JSON array of strings, in label order. */
    public static final String CLASS_NAMES = "class_names";

    /** The class names under {@link #CLASS_NAMES}, or null when absent or not an array of strings. */
    public static java.util.List<String> classNames(Map<String, String> metadata) {
        String json = metadata.get(CLASS_NAMES);
        if (json == null) {
            return null;
        }
        try {
            String[] names = new com.google.gson.Gson().fromJson(json, String[].class);
            return names == null ? null : java.util.List.of(names);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The metadata key of the --data value the model was trained on, as given. */
    public static final String DATA_SOURCE = "data_source";

    /** The metadata key of the absolute path of {@link #DATA_SOURCE} when it names a file or folder. */
    public static final String DATA_SOURCE_PATH = "data_source_path";

    /** The metadata key of one sample's shape: "1x28x28", "4". */
    public static final String INPUT_SHAPE = "input_shape";

    /** The metadata key of the seed of the data set's split. */
    public static final String SPLIT_SEED = "split_seed";

    /**
     * The metadata entries of what a model was trained on, besides its data's fingerprint.
     *
     * @param sourcePath the absolute path of the source when it is a file or folder, else null
     */
    public static Map<String, String> dataMetadata(String source, Path sourcePath, String inputShape, long splitSeed) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(DATA_SOURCE, source);
        if (sourcePath != null) {
            m.put(DATA_SOURCE_PATH, sourcePath.toAbsolutePath().normalize().toString());
        }
        m.put(INPUT_SHAPE, inputShape);
        m.put(SPLIT_SEED, Long.toString(splitSeed));
        return m;
    }

    /** The metadata entry that records {@code names} under {@link #CLASS_NAMES}. */
    public static Map<String, String> classNamesMetadata(java.util.List<String> names) {
        return Map.of(CLASS_NAMES, new com.google.gson.Gson().toJson(names));
    }

    /** Writes {@code p}, the parameters of {@code net}, to {@code file}, atomically. */
    public static void save(Path file, Network net, Parameters p) {
        if (!p.network().equals(net)) {
            throw new IllegalArgumentException("parameters are for " + p.network() + ", not " + net);
        }
        Safetensors.write(file, parameterTensors(p), networkMetadata(net));
    }

    /** Writes the parameters and the optimizer's state of {@code state} (rounded to float32), atomically. */
    public static void save(Path file, TrainingState state) {
        save(file, state, Map.of(), false);
    }

    /**
     * Writes the parameters and the optimizer's state, with {@code extra} metadata, atomically: as
     * float64 when {@code exact} (checkpoints: every engine's state reads back bit for bit), else
     * rounded to float32.
     */
    public static void save(Path file, TrainingState state, Map<String, String> extra, boolean exact) {
        save(file, state, extra, exact, Map.of());
    }

    /** The metadata key that lists the prefixes of the further states in a file (comma-separated), see {@link #save(Path, TrainingState, Map, boolean, Map)}. */
    public static final String MORE_STATES = "more_states";

    /**
     * As {@link #save(Path, TrainingState, Map, boolean)}, with further states of the same network
     * and optimizer in the same file (a checkpoint's best epoch), each under its prefix: tensors
     * {@code best.layers.0.weight}, ... (the names of {@link TensorNames#of}), its step count as metadata {@code best.optimizer_steps}, the
     * prefixes listed under {@link #MORE_STATES}. {@link #load} reads the main state and skips them;
     * {@link #loadMore} reads one.
     */
    public static void save(Path file, TrainingState state, Map<String, String> extra, boolean exact, Map<String, TrainingState> more) {
        Network net = state.network();
        LinkedHashMap<String, Tensor> tensors = stateTensors(state, exact, "");
        Map<String, String> metadata = networkMetadata(net);
        metadata.putAll(state.optimizer().toMetadata());
        metadata.put("optimizer_steps", Long.toString(state.steps()));
        for (Map.Entry<String, TrainingState> m : more.entrySet()) {
            TrainingState s = m.getValue();
            if (!s.network().equals(net) || !s.optimizer().equals(state.optimizer())) {
                throw new IllegalArgumentException("the state under '" + m.getKey() + "' is of another network or optimizer");
            }
            tensors.putAll(stateTensors(s, exact, m.getKey()));
            metadata.put(m.getKey() + "optimizer_steps", Long.toString(s.steps()));
        }
        if (!more.isEmpty()) {
            metadata.put(MORE_STATES, String.join(",", more.keySet()));
        }
        metadata.putAll(extra);
        Safetensors.write(file, tensors, metadata);
    }

    /**
     * The parameter and optimizer-state tensors of {@code state}, each name after {@code prefix}:
     * every parameter tensor in layout order, then layer by layer each slot of its trainable tensors.
     */
    private static LinkedHashMap<String, Tensor> stateTensors(TrainingState state, boolean exact, String prefix) {
        TensorNames names = TensorNames.of(state.network());
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        Optimizer.Kind kind = state.optimizer().kind();
        for (TensorNames.Named n : names.all()) {
            tensors.put(prefix + n.name(), tensor(n.tensor(), n.tensor().copyOut(state.values()), exact));
        }
        for (java.util.List<TensorNames.Named> layer : names.byLayer().values()) {
            for (int s = 0; s < kind.slots(); s++) {
                for (TensorNames.Named n : layer) {
                    if (n.tensor().trainable()) {
                        tensors.put(prefix + slotName(n.name(), kind, s), tensor(n.tensor(), n.tensor().copyOut(state.slot(s)), exact));
                    }
                }
            }
        }
        return tensors;
    }

    /** A tensor of the file: F64 when {@code exact}, else F32; a count (num_batches_tracked) I64 either way, as PyTorch keeps it. */
    private static Tensor tensor(ParameterLayout.Tensor t, double[] values, boolean exact) {
        long[] shape = shape(t);
        if (isCount(t)) {
            return Tensor.i64(shape, values);
        }
        return exact ? Tensor.f64(shape, values) : new Tensor(shape, TrainingState.floats(values));
    }

    private static boolean isCount(ParameterLayout.Tensor t) {
        return t.name().endsWith(".num_batches_tracked");
    }

    private static long[] shape(ParameterLayout.Tensor t) {
        return Arrays.stream(t.shape()).asLongStream().toArray();
    }

    private static LinkedHashMap<String, Tensor> parameterTensors(Parameters p) {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorNames.Named n : TensorNames.of(p.network()).all()) {
            ParameterLayout.Tensor t = n.tensor();
            tensors.put(n.name(), isCount(t) ? Tensor.i64(shape(t), TrainingState.doubles(t.copyOut(p.values()), t.length()))
                    : new Tensor(shape(t), t.copyOut(p.values())));
        }
        return tensors;
    }

    /** The metadata that describes a network: format, version, input width, layers, arch, activations, cost. */
    public static Map<String, String> networkMetadata(Network net) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("version", VERSION);
        metadata.put(INPUT_WIDTH, Integer.toString(net.inputSize()));
        if (net.isConvolutional()) {
            // A conv network reads images: its layers make a network only on this shape.
            metadata.put(INPUT_SHAPE, net.inputShape().toString());
        }
        metadata.put(LAYERS, net.spec());
        metadata.put("arch", net.archString());
        metadata.put("activations", activations(net));
        metadata.put("cost", net.cost().cliName());
        return metadata;
    }

    static String slotName(String tensor, Optimizer.Kind kind, int slot) {
        return "optimizer." + tensor + "." + kind.slotName(slot);
    }

    /** Reads a model file: the network from its metadata, the parameters from its tensors. */
    public static Saved load(Path file) {
        Contents c = Safetensors.read(file);
        Network net = network(file, c.metadata());
        TensorNames names = names(c.metadata(), net);
        Optimizer optimizer = optimizer(file, c.metadata());
        int slots = optimizer == null ? 0 : optimizer.kind().slots();
        Set<String> expected = new LinkedHashSet<>();
        TrainingState all = readState(file, c, net, names, optimizer, "", expected);
        java.util.List<String> more = morePrefixes(c.metadata());
        for (String name : c.tensors().keySet()) {
            if (!expected.contains(name) && more.stream().noneMatch(name::startsWith)) {
                throw new ModelFileException(file + ": unexpected tensor '" + Safetensors.printable(name) + "'; a " + describe(net)
                        + " network has " + names.describe()
                        + (slots == 0 ? "" : " and the " + optimizer.kind().cliName() + " optimizer's state") + " only");
            }
        }
        String broken = nonFinite(all, names);
        if (broken != null) {
            // Refused here, so evaluate, predict, visualize, plot, --init-from and --resume all refuse it alike.
            throw new ModelFileException(file + ": " + broken + "; the " + ("1".equals(c.metadata().get("checkpoint")) ? "checkpoint"
                    : "model") + " is broken (was it saved from a diverged run?)");
        }
        return new Saved(net, all.parameters(), optimizer == null ? null : all, c.metadata());
    }

    /**
     * The state saved under {@code prefix} beside the file's main one ({@link #save(Path, TrainingState,
     * Map, boolean, Map)}), or null when the file holds none under it.
     *
     * @throws ModelFileException when a tensor is missing, of the wrong shape or not finite
     */
    public static TrainingState loadMore(Path file, String prefix) {
        Contents c = Safetensors.read(file);
        if (!morePrefixes(c.metadata()).contains(prefix)) {
            return null;
        }
        Network net = network(file, c.metadata());
        TrainingState s = readState(file, c, net, names(c.metadata(), net), optimizer(file, c.metadata()), prefix, new LinkedHashSet<>());
        String broken = nonFinite(s, names(c.metadata(), net));
        if (broken != null) {
            throw new ModelFileException(file + ": " + broken + " (of the state under '" + prefix + "'); the file is broken");
        }
        return s;
    }

    private static java.util.List<String> morePrefixes(Map<String, String> meta) {
        String v = meta.get(MORE_STATES);
        return v == null || v.isEmpty() ? java.util.List.of() : java.util.List.of(v.split(",", -1));
    }

    /** The parameters and optimizer state under {@code prefix}, each tensor's shape checked; adds the names read to {@code expected}. */
    private static TrainingState readState(Path file, Contents c, Network net, TensorNames names, Optimizer optimizer, String prefix,
                                           Set<String> expected) {
        int slots = optimizer == null ? 0 : optimizer.kind().slots();
        // Every value as double: exact for F32, F64 and I64 alike.
        TrainingState all = TrainingState.zeros(net, optimizer == null ? Optimizer.sgd() : optimizer);
        for (TensorNames.Named n : names.all()) {
            String name = prefix + n.name();
            check(file, net, c, name, n.tensor());
            expected.add(name);
            values(c.tensors().get(name), all.values(), n.tensor());
            for (int s = 0; s < slots && n.tensor().trainable(); s++) {
                String slot = prefix + slotName(n.name(), optimizer.kind(), s);
                check(file, net, c, slot, n.tensor());
                expected.add(slot);
                values(c.tensors().get(slot), all.slot(s), n.tensor());
            }
        }
        if (optimizer != null) {
            all.setSteps(wholeNumber(file, c.metadata(), prefix + "optimizer_steps", Long.MAX_VALUE, "metadata"));
        }
        return all;
    }

    /**
     * The first value of {@code state} that is NaN or infinite, as "tensor layers.1.weight holds NaN
     * at [3, 17]" (the tensor's name in a model file and the value's index in its shape), or null when
     * every parameter and optimizer-state value is finite. Parameters come first, layer by layer,
     * then the optimizer's state.
     */
    public static String nonFinite(TrainingState state) {
        return nonFinite(state, TensorNames.of(state.network()));
    }

    /** As {@link #nonFinite(TrainingState)}, naming the tensors as the file read has them. */
    private static String nonFinite(TrainingState state, TensorNames names) {
        Optimizer.Kind kind = state.optimizer().kind();
        for (TensorNames.Named n : names.all()) {
            String broken = nonFinite(n.name(), n.tensor().shape(), n.tensor().copyOut(state.values()));
            if (broken != null) {
                return broken;
            }
        }
        for (java.util.List<TensorNames.Named> layer : names.byLayer().values()) {
            for (int s = 0; s < kind.slots(); s++) {
                for (TensorNames.Named n : layer) {
                    String broken = n.tensor().trainable() ? nonFinite(slotName(n.name(), kind, s), n.tensor().shape(),
                            n.tensor().copyOut(state.slot(s))) : null;
                    if (broken != null) {
                        return broken;
                    }
                }
            }
        }
        return null;
    }

    /** The first non-finite value of a tensor of that shape, with its index in the shape ("[3, 17]"). */
    private static String nonFinite(String name, int[] shape, double[] values) {
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                int[] at = new int[shape.length];
                for (int d = shape.length - 1, rest = i; d >= 0; d--) {
                    at[d] = rest % shape[d];
                    rest /= shape[d];
                }
                return "tensor " + name + " holds " + v + " at " + Arrays.toString(shape.length == 0 ? new int[] {0} : at);
            }
        }
        return null;
    }

    /** Copies a tensor read from a file into {@code to} at {@code at}'s place in the flat buffer. */
    private static void values(Tensor t, double[] to, ParameterLayout.Tensor at) {
        int o = (int) at.offset();
        if (t.data() != null) {
            for (int i = 0; i < at.length(); i++) {
                to[o + i] = t.data()[i];
            }
        } else {
            System.arraycopy(t.doubles(), 0, to, o, at.length());
        }
    }

    private static Optimizer optimizer(Path file, Map<String, String> meta) {
        try {
            return Optimizer.fromMetadata(meta);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file + ": the optimizer in __metadata__ is not valid: "
                    + Safetensors.printable(e.getMessage(), 300), e);
        }
    }

    /**
     * The whole number from 0 to {@code max} under {@code key} in a file's metadata, or an error
     * naming the file, {@code where} (e.g. "checkpoint metadata") and the key.
     */
    public static long wholeNumber(Path file, Map<String, String> meta, String key, long max, String where) {
        String v = meta.get(key);
        try {
            long n = Long.parseLong(v == null ? "" : v);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String found = v == null ? "missing" : "'" + Safetensors.printable(v) + "'";
        throw new ModelFileException(file + ": " + where + " '" + key + "' is " + found + "; expected a whole number of 0 or more");
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

    /** The tensor names of the file's version: version 1 counted dense layers. */
    private static TensorNames names(Map<String, String> meta, Network net) {
        return VERSION_1.equals(meta.get("version")) ? TensorNames.version1(net) : TensorNames.of(net);
    }

    private static String activations(Network net) {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < net.denseLayers(); l++) {
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
            throw new ModelFileException(file + ": format '" + Safetensors.printable(meta.get("format")) + "' is not a "
                    + FORMAT + " model");
        }
        String version = meta.get("version");
        if (VERSION_1.equals(version)) {
            return version1Network(file, meta);
        }
        if (!VERSION.equals(version)) {
            throw new ModelFileException(file + ": version '" + Safetensors.printable(version)
                    + "' is not supported (this build reads versions " + VERSION_1 + " and " + VERSION + ")");
        }
        for (String key : new String[] {INPUT_WIDTH, LAYERS, "cost"}) {
            if (!meta.containsKey(key)) {
                throw new ModelFileException(file + ": no '" + key + "' in __metadata__ (a version " + VERSION + " model file has "
                        + INPUT_WIDTH + ", " + LAYERS + " and cost)");
            }
        }
        int inputs = (int) wholeNumber(file, meta, INPUT_WIDTH, Network.MAX_WIDTH, "metadata");
        Shape shape = inputShape(file, meta, inputs);
        Network net;
        try {
            net = Network.parse(shape, meta.get(LAYERS), Cost.parse(meta.get("cost")));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file + ": metadata input_width " + inputs + (shape.isFlat() ? "" : ", input_shape " + shape)
                    + ", layers '" + Safetensors.printable(meta.get(LAYERS))
                    + "', cost '" + Safetensors.printable(meta.get("cost")) + "' is not a network: "
                    + Safetensors.printable(e.getMessage(), 300), e);
        }
        // arch and activations are the dense view of the same network: one that says otherwise was edited by hand.
        for (String[] kv : new String[][] {{"arch", net.archString()}, {"activations", activations(net)}}) {
            String v = meta.get(kv[0]);
            if (v != null && !v.equals(kv[1])) {
                throw new ModelFileException(file + ": metadata " + kv[0] + " '" + Safetensors.printable(v) + "' disagrees with its layers '"
                        + Safetensors.printable(meta.get(LAYERS)) + "', which make " + kv[1]);
            }
        }
        return net;
    }

    /**
     * The shape of one sample: {@value #INPUT_SHAPE} when the file has it (a conv network needs it;
     * a dense one reads its input flat whatever it says), else {@code inputs} values flat.
     */
    private static Shape inputShape(Path file, Map<String, String> meta, int inputs) {
        String text = meta.get(INPUT_SHAPE);
        if (text == null) {
            return Shape.flat(inputs);
        }
        Shape shape;
        try {
            shape = Shape.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file + ": metadata " + INPUT_SHAPE + " '" + Safetensors.printable(text) + "' is not a shape: "
                    + Safetensors.printable(e.getMessage(), 300), e);
        }
        if (shape.size() != inputs) {
            throw new ModelFileException(file + ": metadata " + INPUT_SHAPE + " " + shape + " holds " + shape.size() + " values, but "
                    + INPUT_WIDTH + " is " + inputs);
        }
        return shape;
    }

    /** The network of a version 1 file: its arch, activations and cost, read as that version read them. */
    private static Network version1Network(Path file, Map<String, String> meta) {
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
            throw new ModelFileException(file + ": metadata arch '" + Safetensors.printable(meta.get("arch")) + "', activations '"
                    + Safetensors.printable(meta.get("activations")) + "', cost '" + Safetensors.printable(meta.get("cost"))
                    + "' is not a network: " + Safetensors.printable(e.getMessage(), 300), e);
        }
    }

    /** Checks that tensor {@code name} is there and has the shape of {@code t}. */
    private static void check(Path file, Network net, Contents c, String name, ParameterLayout.Tensor t) {
        long[] shape = shape(t);
        Tensor found = c.tensors().get(name);
        if (found == null) {
            throw new ModelFileException(file + ": tensor '" + name + "' is missing; expected shape "
                    + Arrays.toString(shape) + " for " + describe(net));
        }
        if (!Arrays.equals(found.shape(), shape)) {
            throw new ModelFileException(file + ": tensor '" + name + "' has shape " + Arrays.toString(found.shape())
                    + "; expected " + Arrays.toString(shape) + " for " + describe(net));
        }
    }

    /** The network as messages name it: its dense widths ("784-16-10"), or its input shape and layers for a conv network. */
    static String describe(Network net) {
        return net.isConvolutional() ? net.toString() : net.archString();
    }
}
