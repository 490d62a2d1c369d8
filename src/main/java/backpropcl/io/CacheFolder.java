package backpropcl.io;

import java.nio.file.Path;
import java.util.Map;

/**
 * The user's cache folder of backprop-cl, where downloaded data sets go (under {@code mnist/},
 * {@code fashion-mnist/}): $BACKPROP_CL_CACHE, else $XDG_CACHE_HOME/backprop-cl, else
 * ~/.cache/backprop-cl. The same rule as the OpenCL tuning cache, so everything the program keeps
 * between runs is in one place.
 */
public final class CacheFolder {

    private CacheFolder() {
    }

    /** The cache folder of this user and environment (not created here). */
    public static Path defaultFolder() {
        return defaultFolder(System.getenv(), System.getProperty("user.home"));
    }

    /** The rule itself, on a given environment and home directory (for tests). */
    static Path defaultFolder(Map<String, String> env, String userHome) {
        String own = env.get("BACKPROP_CL_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(userHome, ".cache");
        return base.resolve("backprop-cl");
    }
}
