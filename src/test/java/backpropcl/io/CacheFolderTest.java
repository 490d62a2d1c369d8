package backpropcl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheFolderTest {

    @Test
    void ownVariableThenXdgThenHome() {
        assertEquals(Path.of("/c"), CacheFolder.defaultFolder(Map.of("BACKPROP_CL_CACHE", "/c", "XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/x/backprop-cl"), CacheFolder.defaultFolder(Map.of("BACKPROP_CL_CACHE", " ", "XDG_CACHE_HOME", "/x"), "/h"));
        assertEquals(Path.of("/h/.cache/backprop-cl"), CacheFolder.defaultFolder(Map.of(), "/h"));
    }
}
