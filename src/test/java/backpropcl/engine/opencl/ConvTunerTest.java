package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conv tuner's choice between direct and im2col, its cache entries, and the modes that skip the timing. */
class ConvTunerTest {
    private static ClContext ctx;
    private static ClKernels kernels;

    /** A small LeNet-like first layer: 1x12x12, 4 filters 5x5, padding 2. */
    private static final ConvGeometry G = new ConvGeometry(1, 12, 12, 4, 5, 1, 2);

    @BeforeAll
    static void open() {
        OpenClTestSupport.requireDevice();
        ctx = ClContext.open(0);
        kernels = new ClKernels(ctx);
    }

    @AfterAll
    static void close() {
        if (kernels != null) {
            kernels.close();
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    private static ConvTuner tuner(KernelTuner.Mode mode, TuningCache cache) {
        KernelTuner dense = new KernelTuner(ctx, DenseLayer.of(kernels), mode, cache);
        return new ConvTuner(ctx, ConvLayer.of(kernels), DenseLayer.of(kernels), dense, cache);
    }

    @Test
    void tunedChoiceIsRememberedWithTheDenseTunersVariant(@TempDir Path dir) {
        Path file = dir.resolve("tuning.properties");
        ConvTuner tuner = tuner(KernelTuner.Mode.TUNE, TuningCache.at(file));
        int positions = 3 * G.outHeight() * G.outWidth();
        for (Product pass : Product.values()) {
            ConvTuner.Choice c = tuner.choose(pass, 3, G);
            assertEquals(c, tuner.choose(pass, 3, G), "the same shape gets the same choice");
            // What a later run reads from the file: the conv entry, and for im2col the dense product's own.
            TuningCache later = TuningCache.load(file);
            assertEquals(c.im2col() ? "im2col" : "direct", later.get(tuner.key(pass, 3, G)));
            if (c.im2col()) {
                KernelTuner dense = new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.TUNE, later);
                assertEquals(c.dense().toString(), later.get(dense.key(pass, positions, G.filters(), 25)));
            } else {
                assertEquals(ConvTuner.Choice.DIRECT, c);
            }
        }
    }

    @Test
    void pinnedModesTakeIm2colWithTheirDenseVariantAndTimeNothing(@TempDir Path dir) {
        TuningCache cache = TuningCache.load(dir.resolve("never-written.properties"));
        ConvTuner.Choice tiled = tuner(KernelTuner.Mode.TILED, cache).choose(Product.FORWARD, 2, G);
        assertEquals(new ConvTuner.Choice(true, DenseLayer.of(kernels).tiled()), tiled);
        ConvTuner.Choice blocked = tuner(KernelTuner.Mode.BLOCKED, cache).choose(Product.GRADIENTS, 2, G);
        assertTrue(blocked.im2col() && blocked.dense().family() == Variant.Family.BLOCKED, blocked.toString());
        assertNotNull(tuner(KernelTuner.Mode.OFF, cache).choose(Product.BACKWARD, 2, G).dense());
        assertTrue(Files.notExists(dir.resolve("never-written.properties")), "no timing, nothing written");
    }

    @Test
    void aCachedChoiceIsReadNotTimed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tuning.properties");
        ConvTuner probe = tuner(KernelTuner.Mode.TUNE, TuningCache.load(dir.resolve("unused")));
        for (String cached : new String[] {"direct", "im2col"}) {
            String text = probe.key(Product.BACKWARD, 5, G).replace("=", "\\=").replace(":", "\\:") + "=" + cached + "\n";
            Files.writeString(file, text);
            ConvTuner.Choice c = tuner(KernelTuner.Mode.TUNE, TuningCache.load(file)).choose(Product.BACKWARD, 5, G);
            assertEquals(cached.equals("im2col"), c.im2col(), cached);
            // The dense tuner timed its product and wrote its entry for im2col; the conv entry stayed as it was.
            assertTrue(Files.readString(file).contains(text.trim()), Files.readString(file));
            assertEquals(cached, TuningCache.load(file).get(probe.key(Product.BACKWARD, 5, G)));
        }
    }
}
