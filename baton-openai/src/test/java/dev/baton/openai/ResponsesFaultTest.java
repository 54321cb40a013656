package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Message;
import dev.baton.model.ModelRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponsesFaultTest {
    private static final ModelRequest REQUEST = ModelRequest.of("a", null, List.of(Message.user("hi")));
    private static final String OK = ResponsesWire.response("resp_1", List.of(ResponsesWire.message("msg_1", "ok")), null).toString();
    private static final Message OK_MESSAGE = new Message(Message.Role.ASSISTANT, "ok", "msg_1");

    private final FixtureServer server = new FixtureServer();
    private final OpenAIResponsesModel model = server.responsesModel();

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

        assertThat(model.respond(REQUEST).output()).containsExactly(OK_MESSAGE);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void a_500_is_retried_for_a_stream_too() {
        server.enqueue(FixtureServer.Reply.json(500, "{\"error\":{\"message\":\"boom\"}}", Map.of()),
                FixtureServer.Reply.events(ResponsesWire.events(FixtureServer.JSON.valueToTree(parse(OK)), 1)));

        assertThat(model.stream(REQUEST, e -> {}).output()).containsExactly(OK_MESSAGE);
        assertThat(server.requests()).hasSize(2);
    }

    private static Object parse(String json) {
        try {
            return FixtureServer.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void a_400_is_not_retried_and_fails_with_status_and_message_but_never_the_key() {
        server.enqueue(FixtureServer.Reply.json(400, """
                {"error":{"message":"Invalid schema for function 'get_invoice' (key %s)","type":"invalid_request_error",
                  "param":"tools[0].parameters","code":"invalid_function_parameters"}}""".formatted(FixtureServer.API_KEY), Map.of()));

        OpenAIRequestFailed failed = org.junit.jupiter.api.Assertions.assertThrows(OpenAIRequestFailed.class, () -> model.respond(REQUEST));

        assertThat(failed.statusCode()).isEqualTo(400);
        assertThat(failed.errorType()).isEqualTo("invalid_request_error");
        assertThat(failed.errorCode()).isEqualTo("invalid_function_parameters");
        assertThat(failed.providerMessage()).startsWith("Invalid schema for function 'get_invoice'");
        assertThat(failed.getMessage()).contains("HTTP 400", "Invalid schema for function 'get_invoice'");
        assertThat(everything(failed)).doesNotContain(FixtureServer.API_KEY);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_truncated_stream_is_an_error_not_a_partial_result() {
        List<String> events = ResponsesWire.events(parseObject(ResponsesWire.response("resp_t",
                List.of(ResponsesWire.message("msg_1", "Hello there, this is a long answer.")), null).toString()), 4);
        FixtureServer.Reply full = FixtureServer.Reply.events(events);
        int cut = full.body().indexOf("response.output_text.delta");
        server.enqueue(full.truncatedAfter(full.body().indexOf("\n\n", cut) + 2 + 15));

        assertThatThrownBy(() -> model.stream(REQUEST, e -> {})).isInstanceOf(OpenAICallFailed.class);
        assertThat(server.requests()).hasSize(1);
    }

    private static com.fasterxml.jackson.databind.JsonNode parseObject(String json) {
        return (com.fasterxml.jackson.databind.JsonNode) parse(json);
    }

    @Test
    void a_stream_that_ends_cleanly_before_response_completed_is_an_error() {
        List<String> events = ResponsesWire.events(parseObject(OK), 2);
        server.enqueue(FixtureServer.Reply.events(events.subList(0, events.size() - 1)));

        assertThatThrownBy(() -> model.stream(REQUEST, e -> {}))
                .isInstanceOf(OpenAICallFailed.class)
                .hasMessageContaining("ended before the response was complete");
    }

    @Test
    void a_failed_response_event_is_an_error_with_the_providers_message() {
        server.enqueue(FixtureServer.Reply.events(List.of(
                "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_f\",\"status\":\"in_progress\",\"output\":[]}}",
                "{\"type\":\"response.failed\",\"sequence_number\":1,\"response\":{\"id\":\"resp_f\",\"status\":\"failed\",\"output\":[],"
                        + "\"error\":{\"code\":\"server_error\",\"message\":\"The model failed to answer.\"}}}")));

        assertThatThrownBy(() -> model.stream(REQUEST, e -> {}))
                .isInstanceOf(OpenAICallFailed.class)
                .hasMessageContaining("The model failed to answer.")
                .hasMessageContaining("server_error");
    }

    @Test
    void an_error_event_mid_stream_is_an_error_that_never_shows_the_key() {
        server.enqueue(FixtureServer.Reply.events(List.of(
                "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_e\",\"status\":\"in_progress\",\"output\":[]}}",
                "{\"type\":\"error\",\"sequence_number\":1,\"code\":\"rate_limit_exceeded\",\"param\":null,"
                        + "\"message\":\"Too many requests for key %s\"}".formatted(FixtureServer.API_KEY))));

        assertThatThrownBy(() -> model.stream(REQUEST, e -> {}))
                .isInstanceOf(OpenAICallFailed.class)
                .satisfies(e -> assertThat(everything(e)).contains("Too many requests").doesNotContain(FixtureServer.API_KEY));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void invalid_json_is_an_error() {
        server.enqueue(FixtureServer.Reply.json("{\"id\":\"resp_1\",\"output\":[{"));

        assertThatThrownBy(() -> model.respond(REQUEST)).isInstanceOf(OpenAICallFailed.class);
    }

    @Test
    void a_slow_answer_fails_with_a_typed_timeout() {
        OpenAISettings settings = server.settings().toBuilder().timeout(Duration.ofMillis(300)).maxRetries(0).build();
        server.enqueue(FixtureServer.Reply.json(OK).delayed(Duration.ofSeconds(3)));

        try (OpenAIResponsesModel slow = OpenAIResponsesModel.create(settings, "gpt-4.1-mini")) {
            assertThatThrownBy(() -> slow.respond(REQUEST))
                    .isInstanceOfSatisfying(OpenAICallTimedOut.class, e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300)));
        }
    }
}
