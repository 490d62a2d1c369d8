package backpropcl.engine.reference;

import backpropcl.model.Network;
import backpropcl.model.Parameters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reading the known answers that bench/torch_*.py write to src/test/resources/pytorch/. */
final class PyTorchFixture {
    private PyTorchFixture() {
    }

    /** The JSON object of /pytorch/{name}. */
    static JsonObject load(String name) {
        try (InputStream in = PyTorchFixture.class.getResourceAsStream("/pytorch/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /pytorch/" + name);
            }
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON array of numbers as float32 (the fixtures write float32 values widened to double, so this is exact). */
    static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).getAsDouble();
        }
        return f;
    }

    static double[] doubles(JsonArray a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).getAsDouble();
        }
        return d;
    }

    static int[] ints(JsonArray a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsInt();
        }
        return v;
    }

    /** Parameters of net from [W0, b0, W1, b1, ...], each flat (W row-major (out, in)), float32 values. */
    static Parameters parameters(Network net, JsonArray tensors) {
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < net.denseLayers(); l++) {
            float[] w = floats(tensors.get(2 * l).getAsJsonArray());
            float[] b = floats(tensors.get(2 * l + 1).getAsJsonArray());
            p.setWeights(l, w);
            p.setBiases(l, b);
        }
        return p;
    }

    /** Every element of got within {@link #assertClose} of PyTorch's want, and as many of them. */
    static void assertAllClose(String what, double[] want, double[] got, double tolerance) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            assertClose(what + " index " + i, want[i], got[i], tolerance);
        }
    }

    /** |got - want| <= tolerance (1 + |want|): absolute near zero, relative for large values. */
    static void assertClose(String what, double want, double got, double tolerance) {
        assertTrue(Math.abs(got - want) <= tolerance * (1 + Math.abs(want)), what + ": PyTorch " + want + ", reference " + got);
    }
}
