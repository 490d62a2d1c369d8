package backpropcl.engine.opencl;

/**
 * The pass blocks of a conv, max-pool or batch-norm layer: buffers it owns (released together),
 * its epilogue (activation, z, a) and delta = dC/dz, which the layer after it writes (null where
 * none is needed); {@code below} are the blocks of the layer before it.
 */
class OwnedBlocks implements ClLayer.Blocks {
    final ClLayer.Blocks below;
    final ClLayer.Epilogue epilogue;
    final ClBuffer delta;
    private final ClBuffer[] owned;

    OwnedBlocks(ClLayer.Blocks below, ClBuffer[] owned, ClLayer.Epilogue epilogue, ClBuffer delta) {
        this.below = below;
        this.owned = owned;
        this.epilogue = epilogue;
        this.delta = delta;
    }

    /**
     * One buffer of {@code bytes} per name, named {@code prefix + name}, null for a null name;
     * those made are released when a later one fails.
     */
    static ClBuffer[] buffers(ClContext ctx, long bytes, String prefix, String... names) {
        ClBuffer[] made = new ClBuffer[names.length];
        try {
            for (int i = 0; i < names.length; i++) {
                made[i] = names[i] == null ? null : ctx.buffer(bytes, prefix + names[i]);
            }
        } catch (RuntimeException e) {
            DeviceTensor.release(made);
            throw e;
        }
        return made;
    }

    /** Whether a layer below takes the gradient this layer hands down. */
    boolean handsDown() {
        return below != null && below.gradient() != null;
    }

    @Override
    public ClBuffer gradient() {
        return delta;
    }

    @Override
    public ClLayer.Epilogue epilogue() {
        return epilogue;
    }

    @Override
    public void close() {
        DeviceTensor.release(owned);
    }
}
