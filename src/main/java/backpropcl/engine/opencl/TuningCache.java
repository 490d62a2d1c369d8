package backpropcl.engine.opencl;

import backpropcl.io.AtomicFile;
import backpropcl.io.CacheFolder;
import backpropcl.io.OutputFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The kernel choices the tuner made, by key, in memory for the JVM and in a properties file
 * under the user's cache folder for later runs. The file is a convenience: one that cannot be
 * read or written is logged and ignored, never fatal. Writes go through a temporary file and a
 * rename, so a reader never sees half a file.
 */
final class TuningCache {
    private static final Logger LOG = Logger.getLogger(TuningCache.class.getName());

    /** The cache folder: $BACKPROP_CL_CACHE, else $XDG_CACHE_HOME/backprop-cl, else ~/.cache/backprop-cl. */
    static Path defaultFolder() {
        return CacheFolder.defaultFolder();
    }

    private static final Map<Path, TuningCache> OPEN = new HashMap<>();

    /** The one cache of a file in this JVM, so engines opened one after another agree. */
    static synchronized TuningCache at(Path file) {
        return OPEN.computeIfAbsent(file.toAbsolutePath(), TuningCache::new);
    }

    /** A cache read afresh from its file, outside the JVM-wide registry (tests use it to see what a new run would). */
    static TuningCache load(Path file) {
        return new TuningCache(file);
    }

    private final Path file;
    private final Properties entries = new Properties();

    private TuningCache(Path file) {
        this.file = file;
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                entries.load(in);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning("ignoring the kernel tuning cache " + file + ": " + e.getMessage());
                entries.clear();
            }
        }
    }

    Path file() {
        return file;
    }

    synchronized String get(String key) {
        return entries.getProperty(key);
    }

    /** Records a choice and rewrites the file. */
    synchronized void put(String key, String value) {
        entries.setProperty(key, value);
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.write(file, out -> entries.store(out,
                    "backprop-cl kernel choices: device|driver|build options|product|rows x n x m = variant"));
        } catch (IOException e) {
            LOG.warning("could not write the kernel tuning cache " + file + ": " + e.getMessage());
        } catch (OutputFileException e) {
            LOG.warning("kernel tuning cache " + e.getMessage());
        }
    }
}
