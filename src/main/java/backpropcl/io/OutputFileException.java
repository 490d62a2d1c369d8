package backpropcl.io;

import java.nio.file.Path;

/**
 * A file this program was asked to write that cannot be written: the message is one line that
 * names the user's file (never a temporary name) and the system's reason, and says that any
 * previous file is unchanged.
 */
public class OutputFileException extends RuntimeException {
    private final transient Path file;

    public OutputFileException(Path file, String reason) {
        this(file, reason, null);
    }

    public OutputFileException(Path file, String reason, Throwable cause) {
        super(file + ": could not write (" + reason + "); any previous file is unchanged", cause);
        this.file = file;
    }

    /** The file as the user named it. */
    public Path file() {
        return file;
    }
}
