package dev.baton.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One {@code GET} of a Server-Sent Events stream over a plain socket, read line by line: the
 * {@code server} scenario's watcher. A blocking socket on a virtual thread per watcher is the
 * lightest client for a thousand streams from one JVM, and it reads each line the moment it arrives
 * (no client pool, no selector thread handing bytes on), so the delay measured is the server's.
 * It speaks just enough HTTP/1.1 for that: one request, a 200 answer, a chunked or close-delimited body.
 */
final class SseConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final boolean chunked;
    private long chunkLeft;
    private boolean chunkStarted;
    private boolean ended;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

    private SseConnection(Socket socket, InputStream in, boolean chunked) {
        this.socket = socket;
        this.in = in;
        this.chunked = chunked;
    }

    /**
     * Connects to {@code host:port}, sends {@code GET path} and reads the answer's status line and
     * headers.
     *
     * @throws UncheckedIOException if the connection fails or the answer is not 200
     */
    static SseConnection open(String host, int port, String path) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 30_000);
            socket.setSoTimeout(120_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            String status = rawLine(in);
            if (status == null || !status.startsWith("HTTP/1.1 200")) {
                throw new IOException("GET " + path + " answered '" + status + "'");
            }
            boolean chunked = false;
            for (String h = rawLine(in); h != null && !h.isEmpty(); h = rawLine(in)) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            return new SseConnection(socket, in, chunked);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The next line of the body, without its line break; {@code null} when the stream has ended. */
    String readLine() throws IOException {
        line.reset();
        while (true) {
            int b = bodyByte();
            if (b < 0) {
                return line.size() == 0 ? null : text();
            }
            if (b == '\n') {
                return text();
            }
            line.write(b);
        }
    }

    private String text() {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** One byte of the body, chunked encoding removed; -1 at its end. */
    private int bodyByte() throws IOException {
        if (ended) {
            return -1;
        }
        if (!chunked) {
            return in.read();
        }
        if (chunkLeft == 0) {
            if (chunkStarted && rawLine(in) == null) { // the CRLF after a chunk's data
                ended = true;
                return -1;
            }
            String size = rawLine(in);
            if (size == null) {
                ended = true;
                return -1;
            }
            int ext = size.indexOf(';');
            chunkLeft = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
            chunkStarted = true;
            if (chunkLeft == 0) {
                ended = true;
                return -1;
            }
        }
        int b = in.read();
        if (b < 0) {
            ended = true;
            return -1;
        }
        chunkLeft--;
        return b;
    }

    /** A line of ASCII (status, header, chunk size) without its CRLF; {@code null} at the end of the input. */
    private static String rawLine(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return s.isEmpty() ? null : s.toString();
            }
            if (b == '\n') {
                int n = s.length();
                return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
            }
            s.append((char) b);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
