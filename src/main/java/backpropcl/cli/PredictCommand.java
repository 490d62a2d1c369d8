package backpropcl.cli;

import backpropcl.text.Plural;
import backpropcl.data.CsvOptions;
import backpropcl.data.CsvReader;
import backpropcl.data.IdxRecord;
import backpropcl.data.ImageInput;
import backpropcl.io.AtomicFile;
import backpropcl.io.ModelFile;
import backpropcl.io.PathNames;
import backpropcl.model.Activation;
import backpropcl.model.Inference;
import backpropcl.model.Network;
import backpropcl.train.DataFingerprint;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import javax.imageio.ImageIO;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints a saved model's top classes for images, records or rows.",
            "",
            "An image (PNG or JPEG) is made to look like an MNIST digit, as a photograph needs: grey levels; the "
                + "paper estimated as a smooth surface under the ink (uneven light), and the image inverted when "
                + "the ink is darker than the paper; the paper subtracted; the noise measured away from the ink; "
                + "Otsu's automatic threshold above it and the connected components of the ink, keeping the digit "
                + "and clearing specks of noise or dust away from it; faint ink brought up to a stroke's level; the ink's box scaled to "
                + "20 of 28 pixels and centred by its centre of mass (sides scale with the model: sqrt(inputs) "
                + "must be a whole number, at least 8). An MNIST record saved as an image comes back unchanged. "
                + "--show-input DIR writes what the network sees. A record idx:PATH#N is used as it is, and its "
                + "label is shown when the labels file lies next to it.",
            "",
            "Table rows, for a model trained on a CSV file: FILE.csv gives one input per data row, named FILE:LINE "
                + "(its line in the file, from 1). Its rows have the model's number of features, or one field more: "
                + "the label, in the column the model was trained with (--label-column; first when it records none), "
                + "a class name or number, shown as the label. The header row and the separator (',', ';' or tab) "
                + "are detected as train detects them. A row can be typed too, as numbers separated by commas "
                + "(5.1,3.5,1.4,0.2). Rows go through the model's --normalize scaling, fitted in training, as "
                + "images and records do.",
            "",
            "Classes are shown by the names the model file records (its training data's: 'Ankle boot', "
                + "folder names, CSV labels), else by their numbers. An input that does not fit the model is "
                + "refused: an IDX record of another size, an image for a model of table features.",
            "",
            "Every input is read and checked before anything is printed.",
            ""},
        footer = {"", "Output, one line per input, in the order given:",
            "  digit.png: 7 (0.93), 2 (0.04), 3 (0.01)",
            "  smudge.jpg: 3 (0.41), 5 (0.32), 8 (0.12); low confidence",
            "  idx:t10k-images-idx3-ubyte.gz#0: 7 (0.99), 3 (0.00), 2 (0.00); label 7",
            "  rows.csv:2: setosa (0.97), versicolor (0.02), virginica (0.01); label setosa",
            "The numbers are softmax probabilities. An answer says 'low confidence' when its probability is below 0.5 "
                + "(the other classes together weigh more) or less than twice the next one's (0.55 against 0.45 of two "
                + "classes): look at the input (--show-input). A model whose output is not softmax shows 'score' before "
                + "each number: its outputs shifted to be non-negative and divided by their sum, which are not "
                + "probabilities (the same rule applies to them). With --show-input a last line says where the images "
                + "went: shown: DIR (N images, ...).",
            "",
            "--json prints one JSON array with one object per input, e.g.",
            "  [{\"input\":\"digit.png\",\"class\":7,\"name\":\"7\",",
            "    \"low_confidence\":false,",
            "    \"top\":[{\"class\":7,\"name\":\"7\",\"probability\":0.93},",
            "      ...]}, ...]",
            "with \"score\" in place of \"probability\" for a model whose output is not softmax, \"label\" and "
                + "\"label_name\" when the label is known, and \"shown\" (the image written) with --show-input.",
            "",
            "Example:",
            "  backprop-cl train --output softmax --cost cross-entropy --save m.safetensors",
            "  backprop-cl predict --model m.safetensors --show-input seen digit.png idx:data/t10k-images-idx3-ubyte.gz#0",
            "  backprop-cl train --data iris.csv --label-column last --save iris.safetensors",
            "  backprop-cl predict --model iris.safetensors rows.csv 5.1,3.5,1.4,0.2"})
