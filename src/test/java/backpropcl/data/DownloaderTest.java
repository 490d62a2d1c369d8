package backpropcl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a loopback server that serves the bundled train labels, well or badly. */
class DownloaderTest {

    static final String NAME = "train-labels-idx1-ubyte.gz";
    static final String PATH = "/m/" + NAME;

    @TempDir
    Path dir;

    LoopbackServer server;
    ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    Downloader downloader = new Downloader(new PrintStream(logBytes, true, StandardCharsets.UTF_8), 5_000, 5_000);
    byte[] body;
    String sha;

    /** A file of the bundled mnist-10k, as it is in the jar. */
    static byte[] bundled(String name) throws IOException {
        try (InputStream in = DownloaderTest.class.getResourceAsStream("/datasets/mnist-10k/" + name)) {
            return in.readAllBytes();
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        body = bundled(NAME);
        Path copy = Files.write(dir.resolve("reference"), body);
        sha = Downloader.sha256(copy);
        server.serve(PATH, body);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Path fetch(String... mirrors) {
        return downloader.fetch(NAME, List.of(mirrors), sha, dir.resolve("cache"));
    }

    private Path part() {
        return dir.resolve("cache").resolve(NAME + ".part");
    }

    @Test
    void sha256OfBundledFileMatchesItsSha256Sums() throws IOException {
        String sums = new String(bundled("SHA256SUMS"), StandardCharsets.US_ASCII);
        assertTrue(sums.contains(sha + "  " + NAME), sums);
    }

    @Test
    void goodDownloadLandsWithTheRightBytes() throws IOException {
        Path file = fetch(server.base("m"));
        assertEquals(dir.resolve("cache").resolve(NAME), file);
        assertArrayEquals(body, Files.readAllBytes(file));
        assertFalse(Files.exists(part()));
        assertEquals(List.of(PATH + " range=null"), server.requests());
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("downloading " + server.base("m") + NAME));
    }

    @Test
    void corruptedFileIsAClearErrorAndLeavesNothing() {
        server.corrupt(PATH);
        DataException e = assertThrows(DataException.class, () -> fetch(server.base("m")));
        String target = dir.resolve("cache").resolve(NAME).toString();
        assertTrue(e.getMessage().startsWith("could not download " + NAME + " (" + server.base("m") + NAME
                + ": SHA-256 is "), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + sha + " (corrupted download)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("place it at " + target + " (SHA-256 " + sha + ")"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(Path.of(target)));
        assertFalse(Files.exists(part()));
    }

    @Test
    void cutOffResponseIsResumedWithARangeRequest() throws IOException {
        int half = body.length / 2;
        server.cutOffOnce(PATH, half);
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of(PATH + " range=null", PATH + " range=bytes=" + half + "-"), server.requests());
        assertFalse(Files.exists(part()));
    }

    @Test
    void partLeftByAnEarlierRunIsResumed() throws IOException {
        Files.createDirectories(part().getParent());
        Files.write(part(), Arrays.copyOf(body, 1000));
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of(PATH + " range=bytes=1000-"), server.requests());
    }

    @Test
    void serverThatIgnoresRangeStillGivesTheRightFile() throws IOException {
        server.ignoreRange(PATH);
        server.cutOffOnce(PATH, body.length / 3);
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of(PATH + " range=null", PATH + " range=bytes=" + body.length / 3 + "-"), server.requests());
    }

    @Test
    void refusedRangeStartsOver() throws IOException {
        // A part as long as the file but wrong: the server answers 416; it is deleted and fetched whole.
        Files.createDirectories(part().getParent());
        Files.write(part(), new byte[body.length]);
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of(PATH + " range=bytes=" + body.length + "-", PATH + " range=null"), server.requests());
    }

    @Test
    void resumedPartWithTheWrongHashStartsOver() throws IOException {
        Files.createDirectories(part().getParent());
        byte[] wrong = Arrays.copyOf(body, 1000);
        wrong[10] ^= 0x40;
        Files.write(part(), wrong);
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of(PATH + " range=bytes=1000-", PATH + " range=null"), server.requests());
    }

    @Test
    void secondMirrorIsTriedWhenTheFirstHasNoSuchFile() throws IOException {
        Path file = fetch(server.base("missing"), server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of("/missing/" + NAME + " range=null", PATH + " range=null"), server.requests());
    }

    @Test
    void cachedGoodFileMakesNoRequest() throws IOException {
        Files.createDirectories(dir.resolve("cache"));
        Files.write(dir.resolve("cache").resolve(NAME), body);
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(List.of(), server.requests());
    }

    @Test
    void cachedBadFileIsReplaced() throws IOException {
        Files.createDirectories(dir.resolve("cache"));
        Files.write(dir.resolve("cache").resolve(NAME), new byte[] {1, 2, 3});
        Path file = fetch(server.base("m"));
        assertArrayEquals(body, Files.readAllBytes(file));
        assertEquals(1, server.requests().size());
    }

    @Test
    void offlineErrorNamesEveryUrlAndWhereToPutTheFile() {
        String closed = server.base("m");
        server.close();
        DataException e = assertThrows(DataException.class, () -> fetch(closed, "http://127.0.0.1:1/x/"));
        String m = e.getMessage();
        assertTrue(m.startsWith("could not download " + NAME + " (" + closed + NAME + ": could not connect"), m);
        assertTrue(m.contains("; http://127.0.0.1:1/x/" + NAME + ": could not connect"), m);
        assertTrue(m.endsWith("download it by hand and place it at " + dir.resolve("cache").resolve(NAME)
                + " (SHA-256 " + sha + ")"), m);
    }
}
