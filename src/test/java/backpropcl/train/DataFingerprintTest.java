package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.data.CsvOptions;
import backpropcl.data.Dataset;
import backpropcl.data.Preprocessing;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.io.ModelFileException;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data fingerprint of checkpoints, which --resume checks its data against (issue 12, family 7). */
class DataFingerprintTest {
    private static final Network NET = Network.of("4-6-3", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    @TempDir
    Path dir;

    @Test
    void theHashSeesOneBitOneLabelAndTheOrder() {
        Dataset d = TrainerTest.blobs(30, 2).train();
        long h = DataFingerprint.hash(d);
        assertEquals(h, DataFingerprint.hash(copy(d)), "the same data, the same hash");

        Dataset bit = copy(d);
        bit.features()[77] = Float.intBitsToFloat(Float.floatToRawIntBits(bit.features()[77]) ^ 1);
        assertNotEquals(h, DataFingerprint.hash(bit), "one bit of one feature");

        Dataset label = copy(d);
        label.labels()[29] = (label.labels()[29] + 1) % 3;
        assertNotEquals(h, DataFingerprint.hash(label), "one label");

        Dataset swapped = copy(d);
        float[] f = swapped.features();
        for (int j = 0; j < 4; j++) {
            float t = f[j];
            f[j] = f[4 + j];
            f[4 + j] = t;
        }
        int t = swapped.labels()[0];
        swapped.labels()[0] = swapped.labels()[1];
        swapped.labels()[1] = t;
        assertNotEquals(h, DataFingerprint.hash(swapped), "two samples swapped");

        assertNotEquals(h, DataFingerprint.hash(d.head(29)), "one sample fewer");
    }

    private static Dataset copy(Dataset d) {
        return new Dataset(d.name(), d.features().clone(), d.labels().clone(), d.count(), d.width(), d.classes());
    }

    @Test
    void theFingerprintGoesThroughTheMetadataAndOldOnesAreNull() {
        DataFingerprint f = DataFingerprint.of(TrainerTest.blobs(30, 2).train(), "blobs", 30, true, 12);
        Path file = dir.resolve("checkpoint.safetensors");
        assertEquals(f, DataFingerprint.fromMetadata(file, f.toMetadata()));
        DataFingerprint none = DataFingerprint.of(TrainerTest.blobs(30, 2).train(), "blobs", null, false, null);
        assertEquals(none, DataFingerprint.fromMetadata(file, none.toMetadata()));
        assertNull(DataFingerprint.fromMetadata(file, Map.of("data", "blobs")), "a checkpoint written before fingerprints");

        Map<String, String> bad = new HashMap<>(f.toMetadata());
        bad.put("data_hash", "xyz");
        ModelFileException e = assertThrows(ModelFileException.class, () -> DataFingerprint.fromMetadata(file, bad));
        assertEquals(file + ": checkpoint metadata 'data_hash' is 'xyz'; expected 16 hexadecimal digits", e.getMessage());
        bad.put("data_hash", f.toMetadata().get("data_hash"));
        bad.put("data_count", "-3");
        e = assertThrows(ModelFileException.class, () -> DataFingerprint.fromMetadata(file, bad));
        assertEquals(file + ": checkpoint metadata 'data_count' is '-3'; expected a whole number of 0 or more", e.getMessage());
    }

    @Test
    void theCsvOptionsNormalisationAndClassNamesGoThroughTheMetadataToo() {
        Dataset train = TrainerTest.blobs(30, 2).train();
        Preprocessing p = Preprocessing.fit(Preprocessing.Kind.STANDARD, train);
        DataFingerprint f = DataFingerprint.of(p.apply(train), "iris", null, false, null, new CsvOptions("last", ";"), p);
        Path file = dir.resolve("checkpoint.safetensors");
        DataFingerprint back = DataFingerprint.fromMetadata(file, f.toMetadata());
        assertEquals(f, back);
        assertEquals(new CsvOptions("last", ";"), back.csv());
        assertEquals(p, back.preprocessing());
        assertEquals(List.of("0", "1", "2"), back.classNames());
        // Read back by a model file's own readers: a checkpoint scores like a saved model.
        assertEquals(p, Preprocessing.fromMetadata(f.toMetadata()));
        assertEquals(List.of("0", "1", "2"), backpropcl.io.ModelFile.classNames(f.toMetadata()));

        DataFingerprint plain = DataFingerprint.of(train, "iris", null, false, null, new CsvOptions("last", ";"),
                Preprocessing.NONE);
        assertTrue(f.differenceFrom(plain).endsWith("; give --normalize standard (or leave the option out: a resumed run takes "
                + "it from the checkpoint)"), f.differenceFrom(plain));
        Map<String, String> bad = new HashMap<>(f.toMetadata());
        bad.put("normalize_scale", "[1,0]");
        ModelFileException e = assertThrows(ModelFileException.class, () -> DataFingerprint.fromMetadata(file, bad));
        assertTrue(e.getMessage().startsWith(file + ": checkpoint metadata is not valid: "), e.getMessage());
    }

    @Test
    void theDifferenceSaysWhatChangedAndWhatToGive() {
        Dataset all = TrainerTest.blobs(80, 2).train();
        DataFingerprint was = DataFingerprint.of(all.head(20), "blobs", 20, false, null);
        assertNull(was.differenceFrom(DataFingerprint.of(all.head(20), "blobs", null, false, 7)),
                "the same samples however they were chosen; --test-samples is not the training data");
        assertEquals("the checkpoint was trained on 20 samples of blobs (--train-samples 20), this data has 80; give "
                        + "--train-samples 20 (or leave the option out: a resumed run takes it from the checkpoint)",
                was.differenceFrom(DataFingerprint.of(all, "blobs", null, false, null)));
    }

    /** Trainer.resume itself (the Java API) refuses a checkpoint of other data; the same data resumes. */
    @Test
    void trainerResumeRefusesOtherData() {
        DataSplit data = TrainerTest.blobs(60, 3);
        TrainingConfig config = new TrainingConfig(2, 7, 0.5, true, 7, false);
        Path cp = dir.resolve("cp");
        try (ReferenceEngine e = new ReferenceEngine(NET, Init.XAVIER.initialise(NET, 1))) {
            new Trainer(config.withEpochs(1)).checkpointTo(cp).run(e, data, Trainer.Start.fresh(), new TrainingListener() { });
        }
        Checkpoint c = Checkpoint.load(cp);
        assertEquals(60, c.fingerprint().count());
        DataSplit other = TrainerTest.blobs(60, 4);
        try (ReferenceEngine e = new ReferenceEngine(NET, Init.XAVIER.initialise(NET, 1))) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(config).run(e, other, Trainer.Start.resume(c), new TrainingListener() { }));
            assertTrue(x.getMessage().startsWith("the checkpoint was trained on 60 samples of blobs, this data has as many samples "
                    + "but other values or labels"), x.getMessage());
            Trainer.Run run = new Trainer(config).checkpointTo(cp).run(e, data, Trainer.Start.resume(c), new TrainingListener() { });
            assertEquals(1, run.epochs().size());
        }
        assertArrayEquals(new int[] {2, 0}, new int[] {Checkpoint.load(cp).next().epoch(), Checkpoint.load(cp).next().batch()});
    }
}
