package backpropcl.cli;

/** The exit codes every command keeps to, so that scripts can rely on them. */
public final class ExitCodes {
    public static final int OK = 0;
    /** A check failed: compare, gradcheck, selftest. Also an internal error, with its stack trace. */
    public static final int CHECK_FAILED = 1;
    /** The user asked for something impossible: bad option, bad file, bad data. */
    public static final int USER_ERROR = 2;
    /** Training diverged: the cost became NaN or infinite. */
    public static final int DIVERGED = 3;
    /** Stopped by Ctrl-C (128 + SIGINT, as shells report it); the run's checkpoint was written first. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
