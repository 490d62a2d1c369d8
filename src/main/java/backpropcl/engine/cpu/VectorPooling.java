package backpropcl.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2x2 max pooling of stride 2 on jdk.incubator.vector ({@link MaxPoolLayer#maxpoolForward}): a
 * vector of outputs of one channel plane at a time, the four corners of their windows gathered.
 * The first maximum in the window's row-major order is the first of the top pair's (the right one
 * only when strictly greater), then the bottom pair's first replaces it only when strictly
 * greater: the scalar scan's rule, on the same {@link MaxPoolLayer#key}s, so the same argmax and
 * value.
 *
 * <p>Load this class only when the jdk.incubator.vector module is present
 * ({@link DenseProducts#vectorModule}).
 */
final class VectorPooling {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int L = F.length();

    private VectorPooling() {
    }

    /**
     * Outputs [o0, o0 + L) of the plane whose input starts at in[base] (index {@code planeAt} within
     * its sample): out[outAt + j] and argmax[outAt + j] for the window whose top left is
     * base + first[o0 + j], a row {@code width} long.
     */
    static void pool2x2(float[] in, int base, int planeAt, int width, int[] first, int o0, float[] out, int[] argmax, int outAt) {
        FloatVector v0 = FloatVector.fromArray(F, in, base, first, o0);
        FloatVector v1 = FloatVector.fromArray(F, in, base + 1, first, o0);
        FloatVector v2 = FloatVector.fromArray(F, in, base + width, first, o0);
        FloatVector v3 = FloatVector.fromArray(F, in, base + width + 1, first, o0);
        IntVector k0 = key(v0);
        IntVector k1 = key(v1);
        IntVector k2 = key(v2);
        IntVector k3 = key(v3);
        VectorMask<Integer> right = k1.compare(VectorOperators.GT, k0);
        VectorMask<Integer> bottomRight = k3.compare(VectorOperators.GT, k2);
        IntVector top = k0.max(k1);
        IntVector bottom = k2.max(k3);
        VectorMask<Integer> below = bottom.compare(VectorOperators.GT, top);
        IntVector zero = IntVector.zero(I);
        IntVector topAt = zero.blend(1, right);
        IntVector bottomAt = zero.add(width).blend(width + 1, bottomRight);
        IntVector at = topAt.blend(bottomAt, below);
        FloatVector topValue = v0.blend(v1, right.cast(F));
        FloatVector bottomValue = v2.blend(v3, bottomRight.cast(F));
        topValue.blend(bottomValue, below.cast(F)).intoArray(out, outAt);
        IntVector.fromArray(I, first, o0).add(at).add(planeAt).intoArray(argmax, outAt);
    }

    /** {@link MaxPoolLayer#key} lane-wise. */
    private static IntVector key(FloatVector v) {
        IntVector bits = v.add(0f).reinterpretAsInts();
        return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff));
    }
}
