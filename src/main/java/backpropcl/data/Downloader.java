package backpropcl.data;

import backpropcl.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a file into a folder and checks it against its known SHA-256.
 *
 * <p>The bytes go to {@code NAME.part}, which is moved to {@code NAME} only once its SHA-256 is the
 * expected one, so {@code NAME} is always whole and right. A {@code .part} left by an interrupted
 * run is resumed with a {@code Range: bytes=N-} request; a server that answers 200 instead of 206
 * is read from the start. A part that the server refuses (416) or that ends up with the wrong
 * SHA-256 after resuming is deleted and fetched once more from scratch. The mirrors are tried in
 * order; a file already there with the right SHA-256 is not fetched again (it is hashed each time,
 * which takes well under a second for MNIST-sized files). Progress goes to the log stream.
 */
final class Downloader {

    static final int CONNECT_TIMEOUT_MS = 15_000;
    static final int READ_TIMEOUT_MS = 60_000;

    /** Tries per mirror; a try that is cut off after some bytes is resumed by the next. */
    private static final int ATTEMPTS_PER_MIRROR = 4;
    private static final int MAX_REDIRECTS = 5;
    private static final long PROGRESS_EVERY_MS = 2_000;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final PrintStream log;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;

    /** Reports progress on {@code log} (null: silent), with the default timeouts. */
    Downloader(PrintStream log) {
        this(log, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);
    }

