package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

    /** Three samples of three features: on very different scales, and the last one constant. */
    private static final Dataset TRAIN = new Dataset("t", new float[] {1, 100, 7, 2, 300, 7, 3, 200, 7}, new int[] {0, 1, 0}, 3, 3, 2);

    @Test
    void standardIsScikitLearnsStandardScaler() {
        Preprocessing p = Preprocessing.fit(Preprocessing.Kind.STANDARD, TRAIN);
        // numpy: x.mean(0) = [2, 200, 7]; x.std(0) = [0.8164966, 81.649658, 0] -> scale 1 for the constant feature.
        assertArrayEquals(new float[] {2, 200, 7}, p.offset());
        assertArrayEquals(new float[] {0.8164966f, 81.649658f, 1f}, p.scale(), 1e-6f);
        float[] x = p.apply(TRAIN.features());
        assertArrayEquals(new float[] {-1.2247449f, -1.2247449f, 0, 0, 1.2247449f, 0, 1.2247449f, 0, 0}, x, 1e-6f);
    }

    @Test
    void minmaxMapsTheTrainingRangeOntoZeroToOne() {
        Preprocessing p = Preprocessing.fit(Preprocessing.Kind.MINMAX, TRAIN);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 1, 0, 1, 0.5f, 0}, p.apply(TRAIN.features()));
        // A test sample outside the training range goes outside [0, 1], as MinMaxScaler's does.
        assertArrayEquals(new float[] {1.5f, -0.5f, 1}, p.apply(new float[] {4, 0, 8}));
    }

    @Test
    void theMetadataReadsBackToTheSameBits() {
        for (Preprocessing.Kind k : Preprocessing.Kind.values()) {
            Preprocessing p = Preprocessing.fit(k, TRAIN);
            Map<String, String> m = p.toMetadata();
            assertEquals(k.cliName(), m.get(Preprocessing.NORMALIZE));
            assertEquals(p, Preprocessing.fromMetadata(m));
        }
        Preprocessing odd = new Preprocessing(Preprocessing.Kind.STANDARD, new float[] {0.1f, 1e-30f, -3.4e38f},
                new float[] {Float.MIN_VALUE, 0.3f, 7f});
        assertEquals(odd, Preprocessing.fromMetadata(odd.toMetadata()));
    }

    @Test
    void aModelWithoutPreprocessingMetadataIsFedItsFeaturesAsTheyAre() {
        assertSame(Preprocessing.NONE, Preprocessing.fromMetadata(Map.of("arch", "4-3")));
        float[] x = {1, 2};
        assertSame(x, Preprocessing.NONE.apply(x));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.fromMetadata(Map.of("normalize", "standard",
                "normalize_offset", "[1,x]", "normalize_scale", "[1,1]")));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.fromMetadata(Map.of("normalize", "loud")));
    }
}
