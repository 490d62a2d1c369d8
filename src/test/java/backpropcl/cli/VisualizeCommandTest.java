package backpropcl.cli;

import static backpropcl.cli.PlotCommandTest.assertUserError;
import static backpropcl.cli.PlotCommandTest.png;
import static backpropcl.testing.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.io.ModelFile;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.plot.TileGrid;
import backpropcl.testing.CommandRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backprop-cl visualize}: the first layer's weights, or their gradients on a batch. */
class VisualizeCommandTest {
    private static final int WHITE = 0xffffff;

    @TempDir
    Path dir;

    private Path model(String arch, long seed) {
        Network net = Network.of(arch, Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Parameters.zeros(net);
        Random random = new Random(seed);
        for (int l = 0; l < net.denseLayers(); l++) {
            float[] w = new float[p.layout().weight(l).length()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) random.nextGaussian();
            }
            p.setWeights(l, w);
        }
        Path file = dir.resolve(arch + ".safetensors");
        ModelFile.save(file, net, p);
        return file;
    }

    @Test
    void weightsOfAnMnistShapedModel() throws IOException {
        Path out = dir.resolve("w/weights.png");
        CommandRun r = run("visualize", "--model", model("784-5-10", 1).toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(out.toString(), r.out().strip());
        BufferedImage image = png(out);
        TileGrid at = TileGrid.of(5, 784, image.getWidth());
        assertEquals(at.height(), image.getHeight());
        assertEquals(3, at.columns());
        assertEquals(4, at.scale());
    }

    @Test
    void gradientsAreZeroExactlyWhereTheInputIsAlwaysZero() throws IOException {
        // 2x2 inputs; the bottom-right input (k = 3) is 0 in every sample, so dC/dw from it is 0.
        StringBuilder csv = new StringBuilder();
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            csv.append(i % 2).append(',').append(random.nextFloat()).append(',').append(random.nextFloat()).append(',')
                    .append(random.nextFloat()).append(",0\n");
        }
        Path data = Files.writeString(dir.resolve("pixels.csv"), csv);
        Path out = dir.resolve("g.png");
        CommandRun r = run("visualize", "--model", model("4-3-2", 2).toString(), "--gradients", "--data", data.toString(),
                "--samples", "8", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage image = png(out);
        TileGrid at = TileGrid.of(3, 4, image.getWidth());
        for (int t = 0; t < 3; t++) {
            assertEquals(WHITE, image.getRGB(at.pixelX(t, 3), at.pixelY(t, 3)) & WHITE, "tile " + t + " input 3");
            assertNotEquals(WHITE, image.getRGB(at.pixelX(t, 0), at.pixelY(t, 0)) & WHITE, "tile " + t + " input 0");
        }
    }

    /** A model of {@code spec} on 1x28x28 images with Gaussian weights in every tensor named {@code *.weight}. */
    private Path imageModel(String spec, long seed) {
        Network net = Network.parse(Shape.parse("1x28x28"), spec, Cost.CROSS_ENTROPY);
        Parameters p = Parameters.zeros(net);
        Random random = new Random(seed);
        for (ParameterLayout.Tensor t : p.layout().tensors()) {
            if (t.name().endsWith(".weight")) {
                float[] w = new float[t.length()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (0.1 * random.nextGaussian());
                }
                p.set(t.name(), w);
            }
        }
        Path file = dir.resolve("image-" + seed + ".safetensors");
        ModelFile.save(file, net, p);
        return file;
    }

    @Test
    void aConvModelsFiltersAndTheirGradientsOnTheBundledDigits() throws IOException {
        Path model = imageModel("conv:3x5x5,relu,maxpool:2,flatten,dense:10,softmax", 5);
        Path out = dir.resolve("filters.png");
        CommandRun r = run("visualize", "--model", model.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage image = png(out);
        TileGrid at = TileGrid.filters(3, 1, 5, image.getWidth());
        assertEquals(at.height(), image.getHeight());
        assertEquals(3, at.tiles());
        assertEquals(22, at.scale());
        Path grad = dir.resolve("grad.png");
        CommandRun g = run("visualize", "--model", model.toString(), "--gradients", "--samples", "4", "--out", grad.toString());
        assertEquals(0, g.code(), g.err());
        BufferedImage gradients = png(grad);
        TileGrid ag = TileGrid.filters(3, 1, 5, gradients.getWidth());   // the same tiles, widened for its own caption
        assertEquals(ag.height(), gradients.getHeight());
        assertNotEquals(WHITE, gradients.getRGB(ag.pixelX(0, 12), ag.pixelY(0, 12)) & WHITE, "a centre weight has a gradient");
    }

    @Test
    void userErrorsAreOneLine() {
        Path out = dir.resolve("x.png");
        assertUserError(run("visualize", "--model", model("10-4-2", 3).toString(), "--out", out.toString()), "10 inputs");
        assertUserError(run("visualize", "--model", dir.resolve("missing.safetensors").toString(), "--out", out.toString()),
                "no such file");
        assertUserError(run("visualize", "--model", model("4-2", 4).toString(), "--gradients", "--samples", "0", "--out",
                out.toString()), "--samples");
        assertUserError(run("visualize"), "--model");
        assertUserError(run("visualize", "--model", imageModel("maxpool:2,flatten,dense:4,softmax", 6).toString(), "--out",
                out.toString()), "(1x28x28 -> maxpool:2,flatten,dense:4,softmax): no conv layer to draw");
        assertFalse(Files.exists(out));
    }

    @Test
    void helpNamesTheDefaults() {
        CommandRun r = run("visualize", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("weights.png") && r.out().contains("gradients.png") && r.out().contains("--samples"), r.out());
        assertTrue(r.out().contains("A conv network: one tile per filter of its first conv layer"), r.out());
    }
}
