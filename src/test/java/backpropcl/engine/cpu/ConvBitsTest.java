package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import backpropcl.data.Dataset;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The cpu engine's conv networks train to the same bits as before its conv routines were made
 * faster: the SHA-256 of the parameters (running statistics included) after a few steps of
 * LeNet-5 and W5, against the values main's build gave (commit 46e32eb) before any of them changed.
 */
class ConvBitsTest {
    private static final String LENET5 = "conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,"
            + "dense:10,softmax";
    private static final String W5 = "conv:32x3x3:p1,batchnorm,relu,maxpool:2,conv:64x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:128,"
            + "relu,dense:10,softmax";

    @Test
    void leNet5TrainsToTheSameBits() {
        assertEquals("d920953140f81b3313a2cbadb7d00c5bfb9d66ca6e9052c91ae3fb8de403142b", hashAfter(LENET5, 4, 32, 200));
    }

    @Test
    void w5TrainsToTheSameBits() {
        assertEquals("5d933f613e9dfcb90bd6d75dec51ab66017facf5c7b31f94ba7911144499fc91", hashAfter(W5, 3, 64, 150));
    }

    /** SHA-256 of the parameters after {@code steps} batches (the last one partial) of a run on 2 threads. */
    private static String hashAfter(String layers, int steps, int batch, int samples) {
        long seed = 61;
        Network net = Network.parse(new Shape(1, 28, 28), layers, Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(net, seed);
        Dataset data = SyntheticData.random("random", seed, samples, net.inputSize(), net.outputSize(), true);
        try (CpuEngine cpu = new CpuEngine(net, p, 2)) {
            EngineEquivalenceTest.train(cpu, data, steps, batch, 0.05, seed);
            float[] v = cpu.parameters().values();
            ByteBuffer bytes = ByteBuffer.allocate(4 * v.length);
            for (float f : v) {
                bytes.putInt(Float.floatToRawIntBits(f));
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
