package dev.baton.server;

import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading request bodies under a size limit, for every endpoint of the server. */
final class Bodies {
    private static final Logger log = LoggerFactory.getLogger(Bodies.class);

    private Bodies() {}

    /**
     * The body's bytes, or null when it is larger than {@code max} bytes (by its declared length or
     * as it is read). A refused body is read on to a bound, so the client reads the answer rather
     * than a reset connection.
     */
    static byte @Nullable [] read(ServerRequest req, int max) {
        byte[] buffer = new byte[8192];
        if (req.headers().contentLength().orElse(0) > max) {
            try (InputStream in = req.content().inputStream()) {
                drain(in, buffer, max);
            } catch (IOException | RuntimeException e) {
                log.debug("Could not drain a refused request body", e);
            }
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = req.content().inputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + n > max) {
                    drain(in, buffer, max);
                    return null;
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void drain(InputStream in, byte[] buffer, int max) throws IOException {
        long left = 16L * max;
        int n;
        while (left > 0 && (n = in.read(buffer)) != -1) {
            left -= n;
        }
    }
}
