package backpropcl.cli;

import static backpropcl.data.DigitImages.grey;
import static backpropcl.data.DigitImages.record;
import static backpropcl.data.DigitImages.write;
import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.data.Preprocessing;
import backpropcl.data.DigitImages;
import backpropcl.data.IdxDirectory;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Inference;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import backpropcl.testing.CommandRun;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} as a user meets it, with a model made by hand: a nearest-centroid classifier
 * (a single dense layer, z_j = (x . m_j - |m_j|^2 / 2) / T with m_j the mean training image of
 * class j), which scores about 80% on MNIST and needs no training.
 */
class PredictCommandTest {
    /** Records used: the first few of the bundled test split. */
    private static final int RECORDS = 12;

    /** Softmax temperature of the centroid model: probabilities neither all 1.0 nor flat. */
    private static final double TEMPERATURE = 2.0;

    @TempDir
    static Path dir;

    static Path softmaxModel;
    static Path sigmoidModel;
    static Path images;
    static Path labels;


    @BeforeAll
    static void models() throws IOException {
        Dataset train = IdxDirectory.loadResource("/datasets/mnist-10k/", 10).train().head(2000);
        softmaxModel = dir.resolve("softmax.safetensors");
        sigmoidModel = dir.resolve("sigmoid.safetensors");
        Network softmax = Network.of("784-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Network sigmoid = Network.of("784-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        ModelFile.save(softmaxModel, softmax, centroids(softmax, train, TEMPERATURE));
        ModelFile.save(sigmoidModel, sigmoid, centroids(sigmoid, train, 20 * TEMPERATURE));
        images = copy("t10k-images-idx3-ubyte.gz");
        labels = copy("t10k-labels-idx1-ubyte.gz");
    }

    /** Nearest-centroid weights: row j is m_j / t, bias j is -|m_j|^2 / (2 t). */
    static Parameters centroids(Network net, Dataset d, double t) {
        int w = d.width();
        double[] sums = new double[10 * w];
        int[] counts = new int[10];
        for (int i = 0; i < d.count(); i++) {
            counts[d.labels()[i]]++;
            for (int k = 0; k < w; k++) {
                sums[d.labels()[i] * w + k] += d.features()[i * w + k];
            }
        }
        Parameters p = Parameters.zeros(net);
        for (int j = 0; j < 10; j++) {
            double norm = 0;
            for (int k = 0; k < w; k++) {
                double m = sums[j * w + k] / counts[j];
                p.setWeight(0, j * w + k, (float) (m / t));
                norm += m * m;
            }
            p.setBias(0, j, (float) (-norm / (2 * t)));
        }
        return p;
    }

    private static Path copy(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = PredictCommandTest.class.getResourceAsStream("/datasets/mnist-10k/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    private static String idx(int i) {
        return "idx:" + images + "#" + i;
    }

    /** Class and probability pairs of one line of text output. */
    record Line(String input, int[] classes, double[] p, Integer label) {
    }

    private static final Pattern ENTRY = Pattern.compile("(\\d+) \\((?:score )?([0-9.]+)\\)");

    static List<Line> lines(String out) {
        List<Line> result = new ArrayList<>();
        for (String l : out.strip().split("\n")) {
            int colon = l.lastIndexOf(": ");
            String input = l.substring(0, colon);
            String rest = l.substring(colon + 2);
            Integer label = null;
            int semi = rest.indexOf("; label ");
            if (semi >= 0) {
                label = Integer.parseInt(rest.substring(semi + "; label ".length()));
                rest = rest.substring(0, semi);
            }
            Matcher m = ENTRY.matcher(rest);
            int[] cls = new int[rest.split(", ").length];
            double[] p = new double[cls.length];
            int n = 0;
            while (m.find()) {
                cls[n] = Integer.parseInt(m.group(1));
                p[n++] = Double.parseDouble(m.group(2));
            }
            assertEquals(cls.length, n, l);
            result.add(new Line(input, cls, p, label));
        }
        return result;
    }

    private static JsonArray json(String... args) {
        CommandRun r = run(args);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonArray();
    }

    @Test
    void recordAndTheSameRecordAsPngAgree() {
        List<String> args = new ArrayList<>(List.of("predict", "--model", softmaxModel.toString(), "--json"));
        for (int i = 0; i < RECORDS; i++) {
            args.add(idx(i));
            args.add(write(grey(record(i), 1, 0, false), "png", dir.resolve("r" + i + ".png")).toString());
        }
        JsonArray a = json(args.toArray(String[]::new));
        assertEquals(2 * RECORDS, a.size());
        for (int i = 0; i < RECORDS; i++) {
            // Identical features (ImageInputTest), so identical outputs.
            assertEquals(a.get(2 * i).getAsJsonObject().get("top"), a.get(2 * i + 1).getAsJsonObject().get("top"), "record " + i);
        }
    }

    @Test
    void invertedAndLargerJpegImagesGiveTheSameTopClass() {
        List<String> args = new ArrayList<>(List.of("predict", "--model", softmaxModel.toString(), "--top", "1"));
        for (int i = 0; i < RECORDS; i++) {
            args.add(idx(i));
            args.add(write(grey(record(i), 1, 0, true), "png", dir.resolve("inverted" + i + ".png")).toString());
            args.add(write(grey(record(i), 4, 16, true), "jpeg", dir.resolve("large" + i + ".jpg")).toString());
        }
        CommandRun r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<Line> lines = lines(r.out());
        assertEquals(3 * RECORDS, lines.size());
        for (int i = 0; i < RECORDS; i++) {
            int expected = lines.get(3 * i).classes()[0];
            assertEquals(expected, lines.get(3 * i + 1).classes()[0], lines.get(3 * i + 1).input());
            assertEquals(expected, lines.get(3 * i + 2).classes()[0], lines.get(3 * i + 2).input());
        }
    }

    @Test
    void textShowsSortedProbabilitiesThatSumToOneAndTheLabel() {
        Dataset test = DigitImages.mnistTest();
        CommandRun r = run("predict", "--model", softmaxModel.toString(), "--top", "10", idx(0), idx(1));
        assertEquals(0, r.code(), r.err());
        List<Line> lines = lines(r.out());
        assertEquals(2, lines.size());
        for (int i = 0; i < 2; i++) {
            Line l = lines.get(i);
            assertEquals(idx(i), l.input());
            assertEquals(test.labels()[i], l.label());
            assertEquals(10, l.classes().length);
            int[] sorted = l.classes().clone();
            Arrays.sort(sorted);
            assertTrue(Arrays.equals(sorted, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), r.out());
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                sum += l.p()[k];
                assertTrue(k == 0 || l.p()[k] <= l.p()[k - 1], "not sorted: " + r.out());
            }
            // Two decimals each: the printed values sum to 1 within 10 roundings.
            assertEquals(1.0, sum, 0.05, r.out());
        }
        assertTrue(r.out().matches("(?s)" + Pattern.quote(idx(0)) + ": \\d \\(\\d\\.\\d\\d\\), \\d \\(.*"), r.out());
    }

    @Test
    void topDefaultsToThreeAndStopsAtTheNumberOfClasses() {
        assertEquals(3, lines(run("predict", "--model", softmaxModel.toString(), idx(0)).out()).get(0).classes().length);
        assertEquals(10, lines(run("predict", "--model", softmaxModel.toString(), "--top", "50", idx(0)).out()).get(0).classes().length);
    }

    @Test
    void jsonHasEveryField() {
        Path png = write(grey(record(3), 1, 0, false), "png", dir.resolve("three.png"));
        JsonArray a = json("predict", "--model", softmaxModel.toString(), "--json", "--top", "10", idx(3), png.toString());
        assertEquals(2, a.size());
        JsonObject rec = a.get(0).getAsJsonObject();
        assertEquals(idx(3), rec.get("input").getAsString());
        assertEquals(DigitImages.mnistTest().labels()[3], rec.get("label").getAsInt());
        JsonObject image = a.get(1).getAsJsonObject();
        assertEquals(png.toString(), image.get("input").getAsString());
        assertFalse(image.has("label"), "an image has no label");
        for (JsonElement e : a) {
            JsonObject o = e.getAsJsonObject();
            JsonArray top = o.getAsJsonArray("top");
            assertEquals(10, top.size());
            assertEquals(o.get("class").getAsInt(), top.get(0).getAsJsonObject().get("class").getAsInt());
            double sum = 0;
            double previous = 1;
            for (JsonElement t : top) {
                double p = t.getAsJsonObject().get("probability").getAsDouble();
                assertTrue(p <= previous && p >= 0, o.toString());
                previous = p;
                sum += p;
                assertFalse(t.getAsJsonObject().has("score"));
            }
            assertEquals(1.0, sum, 1e-9);
        }
    }

    @Test
    void outputsThatAreNotSoftmaxAreCalledScores() {
        CommandRun text = run("predict", "--model", sigmoidModel.toString(), idx(0));
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().matches("(?s).*: \\d \\(score [0-9.]+\\), \\d \\(score .*"), text.out());
        JsonArray a = json("predict", "--model", sigmoidModel.toString(), "--json", idx(0));
        JsonObject first = a.get(0).getAsJsonObject().getAsJsonArray("top").get(0).getAsJsonObject();
        assertTrue(first.has("score") && !first.has("probability"), first.toString());
    }

