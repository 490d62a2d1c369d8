package backpropcl.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuner's choices, its cache file, and the modes that skip the timing. */
class KernelTunerTest {
    private static ClContext ctx;
    private static ClKernels kernels;

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

    @Test
    void tunedChoiceIsACandidateAndIsRemembered(@TempDir Path dir) {
        Path file = dir.resolve("tuning.properties");
        KernelTuner tuner = new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.TUNE, TuningCache.at(file));
        for (Product p : Product.values()) {
            Variant v = tuner.choose(p, 10, 16, 784);
            assertTrue(tuner.candidates(p).contains(v), p + ": " + v + " is not among " + tuner.candidates(p));
            assertEquals(v, tuner.choose(p, 10, 16, 784), "the same shape gets the same choice");
            // What a later run reads from the file.
            assertEquals(v.toString(), TuningCache.load(file).get(tuner.key(p, 10, 16, 784)));
        }
    }

    @Test
    void badCacheEntriesAreRetunedAndBadFilesIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tuning.properties");
        KernelTuner probe = new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.TUNE, TuningCache.load(dir.resolve("unused")));
        String key = probe.key(Product.FORWARD, 3, 5, 7);
        Files.writeString(file, key.replace("=", "\\=").replace(":", "\\:") + "=blocked/999999\n");
        KernelTuner tuner = new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.TUNE, TuningCache.at(file));
        Variant v = tuner.choose(Product.FORWARD, 3, 5, 7);
        assertTrue(tuner.candidates(Product.FORWARD).contains(v), "an illegal cached work-group size is replaced: " + v);
        assertEquals(v.toString(), TuningCache.load(file).get(key));

        Path corrupt = dir.resolve("corrupt.properties");
        Files.writeString(corrupt, "a=\\u00zz\n");   // an escape Properties.load rejects
        TuningCache ignored = TuningCache.load(corrupt);
        assertEquals(null, ignored.get("a"));
        assertNotNull(new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.TUNE, ignored).choose(Product.GRADIENTS, 2, 3, 4));
    }

    @Test
    void modesThatSkipTiming(@TempDir Path dir) {
        TuningCache cache = TuningCache.load(dir.resolve("never-written.properties"));
        assertEquals(DenseLayer.of(kernels).tiled(), new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.TILED, cache).choose(Product.FORWARD, 10, 16, 784));
        assertEquals(Variant.Family.BLOCKED,
                new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.BLOCKED, cache).choose(Product.BACKWARD, 10, 16, 784).family());
        Variant off = new KernelTuner(ctx, DenseLayer.of(kernels), KernelTuner.Mode.OFF, cache).choose(Product.GRADIENTS, 10, 16, 784);
        assertEquals(ctx.info().isCpu() ? Variant.Family.BLOCKED : Variant.Family.TILED, off.family());
        assertTrue(Files.notExists(dir.resolve("never-written.properties")), "no timing, nothing written");
    }

    @Test
    void modeNamesAndVariantNames() {
        assertEquals(KernelTuner.Mode.TUNE, KernelTuner.Mode.parse(null));
        assertEquals(KernelTuner.Mode.TUNE, KernelTuner.Mode.parse("ON"));
        assertEquals(KernelTuner.Mode.OFF, KernelTuner.Mode.parse("off"));
        assertEquals(KernelTuner.Mode.BLOCKED, KernelTuner.Mode.parse(" Blocked "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelTuner.Mode.parse("fast"));
        assertTrue(e.getMessage().contains("BACKPROP_CL_TUNE=fast"), e.getMessage());
        assertEquals(Variant.blocked(16), Variant.parse("blocked/16", 16));
        assertEquals(Variant.tiled(8), Variant.parse("tiled", 8));
        assertEquals(null, Variant.parse("blocked/x", 16));
        assertEquals(null, Variant.parse("blocked/0", 16));
        assertEquals(null, Variant.parse("fast", 16));
    }
}
