package backpropcl.engine.opencl;

/**
 * The register blocks of the blocked kernel family (kernels/blocked.cl), passed to the build as
 * -D options: vector width VW, forward block FR rows x FC neurons, BR rows per backward item, GC
 * neurons per gradient item. The default keeps a forward item's accumulators (FR x FC vectors of
 * 4) within the 16 vector registers of an x86 core and is a reasonable start on GPUs, where the
 * tuner may still prefer the tiled family.
 */
record BlockedShape(int vw, int fr, int fc, int br, int gc) {
    static final BlockedShape DEFAULT = new BlockedShape(4, 2, 4, 4, 4);

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
