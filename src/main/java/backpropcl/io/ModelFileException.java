package backpropcl.io;

/**
 * A model file that cannot be written, read or used: missing, malformed, or made for another
 * network. The message is one line that starts with the file and says what was expected.
 */
public class ModelFileException extends RuntimeException {

    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
