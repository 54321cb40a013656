package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponsesStreamingTest {
    private static final ModelRequest REQUEST = ModelRequest.of("a", "Be brief.", List.of(Message.user("hi")));

    private final FixtureServer server = new FixtureServer();
    private final OpenAIResponsesModel model = server.responsesModel();
    private final List<ModelStreamEvent> events = new ArrayList<>();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    private String text() {
        return events.stream().filter(e -> e instanceof ModelStreamEvent.TextDelta)
                .map(e -> ((ModelStreamEvent.TextDelta) e).text()).collect(Collectors.joining());
    }

    private String reasoning() {
        return events.stream().filter(e -> e instanceof ModelStreamEvent.ReasoningDelta)
                .map(e -> ((ModelStreamEvent.ReasoningDelta) e).text()).collect(Collectors.joining());
    }

    /** Streams then responds with the same response; returns the streamed one after checking they are equal. */
    private ModelResponse streamAndRespond(ObjectNode response, int pieces) {
        server.enqueue(FixtureServer.Reply.events(ResponsesWire.events(response, pieces)), FixtureServer.Reply.json(response.toString()));
        ModelResponse streamed = model.stream(REQUEST, events::add);
        ModelResponse responded = model.respond(REQUEST);
        assertThat(streamed).isEqualTo(responded);
        JsonNode sent = server.requests().get(0).json();
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(server.requests().get(1).json().has("stream")).isFalse();
        ObjectNode withoutStream = sent.deepCopy();
        withoutStream.remove("stream");
        assertThat(withoutStream).isEqualTo(server.requests().get(1).json());
        return streamed;
    }

    @Test
    void text_deltas_spell_the_message_and_the_response_equals_the_non_streamed_one() {
        ModelResponse streamed = streamAndRespond(ResponsesWire.response("resp_7",
                List.of(ResponsesWire.message("msg_1", "Hello there, how can I help?")), ResponsesWire.usage(12, 5, 4, 2)), 3);

        assertThat(streamed.output()).containsExactly(new Message(Message.Role.ASSISTANT, "Hello there, how can I help?", "msg_1"));
        assertThat(streamed.usage()).isEqualTo(new Usage(1, 12, 5, 17, 4, 2));
        assertThat(streamed.responseId()).isEqualTo("resp_7");
        assertThat(events).hasSize(3).allMatch(e -> e instanceof ModelStreamEvent.TextDelta);
        assertThat(text()).isEqualTo("Hello there, how can I help?");
    }

    @Test
    void a_streamed_refusal_arrives_as_refusal_deltas_never_as_text_and_ends_as_the_message_refusal() {
        ModelResponse streamed = streamAndRespond(ResponsesWire.response("resp_r",
                List.of(ResponsesWire.refusal("msg_r", "I can't help with that request.")), ResponsesWire.usage(12, 5, 0, 0)), 3);

        assertThat(streamed.output()).containsExactly(new Message(Message.Role.ASSISTANT, "", "msg_r", "I can't help with that request."));
        assertThat(events).hasSize(3).allMatch(e -> e instanceof ModelStreamEvent.RefusalDelta);
        assertThat(events.stream().map(e -> ((ModelStreamEvent.RefusalDelta) e).text()).collect(Collectors.joining()))
                .isEqualTo("I can't help with that request.");
        assertThat(text()).isEmpty();
    }

    @Test
    void reasoning_text_and_calls_stream_as_deltas_at_their_output_positions() {
        ModelResponse streamed = streamAndRespond(ResponsesWire.response("resp_8", List.of(
                ResponsesWire.reasoning("rs_1", "gAAAA-secret", "Charged twice.", "Look it up."),
                ResponsesWire.message("msg_1", "Checking."),
                ResponsesWire.functionCall("fc_1", "call_A", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                ResponsesWire.functionCall("fc_2", "call_B", "transfer_to_billing_specialist", "{}")),
                ResponsesWire.usage(100, 50, 64, 32)), 2);

        assertThat(streamed.output()).containsExactly(
                new Reasoning("rs_1", "Charged twice.\n\nLook it up.", "gAAAA-secret"),
                new Message(Message.Role.ASSISTANT, "Checking.", "msg_1"),
                new ToolCall("call_A", "get_invoice", "{\"invoice_id\":\"INV-8821\"}", "fc_1"),
                new ToolCall("call_B", "transfer_to_billing_specialist", "{}", "fc_2"));
        assertThat(streamed.usage()).isEqualTo(new Usage(1, 100, 50, 150, 64, 32));
        assertThat(reasoning()).isEqualTo("Charged twice.\n\nLook it up.");
        assertThat(text()).isEqualTo("Checking.");
        List<ModelStreamEvent> callDeltas = events.stream().filter(e -> e instanceof ModelStreamEvent.ToolCallDelta).toList();
        assertThat(callDeltas).containsExactly(
                new ModelStreamEvent.ToolCallDelta(2, "call_A", "get_invoice", "{\"invoice_id\""),
                new ModelStreamEvent.ToolCallDelta(2, "call_A", "get_invoice", ":\"INV-8821\"}"),
                new ModelStreamEvent.ToolCallDelta(3, "call_B", "transfer_to_billing_specialist", "{"),
                new ModelStreamEvent.ToolCallDelta(3, "call_B", "transfer_to_billing_specialist", "}"));
    }

    @Test
    void a_call_whose_arguments_arrive_whole_still_gets_one_delta_and_unknown_items_do_not_shift_positions() {
        server.enqueue(FixtureServer.Reply.events(List.of(
                """
                {"type":"response.created","sequence_number":0,"response":{"id":"resp_9","object":"response","status":"in_progress","output":[]}}""",
                """
                {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"web_search_call","id":"ws_1","status":"in_progress"}}""",
                """
                {"type":"response.output_item.done","sequence_number":2,"output_index":0,"item":{"type":"web_search_call","id":"ws_1","status":"completed"}}""",
                """
                {"type":"response.output_item.done","sequence_number":3,"output_index":1,
                 "item":{"type":"function_call","id":"fc_1","call_id":"call_A","name":"get_invoice","arguments":"{}","status":"completed"}}""",
                """
                {"type":"response.completed","sequence_number":4,"response":{"id":"resp_9","object":"response","status":"completed","output":[
                   {"type":"web_search_call","id":"ws_1","status":"completed"},
                   {"type":"function_call","id":"fc_1","call_id":"call_A","name":"get_invoice","arguments":"{}","status":"completed"}]}}""")));

        ModelResponse streamed = model.stream(REQUEST, events::add);

        assertThat(streamed.output()).containsExactly(new ToolCall("call_A", "get_invoice", "{}", "fc_1"));
        assertThat(events).containsExactly(new ModelStreamEvent.ToolCallDelta(0, "call_A", "get_invoice", "{}"));
    }
}
