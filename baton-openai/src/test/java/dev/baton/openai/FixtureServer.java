package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An OpenAI-compatible server on loopback: records every request and answers
 * {@code POST .../chat/completions} and {@code POST .../responses} with canned replies (in order) or with a function of the
 * request's JSON body.
 */
final class FixtureServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String API_KEY = "sk-test-SECRET-0123456789abcdef";

    /** A canned reply. {@code truncateAfter >= 0} sends that many bytes of the body then drops the connection. */
    record Reply(int status, String contentType, String body, Map<String, String> headers, int truncateAfter, Duration delay) {
        static Reply json(String body) {
            return new Reply(200, "application/json", body, Map.of(), -1, Duration.ZERO);
        }

        static Reply json(int status, String body, Map<String, String> headers) {
            return new Reply(status, "application/json", body, headers, -1, Duration.ZERO);
        }

        static Reply sse(List<String> chunks) {
            StringBuilder body = new StringBuilder();
            for (String chunk : chunks) {
                body.append("data: ").append(chunk).append("\n\n");
            }
            body.append("data: [DONE]\n\n");
            return new Reply(200, "text/event-stream", body.toString(), Map.of(), -1, Duration.ZERO);
        }

        /** A Responses API stream: each JSON event as {@code event: <its type>} and {@code data: <it>}, no {@code [DONE]}. */
        static Reply events(List<String> events) {
            StringBuilder body = new StringBuilder();
            for (String event : events) {
                JsonNode json;
                try {
                    json = JSON.readTree(event);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                // One line of data per event, as OpenAI sends them.
                body.append("event: ").append(json.path("type").asText()).append('\n').append("data: ").append(json).append("\n\n");
            }
            return new Reply(200, "text/event-stream", body.toString(), Map.of(), -1, Duration.ZERO);
        }

        Reply truncatedAfter(int bytes) {
            return new Reply(status, contentType, body, headers, bytes, delay);
        }

        Reply delayed(Duration value) {
            return new Reply(status, contentType, body, headers, truncateAfter, value);
        }
    }

    /** A request as received. */
    record Recorded(String method, String path, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<JsonNode, Reply> fallback = body -> Reply.json(404, "{\"error\":{\"message\":\"no reply queued\"}}", Map.of());

    FixtureServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL to configure the SDK with (it appends {@code /chat/completions}). */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    FixtureServer enqueue(Reply... values) {
        replies.addAll(List.of(values));
        return this;
    }

    /** Answers every request with no queued reply by applying {@code handler} to its JSON body. */
    FixtureServer answering(Function<JsonNode, Reply> handler) {
        fallback = handler;
        return this;
    }

    List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    Recorded lastRequest() {
        List<Recorded> all = requests();
        return all.get(all.size() - 1);
    }

    OpenAISettings settings() {
        return OpenAISettings.builder().apiKey(API_KEY).baseUrl(baseUrl()).maxRetries(2).timeout(Duration.ofSeconds(10)).build();
    }

    OpenAIChatCompletionsModel model() {
        return OpenAIChatCompletionsModel.create(settings(), "gpt-4.1-mini");
    }

    OpenAIResponsesModel responsesModel() {
        return OpenAIResponsesModel.create(settings().toBuilder().api(OpenAISettings.Api.RESPONSES).build(), "gpt-4.1-mini");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(recorded);
            Reply reply = replies.poll();
            if (reply == null) {
                reply = recorded.path().endsWith("/chat/completions") || recorded.path().endsWith("/responses")
                        ? fallback.apply(recorded.json())
                        : Reply.json(404, "{\"error\":{\"message\":\"unknown path\"}}", Map.of());
            }
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay());
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            OutputStream out = exchange.getResponseBody();
            if (reply.truncateAfter() >= 0) {
                out.write(bytes, 0, Math.min(reply.truncateAfter(), bytes.length));
                out.flush();
                // Closing a fixed-length response early drops the connection mid-body.
                return;
            }
            out.write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client went away, or a truncated reply was cut short on purpose.
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
