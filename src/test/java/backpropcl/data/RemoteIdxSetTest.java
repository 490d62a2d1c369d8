package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --data mnist} and {@code fashion-mnist} end to end against a loopback server, with the
 * four bundled mnist-10k files standing in for the real ones.
 */
class RemoteIdxSetTest {

    @TempDir
    Path dir;

    LoopbackServer server;
    String[] sha = new String[4];
    Downloader quiet = new Downloader(null, 5_000, 5_000);

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        for (int i = 0; i < 4; i++) {
            byte[] body = DownloaderTest.bundled(RemoteIdxSet.fileName(i));
            server.serve("/good/" + RemoteIdxSet.fileName(i), body);
            sha[i] = Downloader.sha256(Files.write(dir.resolve("ref" + i), body));
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RemoteIdxSet standIn(String name) {
        return new RemoteIdxSet(name, List.of(server.base("none"), server.base("good")), sha);
    }

    private static void assertSameData(Dataset expected, Dataset actual) {
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.width(), actual.width());
        assertEquals(expected.classes(), actual.classes());
        assertArrayEquals(expected.labels(), actual.labels());
        assertArrayEquals(expected.features(), actual.features());
    }

    @Test
    void mnistDownloadsChecksAndLoads() {
        Path cache = dir.resolve("cache");
        DataSplit s = DataSources.resolve("mnist", 10, cache, dir.resolve("no-fashion"), standIn("mnist"),
                standIn("fashion-mnist"), quiet);
        DataSplit bundled = IdxDirectory.loadResource("/datasets/mnist-10k/", 10);
        assertEquals("mnist", s.name());
        assertEquals("mnist/train", s.train().name());
        assertSameData(bundled.train(), s.train());
        assertSameData(bundled.test(), s.test());
        for (int i = 0; i < 4; i++) {
            assertTrue(Files.isRegularFile(cache.resolve("mnist").resolve(RemoteIdxSet.fileName(i))));
        }
        assertEquals(8, server.requests().size(), "each file: 404 from the first mirror, then the second");

        // A second run finds everything in the cache and asks the server nothing.
        DataSplit again = DataSources.resolve("mnist", 10, cache, dir.resolve("no-fashion"), standIn("mnist"),
                standIn("fashion-mnist"), quiet);
        assertSameData(s.train(), again.train());
        assertEquals(8, server.requests().size());
    }

    @Test
    void fashionMnistIsDownloadedWhenTheDebianFolderIsMissing() {
        Path cache = dir.resolve("cache");
        DataSplit s = DataSources.resolve("fashion-mnist", 10, cache, dir.resolve("no-fashion"), standIn("mnist"),
                standIn("fashion-mnist"), quiet);
        assertEquals("fashion-mnist", s.name());
        assertEquals(8000, s.train().count());
        assertTrue(Files.isRegularFile(cache.resolve("fashion-mnist").resolve(RemoteIdxSet.fileName(0))));
    }

    @Test
    void fashionMnistPrefersTheDebianFolder() throws IOException {
        Path local = dir.resolve("debian");
        Files.createDirectories(local);
        IdxDirectoryTest.writeDir(local, 4, 2, 2, 2, true, false);
        DataSplit s = DataSources.resolve("fashion-mnist", 10, dir.resolve("cache"), local, standIn("mnist"),
                standIn("fashion-mnist"), quiet);
        assertEquals("fashion-mnist", s.name());
        assertEquals(4, s.train().count());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void offlineErrorsSayWhatToDo() {
        String base = server.base("good");
        server.close();
        RemoteIdxSet offline = new RemoteIdxSet("mnist", List.of(base), sha);
        Path cache = dir.resolve("cache");
        Path fashionDir = dir.resolve("no-fashion");
        DataException m = assertThrows(DataException.class,
                () -> DataSources.resolve("mnist", 10, cache, fashionDir, offline, offline, quiet));
        assertTrue(m.getMessage().startsWith("--data mnist: could not download train-images-idx3-ubyte.gz ("
                + base + "train-images-idx3-ubyte.gz: could not connect"), m.getMessage());
        assertTrue(m.getMessage().contains("place it at " + cache.resolve("mnist").resolve("train-images-idx3-ubyte.gz")),
                m.getMessage());
        DataException f = assertThrows(DataException.class,
                () -> DataSources.resolve("fashion-mnist", 10, cache, fashionDir, offline, offline, quiet));
        assertTrue(f.getMessage().startsWith("--data fashion-mnist: could not download"), f.getMessage());
        assertTrue(f.getMessage().endsWith("; or install the Debian package dataset-fashion-mnist, which puts the "
                + "files in " + fashionDir), f.getMessage());
    }
}
