package backpropcl.data;

/**
 * A problem with the user's input data: a missing, truncated or malformed file, a label out of
 * range. The message is one line that names the file, the record or line when there is one, and
 * what was expected, e.g. {@code train-images-idx3-ubyte.gz: truncated after record 1234 of 8000
 * (expected 6272000 bytes of pixels, found 967456)}. The command line prints it as it is.
 */
public class DataException extends RuntimeException {

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
