package backpropcl.data;

/**
 * A label at or above the number of classes the data was read for. The message is the reader's
 * one line ({@code FILE: record 7 has label 10; expected 0..9 (10 classes)}); the parts are kept
 * so that a caller that knows where the class count came from (an --arch, the training labels)
 * can say so, and so that the record of a label can be found by reading for fewer classes.
 */
public final class LabelOutOfRangeException extends DataException {
    private final String file;
    private final String record;
    private final int label;
    private final int classes;

    /**
     * @param file    the file as the message names it
     * @param record  where in it: "record 7" (IDX, from 0) or "line 5" (CSV, from 1)
     */
    public LabelOutOfRangeException(String message, String file, String record, int label, int classes) {
        super(message);
        this.file = file;
        this.record = record;
        this.label = label;
        this.classes = classes;
    }

    public String file() {
        return file;
    }

    public String record() {
        return record;
    }

    public int label() {
        return label;
    }

    public int classes() {
        return classes;
    }
}
