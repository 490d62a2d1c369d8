package backpropcl.data;

import backpropcl.text.Plural;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed (told apart by
 * the gzip magic bytes 1f 8b, not by the file name).
 *
 * <p>An IDX file is a 4-byte magic number {@code 00 00 TT DD} (TT the element type, DD the number of
 * dimensions), then DD big-endian int32 sizes, then the elements row-major with the first dimension
 * slowest. Only unsigned bytes (type 0x08) are supported, which is all MNIST uses. The first
 * dimension counts records (images, labels); error messages count in records.
 *
 * <p>Every error is a {@link DataException} whose message starts with the file name.
 */
public final class IdxReader {

    /** The type code of unsigned bytes. */
    public static final int UNSIGNED_BYTE = 0x08;

    /** Magic number of a file of images: unsigned bytes, 3 dimensions (count, rows, cols). */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Magic number of a file of labels: unsigned bytes, 1 dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** The largest data section we can hold in one Java array. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /** The first size of the data buffer, which then doubles up to what the header declares. */
    private static final int FIRST_BUFFER = 1 << 20;

    private IdxReader() {
    }

    /**
     * The contents of one IDX file.
     *
     * @param type the element type code (always {@link #UNSIGNED_BYTE})
     * @param dims the size of each dimension, first (records) slowest
     * @param data the elements, row-major, product(dims) bytes
     */
    public record Idx(int type, int[] dims, byte[] data) {

        /** Number of records: the first dimension. */
        public int count() {
            return dims[0];
        }

