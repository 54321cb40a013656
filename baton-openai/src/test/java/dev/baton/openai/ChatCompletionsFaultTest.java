package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Message;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelStreamEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsFaultTest {
    private static final ModelRequest REQUEST = ModelRequest.of("a", null, List.of(Message.user("hi")));
    private static final String OK = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""";

    private final FixtureServer server = new FixtureServer();
    private final OpenAIChatCompletionsModel model = server.model();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    private static String everything(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out + " " + t;
    }

    @Test
    void a_429_with_retry_after_is_retried() {
        server.enqueue(
                FixtureServer.Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}", Map.of("Retry-After", "0")),
                FixtureServer.Reply.json(OK));

        assertThat(model.respond(REQUEST).output()).containsExactly(Message.assistant("ok"));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void a_connection_dropped_mid_response_is_retried() {
        server.enqueue(FixtureServer.Reply.json(OK).truncatedAfter(10), FixtureServer.Reply.json(OK));

        assertThat(model.respond(REQUEST).output()).containsExactly(Message.assistant("ok"));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void a_500_is_retried() {
        server.enqueue(FixtureServer.Reply.json(500, "{\"error\":{\"message\":\"boom\"}}", Map.of()), FixtureServer.Reply.json(OK));

        assertThat(model.respond(REQUEST).output()).containsExactly(Message.assistant("ok"));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void a_429_that_persists_fails_after_the_configured_retries() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(FixtureServer.Reply.json(429, "{\"error\":{\"message\":\"Rate limit reached\"}}", Map.of("Retry-After", "0")));
        }

        assertThatThrownBy(() -> model.respond(REQUEST))
                .isInstanceOfSatisfying(OpenAIRequestFailed.class, e -> assertThat(e.statusCode()).isEqualTo(429))
                .hasMessageContaining("Rate limit reached");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void a_400_is_not_retried_and_fails_with_status_and_message_but_never_the_key() {
        server.enqueue(FixtureServer.Reply.json(400, """
                {"error":{"message":"Invalid schema for function 'get_invoice' (key %s)","type":"invalid_request_error",
                  "param":"tools[0]","code":"invalid_function_parameters"}}""".formatted(FixtureServer.API_KEY), Map.of()));

        Throwable thrown = org.junit.jupiter.api.Assertions.assertThrows(OpenAIRequestFailed.class, () -> model.respond(REQUEST));

        OpenAIRequestFailed failed = (OpenAIRequestFailed) thrown;
        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(failed.errorType()).isEqualTo("invalid_request_error");
        assertThat(failed.errorCode()).isEqualTo("invalid_function_parameters");
        assertThat(failed.providerMessage()).startsWith("Invalid schema for function 'get_invoice'");
        assertThat(failed.getMessage()).contains("HTTP 400", "Invalid schema for function 'get_invoice'");
        assertThat(everything(failed)).doesNotContain(FixtureServer.API_KEY);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_401_for_a_bad_key_never_shows_the_key() {
        server.enqueue(FixtureServer.Reply.json(401, """
                {"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","code":"invalid_api_key"}}"""
                .formatted(FixtureServer.API_KEY), Map.of()));

        assertThatThrownBy(() -> model.respond(REQUEST))
                .isInstanceOfSatisfying(OpenAIRequestFailed.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(everything(e)).doesNotContain(FixtureServer.API_KEY).contains("Incorrect API key provided: ***");
                });
    }

    @Test
    void a_truncated_stream_is_an_error_not_a_partial_result() {
        FixtureServer.Reply full = FixtureServer.Reply.sse(List.of(
                ChatCompletionsStreamingTest.chunk("{\"role\":\"assistant\",\"content\":\"Hello\"}", "null"),
                ChatCompletionsStreamingTest.chunk("{\"content\":\" there, this is long.\"}", "null"),
                ChatCompletionsStreamingTest.chunk("{}", "\"stop\"")));
        int firstEvent = full.body().indexOf("\n\n") + 2;
        server.enqueue(full.truncatedAfter(firstEvent + 10));
        List<ModelStreamEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> model.stream(REQUEST, events::add)).isInstanceOf(OpenAICallFailed.class);
        // Output was already delivered, so the call is not repeated: the caller saw "Hello" once.
        assertThat(events).containsExactly(new ModelStreamEvent.TextDelta("Hello"));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_stream_that_ends_cleanly_before_any_choice_finished_is_an_error() {
        server.enqueue(FixtureServer.Reply.sse(List.of(
                ChatCompletionsStreamingTest.chunk("{\"role\":\"assistant\",\"content\":\"Hel\"}", "null"))));

        assertThatThrownBy(() -> model.stream(REQUEST, e -> {}))
                .isInstanceOf(OpenAICallFailed.class)
                .hasMessageContaining("ended before the response was complete");
    }

    @Test
    void invalid_json_is_an_error() {
        server.enqueue(FixtureServer.Reply.json("{\"id\":\"chatcmpl-1\",\"choices\":[{"));

        assertThatThrownBy(() -> model.respond(REQUEST)).isInstanceOf(OpenAICallFailed.class);
    }

    @Test
    void a_slow_answer_fails_with_a_typed_timeout() {
        OpenAISettings settings = server.settings().toBuilder().timeout(Duration.ofMillis(300)).maxRetries(0).build();
        server.enqueue(FixtureServer.Reply.json(OK).delayed(Duration.ofSeconds(3)));

        try (OpenAIChatCompletionsModel slow = OpenAIChatCompletionsModel.create(settings, "gpt-4.1-mini")) {
            assertThatThrownBy(() -> slow.respond(REQUEST))
                    .isInstanceOfSatisfying(OpenAICallTimedOut.class, e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300)));
        }
    }

    @Test
    void a_refused_connection_is_retried_then_fails_clearly() {
        server.close();

        assertThatThrownBy(() -> model.respond(REQUEST))
                .isInstanceOf(OpenAICallFailed.class)
                .satisfies(e -> assertThat(everything(e)).doesNotContain(FixtureServer.API_KEY));
    }
}
