package backpropcl.selftest;

import backpropcl.data.Dataset;
import java.util.Random;

/** Small random data sets for engine checks of networks whose input width matches no real data set. */
public final class SyntheticData {
    private SyntheticData() {
    }

    /**
     * count samples of the given width, labels uniform in 0..classes-1. Byte-like features are
     * k / 255f, as IDX images (the OpenCL engine stores those as one byte each); otherwise uniform
     * floats in [0, 1) (stored as float): the two paths of the engine's gather.
     */
    public static Dataset random(String name, long seed, int count, int width, int classes, boolean byteLike) {
        Random rnd = new Random(seed);
        float[] features = new float[count * width];
        for (int i = 0; i < features.length; i++) {
            features[i] = byteLike ? rnd.nextInt(256) / 255f : rnd.nextFloat();
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = rnd.nextInt(classes);
        }
        return new Dataset(name, features, labels, count, width, classes);
    }
}
