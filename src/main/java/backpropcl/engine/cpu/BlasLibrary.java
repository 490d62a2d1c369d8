package backpropcl.engine.cpu;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dev.ludovic.netlib BLAS of the cpu engine's fallback: the pure-Java one, Java11BLAS/Java8BLAS
 * when jdk.incubator.vector is missing (then the engine multiplies with its sgemv, and this class
 * warns once). With the module (the launcher and the tests add it) this is VectorBLAS, which the
 * engine does not use: its own {@link VectorKernels} are faster (docs/cpu.md).
 *
 * <p>Not {@code BLAS.getInstance()}: it prefers a native libblas.so.3 when netlib's JNI shim loads,
 * and on a stock Debian or Ubuntu that library is the unoptimised reference BLAS, measured at 1.3
 * to 4.9 GFLOP/s on our shapes against 15 to 30 for VectorBLAS's sgemv (docs/cpu.md). An
 * optimised native BLAS (OpenBLAS, MKL) would win on sgemm, but the engine's products are runs of
 * small sgemv calls sized for VectorBLAS ({@link DenseProducts}), where a JNI call per sample
 * would not pay.
 */
final class BlasLibrary {
    /**
     * netlib logs a warning for every implementation it fails to load while it looks for one
     * (the native one first); the engine names the one it got in its description instead. Held
     * here so that the level sticks until netlib's first use.
     */
    private static final Logger NETLIB_LOG = Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
    private static final Logger LOG = Logger.getLogger(BlasLibrary.class.getName());

    private BlasLibrary() {
    }

    /** The pure-Java BLAS; warns when it is not VectorBLAS, since the rest run without SIMD. */
    static BLAS load() {
        NETLIB_LOG.setLevel(Level.SEVERE);
        BLAS blas = JavaBLAS.getInstance();
        if (!name(blas).equals("VectorBLAS")) {
            LOG.warning("the cpu engine runs on " + name(blas) + ", without SIMD and several times slower: start java with"
                    + " --add-modules jdk.incubator.vector (./backprop-cl does)");
        }
        return blas;
    }

    /** The class name of the implementation, e.g. "VectorBLAS". */
    static String name(BLAS blas) {
        return blas.getClass().getSimpleName();
    }
}
