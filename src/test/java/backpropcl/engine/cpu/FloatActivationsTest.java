package backpropcl.engine.cpu;

import static backpropcl.testing.Assertions2.assertClose;
import static backpropcl.testing.Assertions2.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import backpropcl.model.Activation;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The float activations against the double ones of the model, on random values and on the edges (0, -0, subnormals, large). */
class FloatActivationsTest {
    /** A few float roundings: each float result is within this of the double formula, relative. */
    private static final double RTOL = 3e-7;
    private static final float[] EDGES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, -1e-30f, 1f, -1f,
        30f, -30f, 100f, -100f, 3e38f, -3e38f};

    private static float[] inputs(int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        float[] z = new float[rows * cols];
        for (int i = 0; i < z.length; i++) {
            z[i] = i < EDGES.length ? EDGES[i] : (float) (rnd.nextGaussian() * 4);
        }
        return z;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void valuesAndDerivativesMatchTheDoubleFormulas(Activation f) {
        int rows = 7;
        int cols = 13;
        long seed = 31 + f.ordinal();
        float[] z = inputs(rows, cols, seed);
        float[] a = new float[z.length];
        // Two calls on row ranges, as chunks do.
        FloatActivations.apply(f, z, a, cols, 0, 3);
        FloatActivations.apply(f, z, a, cols, 3, rows);
        double[] zd = toDouble(z);
        double[] want = new double[z.length];
        f.apply(zd, want, rows, cols);
        assertClose(f + " value", want, toDouble(a), 1e-30, RTOL, seed);
        if (!f.isElementwise()) {
            return;
        }
        Random rnd = new Random(seed);
        float[] delta = new float[z.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = (float) rnd.nextGaussian();
        }
        double[] gradA = toDouble(delta);
        FloatActivations.multiplyByDerivative(f, z, a, delta, cols, 0, rows);
        double[] wantDelta = new double[z.length];
        f.backward(zd, toDouble(a), gradA, wantDelta, rows, cols);
        assertClose(f + " delta", wantDelta, toDouble(delta), 1e-30, RTOL, seed);
        if (f == Activation.RELU) {
            assertEquals(0f, delta[0] + 0f, "ReLU'(0) = 0");
            assertEquals((float) gradA[2], delta[2], "ReLU' of the smallest positive float is 1");
        }
    }
}
