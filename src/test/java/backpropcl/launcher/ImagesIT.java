package backpropcl.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.data.DigitImages;
import backpropcl.data.ImageInput;
import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.testing.Launcher;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pictures as a user meets them through ./backprop-cl: predict --show-input writes the images the
 * network sees and never one over an input, an image is refused by a model it does not fit, and
 * train reads a folder of class folders, saying how it split it.
 */
class ImagesIT {
    private static final String IMAGES = "t10k-images-idx3-ubyte.gz";

    @TempDir
    Path dir;

    /** Runs the launcher in {@code dir} and checks that it refused with exactly {@code line} and touched nothing. */
    private void refused(String line, String... args) {
        Map<Path, String> before = Launcher.hashes(dir);
        Launcher.Run run = Launcher.of(args).in(dir).run();
        assertEquals(2, run.code(), run.describe());
        assertEquals(List.of("backprop-cl: " + line), run.errLines(), run.describe());
        assertEquals("", run.out(), run.describe());
        assertEquals(before, Launcher.hashes(dir), run.describe() + "\nfiles changed");
    }

    /** A 784-10 softmax model of zeros, in dir. */
    private Path model(String name) {
        Network net = Network.of("784-10", Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        Path file = dir.resolve(name);
        ModelFile.save(file, net, Parameters.zeros(net));
        return file;
    }

    /** The bundled test images and a photo-like digit of the committed set, copied into dir. */
    private void inputs() throws IOException, URISyntaxException {
        try (InputStream in = ImagesIT.class.getResourceAsStream("/datasets/mnist-10k/" + IMAGES)) {
            Files.copy(in, dir.resolve(IMAGES));
        }
        Files.copy(Path.of(ImagesIT.class.getResource("/photo-digits/photo/3-dejavu-sans-light-1.jpg").toURI()),
                dir.resolve("three.jpg"));
    }

    /** The 8-bit levels of a grey PNG. */
    private static int[] levels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        int[] v = new int[img.getWidth() * img.getHeight()];
        img.getRaster().getSamples(0, 0, img.getWidth(), img.getHeight(), 0, v);
        return v;
    }

