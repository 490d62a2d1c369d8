package backpropcl.engine.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The OpenCL C sources, read from the classpath (kernels/ in the repository, /kernels/ in the jar). */
final class KernelSources {
    /** common.cl first: every other file uses its definitions. One program is built from all of them. */
    static final String[] FILES = {"common.cl", "gather.cl", "dense_forward.cl", "output_error.cl", "backward.cl",
        "gradients.cl", "metrics.cl", "blocked.cl", "fused_tail.cl", "philox.cl", "dropout.cl", "update.cl"};

    private static String[] cached;

    private KernelSources() {
    }

    /** All sources in {@link #FILES} order. */
    static synchronized String[] all() {
        if (cached == null) {
            String[] s = new String[FILES.length];
            for (int i = 0; i < FILES.length; i++) {
                s[i] = read(FILES[i]);
            }
            cached = s;
        }
        return cached.clone();
    }

    /** One source file, e.g. "dense_forward.cl". */
    static String read(String file) {
        String path = "/kernels/" + file;
        try (InputStream in = KernelSources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("OpenCL source " + path + " is not on the classpath (is the jar complete?)");
            }
            // A line directive after each file keeps build-log line numbers meaningful.
            return "#line 1 \"" + file + "\"\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("reading OpenCL source " + path, e);
        }
    }
}
