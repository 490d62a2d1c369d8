package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.data.IdxRecord;
import backpropcl.data.ImageInput;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Inference;
import backpropcl.model.Network;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints a saved model's top classes for images or IDX records.",
            "",
            "An image (PNG or JPEG) is made to look like an MNIST digit: grey levels, inverted when it is dark "
                + "ink on light paper, the ink's box scaled to 20 of 28 pixels and centred by its centre of mass "
                + "(sides scale with the model: sqrt(inputs) must be a whole number). A record idx:PATH#N is used "
                + "as it is, and its label is shown when the labels file lies next to it.",
            "",
            "Every input is read and checked before anything is printed.",
            ""},
        footer = {"", "Output, one line per input, in the order given:",
            "  digit.png: 7 (0.93), 2 (0.04), 3 (0.01)",
            "  idx:t10k-images-idx3-ubyte.gz#0: 7 (0.99), 3 (0.00), 2 (0.00); label 7",
            "The numbers are softmax probabilities. A model whose output is not softmax shows 'score' before each "
                + "number: its outputs shifted to be non-negative and divided by their sum, which are not probabilities.",
            "",
            "--json prints one JSON array with one object per input, e.g.",
            "  [{\"input\":\"digit.png\",\"class\":7,",
            "    \"top\":[{\"class\":7,\"probability\":0.93},...]}, ...]",
            "with \"score\" in place of \"probability\" for a model whose output is not softmax, and \"label\" when it "
                + "is known.",
            "",
            "Example:",
            "  backprop-cl train --output softmax --cost cross-entropy --save m.safetensors",
            "  backprop-cl predict --model m.safetensors digit.png idx:data/t10k-images-idx3-ubyte.gz#0"})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true,
            description = "A model written by 'train --save' (safetensors).")
    Path model;

    @Option(names = "--top", paramLabel = "K", converter = OptionValues.Count.class, defaultValue = "3",
            description = "How many classes to show per input, most likely first; at most the model's number of "
                    + "classes (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print one JSON array instead of lines of text.")
    boolean json;

    @Parameters(paramLabel = "INPUT", arity = "1..*",
            description = "A PNG or JPEG image file, or idx:PATH#N for record N (counting from 0) of an IDX images "
                    + "file, plain or .gz.")
    List<String> inputs;

    /** One input, read: its features and, for an IDX record with a labels file, its label (else -1). */
    record Input(String name, float[] features, int label) {
    }

    /** One class and its probability (or score). */
    record Ranked(int cls, double p) {
    }

    @Override
    public Integer call() {
        ModelFile.Saved saved = ModelFile.load(model);
        Network net = saved.network();
        List<Input> read = readAll(net);

        int rows = read.size();
        int width = net.inputSize();
        float[] x = new float[Math.multiplyExact(rows, width)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(read.get(r).features(), 0, x, r * width, width);
        }
        double[] p = Inference.probabilities(saved.parameters(), x, rows);
        int classes = net.outputSize();
        int k = Math.min(top, classes);
        boolean softmax = net.outputActivation() == Activation.SOFTMAX;

        PrintWriter out = spec.commandLine().getOut();
        JsonArray array = new JsonArray();
        for (int r = 0; r < rows; r++) {
            Input in = read.get(r);
            List<Ranked> ranked = ranked(p, r * classes, classes, k);
            if (json) {
                array.add(json(in, ranked, softmax));
            } else {
                out.println(text(in, ranked, softmax));
            }
        }
        if (json) {
            out.println(JsonOutput.compact(array));
        }
        return ExitCodes.OK;
    }

    /** Reads and checks every input before any prediction, so that an error prints nothing else. */
    private List<Input> readAll(Network net) {
        int width = net.inputSize();
        int side = (int) Math.round(Math.sqrt(width));
        boolean square = side * side == width;
        IdxRecord.Reader records = new IdxRecord.Reader();
        List<Input> read = new ArrayList<>();
        for (String arg : inputs) {
            if (IdxRecord.isRecordSpec(arg)) {
                IdxRecord rec = records.read(arg);
                if (rec.features().length != width) {
                    throw new UserError(arg + ": a record of " + Plural.of(rec.features().length, "value") + ", but " + model
                            + " takes " + Plural.of(width, "input"));
                }
                read.add(new Input(arg, rec.features(), rec.label()));
            } else {
                if (!square) {
                    throw new UserError(arg + ": images need a model with a square number of inputs (side x side "
                            + "pixels), but " + model + " takes " + width);
                }
                Path file;
                try {
                    file = Path.of(arg);
                } catch (InvalidPathException e) {
                    throw new UserError(backpropcl.io.PathNames.shown(arg) + ": " + backpropcl.io.PathNames.why(arg, e), e);
                }
                if (!Files.exists(file)) {
                    throw new UserError(arg + ": no such file; expected a PNG or JPEG image, or " + IdxRecord.SYNTAX);
                }
                read.add(new Input(arg, ImageInput.features(file, side), -1));
            }
        }
        return read;
    }

    /** The k most likely classes of row p[offset .. offset + n), most likely first, ties by class. */
    static List<Ranked> ranked(double[] p, int offset, int n, int k) {
        List<Ranked> all = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            all.add(new Ranked(j, p[offset + j]));
        }
        all.sort(Comparator.comparingDouble(Ranked::p).reversed().thenComparingInt(Ranked::cls));
        return all.subList(0, k);
    }

    private static String text(Input in, List<Ranked> ranked, boolean softmax) {
        StringBuilder sb = new StringBuilder(in.name()).append(": ");
        for (int i = 0; i < ranked.size(); i++) {
            Ranked c = ranked.get(i);
            sb.append(i == 0 ? "" : ", ").append(c.cls())
                    .append(String.format(Locale.ROOT, softmax ? " (%.2f)" : " (score %.2f)", c.p()));
        }
        if (in.label() >= 0) {
            sb.append("; label ").append(in.label());
        }
        return sb.toString();
    }

    private static JsonObject json(Input in, List<Ranked> ranked, boolean softmax) {
        JsonObject o = new JsonObject();
        o.addProperty("input", in.name());
        o.addProperty("class", ranked.get(0).cls());
        JsonArray list = new JsonArray();
        for (Ranked c : ranked) {
            JsonObject e = new JsonObject();
            e.addProperty("class", c.cls());
            e.add(softmax ? "probability" : "score", JsonOutput.number(c.p()));   // NaN when the outputs overflow
            list.add(e);
        }
        o.add("top", list);
        if (in.label() >= 0) {
            o.addProperty("label", in.label());
        }
        return o;
    }
}