    @Test
    void showInputWritesWhatTheNetworkSees() throws Exception {
        inputs();
        model("m.safetensors");
        Launcher.Run run = Launcher.of("predict", "--model", "m.safetensors", "--show-input", "seen", "three.jpg",
                "idx:" + IMAGES + "#5").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        List<String> lines = run.out().lines().toList();
        assertEquals(3, lines.size(), run.describe());
        assertEquals("shown: seen (2 images, K-NAME.png in the order of the inputs)", lines.get(2));
        // The record as stored: its bytes.
        byte[] bytes;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(IMAGES)))) {
            bytes = in.readAllBytes();
        }
        int[] record = levels(dir.resolve("seen/2-" + IMAGES + "-5.png"));
        assertEquals(784, record.length);
        for (int i = 0; i < 784; i++) {
            assertEquals(bytes[16 + 5 * 784 + i] & 0xFF, record[i], "pixel " + i);
        }
        // The photo as prepared, each feature rounded to a byte.
        float[] features = ImageInput.features(dir.resolve("three.jpg"), 28);
        int[] photo = levels(dir.resolve("seen/1-three.png"));
        for (int i = 0; i < 784; i++) {
            assertEquals(Math.round(features[i] * 255), photo[i], "pixel " + i);
        }
        try (var listing = Files.list(dir.resolve("seen"))) {
            assertEquals(List.of("1-three.png", "2-" + IMAGES + "-5.png"), listing.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no lock or temporary file is left");
        }
        Launcher.Run json = Launcher.of("predict", "--model", "m.safetensors", "--json", "--show-input", "again", "three.jpg")
                .in(dir).run();
        assertEquals(0, json.code(), json.describe());
        JsonArray a = JsonParser.parseString(json.out()).getAsJsonArray();
        assertEquals("again/1-three.png", a.get(0).getAsJsonObject().get("shown").getAsString());
        assertTrue(Files.isRegularFile(dir.resolve("again/1-three.png")));
    }

    @Test
    void showInputNeverOverwritesAnInput() throws Exception {
        inputs();
        model("m.safetensors");
        Files.createDirectories(dir.resolve("seen"));
        Files.copy(dir.resolve("three.jpg"), dir.resolve("seen/1-three.png"));
        refused("--show-input seen/1-three.png is an input (INPUT seen/1-three.png); an output never replaces an input: "
                + "name another file", "predict", "--model", "m.safetensors", "--show-input", "seen", "three.jpg", "seen/1-three.png");
        refused("--show-input writes side x side images, but odd.safetensors takes 10 inputs, not a square number",
                "predict", "--model", tableModel("odd.safetensors", "10-3"), "--show-input", "seen", "idx:" + IMAGES + "#0");
        assertFalse(Files.exists(dir.resolve("seen/.backprop-cl.lock")));
    }

    private String tableModel(String name, String arch) {
        Network net = Network.of(arch, Activation.SIGMOID, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        ModelFile.save(dir.resolve(name), net, Parameters.zeros(net));
        return name;
    }

    @Test
    void anImageIsRefusedByAModelOfTableFeatures() throws Exception {
        inputs();
        refused("three.jpg: images need a model of at least 8x8 = 64 inputs (side x side pixels), but iris.safetensors takes 4; "
                + "is it a model of table features (CSV)?", "predict", "--model", tableModel("iris.safetensors", "4-3"), "three.jpg");
        refused("idx:" + IMAGES + "#0: a record of 784 values, but iris.safetensors takes 4 inputs",
                "predict", "--model", "iris.safetensors", "idx:" + IMAGES + "#0");
    }
    /** DIR/NAME/ for each name, holding {@code each} bundled test records of digit 0, 1, 2, ... as PNGs. */
    private Path classFolders(String folder, int each, String... names) throws IOException {
        Dataset test = DigitImages.mnistTest();
        Path root = dir.resolve(folder);
        for (int c = 0; c < names.length; c++) {
            Path d = Files.createDirectories(root.resolve(names[c]));
            int written = 0;
            for (int i = 0; written < each; i++) {
                if (test.labels()[i] == c) {
                    DigitImages.write(DigitImages.grey(DigitImages.record(i), 1, 0, true), "png", d.resolve(String.format("%04d.png", i)));
                    written++;
                }
            }
        }
        return root;
    }

    /** The first file name in a folder, sorted. */
    private static String first(Path folder) throws IOException {
        try (var listing = Files.list(folder)) {
            return listing.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
    }

    @Test
    void trainReadsAFolderOfClassFoldersAndSaysHowItSplit() throws IOException {
        classFolders("digits", 10, "zero", "one", "two");
        Launcher.Run run = Launcher.of("train", "--data", "digits", "--arch", "784-16-3", "--epochs", "1", "--engine", "cpu",
                "--no-progress", "--save", "m.safetensors").in(dir).run();
        assertEquals(0, run.code(), run.describe());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("training 784-16-3 ") && lines.get(0).endsWith(" on digits (24 train / 6 test)"),
                run.describe());
        assertEquals("split: stratified 20% test split, seed 1: 24 train / 6 test, per class train/test: one 8/2, two 8/2, zero 8/2",
                lines.get(1));
        // The classes are the folder names in sorted order: one, two, zero.
        Launcher.Run predict = Launcher.of("predict", "--model", "m.safetensors", "--json", "digits/one/" + first(dir.resolve("digits/one")))
                .in(dir).run();
        assertEquals(0, predict.code(), predict.describe());
    }

    @Test
    void aFolderThatIsNotADataSetIsOneLine() throws IOException {
        Path root = classFolders("pets", 2, "cat", "dog");
        Files.createDirectories(root.resolve("cow"));
        refused("pets/cow: an empty class folder (no images); every class needs at least one image, or remove the folder",
                "train", "--data", "pets", "--arch", "784-4-3", "--epochs", "1", "--engine", "cpu");
        Files.delete(root.resolve("cow"));
        String picture = "pets/cat/" + first(root.resolve("cat"));
        refused("--save " + picture + " is a file of the training data (--data); an output never replaces an input: name another file",
                "train", "--data", "pets", "--arch", "784-4-2", "--epochs", "1", "--engine", "cpu", "--save", picture);
    }
}
