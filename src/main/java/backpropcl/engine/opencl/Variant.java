package backpropcl.engine.opencl;

/**
 * How one matrix product is launched: the kernel family and, for the blocked family, the
 * work-group size along dimension 0 (the tiled family's work-group is always TS x TS).
 */
record Variant(Family family, int local) {

    /** The two kernel families of kernels/: local-memory tiles, or register blocks (dense_blocked.cl). */
    enum Family { TILED, BLOCKED }

    Variant {
        if (local < 1) {
            throw new IllegalArgumentException("work-group size " + local);
        }
    }

    static Variant tiled(int ts) {
        return new Variant(Family.TILED, ts * ts);
    }

    static Variant blocked(int local) {
        return new Variant(Family.BLOCKED, local);
    }

    /** "tiled" or "blocked/16": how the tuning cache and the logs write it. */
    @Override
    public String toString() {
        return family == Family.TILED ? "tiled" : "blocked/" + local;
    }

    /** The inverse of {@link #toString} for a program built with tile edge {@code ts}; null when unreadable. */
    static Variant parse(String s, int ts) {
        if (s.equals("tiled")) {
            return tiled(ts);
        }
        if (s.startsWith("blocked/")) {
            try {
                int local = Integer.parseInt(s.substring("blocked/".length()));
                return local >= 1 ? blocked(local) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
