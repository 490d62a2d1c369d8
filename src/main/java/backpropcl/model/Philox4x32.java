package backpropcl.model;

/**
 * Philox4x32-10, the counter-based generator of Random123 (Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC'11): a 4 x 32-bit counter and a 2 x 32-bit
 * key go through 10 rounds and come out as 4 x 32 random bits. There is no state: the same
 * counter and key give the same bits anywhere, which is why dropout uses it. kernels/philox.cl
 * is the same function in OpenCL C, and both must stay bit-identical (PhiloxKernelTest).
 *
 * <p>{@link #uniform} is the one mapping dropout uses; it is here, next to the generator, so that
 * Java and OpenCL C share one written rule rather than two.
 */
public final class Philox4x32 {
    /** Rounds of the standard variant (Random123's philox4x32 default, Philox4x32-10). */
    public static final int ROUNDS = 10;

    // Random123's PHILOX_M4x32_0/1 (the round multipliers) and PHILOX_W32_0/1 (the Weyl key increments).
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long UNSIGNED = 0xFFFFFFFFL;

    private Philox4x32() {
    }

    /**
     * The 4 words of Philox4x32-10 for counter {@code c0..c3} and key {@code k0, k1}, in
     * Random123's word order (its {@code r123array4x32.v[0..3]}); every int is read as an unsigned
     * 32-bit word.
     */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int x0 = c0;
        int x1 = c1;
        int x2 = c2;
        int x3 = c3;
        int key0 = k0;
        int key1 = k1;
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) {
                key0 += W0;
                key1 += W1;
            }
            long p0 = M0 * (x0 & UNSIGNED);
            long p1 = M1 * (x2 & UNSIGNED);
            int hi0 = (int) (p0 >>> 32);
            int hi1 = (int) (p1 >>> 32);
            x0 = hi1 ^ x1 ^ key0;
            x1 = (int) p1;
            x2 = hi0 ^ x3 ^ key1;
            x3 = (int) p0;
        }
        return new int[] {x0, x1, x2, x3};
    }

    /**
     * Dropout's uniform number for one element of one layer on one training step, in [0, 1):
     * Philox4x32-10 with
     * <ul>
     *   <li>counter = (element, layer, low 32 bits of step, high 32 bits of step),
     *   <li>key = (low 32 bits of seed, high 32 bits of seed),
     * </ul>
     * and of the output, word 0 only: its top 24 bits times 2^-24. That float is exact (a 24-bit
     * integer times a power of two), so the OpenCL C version gives the same bits on any device;
     * the largest value is 1 - 2^-24. Each (step, layer, element) is its own counter, so no two
     * elements, layers or steps share a draw and none depends on the order they are computed in.
     *
     * @param element the element's index in the layer's (batch, width) block, {@code >= 0}
     */
    public static float uniform(long seed, long step, int layer, int element) {
        int x0 = block(element, layer, (int) step, (int) (step >>> 32), (int) seed, (int) (seed >>> 32))[0];
        return (x0 >>> 8) * 0x1.0p-24f;
    }
}
