package backpropcl.engine;

/**
 * A replica of a {@link DataParallelEngine} failed during a step (a device lost, a kernel that
 * failed, memory gone): the run stops, and a checkpoint written before stays as it was. The
 * message names the replica and its device and says what went wrong, on one line.
 */
public final class ReplicaException extends RuntimeException {
    private final int replica;

    public ReplicaException(int replica, String description, Throwable cause) {
        super("replica " + replica + " (" + description + ") failed: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        this.replica = replica;
    }

    /** The index of the replica that failed. */
    public int replica() {
        return replica;
    }
}