    @Test
    void userErrorsExitTwoWithOneLineAndPrintNoPredictions() throws IOException {
        Path good = write(grey(record(0), 1, 0, false), "png", dir.resolve("good.png"));
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Path corruptModel = Files.write(dir.resolve("corrupt.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        byte[] png = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        Path blank = write(grey(new float[784], 1, 0, false), "png", dir.resolve("blank.png"));
        Path small = dir.resolve("small.safetensors");
        Network net100 = Network.of("100-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        ModelFile.save(small, net100, Parameters.zeros(net100));
        Path odd = dir.resolve("odd.safetensors");
        Network net10 = Network.of("10-3", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        ModelFile.save(odd, net10, Parameters.zeros(net10));
        String m = softmaxModel.toString();
        Object[][] bad = {
            {new String[] {"predict", "--model", dir.resolve("missing.safetensors").toString(), good.toString()}, null},
            {new String[] {"predict", "--model", corruptModel.toString(), good.toString()}, null},
            {new String[] {"predict", "--model", m}, null},
            {new String[] {"predict", "--model", m, "--top", "0", good.toString()}, "--top must be a whole number >= 1, got 0"},
            {new String[] {"predict", "--model", m, good.toString(), dir.resolve("nope.png").toString()},
                dir.resolve("nope.png") + ": no such file; expected a PNG or JPEG image, or idx:PATH#N (record N of an IDX "
                    + "images file, counting from 0)"},
            {new String[] {"predict", "--model", m, good.toString(), text.toString()}, text + ": not a PNG or JPEG image"},
            {new String[] {"predict", "--model", m, truncated.toString(), good.toString()}, null},
            {new String[] {"predict", "--model", m, blank.toString()}, null},
            {new String[] {"predict", "--model", m, "idx:" + images}, null},
            {new String[] {"predict", "--model", m, "idx:" + images + "#x"}, null},
            {new String[] {"predict", "--model", m, good.toString(), "idx:" + images + "#2000"},
                "idx:" + images + "#2000: record 2000 is out of range; " + images + " holds 2000 records (0..1999)"},
            {new String[] {"predict", "--model", m, "idx:" + dir.resolve("none-images-idx3-ubyte") + "#0"}, null},
            {new String[] {"predict", "--model", m, "idx:" + labels + "#0"}, null},
            {new String[] {"predict", "--model", small.toString(), idx(0)}, null},
            {new String[] {"predict", "--model", odd.toString(), good.toString()},
                good + ": images need a model with a square number of inputs (side x side pixels), but " + odd + " takes 10"},
        };
        for (Object[] c : bad) {
            String[] args = (String[]) c[0];
            CommandRun r = run(args);
            String what = String.join(" ", args);
            assertEquals(2, r.code(), what + " -> " + r.err() + r.out());
            assertEquals("", r.out(), what + ": printed predictions before the error");
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), what + " printed more than one line:\n" + err);
            assertTrue(err.startsWith("backprop-cl: "), err);
            assertFalse(err.contains("Exception"), what + ": " + err);
            if (c[1] != null) {
                assertEquals("backprop-cl: " + c[1], err, what);
            }
        }
    }

    @Test
    void helpSaysRecordsCountFromZero() {
        CommandRun r = run("predict", "--help");
        assertEquals(0, r.code());
        for (String s : new String[] {"--model", "--top", "--json", "idx:PATH#N", "counting from 0", "score"}) {
            assertTrue(r.out().contains(s), "predict --help lacks " + s + ":\n" + r.out());
        }
    }
    /** A model file of {@code p} with {@code metadata} added (class names, an input shape). */
    private static Path withMetadata(String name, Parameters p, Map<String, String> metadata) {
        Path file = dir.resolve(name);
        ModelFile.save(file, TrainingState.fresh(p, Optimizer.sgd()), metadata, false);
        return file;
    }

    private static final List<String> WORDS = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

    @Test
    void aModelTrainedOnNormalisedFeaturesSeesItsInputsNormalisedAlike() {
        Network net = Network.of("784-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Dataset train = IdxDirectory.loadResource("/datasets/mnist-10k/", 10).train().head(2000);
        Preprocessing standard = Preprocessing.fit(Preprocessing.Kind.STANDARD, train);
        Parameters p = centroids(net, standard.apply(train), TEMPERATURE);
        Path model = withMetadata("standard.safetensors", p, standard.toMetadata());
        Dataset test = IdxDirectory.loadResource("/datasets/mnist-10k/", 10).test().head(4);
        double[] want = Inference.probabilities(p, standard.apply(test.features()), 4);
        double[] raw = Inference.probabilities(p, test.features(), 4);
        JsonArray got = json("predict", "--model", model.toString(), "--json", "--top", "10", idx(0), idx(1), idx(2), idx(3));
        double apart = 0;
        for (int r = 0; r < 4; r++) {
            for (JsonElement e : got.get(r).getAsJsonObject().getAsJsonArray("top")) {
                int c = e.getAsJsonObject().get("class").getAsInt();
                double prob = e.getAsJsonObject().get("probability").getAsDouble();
                assertEquals(want[r * 10 + c], prob, 1e-6, "record " + r + " class " + c);
                apart = Math.max(apart, Math.abs(raw[r * 10 + c] - prob));
            }
        }
        assertTrue(apart > 0.01, "the raw pixels would give other answers: the check can fail (" + apart + ")");
    }

    @Test
    void classNamesFromTheModelFileNameTheAnswersAndTheLabel() {
        Network net = Network.of("784-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Dataset train = IdxDirectory.loadResource("/datasets/mnist-10k/", 10).train().head(2000);
        Path named = withMetadata("named.safetensors", centroids(net, train, TEMPERATURE), ModelFile.classNamesMetadata(WORDS));
        CommandRun numbers = run("predict", "--model", softmaxModel.toString(), "--top", "2", idx(0), idx(1));
        CommandRun words = run("predict", "--model", named.toString(), "--top", "2", idx(0), idx(1));
        assertEquals(0, words.code(), words.err());
        // The same answers, each number replaced by its name.
        List<Line> expected = lines(numbers.out());
        String[] got = words.out().strip().split("\n");
        for (int i = 0; i < 2; i++) {
            Line l = expected.get(i);
            // The same parameters: the same answers, and the same confidence.
            String low = numbers.out().strip().split("\n")[i].contains("; low confidence") ? "; low confidence" : "";
            String want = String.format(java.util.Locale.ROOT, "%s: %s (%.2f), %s (%.2f)%s; label %s", idx(i), WORDS.get(l.classes()[0]),
                    l.p()[0], WORDS.get(l.classes()[1]), l.p()[1], low, WORDS.get(l.label()));
            assertEquals(want, got[i]);
        }
        JsonObject o = json("predict", "--model", named.toString(), "--json", idx(0)).get(0).getAsJsonObject();
        assertEquals(WORDS.get(o.get("class").getAsInt()), o.get("name").getAsString());
        assertEquals(WORDS.get(o.get("label").getAsInt()), o.get("label_name").getAsString());
        for (JsonElement e : o.getAsJsonArray("top")) {
            assertEquals(WORDS.get(e.getAsJsonObject().get("class").getAsInt()), e.getAsJsonObject().get("name").getAsString());
        }
        // A file without names: the numbers are the names.
        JsonObject plain = json("predict", "--model", softmaxModel.toString(), "--json", idx(0)).get(0).getAsJsonObject();
        assertEquals(plain.get("class").getAsString(), plain.get("name").getAsString());
    }

    @Test
    void anAnswerBelowHalfOrNotTwiceTheNextIsLowConfidence() {
        // A model of zeros answers 0.1 for every class; the centroid model is sure of some records, not of all.
        Network net = Network.of("784-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Path flat = dir.resolve("flat.safetensors");
        ModelFile.save(flat, net, Parameters.zeros(net));
        List<String> args = new ArrayList<>(List.of("predict", "--model", softmaxModel.toString(), "--json", "--top", "2"));
        for (int i = 0; i < 50; i++) {
            args.add(idx(i));
        }
        int low = 0;
        for (JsonElement e : json(args.toArray(String[]::new))) {
            JsonObject o = e.getAsJsonObject();
            double p1 = o.getAsJsonArray("top").get(0).getAsJsonObject().get("probability").getAsDouble();
            double p2 = o.getAsJsonArray("top").get(1).getAsJsonObject().get("probability").getAsDouble();
            boolean expected = p1 < PredictCommand.LOW_CONFIDENCE || p1 < PredictCommand.RUNNER_UP_RATIO * p2;
            assertEquals(expected, o.get("low_confidence").getAsBoolean(), o.toString());
            low += expected ? 1 : 0;
        }
        assertTrue(low > 0 && low < 50, low + " of 50 low: the rule is not tried both ways");
        CommandRun r = run("predict", "--model", flat.toString(), "--top", "1", idx(0));
        assertTrue(r.out().strip().endsWith("; low confidence; label " + DigitImages.mnistTest().labels()[0]), r.out());
        assertTrue(json("predict", "--model", flat.toString(), "--json", idx(0)).get(0).getAsJsonObject().get("low_confidence")
                .getAsBoolean());
        // Two classes: 0.6 against 0.4 is above half but not twice the other.
        List<PredictCommand.Ranked> twoClasses = List.of(new PredictCommand.Ranked(1, 0.6), new PredictCommand.Ranked(0, 0.4));
        assertTrue(PredictCommand.lowConfidence(twoClasses));
        assertFalse(PredictCommand.lowConfidence(List.of(new PredictCommand.Ranked(1, 0.7), new PredictCommand.Ranked(0, 0.3))));
        assertTrue(PredictCommand.lowConfidence(List.of(new PredictCommand.Ranked(1, Double.NaN), new PredictCommand.Ranked(0, 0.3))));
    }

    @Test
    void imagesForAModelOfTableFeaturesAreRefused() {
        Path good = write(grey(record(0), 1, 0, false), "png", dir.resolve("table-digit.png"));
        // Four inputs are a 2 x 2 square, but no image model is that small.
        Network net4 = Network.of("4-3", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Path iris = dir.resolve("iris.safetensors");
        ModelFile.save(iris, net4, Parameters.zeros(net4));
        CommandRun r = run("predict", "--model", iris.toString(), good.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("backprop-cl: " + good + ": images need a model of at least 8x8 = 64 inputs (side x side pixels), but "
                + iris + " takes 4; is it a model of table features (CSV)?", r.err().strip());
        // 784 features that the file says are not pixels.
        Network net = Network.of("784-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Path table = withMetadata("table784.safetensors", Parameters.zeros(net), Map.of(ModelFile.INPUT_SHAPE, "784"));
        CommandRun t = run("predict", "--model", table.toString(), good.toString());
        assertEquals(2, t.code(), t.err());
        assertEquals("backprop-cl: " + good + ": images need a model trained on images, but " + table
                + " was trained on inputs of shape 784 (784 features, not side x side pixels)", t.err().strip());
        assertEquals("", t.out());
        Path image = withMetadata("image784.safetensors", Parameters.zeros(net), Map.of(ModelFile.INPUT_SHAPE, "1x28x28"));
        assertEquals(0, run("predict", "--model", image.toString(), good.toString()).code());
    }

    @Test
    void imageShapesAreOneSquareChannel() {
        assertTrue(PredictCommand.isImageShape("1x28x28"));
        assertTrue(PredictCommand.isImageShape("28x28"));
        assertFalse(PredictCommand.isImageShape("4"));
        assertFalse(PredictCommand.isImageShape("3x28x28"));
        assertFalse(PredictCommand.isImageShape("1x28x14"));
        assertFalse(PredictCommand.isImageShape("1x0x0"));
    }

    @Test
    void shownNamesFollowTheInputs() {
        assertEquals("1-digit.png", PredictCommand.shownName(0, "photos/digit.jpg"));
        assertEquals("12-seven.png", PredictCommand.shownName(11, "seven"));
        assertEquals("2-t10k-images-idx3-ubyte.gz-17.png", PredictCommand.shownName(1, "idx:data/t10k-images-idx3-ubyte.gz#17"));
        assertEquals("3-.hidden.png", PredictCommand.shownName(2, "a/.hidden"));
    }
}
