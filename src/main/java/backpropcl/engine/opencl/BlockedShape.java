package backpropcl.engine.opencl;

/**
 * The register blocks of the blocked kernel family (kernels/dense_blocked.cl), passed to the build as
 * -D options: vector width VW, forward block FR rows x FC neurons, BR rows per backward item, GC
 * neurons per gradient item. A forward item's accumulators (FR x FC vectors) and operands fit the
 * 16 vector registers of an x86 core.
 */
record BlockedShape(int vw, int fr, int fc, int br, int gc) {
    /** Four lanes: what GPUs (preferred width 1 to 4) and SSE-class CPUs load best. */
    static final BlockedShape DEFAULT = new BlockedShape(4, 2, 4, 4, 4);
    /**
     * Eight lanes, one AVX register: 1.5-2x the four-lane kernels on PoCL on an AVX2 EPYC; a forward
     * block of 3 x 4 (12 accumulators, 3 + 1 operand registers of 16) beat 2 x 4 and 4 x 3 there.
     */
    static final BlockedShape WIDE = new BlockedShape(8, 3, 4, 4, 4);

    /** The shape for a device that prefers vectors of {@code preferredFloatWidth} floats. */
    static BlockedShape forDevice(int preferredFloatWidth) {
        return preferredFloatWidth >= 8 ? WIDE : DEFAULT;
    }

    BlockedShape {
        if (vw != 4 && vw != 8) {
            throw new IllegalArgumentException("vector width " + vw + " (4 or 8)");
        }
        if (fr < 1 || fc < 1 || br < 1 || gc < 1) {
            throw new IllegalArgumentException("register blocks must be at least 1");
        }
    }

    String defines() {
        return "-D VW=" + vw + " -D FR=" + fr + " -D FC=" + fc + " -D BR=" + br + " -D GC=" + gc;
    }
}
