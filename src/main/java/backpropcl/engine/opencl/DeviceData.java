package backpropcl.engine.opencl;

import backpropcl.data.DataException;
import backpropcl.data.Dataset;

/**
 * A data set in device memory: features as bytes (with a 256-entry table back to the exact host
 * floats) when every feature value falls in one of 256 buckets k = round(255 v) with one value per
 * bucket (true for IDX images, whose features are k / 255f), otherwise as float; labels as int.
 */
final class DeviceData implements AutoCloseable {
    final Dataset dataset;
    final ClBuffer features;
    /** 256 floats, byte value to feature value; null when the features are stored as float. */
    final ClBuffer table;
    final ClBuffer labels;

    private DeviceData(Dataset dataset, ClBuffer features, ClBuffer table, ClBuffer labels) {
        this.dataset = dataset;
        this.features = features;
        this.table = table;
        this.labels = labels;
    }

    /**
     * Uploads the data set (blocking). Throws OpenClException before allocating anything when a
     * buffer would exceed the device's max allocation or the whole set its global memory.
     */
    static DeviceData upload(ClContext ctx, Dataset d) {
        if (d.count() == 0) {
            throw new IllegalArgumentException(d.name() + " holds no samples");
        }
        float[] table = byteTable(d.features());
        long n = (long) d.count() * d.width();
        long featureBytes = table != null ? n : n * Float.BYTES;
        long labelBytes = (long) d.count() * Integer.BYTES;
        checkFits(ctx.deviceName(), d.name(), featureBytes, labelBytes, ctx.maxAllocBytes(), ctx.globalMemBytes());
        ClBuffer f = null;
        ClBuffer t = null;
        ClBuffer l = null;
        try {
            f = ctx.buffer(featureBytes, d.name() + " features");
            if (table != null) {
                byte[] bytes = new byte[(int) n];
                float[] src = d.features();
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) Math.round(src[i] * 255f);
                }
                f.write(bytes);
                t = ctx.buffer(256L * Float.BYTES, d.name() + " byte table");
                t.write(table);
            } else {
                f.write(d.features());
            }
            l = ctx.buffer(labelBytes, d.name() + " labels");
            l.write(d.labels());
            return new DeviceData(d, f, t, l);
        } catch (RuntimeException e) {
            closeQuietly(f, t, l);
            throw e;
        }
    }

    /**
     * Throws DataException (the user's data, not the device, is the problem: exit code 2) when a
     * data set's features do not fit one device buffer, or features and labels take more than nine
     * tenths of the device's memory (a tenth is kept for the network).
     */
    static void checkFits(String device, String name, long featureBytes, long labelBytes, long maxAllocBytes, long globalMemBytes) {
        // Streaming a data set larger than the device in chunks would go here: keep a ring of two or
        // three chunk buffers of a few thousand rows, upload chunk c + 1 with a non-blocking write on
        // a second queue while the batches of chunk c run, and shuffle within the resident chunks.
        // Until then we refuse clearly, before allocating anything.
        if (featureBytes > maxAllocBytes || featureBytes + labelBytes > globalMemBytes / 10 * 9) {
            throw new DataException("data set " + name + " needs " + featureBytes
                    + " bytes of features in one device buffer and " + (featureBytes + labelBytes)
                    + " bytes in all; the device allows " + maxAllocBytes + " bytes per buffer and " + globalMemBytes
                    + " bytes in all (a tenth kept for the network) on " + device + "; streaming a larger data set in chunks "
                    + "is not implemented yet: use --train-samples, or --engine cpu");
        }
    }

    /**
     * The table byte -> value when every feature v falls in bucket k = round(255 v) in 0..255 and
     * every bucket holds a single float (compared bitwise); null otherwise.
     */
    static float[] byteTable(float[] features) {
        float[] table = new float[256];
        boolean[] seen = new boolean[256];
        for (float v : features) {
            int k = Math.round(v * 255f);
            if (k < 0 || k > 255 || Float.isNaN(v)) {
                return null;
            }
            if (!seen[k]) {
                seen[k] = true;
                table[k] = v;
            } else if (Float.floatToRawIntBits(table[k]) != Float.floatToRawIntBits(v)) {
                return null;
            }
        }
        return table;
    }

    boolean bytes() {
        return table != null;
    }

    int count() {
        return dataset.count();
    }

    private static void closeQuietly(ClBuffer... buffers) {
        for (ClBuffer b : buffers) {
            if (b != null) {
                b.close();
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(features, table, labels);
    }
}
