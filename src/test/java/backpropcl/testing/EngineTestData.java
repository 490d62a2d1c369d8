package backpropcl.testing;

import backpropcl.data.Dataset;
import java.util.Random;

/** Small random data sets for the engine tests. */
public final class EngineTestData {
    private EngineTestData() {
    }

    /**
     * count samples of the given width with labels in 0..classes-1. Byte-like features are k / 255f
     * (as IDX images; the OpenCL engine stores them as bytes); otherwise uniform floats in [0, 1) (stored as float).
     */
    public static Dataset random(String name, long seed, int count, int width, int classes, boolean byteLike) {
        Random rnd = new Random(seed);
        float[] f = new float[count * width];
        for (int i = 0; i < f.length; i++) {
            f[i] = byteLike ? rnd.nextInt(256) / 255f : rnd.nextFloat();
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = rnd.nextInt(classes);
        }
        return new Dataset(name, f, labels, count, width, classes);
    }
}