        /** Bytes per record: the product of all dimensions but the first. */
        public int recordSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) {
                n *= dims[i];
            }
            return n;
        }
    }

    /** Reads an IDX file, plain or gzip. */
    public static Idx read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file", e);
        } catch (IOException e) {
            throw new DataException(file + ": could not read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads an IDX file, plain or gzip, from a stream (which is read to its end, not closed).
     *
     * @param name the file name, for messages
     */
    public static Idx read(String name, InputStream in) {
        return read(name, in, 0, "data");
    }

    /**
     * Reads images (idx3, magic 0x00000803) and their labels (idx1, magic 0x00000801) into a data
     * set: pixel bytes p become floats p / 255f in [0, 1], one image of rows*cols pixels per row.
     *
     * @param name    the name of the data set, e.g. "mnist-10k/train"
     * @param classes the number of classes, each label must be below it; 0 or less: max label + 1
     */
    public static Dataset readImagesAndLabels(String name, InputStream images, String imagesName,
                                              InputStream labels, String labelsName, int classes) {
        Idx img = read(imagesName, images, IMAGES_MAGIC, "pixels");
        Idx lab = read(labelsName, labels, LABELS_MAGIC, "labels");
        if (img.count() != lab.count()) {
            throw new DataException(labelsName + ": holds " + Plural.of(lab.count(), "label") + " but " + imagesName
                    + " holds " + Plural.of(img.count(), "image") + "; expected one label per image");
        }
        int count = img.count();
        int[] labelValues = new int[count];
        int max = 0;
        for (int i = 0; i < count; i++) {
            labelValues[i] = lab.data()[i] & 0xFF;
            max = Math.max(max, labelValues[i]);
        }
        int k = classes > 0 ? classes : max + 1;
        for (int i = 0; i < count; i++) {
            if (labelValues[i] >= k) {
                throw new LabelOutOfRangeException(labelsName + ": record " + i + " has label " + labelValues[i]
                        + "; expected 0.." + (k - 1) + " (" + Plural.of(k, "class") + ")", labelsName, "record " + i, labelValues[i], k);
            }
        }
        int width = img.recordSize();
        byte[] pixels = img.data();
        float[] features = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            features[i] = (pixels[i] & 0xFF) / 255f;
        }
        return new Dataset(name, features, labelValues, count, width, k);
    }

    /**
     * Writes a plain (uncompressed) IDX file: magic {@code 00 00 type dims.length}, the sizes, the
     * data. The stream is flushed, not closed.
     *
     * @param magicType the element type code, e.g. {@link #UNSIGNED_BYTE}
     */
    public static void write(OutputStream out, int magicType, int[] dims, byte[] data) throws IOException {
        if (magicType < 0 || magicType > 0xFF || dims.length < 1 || dims.length > 0xFF) {
            throw new IllegalArgumentException("bad IDX type 0x" + Integer.toHexString(magicType)
                    + " or dimension count " + dims.length);
        }
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + size
                    + " bytes, got " + data.length);
        }
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt((magicType << 8) | dims.length);
        for (int d : dims) {
            o.writeInt(d);
        }
        o.write(data);
        o.flush();
    }

    /**
     * Reads one IDX file.
     *
     * @param expectedMagic 0 to accept any number of dimensions, else the whole magic number wanted
     * @param what          what the elements are, for messages ("pixels", "labels", "data")
     */
    private static Idx read(String name, InputStream raw, int expectedMagic, String what) {
        InputStream in = raw;
        boolean gzip = false;
        try {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            gzip = b0 == 0x1f && b1 == 0x8b;
            in = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            return readIdx(name, in, expectedMagic, what, gzip);
        } catch (IOException e) {
            // EOFException and ZipException from the inflater: the compressed stream is broken.
            throw new DataException(name + (gzip ? ": corrupt or truncated gzip data (" + detail(e) + ")"
                    : ": could not read (" + detail(e) + ")"), e);
        }
    }

    /** What went wrong, for a message: an EOFException from the gzip header has no message of its own. */
    private static String detail(IOException e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage().strip().replaceAll("\\s+", " ");
        }
        return e instanceof EOFException ? "unexpected end of file" : "read error";
    }

    private static Idx readIdx(String name, InputStream in, int expectedMagic, String what, boolean gzip)
            throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new DataException(name + ": too short for an IDX file (" + head.length
                    + " bytes; expected a 4-byte magic number" + expectedText(expectedMagic) + ")");
        }
        int magic = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        int type = head[2] & 0xFF;
        int ndims = head[3] & 0xFF;
        if (head[0] != 0 || head[1] != 0) {
            throw new DataException(name + ": not an IDX file (magic number " + hex(magic)
                    + "; expected " + (expectedMagic != 0 ? hex(expectedMagic) : "00 00 followed by type and dimension count") + ")");
        }
        if (type != UNSIGNED_BYTE) {
            throw new DataException(name + ": type " + String.format("0x%02X", type)
                    + " is not supported; expected unsigned bytes 0x08");
        }
        int wantedDims = expectedMagic & 0xFF;
        if (expectedMagic != 0 && ndims != wantedDims) {
            throw new DataException(name + ": has " + Plural.of(ndims, "dimension") + " (magic "
                    + hex(magic) + "); expected " + wantedDims + " (magic " + hex(expectedMagic) + ", "
                    + (wantedDims == 3 ? "images x rows x cols" : "one label per record") + ")");
        }
        if (ndims == 0) {
            throw new DataException(name + ": has 0 dimensions; expected at least 1");
        }
        byte[] dimBytes = in.readNBytes(4 * ndims);
        if (dimBytes.length < 4 * ndims) {
            throw new DataException(name + ": header truncated (expected " + Plural.of(ndims, "dimension size") + ", found "
                    + dimBytes.length / 4 + ")");
        }
        int[] dims = new int[ndims];
        long size = 1;
        for (int i = 0; i < ndims; i++) {
            int o = 4 * i;
            dims[i] = ((dimBytes[o] & 0xFF) << 24) | ((dimBytes[o + 1] & 0xFF) << 16)
                    | ((dimBytes[o + 2] & 0xFF) << 8) | (dimBytes[o + 3] & 0xFF);
            if (dims[i] <= 0) {
                throw new DataException(name + ": dimension " + i + " has size " + dims[i]
                        + "; expected a positive size (dims " + dimsText(dimBytes, ndims) + ")");
            }
            size *= dims[i];
            if (size > MAX_BYTES) {
                throw new DataException(name + ": header promises more than " + MAX_BYTES + " bytes of " + what
                        + " (dims " + dimsText(dimBytes, ndims) + "); refusing a file this large or a corrupt header");
            }
        }
        int total = (int) size;
        int recordSize = total / dims[0];
        // The buffer grows as the data arrives, so that a corrupt header promising gigabytes in a
        // short file is reported as truncated instead of allocating what it promises.
        byte[] data = new byte[Math.min(total, FIRST_BUFFER)];
        int found = 0;
        try {
            while (found < total) {
                if (found == data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(total, 2L * data.length));
                }
                int n = in.read(data, found, data.length - found);
                if (n < 0) {
                    break;
                }
                found += n;
            }
        } catch (IOException e) {
            throw new DataException(name + (gzip ? ": corrupt or truncated gzip data" : ": could not read")
                    + " after record " + found / recordSize + " of " + dims[0] + " (" + detail(e) + ")", e);
        }
        if (found < total) {
            throw new DataException(name + ": truncated after record " + found / recordSize + " of " + dims[0]
                    + " (expected " + total + " bytes of " + what + ", found " + found + ")");
        }
        long extra = 0;
        byte[] skip = new byte[8192];
        for (int n; (n = in.read(skip)) > 0; ) {
            extra += n;
        }
        if (extra > 0) {
            throw new DataException(name + ": " + Plural.of(extra, "byte") + " of trailing data after the "
                    + Plural.of(dims[0], "record") + " the header declares (expected " + Plural.of(total, "byte") + " of " + what + ")");
        }
        return new Idx(type, dims, data);
    }

    private static String expectedText(int expectedMagic) {
        return expectedMagic == 0 ? "" : " " + hex(expectedMagic);
    }

    private static String hex(int magic) {
        return String.format("0x%08X", magic);
    }

    private static String dimsText(byte[] dimBytes, int ndims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ndims; i++) {
            int o = 4 * i;
            int d = ((dimBytes[o] & 0xFF) << 24) | ((dimBytes[o + 1] & 0xFF) << 16)
                    | ((dimBytes[o + 2] & 0xFF) << 8) | (dimBytes[o + 3] & 0xFF);
            sb.append(i == 0 ? "" : ", ").append(d);
        }
        return sb.append(']').toString();
    }
}