final class PredictCommand implements Callable<Integer> {
    /** A top probability (or score) below this is a low-confidence answer: the other classes together weigh more. */
    static final double LOW_CONFIDENCE = 0.5;

    /** An answer less than this many times as likely as the next one is a low-confidence answer too. */
    static final double RUNNER_UP_RATIO = 2;

    /** The smallest side of an image model: 8 x 8 is the smallest image data set in use (scikit-learn's digits). */
    static final int MIN_IMAGE_SIDE = 8;

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

    @Option(names = "--show-input", paramLabel = "DIR",
            description = "Write, for each input, the image the network sees (side x side grey PNG, 28x28 for MNIST "
                    + "models) into DIR, created when missing, as K-NAME.png: K its place among the inputs from 1, "
                    + "NAME the input's file name without its extension (NAME-N for idx:PATH#N). An input is never "
                    + "overwritten.")
    Path showInput;

    @Parameters(paramLabel = "INPUT", arity = "1..*",
            description = "A PNG or JPEG image file; idx:PATH#N for record N (counting from 0) of an IDX images "
                    + "file, plain or .gz; a .csv file of table rows; or one row, numbers separated by commas.")
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
        if (showInput != null && squareSide(net.inputSize()) == 0) {
            throw new UserError("--show-input writes side x side images, but " + model + " takes " + net.inputSize()
                    + " inputs, not a square number");
        }
        OutputGuard.Plan plan = new OutputGuard.Plan().input("--model", model);
        List<String> shownNames = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            plan.input("INPUT", inputPath(inputs.get(i)));
            shownNames.add(shownName(i, inputs.get(i)));
        }
        plan.directory("--show-input", showInput, shownNames);
        try (OutputGuard guard = plan.acquire()) {
            return predict(saved, net, shownNames);
        }
    }

    private int predict(ModelFile.Saved saved, Network net, List<String> shownNames) {
        List<Input> read = readAll(saved);
        int rows = read.size();
        int width = net.inputSize();
        float[] x = new float[Math.multiplyExact(rows, width)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(read.get(r).features(), 0, x, r * width, width);
        }
        // Images and IDX records are pixels in [0, 1]; a model trained with --normalize standard|minmax
        // sees them scaled by the numbers fitted in training, as evaluate does.
        float[] seen = ModelData.preprocessing(model, saved.metadata()).apply(x);
        double[] p = Inference.probabilities(saved.parameters(), seen, rows);
        int classes = net.outputSize();
        int k = Math.min(top, classes);
        boolean softmax = net.outputActivation() == Activation.SOFTMAX;
        List<String> names = saved.classNames();

        List<Path> shown = new ArrayList<>();
        if (showInput != null) {
            int side = squareSide(width);
            for (int r = 0; r < rows; r++) {
                shown.add(writeImage(showInput.resolve(shownNames.get(r)), ImageInput.toImage(read.get(r).features(), side)));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        JsonArray array = new JsonArray();
        for (int r = 0; r < rows; r++) {
            Input in = read.get(r);
            List<Ranked> all = ranked(p, r * classes, classes, classes);
            boolean low = lowConfidence(all);
            List<Ranked> ranked = all.subList(0, k);
            if (json) {
                JsonObject o = json(in, ranked, low, softmax, names);
                if (showInput != null) {
                    o.addProperty("shown", shown.get(r).toString());
                }
                array.add(o);
            } else {
                out.println(text(in, ranked, low, softmax, names));
            }
        }
        if (json) {
            out.println(JsonOutput.compact(array));
        } else if (showInput != null) {
            out.printf(Locale.ROOT, "shown: %s (%s, K-NAME.png in the order of the inputs)%n", showInput, Plural.of(rows, "image"));
        }
        return ExitCodes.OK;
    }

    /** Reads and checks every input before any prediction, so that an error prints nothing else. */
    private List<Input> readAll(ModelFile.Saved saved) {
        int width = saved.network().inputSize();
        IdxRecord.Reader records = new IdxRecord.Reader();
        List<Input> read = new ArrayList<>();
        for (String arg : inputs) {
            if (isTable(arg) && showInput != null) {
                throw new UserError(arg + ": --show-input writes the images the network sees, but table rows are no images");
            }
            if (isCsv(arg)) {
                read.addAll(rows(saved, arg));
            } else if (CsvReader.isInlineRow(arg)) {
                float[] row = CsvReader.inlineRow(arg);
                if (row.length != width) {
                    throw new UserError(arg + ": a row of " + Plural.of(row.length, "number") + ", but " + model + " takes "
                            + Plural.of(width, "feature"));
                }
                read.add(new Input(arg, row, -1));
            } else if (IdxRecord.isRecordSpec(arg)) {
                IdxRecord rec = records.read(arg);
                if (rec.features().length != width) {
                    throw new UserError(arg + ": a record of " + Plural.of(rec.features().length, "value") + ", but " + model
                            + " takes " + Plural.of(width, "input"));
                }
                read.add(new Input(arg, rec.features(), rec.label()));
            } else {
                Path file = path(arg);
                String unfit = imageMismatch(saved);
                if (unfit != null) {
                    throw new UserError(arg + ": " + unfit);
                }
                if (!Files.exists(file)) {
                    throw new UserError(arg + ": no such file; expected a PNG or JPEG image, or " + IdxRecord.SYNTAX);
                }
                read.add(new Input(arg, ImageInput.features(file, squareSide(width)), -1));
            }
        }
        return read;
    }

    /**
     * The rows of a CSV file, each named FILE:LINE, with its label when the file has a label column
     * (the one the model records, e.g. last), read as the model's classes.
     */
    private List<Input> rows(ModelFile.Saved saved, String arg) {
        Network net = saved.network();
        DataFingerprint trained = DataFingerprint.fromMetadata(model, saved.metadata());
        String labelColumn = trained == null || trained.csv() == null ? null : trained.csv().labelColumn();
        // The separator is the file's own (detected): rows typed in another spreadsheet need not share the training file's.
        CsvReader.Rows rows = CsvReader.readRows(path(arg), net.inputSize(), net.outputSize(), new CsvOptions(labelColumn, null),
                ModelData.labels(model, saved.classNames()), model.toString());
        List<Input> read = new ArrayList<>(rows.count());
        int w = rows.width();
        for (int r = 0; r < rows.count(); r++) {
            float[] x = Arrays.copyOfRange(rows.features(), r * w, (r + 1) * w);
            read.add(new Input(arg + ":" + rows.lines()[r], x, rows.labels() == null ? -1 : rows.labels()[r]));
        }
        return read;
    }

    private static boolean isCsv(String arg) {
        return !IdxRecord.isRecordSpec(arg) && arg.toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    /** Whether an input is table rows: a CSV file or a row typed inline. */
    private static boolean isTable(String arg) {
        return isCsv(arg) || CsvReader.isInlineRow(arg);
    }

    /**
     * Why images do not fit the model, or null when they do: its inputs must be side x side pixels
     * with side at least {@link #MIN_IMAGE_SIDE}, and, when the file records its input shape
     * ({@link ModelFile#INPUT_SHAPE}: "1x28x28" for images, "4" for four CSV features), that shape
     * must be an image's.
     */
    private String imageMismatch(ModelFile.Saved saved) {
        int width = saved.network().inputSize();
        String shape = saved.metadata().get(ModelFile.INPUT_SHAPE);
        if (shape != null && !isImageShape(shape)) {
            return "images need a model trained on images, but " + model + " was trained on inputs of shape " + shape
                    + " (" + width + " features, not side x side pixels)";
        }
        int side = squareSide(width);
        if (side == 0) {
            return "images need a model with a square number of inputs (side x side pixels), but " + model + " takes " + width;
        }
        if (side < MIN_IMAGE_SIDE) {
            return String.format(Locale.ROOT, "images need a model of at least %dx%d = %d inputs (side x side pixels), but %s "
                    + "takes %d; is it a model of table features (CSV)?", MIN_IMAGE_SIDE, MIN_IMAGE_SIDE,
                    MIN_IMAGE_SIDE * MIN_IMAGE_SIDE, model, width);
        }
        return null;
    }

    /** "28x28" or "1x28x28": one square channel. */
    static boolean isImageShape(String shape) {
        String[] d = shape.trim().split("x");
        int n = d.length;
        return (n == 2 || n == 3 && d[0].equals("1")) && d[n - 1].equals(d[n - 2]) && d[n - 1].matches("[1-9][0-9]*");
    }

    /** The side of a square of n pixels, or 0 when n is not a square. */
    private static int squareSide(int n) {
        int side = (int) Math.round(Math.sqrt(n));
        return side * side == n ? side : 0;
    }

    private static Path path(String arg) {
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            throw new UserError(PathNames.shown(arg) + ": " + PathNames.why(arg, e), e);
        }
    }

    /** The file an input reads (an image, or an IDX record's images file), for the output guard; null when it names none. */
    private static Path inputPath(String arg) {
        try {
            if (CsvReader.isInlineRow(arg)) {
                return null;   // numbers, not a file
            }
            return IdxRecord.isRecordSpec(arg) ? IdxRecord.parse(arg).file() : Path.of(arg);
        } catch (RuntimeException e) {
            return null;   // a malformed input: reading it says what is wrong
        }
    }

    /** Input i's --show-input file: "3-digit.png" for digit.jpg, "4-t10k-images-idx3-ubyte.gz-17.png" for a record. */
    static String shownName(int i, String arg) {
        String name;
        if (IdxRecord.isRecordSpec(arg)) {
            int hash = arg.lastIndexOf('#');
            name = fileName(arg.substring(IdxRecord.PREFIX.length(), Math.max(IdxRecord.PREFIX.length(), hash)))
                    + "-" + (hash < 0 ? "" : arg.substring(hash + 1));
        } else {
            name = fileName(arg);
            int dot = name.lastIndexOf('.');
            name = dot > 0 ? name.substring(0, dot) : name;
        }
        return (i + 1) + "-" + name + ".png";
    }

    /** The last part of a path as typed ("" stays ""). */
    private static String fileName(String path) {
        String trimmed = path.replaceAll("[/\\\\]+$", "");
        int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf(java.io.File.separatorChar));
        return trimmed.substring(slash + 1);
    }

    /** Writes a PNG atomically. */
    private static Path writeImage(Path file, BufferedImage image) {
        AtomicFile.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
        return file;
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

    /**
     * Whether an answer is of low confidence: its probability (or score) is below
     * {@link #LOW_CONFIDENCE}, or less than {@link #RUNNER_UP_RATIO} times the next class's (the
     * only rule that can trip with two classes); NaN is low too.
     *
     * @param all every class, most likely first
     */
    static boolean lowConfidence(List<Ranked> all) {
        double top = all.get(0).p();
        boolean close = all.size() > 1 && !(top >= RUNNER_UP_RATIO * all.get(1).p());
        return !(top >= LOW_CONFIDENCE) || close;
    }

    /** Class c's name: the model's, else its number. */
    static String name(List<String> names, int c) {
        return names != null && c >= 0 && c < names.size() ? names.get(c) : Integer.toString(c);
    }

    private static String text(Input in, List<Ranked> ranked, boolean low, boolean softmax, List<String> names) {
        StringBuilder sb = new StringBuilder(in.name()).append(": ");
        for (int i = 0; i < ranked.size(); i++) {
            Ranked c = ranked.get(i);
            sb.append(i == 0 ? "" : ", ").append(name(names, c.cls()))
                    .append(String.format(Locale.ROOT, softmax ? " (%.2f)" : " (score %.2f)", c.p()));
        }
        if (low) {
            sb.append("; low confidence");
        }
        if (in.label() >= 0) {
            sb.append("; label ").append(name(names, in.label()));
        }
        return sb.toString();
    }

    private static JsonObject json(Input in, List<Ranked> ranked, boolean low, boolean softmax, List<String> names) {
        JsonObject o = new JsonObject();
        o.addProperty("input", in.name());
        o.addProperty("class", ranked.get(0).cls());
        o.addProperty("name", name(names, ranked.get(0).cls()));
        o.addProperty("low_confidence", low);
        JsonArray list = new JsonArray();
        for (Ranked c : ranked) {
            JsonObject e = new JsonObject();
            e.addProperty("class", c.cls());
            e.addProperty("name", name(names, c.cls()));
            e.add(softmax ? "probability" : "score", JsonOutput.number(c.p()));   // NaN when the outputs overflow
            list.add(e);
        }
        o.add("top", list);
        if (in.label() >= 0) {
            o.addProperty("label", in.label());
            o.addProperty("label_name", name(names, in.label()));
        }
        return o;
    }
}
