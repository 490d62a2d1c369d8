package backpropcl.engine.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The OpenCL C sources, read from the classpath (kernels/ in the repository, /kernels/ in the jar). */
final class KernelSources {
    private KernelSources() {
    }

    /** Several source files in the given order, e.g. a routine's {"common.cl", "gather.cl"}. */
    static String[] sources(String... files) {
        String[] s = new String[files.length];
        for (int i = 0; i < files.length; i++) {
            s[i] = read(files[i]);
        }
        return s;
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
