package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.baton.item.Message;
import dev.baton.model.ModelRequest;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A failed model call says why, in words a person can act on, and is retried only where another
 * attempt may go better. All on loopback: a closed port, a plain-HTTP server spoken to over TLS,
 * a local server answering HTTP errors, and a resolver that knows no host.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConnectionErrorsTest {
    private static final ModelRequest REQUEST = ModelRequest.of("a", null, List.of(Message.user("hi")));
    private static final String OK = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private final FixtureServer server = new FixtureServer();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void a_closed_port_is_connection_refused_naming_host_and_port_and_the_base_url() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String baseUrl = "http://127.0.0.1:" + port + "/v1";
        OpenAISettings settings = server.settings().toBuilder().baseUrl(baseUrl).maxRetries(1).build();

        try (OpenAIChatCompletionsModel model = OpenAIChatCompletionsModel.create(settings, "gpt-4.1-mini")) {
            assertThatThrownBy(() -> model.respond(REQUEST))
                    .isInstanceOf(OpenAICallFailed.class)
                    .hasMessage("OpenAI call failed: connection refused to 127.0.0.1:" + port + " (is the server at " + baseUrl
                            + " running?)");
        }
    }

    @Test
    void an_unknown_host_is_named_and_not_retried() {
        OpenAISettings settings = server.settings().toBuilder().baseUrl("http://llm.example.invalid/v1").build();
        int[] lookups = {0};
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .okHttpClient(new okhttp3.OkHttpClient.Builder().dns(host -> {
                    lookups[0]++;
                    throw new UnknownHostException(host + ": Name or service not known");
                }).build())
                .apiKey(FixtureServer.API_KEY).baseUrl(settings.baseUrl()).build();

        try (OpenAIChatCompletionsModel model = OpenAIChatCompletionsModel.of(client, "gpt-4.1-mini", settings)) {
            assertThatThrownBy(() -> model.respond(REQUEST))
                    .isInstanceOf(OpenAICallFailed.class)
                    .hasMessage("OpenAI call failed: unknown host llm.example.invalid (check OPENAI_BASE_URL, now "
                            + "http://llm.example.invalid/v1)");
        } finally {
            client.close();
        }
        assertThat(lookups[0]).as("lookups: the first attempt only, not the SDK's nor Baton's retries").isEqualTo(1);
    }

    @Test
    void https_to_a_server_that_speaks_plain_http_is_a_tls_failure_and_not_retried() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!plain.isClosed()) {
                    try (java.net.Socket s = plain.accept()) {
                        connections.incrementAndGet();
                        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes());
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            String baseUrl = "https://127.0.0.1:" + plain.getLocalPort() + "/v1";
            OpenAISettings settings = server.settings().toBuilder().baseUrl(baseUrl).build();

            try (OpenAIChatCompletionsModel model = OpenAIChatCompletionsModel.create(settings, "gpt-4.1-mini")) {
                assertThatThrownBy(() -> model.respond(REQUEST))
                        .isInstanceOf(OpenAICallFailed.class)
                        .hasMessageStartingWith("OpenAI call failed: TLS failure with 127.0.0.1:" + plain.getLocalPort() + ": ")
                        .hasMessageContaining("check the URL's scheme");
            }
            assertThat(connections.get()).as("connections: one attempt").isEqualTo(1);
        }
    }

    @Test
    void a_401_says_to_check_the_api_key_and_is_not_retried() {
        server.enqueue(FixtureServer.Reply.json(401,
                "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
                Map.of()));

        try (OpenAIChatCompletionsModel model = server.model()) {
            assertThatThrownBy(() -> model.respond(REQUEST))
                    .isInstanceOf(OpenAIRequestFailed.class)
                    .hasMessage("OpenAI request failed with HTTP 401: Incorrect API key provided. (type invalid_request_error, "
                            + "code invalid_api_key); the endpoint did not accept the API key: check OPENAI_API_KEY");
        }
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_404_for_an_unknown_model_says_to_check_the_model_name_and_is_not_retried() {
        server.enqueue(FixtureServer.Reply.json(404,
                "{\"error\":{\"message\":\"The model `gpt-9` does not exist.\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}",
                Map.of()));

        try (OpenAIChatCompletionsModel model = OpenAIChatCompletionsModel.create(server.settings(), "gpt-9")) {
            assertThatThrownBy(() -> model.respond(REQUEST))
                    .isInstanceOfSatisfying(OpenAIRequestFailed.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                    .hasMessageContaining("The model `gpt-9` does not exist.")
                    .hasMessageEndingWith("check the model name and OPENAI_BASE_URL");
        }
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_429_is_retried_as_often_as_configured_then_says_rate_limit() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(FixtureServer.Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\"}}", Map.of("Retry-After", "0")));
        }

        try (OpenAIChatCompletionsModel model = server.model()) {
            assertThatThrownBy(() -> model.respond(REQUEST))
                    .isInstanceOf(OpenAIRequestFailed.class)
                    .hasMessageContaining("HTTP 429: Rate limit reached")
                    .hasMessageContaining("rate limit or quota reached");
        }
        assertThat(server.requests()).as("the first attempt and maxRetries (2) more, not the SDK's retries on top").hasSize(3);
    }

    @Test
    void a_500_then_an_answer_is_one_retry_and_the_answer() {
        server.enqueue(FixtureServer.Reply.json(500, "{\"error\":{\"message\":\"boom\"}}", Map.of("Retry-After", "0")),
                FixtureServer.Reply.json(OK));

        try (OpenAIChatCompletionsModel model = server.model()) {
            assertThat(model.respond(REQUEST).output()).containsExactly(Message.assistant("ok"));
        }
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void a_stream_that_gets_a_503_while_opening_is_retried() {
        server.enqueue(FixtureServer.Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}", Map.of("Retry-After", "0")),
                FixtureServer.Reply.sse(List.of("""
                        {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",
                         "choices":[{"index":0,"delta":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""".replace("\n", ""))));

        try (OpenAIChatCompletionsModel model = server.model()) {
            assertThat(model.stream(REQUEST, event -> {}).output()).containsExactly(Message.assistant("ok"));
        }
        assertThat(server.requests()).hasSize(2);
    }
}
