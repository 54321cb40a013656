package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.ModelRefusalError;
import dev.baton.agent.Agent;
import dev.baton.item.RunItem;
import dev.baton.model.Model;
import dev.baton.run.RunErrorHandler;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunStream;
import dev.baton.run.Runner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A refusal from an OpenAI endpoint, through a whole run: it fails the run with the refusal's
 * words, is asked once (the next queued answer, a valid one, is never fetched), and is never
 * taken for invalid structured output.
 */
@DisplayName("OpenAI refusals in a run")
class RefusalRunTest {
    static final String REFUSAL = "I can't help with that request.";
    static final String VALID = "{\"ticket_id\":\"T-1\",\"priority\":\"high\"}";

    record TicketInfo(String ticketId, String priority) {}

    private final FixtureServer server = new FixtureServer();
    private final Agent<Void> classifier = Agent.<Void>builder("classifier").outputType(TicketInfo.class).build();

    @AfterEach
    void close() {
        server.close();
    }

    private static String chatCompletion(String message) {
        return """
                {"id":"chatcmpl-r","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
                 "choices":[{"index":0,"message":%s,"finish_reason":"stop"}]}""".formatted(message);
    }

    private static String chatRefusal() {
        return chatCompletion("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"" + REFUSAL + "\"}");
    }

    private static String chatValid() {
        return chatCompletion("{\"role\":\"assistant\",\"content\":" + FixtureServer.JSON.valueToTree(VALID) + "}");
    }

    private static ObjectNode responsesRefusalNode() {
        return ResponsesWire.response("resp_r", List.of(ResponsesWire.refusal("msg_r", REFUSAL)), ResponsesWire.usage(10, 5, 0, 0));
    }

    private static String responsesRefusal() {
        return responsesRefusalNode().toString();
    }

    private static String responsesValid() {
        return ResponsesWire.response("resp_v", List.of(ResponsesWire.message("msg_v", VALID)), ResponsesWire.usage(10, 5, 0, 0)).toString();
    }

    private RunOptions<Void> with(Model model) {
        return RunOptions.<Void>none().withModel(model);
    }

    @Test
    void a_chat_completions_refusal_fails_the_run_once_with_its_words_and_is_not_asked_again() {
        server.enqueue(FixtureServer.Reply.json(chatRefusal()), FixtureServer.Reply.json(chatValid()));
        try (OpenAIChatCompletionsModel model = server.model()) {
            assertThatThrownBy(() -> Runner.create().run(classifier, "classify: my router is on fire", with(model)))
                    .isInstanceOfSatisfying(ModelRefusalError.class, e -> {
                        assertThat(e.refusal()).isEqualTo(REFUSAL);
                        assertThat(e.items()).singleElement().isInstanceOfSatisfying(RunItem.MessageItem.class,
                                m -> assertThat(m.refusal()).isEqualTo(REFUSAL));
                    });
        }
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_responses_refusal_fails_the_run_once_with_its_words_and_is_not_asked_again() {
        server.enqueue(FixtureServer.Reply.json(responsesRefusal()), FixtureServer.Reply.json(responsesValid()));
        try (OpenAIResponsesModel model = server.responsesModel()) {
            assertThatThrownBy(() -> Runner.create().run(classifier, "classify: my router is on fire", with(model)))
                    .isInstanceOfSatisfying(ModelRefusalError.class, e -> assertThat(e.refusal()).isEqualTo(REFUSAL));
        }
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_streamed_chat_completions_refusal_streams_no_answer_text_and_fails_the_run() {
        server.enqueue(FixtureServer.Reply.sse(List.of(
                ChatCompletionsStreamingTest.chunk("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"\"}", "null"),
                ChatCompletionsStreamingTest.chunk("{\"refusal\":\"" + REFUSAL + "\"}", "null"),
                ChatCompletionsStreamingTest.chunk("{}", "\"stop\""))), FixtureServer.Reply.json(chatValid()));
        List<RunEvent> events = new ArrayList<>();
        try (OpenAIChatCompletionsModel model = server.model();
                RunStream stream = Runner.create().stream(classifier, "classify", with(model))) {
            stream.forEach(events::add);
            assertThatThrownBy(stream::result).isInstanceOf(ModelRefusalError.class);
        }
        assertThat(events).noneMatch(e -> e instanceof RunEvent.TextDelta);
        assertThat(events).last().isInstanceOfSatisfying(RunEvent.RunFailed.class,
                f -> assertThat(((ModelRefusalError) f.error()).refusal()).isEqualTo(REFUSAL));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a_streamed_responses_refusal_streams_no_answer_text_and_fails_the_run() {
        server.enqueue(FixtureServer.Reply.events(ResponsesWire.events(responsesRefusalNode(), 2)),
                FixtureServer.Reply.json(responsesValid()));
        List<RunEvent> events = new ArrayList<>();
        try (OpenAIResponsesModel model = server.responsesModel();
                RunStream stream = Runner.create().stream(classifier, "classify", with(model))) {
            stream.forEach(events::add);
            assertThatThrownBy(stream::result).isInstanceOf(ModelRefusalError.class);
        }
        assertThat(events).noneMatch(e -> e instanceof RunEvent.TextDelta);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void an_error_handler_turns_the_refusal_into_the_final_output() {
        server.enqueue(FixtureServer.Reply.json(responsesRefusal()));
        RunResult result;
        try (OpenAIResponsesModel model = server.responsesModel()) {
            result = Runner.create().run(classifier, "classify", with(model).withErrorHandler(failure ->
                    failure instanceof RunErrorHandler.Failure.Refusal r
                            ? Optional.of(new TicketInfo("T-unknown", "needs a human: " + r.refusal()))
                            : Optional.empty()));
        }
        assertThat(result.finalOutput()).isEqualTo(new TicketInfo("T-unknown", "needs a human: " + REFUSAL));
    }
}
