package backpropcl.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Short runs copied a whole vector at a time on jdk.incubator.vector, for {@link ConvLayer}'s
 * cols transposed: a run of K &lt;= L floats is copied as L, and the lanes past the run land where
 * the next run's copy overwrites them or in padding no result is read from. Copies are exact.
 *
 * <p>Load this class only when the jdk.incubator.vector module is present
 * ({@link DenseProducts#vectorModule}).
 */
final class VectorRuns {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector: the longest run, and the slack both arrays need past their last run. */
    static final int L = S.length();

    private VectorRuns() {
    }

    /** L floats from src[from] to dst[to]. */
    static void copy(float[] src, int from, float[] dst, int to) {
        FloatVector.fromArray(S, src, from).intoArray(dst, to);
    }
}