    Downloader(PrintStream log, int connectTimeoutMs, int readTimeoutMs) {
        this.log = log;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** What one request achieved. */
    private enum Outcome { COMPLETE, CUT_OFF, RESTART, FAILED }

    private record Result(Outcome outcome, String message) {
    }

    /**
     * Makes sure {@code folder/fileName} is there with the given SHA-256, downloading it from the
     * first mirror that works ({@code mirror + fileName}) when it is not.
     *
     * @param sha256 the expected SHA-256, in hex
     * @return the file
     * @throws DataException naming the URLs tried, what went wrong with each, and where the file
     *                       can be placed by hand
     */
    Path fetch(String fileName, List<String> mirrors, String sha256, Path folder) {
        Path target = folder.resolve(fileName);
        String stale = "";
        if (Files.isRegularFile(target)) {
            String actual = sha256(target);
            if (actual.equalsIgnoreCase(sha256)) {
                return target;
            }
            // Left in place until a good copy replaces it, so a failed download loses nothing.
            stale = target + " has SHA-256 " + actual + "; ";
            say(stale + "downloading it again");
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new DataException("could not create the cache folder " + folder + " (" + describe(e)
                    + "); set BACKPROP_CL_CACHE to a writable folder", e);
        }
        Path part = folder.resolve(fileName + ".part");
        List<String> failures = new ArrayList<>();
        for (String mirror : mirrors) {
            String url = mirror.endsWith("/") ? mirror + fileName : mirror + "/" + fileName;
            if (fetchFrom(url, part, sha256, failures)) {
                moveIntoPlace(part, target);
                return target;
            }
        }
        throw new DataException("could not download " + fileName + " (" + stale + String.join("; ", failures)
                + "); download it by hand and place it at " + target + " (SHA-256 " + sha256 + ")");
    }

    /** Tries one URL until the part is complete and right; false (with a note in failures) if not. */
    private boolean fetchFrom(String url, Path part, String sha256, List<String> failures) {
        boolean restarted = false;
        String last = "";
        for (int attempt = 1; attempt <= ATTEMPTS_PER_MIRROR; attempt++) {
            long have = sizeOf(part);
            Result r = transfer(url, part, have);
            last = r.message();
            switch (r.outcome()) {
                case COMPLETE -> {
                    String actual = sha256(part);
                    if (actual.equalsIgnoreCase(sha256)) {
                        return true;
                    }
                    delete(part);
                    if (have > 0 && !restarted) {
                        // The old part may have come from another file or a changed server copy.
                        restarted = true;
                        say(url + ": the resumed file has the wrong SHA-256; fetching it again from the start");
                        continue;
                    }
                    failures.add(url + ": SHA-256 is " + actual + ", expected " + sha256 + " (corrupted download)");
                    return false;
                }
                case RESTART -> {
                    delete(part);
                    if (!restarted) {
                        restarted = true;
                        say(url + ": " + r.message() + "; fetching it again from the start");
                        continue;
                    }
                    failures.add(url + ": " + r.message());
                    return false;
                }
                case CUT_OFF -> say(url + ": " + r.message() + "; resuming");
                case FAILED -> {
                    failures.add(url + ": " + r.message());
                    return false;
                }
            }
        }
        failures.add(url + ": " + last + " (gave up after " + ATTEMPTS_PER_MIRROR + " tries)");
        return false;
    }

    /** One GET (following redirects), appending to the part from byte {@code have}. */
    private Result transfer(String url, Path part, long have) {
        HttpURLConnection c = null;
        long received = 0;
        try {
            String location = url;
            int code;
            for (int hop = 0; ; hop++) {
                c = (HttpURLConnection) URI.create(location).toURL().openConnection();
                c.setConnectTimeout(connectTimeoutMs);
                c.setReadTimeout(readTimeoutMs);
                // Followed by hand below: HttpURLConnection does not follow http -> https.
                c.setInstanceFollowRedirects(false);
                c.setRequestProperty("User-Agent", "backprop-cl");
                c.setRequestProperty("Accept-Encoding", "identity");
                if (have > 0) {
                    c.setRequestProperty("Range", "bytes=" + have + "-");
                }
                code = c.getResponseCode();
                String next = c.getHeaderField("Location");
                if (code >= 300 && code < 400 && next != null && hop < MAX_REDIRECTS) {
                    location = new URL(c.getURL(), next).toString();
                    c.disconnect();
                    continue;
                }
                break;
            }
            long start;
            long total;
            if (code == HttpURLConnection.HTTP_PARTIAL) {
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    return new Result(Outcome.RESTART, "the server resumed with Content-Range "
                            + c.getHeaderField("Content-Range") + " instead of bytes " + have + "-");
                }
                start = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (code == HttpURLConnection.HTTP_OK) {
                start = 0;
                total = c.getContentLengthLong();
            } else if (code == 416 && have > 0) {
                return new Result(Outcome.RESTART, "HTTP 416 (range not satisfiable) for a partial file of "
                        + have + " bytes");
            } else {
                String message = c.getResponseMessage();
                return new Result(Outcome.FAILED, "HTTP " + code + (message == null ? "" : " " + message));
            }
            Progress progress = new Progress(location, part, start, total);
            StandardOpenOption mode = start > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
            try (InputStream in = c.getInputStream();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    received += n;
                    progress.update(start + received);
                }
            }
            if (total >= 0 && start + received < total) {
                return cutOff(received, "cut off after " + (start + received) + " of " + total + " bytes");
            }
            return new Result(Outcome.COMPLETE, "");
        } catch (IOException e) {
            return cutOff(received, describe(e));
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** A request that ended early: worth resuming when it brought some bytes, else a failure. */
    private static Result cutOff(long received, String why) {
        return new Result(received > 0 ? Outcome.CUT_OFF : Outcome.FAILED, why);
    }

    /** Prints where a download stands, at most every {@link #PROGRESS_EVERY_MS}. */
    private final class Progress {
        private final String name;
        private final long total;
        private long lastPrinted;

        Progress(String url, Path part, long start, long total) {
            this.name = url.substring(url.lastIndexOf('/') + 1);
            this.total = total;
            this.lastPrinted = System.currentTimeMillis();
            say("downloading " + url + (total > 0 ? " (" + megabytes(total) + ")" : "")
                    + (start > 0 ? ", resuming at byte " + start : "") + " to " + part.getParent());
        }

        void update(long done) {
            long now = System.currentTimeMillis();
            if (now - lastPrinted >= PROGRESS_EVERY_MS) {
                lastPrinted = now;
                say("  " + name + ": " + (total > 0 ? (100 * done / total) + "% of " + megabytes(total)
                        : megabytes(done)));
            }
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private void say(String line) {
        if (log != null) {
            log.println(line);
            log.flush();
        }
    }

    /** The SHA-256 of a file, in lower-case hex. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new DataException(file + ": could not read (" + describe(e) + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static void moveIntoPlace(Path part, Path target) {
        try {
            AtomicFile.moveInto(part, target);
        } catch (IOException e) {
            throw new DataException("could not move " + part + " to " + target + " (" + describe(e) + ")", e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new DataException("could not delete " + file + " (" + describe(e) + ")", e);
        }
    }

    /** A short reason for an I/O failure, e.g. "unknown host example.com (offline?)". */
    private static String describe(IOException e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage() + " (offline?)";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        if (e instanceof ConnectException) {
            return "could not connect (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
