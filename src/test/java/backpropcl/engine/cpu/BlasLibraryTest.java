package backpropcl.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a single-threaded replica may hand its products to the native BLAS: the environment it reads at load. */
class BlasLibraryTest {
    @Test
    void openBlasIsSingleThreadedByTheFirstPositiveOfItsThreeVariables() {
        assertFalse(BlasLibrary.singleThreaded("OpenBLAS", Map.of()), "unset: one thread per core");
        assertTrue(BlasLibrary.singleThreaded("OpenBLAS", Map.of("OPENBLAS_NUM_THREADS", "1")));
        assertTrue(BlasLibrary.singleThreaded("OpenBLAS", Map.of("OPENBLAS_NUM_THREADS", " 1 ")));
        assertFalse(BlasLibrary.singleThreaded("OpenBLAS", Map.of("OPENBLAS_NUM_THREADS", "2", "OMP_NUM_THREADS", "1")), "OPENBLAS_ first");
        assertTrue(BlasLibrary.singleThreaded("OpenBLAS", Map.of("OPENBLAS_NUM_THREADS", "0", "GOTO_NUM_THREADS", "1")), "0 is unset");
        assertTrue(BlasLibrary.singleThreaded("OpenBLAS", Map.of("OPENBLAS_NUM_THREADS", "x", "OMP_NUM_THREADS", "1")), "so is a non-number");
        assertFalse(BlasLibrary.singleThreaded("OpenBLAS", Map.of("GOTO_NUM_THREADS", "4", "OMP_NUM_THREADS", "1")), "GOTO_ before OMP_");
        assertFalse(BlasLibrary.singleThreaded("OpenBLAS", Map.of("MKL_NUM_THREADS", "1")), "another library's variable");
    }

    @Test
    void mklAndBlisReadTheirOwnVariablesThenOpenMps() {
        assertFalse(BlasLibrary.singleThreaded("MKL", Map.of()));
        assertTrue(BlasLibrary.singleThreaded("MKL", Map.of("MKL_NUM_THREADS", "1", "OMP_NUM_THREADS", "8")));
        assertTrue(BlasLibrary.singleThreaded("MKL", Map.of("OMP_NUM_THREADS", "1")));
        assertTrue(BlasLibrary.singleThreaded("BLIS", Map.of()), "BLIS runs on the caller unless told otherwise");
        assertFalse(BlasLibrary.singleThreaded("BLIS", Map.of("BLIS_NUM_THREADS", "2")));
        assertFalse(BlasLibrary.singleThreaded("BLIS", Map.of("OMP_NUM_THREADS", "2")));
        assertFalse(BlasLibrary.singleThreaded("reference", Map.of("OPENBLAS_NUM_THREADS", "1")));
    }

    @Test
    void aForcedOpenBlasCoreIsNarrowerOnlyWithoutAvx512KernelsOn512BitVectors() {
        assertTrue(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", "Haswell"), 512));
        assertTrue(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", "ZEN"), 512));
        assertFalse(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", "Haswell"), 256), "AVX2 against AVX2 kernels");
        assertFalse(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", " SkylakeX "), 512));
        assertFalse(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", "COOPERLAKE"), 512));
        assertFalse(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", "SapphireRapids"), 512));
        assertFalse(BlasLibrary.narrowerKernels(Map.of(), 512), "OpenBLAS's own detection");
        assertFalse(BlasLibrary.narrowerKernels(Map.of("OPENBLAS_CORETYPE", "Haswell"), 0), "no Vector API: nothing to compare");
    }
}
