package backpropcl.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP server on 127.0.0.1 (a free port) for the download tests: serves byte arrays by path,
 * honours {@code Range: bytes=N-} with 206 (or 416 past the end), 404 for anything else, and
 * records every request as "PATH range=HEADER". Each file can be made to misbehave: ignore Range
 * (always 200), cut the first response off after some bytes, or serve one byte flipped.
 */
final class LoopbackServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, byte[]> files = new HashMap<>();
    private final Map<String, Integer> cutOffOnce = new HashMap<>();
    private final List<String> ignoreRange = new ArrayList<>();
    private final List<String> corrupt = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL of a folder on this server, with the trailing slash, e.g. http://127.0.0.1:PORT/a/. */
    String base(String folder) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + folder + "/";
    }

    synchronized void serve(String path, byte[] body) {
        files.put(path, body);
    }

    /** The first request for path sends only the first n bytes of the body, then closes the connection. */
    synchronized void cutOffOnce(String path, int n) {
        cutOffOnce.put(path, n);
    }

    synchronized void ignoreRange(String path) {
        ignoreRange.add(path);
    }

    synchronized void corrupt(String path) {
        corrupt.add(path);
    }

    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        byte[] body;
        Integer cut;
        boolean honourRange;
        synchronized (this) {
            requests.add(path + " range=" + range);
            body = files.get(path);
            cut = cutOffOnce.remove(path);
            honourRange = !ignoreRange.contains(path);
            if (body != null && corrupt.contains(path)) {
                body = body.clone();
                body[body.length / 2] ^= 0x01;
            }
        }
        try {
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (honourRange && m != null && m.matches()) {
                int start = Integer.parseInt(m.group(1));
                if (start >= body.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
                ex.sendResponseHeaders(206, body.length - start);
                ex.getResponseBody().write(body, start, body.length - start);
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            if (cut != null) {
                out.write(body, 0, cut);
                out.flush();
                // A handler that throws makes the server drop the connection, short of Content-Length.
                throw new IOException("cut off on purpose after " + cut + " bytes");
            }
            out.write(body);
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
