package backpropcl.engine.cpu;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * to 4.9 GFLOP/s on our shapes against 15 to 30 for VectorBLAS's sgemv (docs/cpu.md). When
 * libblas.so.3 is an optimised BLAS (OpenBLAS, MKL, BLIS: {@link #optimizedNative}), the engine
 * multiplies with its sgemm instead: 78 GFLOP/s on 100 x 128 x 784 with OpenBLAS on two cores here,
 * against about 45 for our Vector API kernels.
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

    /**
     * netlib's native BLAS when libblas.so.3 is an optimised library, recognised by the file
     * the process mapped for it (/proc/self/maps names openblas, mkl or blis); empty when the
     * native shim does not load, when it is the reference BLAS, when the mapping cannot be read
     * (not Linux), or when $BACKPROP_CL_CPU_BLAS is "java".
     */
    static Optional<BLAS> optimizedNative() {
        String choice = System.getenv("BACKPROP_CL_CPU_BLAS");
        if (choice != null && choice.trim().equalsIgnoreCase("java")) {
            return Optional.empty();
        }
        NETLIB_LOG.setLevel(Level.SEVERE);
        BLAS blas;
        try {
            blas = NativeBLAS.getInstance();
        } catch (Throwable t) {   // no JNI shim for this platform, or no libblas.so.3
            return Optional.empty();
        }
        return optimizedLibrary().map(name -> blas);
    }

    /**
     * {@link #optimizedNative} for a single-threaded replica ({@link CpuEngine#replica}): only where the
     * environment the library read when it loaded makes it run on the calling thread alone
     * ({@link #singleThreaded}), so that N replicas on N threads do not each start its thread pool,
     * and not where $OPENBLAS_CORETYPE holds OpenBLAS to kernels narrower than the Vector API's
     * ({@link #narrowerKernels}): there our kernels measured faster.
     *
     * @param vectorBits the Vector API's preferred vector size, 0 without the module
     */
    static Optional<BLAS> singleThreadedNative(int vectorBits) {
        Map<String, String> env = System.getenv();
        return optimizedNative().filter(blas -> optimizedLibrary().map(lib -> singleThreaded(lib, env)).orElse(false)
                && !narrowerKernels(env, vectorBits));
    }

    /**
     * Whether {@code library} runs each call on the calling thread under {@code env}: OpenBLAS takes
     * the first of OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS that is set to a positive
     * number (else one per core), MKL MKL_NUM_THREADS then OMP_NUM_THREADS (else one per core), BLIS
     * BLIS_NUM_THREADS then OMP_NUM_THREADS (else one). Each reads them once, when it loads: they must
     * be in the JVM's environment from its start.
     */
    static boolean singleThreaded(String library, Map<String, String> env) {
        return switch (library) {
            case "OpenBLAS" -> firstThreadCount(env, List.of("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")) == 1;
            case "MKL" -> firstThreadCount(env, List.of("MKL_NUM_THREADS", "OMP_NUM_THREADS")) == 1;
            case "BLIS" -> firstThreadCount(env, List.of("BLIS_NUM_THREADS", "OMP_NUM_THREADS")) <= 1;
            default -> false;
        };
    }

    /** The first of {@code names} set to a positive integer in {@code env}; 0 when none is. */
    private static int firstThreadCount(Map<String, String> env, List<String> names) {
        for (String name : names) {
            String v = env.get(name);
            try {
                int n = v == null ? 0 : Integer.parseInt(v.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // OpenBLAS reads a non-number as 0, i.e. unset: so do we.
            }
        }
        return 0;
    }

    /**
     * Whether $OPENBLAS_CORETYPE forces OpenBLAS onto a core without 512-bit kernels (Haswell, Zen,
     * ...) while the Vector API runs 512-bit vectors: on the development machine (AVX-512; OpenBLAS
     * detects Cooperlake) forcing Haswell made its sgemm 1.4x slower than our kernels per core, while
     * its own Cooperlake kernels were 1.2x faster (docs/cpu.md).
     */
    static boolean narrowerKernels(Map<String, String> env, int vectorBits) {
        String core = env.get("OPENBLAS_CORETYPE");
        if (vectorBits < 512 || core == null || core.isBlank()) {
            return false;
        }
        String c = core.trim().toLowerCase(Locale.ROOT);
        return !(c.equals("skylakex") || c.equals("cooperlake") || c.equals("sapphirerapids"));
    }

    /** "OpenBLAS", "MKL" or "BLIS" when the process has that library mapped. */
    static Optional<String> optimizedLibrary() {
        String maps;
        try {
            maps = Files.readString(Path.of("/proc/self/maps")).toLowerCase(Locale.ROOT);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (maps.contains("libopenblas")) {
            return Optional.of("OpenBLAS");
        }
        if (maps.contains("libmkl")) {
            return Optional.of("MKL");
        }
        if (maps.contains("libblis")) {
            return Optional.of("BLIS");
        }
        return Optional.empty();
    }

    /** The class name of the implementation, e.g. "VectorBLAS". */
    static String name(BLAS blas) {
        return blas.getClass().getSimpleName();
    }
}
