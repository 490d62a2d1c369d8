package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.selftest.SyntheticData;
import backpropcl.testing.EngineEquivalenceTest;
import org.junit.jupiter.api.Test;

/**
 * The single-threaded replica's product path ({@link CpuEngine#replica}): every product of at least
 * {@link DenseProducts#REPLICA_GEMM_MIN_FLOPS} on the native sgemm, the rest on the kernels, against
 * the reference (the inherited tests), replicas on concurrent threads bitwise equal to one alone,
 * and without a native sgemm bitwise the multi-threaded engine. The sgemm path runs where an
 * optimised BLAS is installed (ci/test installs OpenBLAS, so under CI=true its absence fails),
 * whatever its thread count: the tests pin the path, not the environment.
 */
class CpuReplicaEngineTest extends EngineEquivalenceTest {
    private static final Network W2 = Network.of("784-128-64-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    @Override
    protected Engine open(Network net, Parameters initial) {
        return onSgemm(net, initial);
    }

    @Override
    protected int evaluationBlockRows() {
        return CpuEngine.EVAL_ROWS;
    }

    private static CpuEngine onSgemm(Network net, Parameters initial) {
        return new CpuEngine(net, initial, 1, DenseProductsTest.nativeBlasOrAbort(), DenseProducts.REPLICA_GEMM_MIN_FLOPS);
    }

    /** Two replicas stepping at once on two threads, each on its own half batches, end bitwise where each ends alone. */
    @Test
    void concurrentReplicasAreBitwiseEqualToOneAlone() throws Exception {
        Parameters p = Init.HE.initialise(W2, 4);
        Dataset[] halves = {SyntheticData.random("a", 4, 300, 784, 10, true), SyntheticData.random("b", 5, 300, 784, 10, true)};
        Parameters[] alone = new Parameters[2];
        for (int i = 0; i < 2; i++) {
            alone[i] = trained(p, halves[i]);
        }
        Parameters[] together = new Parameters[2];
        Thread other = new Thread(() -> together[1] = trained(p, halves[1]));
        other.start();
        together[0] = trained(p, halves[0]);
        other.join();
        assertTrue(alone[0].bitwiseEquals(together[0]), "replica 0 differs when another runs beside it");
        assertTrue(alone[1].bitwiseEquals(together[1]), "replica 1 differs when another runs beside it");
        assertTrue(!alone[0].bitwiseEquals(alone[1]), "the two halves must train to different weights");
    }

    private static Parameters trained(Parameters p, Dataset data) {
        try (CpuEngine e = onSgemm(W2, p)) {
            train(e, data, 24, 50, 0.1, 4);
            return e.parameters();
        }
    }

    /** Without a native sgemm the replica is the kernel engine: bitwise the multi-threaded one. */
    @Test
    void onKernelsTheReplicaIsBitwiseTheMultiThreadedEngine() {
        Parameters p = Init.HE.initialise(W2, 6);
        Dataset data = SyntheticData.random("random", 6, 300, 784, 10, true);
        try (CpuEngine replica = new CpuEngine(W2, p, 1, null, DenseProducts.REPLICA_GEMM_MIN_FLOPS);
             CpuEngine two = new CpuEngine(W2, p, 2, false)) {
            train(replica, data, 12, 50, 0.1, 6);
            train(two, data, 12, 50, 0.1, 6);
            assertTrue(replica.parameters().bitwiseEquals(two.parameters()));
            assertEquals("cpu (float32 Java, Vector API kernels, 1 thread)", replica.description());
        }
    }

    /** The factory takes the native sgemm exactly where the environment makes it single-threaded, and says so. */
    @Test
    void theReplicaFactoryNamesItsPath() {
        int vectorBits = VectorKernels.L * Float.SIZE;
        String sgemm = BlasLibrary.singleThreadedNative(vectorBits).isPresent()
                ? " + " + BlasLibrary.optimizedLibrary().orElseThrow() + " sgemm for products of 32,768 FLOPs and more" : "";
        try (CpuEngine replica = CpuEngine.replica(W2, Init.HE.initialise(W2, 1))) {
            assertEquals(1, replica.threads());
            assertEquals("cpu (float32 Java, Vector API kernels" + sgemm + ", 1 thread)", replica.description());
        }
    }
}
