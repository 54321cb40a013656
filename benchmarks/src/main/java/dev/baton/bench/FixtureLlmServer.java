package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The loopback OpenAI-compatible server of the {@code http} scenario: {@code POST /v1/chat/completions}
 * (non-streaming) answered at once with the support-flow script, for Baton and the peer alike.
 *
 * <p>A minimal HTTP/1.1 server on blocking sockets, one virtual thread per connection, keep-alive;
 * the JDK's {@code com.sun.net.httpserver} cost about 4 times more CPU per request here, CPU the
 * clients measured on the same machine would lose to it. Listens on 127.0.0.1 only, on an ephemeral port (or {@code --port P}), and prints its base URL
 * ({@code http://127.0.0.1:PORT/v1}) as the first line of stdout once it accepts requests. It stops on
 * SIGTERM or SIGINT; on stop it prints to stderr how many requests it served and the
 * CPU time it used, so a measurement can show the server was not its bottleneck.
 *
 * <p>The script: if the request offers the function tool {@code transfer_to_billing_specialist},
 * call it with {@code {}}; else if the last message is a {@code tool} message answering a
 * {@code get_invoice} call, answer "Refund initiated for INV-8821."; else call {@code get_invoice}
 * with {@code {"invoice_id":"INV-8821"}}. Call ids are unique per server.
 */
public final class FixtureLlmServer {
    static final String HANDOFF_TOOL = "transfer_to_billing_specialist";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NOT_FOUND = "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}"
            .getBytes(StandardCharsets.UTF_8);

    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private FixtureLlmServer() {}

    public static void main(String[] args) throws Exception {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: FixtureLlmServer [--port P]   (0 or none: an ephemeral port)");
                System.exit(2);
            }
        }
        FixtureLlmServer fixture = new FixtureLlmServer();
        fixture.warmUp();
        ServerSocket server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress());
        long cpuAtStart = cpuNanos();
        long wallAtStart = System.nanoTime();
        PrintStream err = System.err;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
            double cpu = (cpuNanos() - cpuAtStart) / 1e9;
            double wall = (System.nanoTime() - wallAtStart) / 1e9;
            long n = fixture.served.get();
            err.printf("fixture server: served %d requests on %d connections in %.1f s; CPU %.2f s (%.1f us per request)%n",
                    n, fixture.connections.get(), wall, cpu, n == 0 ? 0.0 : cpu * 1e6 / n);
            err.flush();
        }));
        System.out.println("http://127.0.0.1:" + server.getLocalPort() + "/v1");
        System.out.flush();
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                throw e;
            }
            fixture.connections.incrementAndGet();
            Thread.ofVirtual().start(() -> fixture.serve(socket));
        }
    }

    /** CPU time of this whole process (all threads, GC and JIT included), from the OS. */
    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /**
     * One connection: HTTP/1.1 requests with keep-alive, one after the other, until the client
     * closes it. A deliberately small server (request line, headers, a body by Content-Length or
     * chunked), so that its cost per request stays far below the clients' and the scenario
     * measures the clients.
     */
    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 14);
            StringBuilder line = new StringBuilder(256);
            while (true) {
                if (!readLine(in, line)) {
                    return; // the client closed the connection between requests
                }
                String requestLine = line.toString();
                long contentLength = -1;
                boolean chunked = false;
                boolean close = false;
                while (true) {
                    if (!readLine(in, line)) {
                        return;
                    }
                    if (line.isEmpty()) {
                        break;
                    }
                    int colon = line.indexOf(":");
                    if (colon <= 0) {
                        continue;
                    }
                    String name = line.substring(0, colon).trim();
                    String value = line.substring(colon + 1).trim();
                    if (name.equalsIgnoreCase("content-length")) {
                        contentLength = Long.parseLong(value);
                    } else if (name.equalsIgnoreCase("transfer-encoding")) {
                        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    } else if (name.equalsIgnoreCase("connection")) {
                        close = value.equalsIgnoreCase("close");
                    }
                }
                byte[] body = chunked ? readChunked(in, line) : in.readNBytes((int) Math.max(0, contentLength));
                respond(out, requestLine, body);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // a client that goes away mid-request; nothing to answer
        }
    }

    private void respond(OutputStream out, String requestLine, byte[] request) throws IOException {
        String[] parts = requestLine.split(" ", 3);
        String path = parts.length > 1 ? parts[1] : "";
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!"POST".equals(parts[0]) || !"/v1/chat/completions".equals(path)) {
            send(out, 404, "Not Found", NOT_FOUND);
            return;
        }
        byte[] body;
        try {
            body = answer(JSON.readTree(request));
        } catch (IOException | IllegalArgumentException e) {
            send(out, 400, "Bad Request", ("{\"error\":{\"message\":" + JSON.writeValueAsString(String.valueOf(e.getMessage()))
                    + ",\"type\":\"invalid_request_error\"}}").getBytes(StandardCharsets.UTF_8));
            return;
        }
        served.incrementAndGet();
        send(out, 200, "OK", body);
    }

    private static void send(OutputStream out, int status, String reason, byte[] body) throws IOException {
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
    }

    /** Reads one CRLF-terminated line (without the terminator) into {@code line}; false at end of stream. */
    private static boolean readLine(InputStream in, StringBuilder line) throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int last = line.length() - 1;
                if (last >= 0 && line.charAt(last) == '\r') {
                    line.setLength(last);
                }
                return true;
            }
            line.append((char) c);
        }
        if (line.isEmpty()) {
            return false;
        }
        throw new EOFException("connection closed mid-line");
    }

    private static byte[] readChunked(InputStream in, StringBuilder line) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            if (!readLine(in, line)) {
                throw new EOFException("connection closed mid-body");
            }
            int semicolon = line.indexOf(";");
            int size = Integer.parseInt((semicolon >= 0 ? line.substring(0, semicolon) : line.toString()).trim(), 16);
            if (size == 0) {
                do { // trailers, up to the empty line
                    if (!readLine(in, line)) {
                        throw new EOFException("connection closed mid-body");
                    }
                } while (!line.isEmpty());
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine(in, line); // the CRLF after the chunk
        }
    }

    /** The script's answer to one request body, as a Chat Completions response. */
    byte[] answer(JsonNode request) {
        if (request.path("stream").asBoolean(false)) {
            throw new IllegalArgumentException("this fixture answers non-streaming requests only");
        }
        String model = request.path("model").asText("bench-model");
        if (offersTool(request, HANDOFF_TOOL)) {
            return toolCall(model, HANDOFF_TOOL, "{}");
        }
        JsonNode messages = request.path("messages");
        JsonNode last = messages.isArray() && !messages.isEmpty() ? messages.get(messages.size() - 1) : null;
        if (last != null && "tool".equals(last.path("role").asText())
                && "get_invoice".equals(calledTool(messages, last.path("tool_call_id").asText()))) {
            return text(model, SupportFlow.ANSWER);
        }
        return toolCall(model, "get_invoice", "{\"invoice_id\":\"INV-8821\"}");
    }

    private static boolean offersTool(JsonNode request, String name) {
        for (JsonNode tool : request.path("tools")) {
            if ("function".equals(tool.path("type").asText()) && name.equals(tool.path("function").path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The name of the function that the assistant call {@code callId} named, or null. */
    private static String calledTool(JsonNode messages, String callId) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            for (JsonNode call : messages.get(i).path("tool_calls")) {
                if (callId.equals(call.path("id").asText())) {
                    return call.path("function").path("name").asText();
                }
            }
        }
        return null;
    }

    private byte[] toolCall(String model, String name, String arguments) {
        long n = ids.incrementAndGet();
        return completion(n, model, "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_" + n
                + "\",\"type\":\"function\",\"function\":{\"name\":" + quote(name) + ",\"arguments\":" + quote(arguments)
                + "}}]}", "tool_calls");
    }

    private byte[] text(String model, String content) {
        return completion(ids.incrementAndGet(), model, "{\"role\":\"assistant\",\"content\":" + quote(content) + "}", "stop");
    }

    private static byte[] completion(long n, String model, String message, String finishReason) {
        return ("{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":"
                + quote(model) + ",\"choices\":[{\"index\":0,\"message\":" + message + ",\"logprobs\":null,\"finish_reason\":\""
                + finishReason + "\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compiles the answering code before the port is printed, so that neither implementation
     * (whichever is measured first) pays for warming up the server. Ids used here are not reused.
     */
    private void warmUp() throws IOException {
        JsonNode[] bodies = {
            JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                    + "\"function\":{\"name\":\"transfer_to_billing_specialist\",\"parameters\":{}}}]}"),
            JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_invoice\",\"parameters\":{}}}]}"),
            JSON.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":null,"
                    + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"get_invoice\",\"arguments\":\"{}\"}}]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"{}\"}]}"),
        };
        long sink = 0;
        for (int i = 0; i < 30_000; i++) {
            String raw = JSON.writeValueAsString(bodies[i % 3]);
            sink += answer(JSON.readTree(raw)).length;
        }
        if (sink == 0) {
            throw new IllegalStateException("warm-up produced nothing");
        }
    }
}
