package backpropcl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Philox4x32-10 against Random123's published known answers, and the dropout mapping on top of it.
 */
class Philox4x32Test {
    /**
     * The three philox4x32 10-round lines of Random123's tests/kat_vectors (github.com/DEShawResearch/random123,
     * commit 9545ff6413f258be2f04c1d319d99aaef7521150), copied word for word: counter (4 words), key (2 words),
     * expected output (4 words). The third is the digits of pi.
     */
    @ParameterizedTest(name = "ctr {0} {1} {2} {3} key {4} {5}")
    @CsvSource(delimiter = ' ', value = {
        "00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
        "ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd",
        "243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1"})
    void matchesRandom123KnownAnswers(String c0, String c1, String c2, String c3, String k0, String k1,
                                      String e0, String e1, String e2, String e3) {
        int[] got = Philox4x32.block(word(c0), word(c1), word(c2), word(c3), word(k0), word(k1));
        assertArrayEquals(new int[] {word(e0), word(e1), word(e2), word(e3)}, got,
                () -> "got " + hex(got));
    }

    @Test
    void uniformIsTheTop24BitsOfWordZeroOfTheDocumentedCounterAndKey() {
        long seed = 0x0123456789abcdefL;
        long step = 0x0000000500000007L;
        int word0 = Philox4x32.block(42, 3, 7, 5, 0x89abcdef, 0x01234567)[0];
        assertEquals((word0 >>> 8) / 16777216.0, Philox4x32.uniform(seed, step, 3, 42), 0.0);
    }

    @Test
    void uniformIsInTheHalfOpenUnitIntervalAndLooksUniform() {
        int n = 200_000;
        double sum = 0;
        int below = 0;
        for (int i = 0; i < n; i++) {
            float u = Philox4x32.uniform(7, 11, 2, i);
            assertTrue(u >= 0f && u < 1f, "uniform " + u + " at " + i);
            sum += u;
            below += u < 0.25f ? 1 : 0;
        }
        // Mean 1/2 with standard error sqrt(1/12/n) = 6.5e-4; a quarter below 0.25 with standard error 9.7e-4: 6 sigma.
        assertEquals(0.5, sum / n, 4e-3);
        assertEquals(0.25, (double) below / n, 6e-3);
    }

    @Test
    void everyArgumentChangesTheDraw() {
        float u = Philox4x32.uniform(1, 2, 3, 4);
        assertNotEquals(u, Philox4x32.uniform(1L << 32 | 1, 2, 3, 4), "seed's high word");
        assertNotEquals(u, Philox4x32.uniform(1, 2L << 32 | 2, 3, 4), "step's high word");
        assertNotEquals(u, Philox4x32.uniform(1, 2, 4, 4), "layer");
        assertNotEquals(u, Philox4x32.uniform(1, 2, 3, 5), "element");
        assertEquals(u, Philox4x32.uniform(1, 2, 3, 4), "the same arguments give the same draw");
    }

    private static int word(String hex) {
        return Integer.parseUnsignedInt(hex, 16);
    }

    private static String hex(int[] words) {
        StringBuilder s = new StringBuilder();
        for (int w : words) {
            s.append(String.format(java.util.Locale.ROOT, "%08x ", w));
        }
        return s.toString().trim();
    }
}
