package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.item.Message;
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

class ChatCompletionsStreamingTest {
    private static final ModelRequest REQUEST = ModelRequest.of("a", "Be brief.", List.of(Message.user("hi")));

    private final FixtureServer server = new FixtureServer();
    private final OpenAIChatCompletionsModel model = server.model();
    private final List<ModelStreamEvent> events = new ArrayList<>();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    static String chunk(String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}";
    }

    static String usageChunk(String usage) {
        return "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1-mini\","
                + "\"choices\":[],\"usage\":" + usage + "}";
    }

    private static final String USAGE = "{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}";

    private String text() {
        return events.stream().filter(e -> e instanceof ModelStreamEvent.TextDelta)
                .map(e -> ((ModelStreamEvent.TextDelta) e).text()).collect(Collectors.joining());
    }

    @Test
    void text_deltas_spell_the_message_and_the_response_equals_the_non_streamed_one() {
        server.enqueue(FixtureServer.Reply.sse(List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"),
                chunk("{\"content\":\"Hello\"}", "null"),
                chunk("{\"content\":\" there.\"}", "null"),
                chunk("{}", "\"stop\""),
                usageChunk(USAGE))));
        server.enqueue(FixtureServer.Reply.json("""
                {"id":"chatcmpl-7","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there."},"finish_reason":"stop"}],
                 "usage":%s}""".formatted(USAGE)));

        ModelResponse streamed = model.stream(REQUEST, events::add);
        ModelResponse responded = model.respond(REQUEST);

        assertThat(streamed).isEqualTo(responded);
        assertThat(streamed.output()).containsExactly(Message.assistant("Hello there."));
        assertThat(streamed.usage()).isEqualTo(new Usage(1, 12, 5, 17, 4, 2));
        assertThat(streamed.responseId()).isEqualTo("chatcmpl-7");
        assertThat(events).containsExactly(new ModelStreamEvent.TextDelta("Hello"), new ModelStreamEvent.TextDelta(" there."));
        assertThat(text()).isEqualTo("Hello there.");
        JsonNode sent = server.requests().get(0).json();
        assertThat(sent.get("stream").asBoolean()).isTrue();
        assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(server.requests().get(1).json().has("stream")).isFalse();
    }

    @Test
    void a_streamed_refusal_arrives_as_refusal_deltas_never_as_text_and_ends_as_the_message_refusal() {
        server.enqueue(FixtureServer.Reply.sse(List.of(
                chunk("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"\"}", "null"),
                chunk("{\"refusal\":\"I can't\"}", "null"),
                chunk("{\"refusal\":\" help with that.\"}", "null"),
                chunk("{}", "\"stop\""),
                usageChunk(USAGE))));
        server.enqueue(FixtureServer.Reply.json("""
                {"id":"chatcmpl-7","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},
                   "finish_reason":"stop"}],
                 "usage":%s}""".formatted(USAGE)));

        ModelResponse streamed = model.stream(REQUEST, events::add);
        ModelResponse responded = model.respond(REQUEST);

        assertThat(streamed).isEqualTo(responded);
        assertThat(streamed.output()).containsExactly(Message.assistantRefusal("I can't help with that."));
        assertThat(events).containsExactly(new ModelStreamEvent.RefusalDelta("I can't"),
                new ModelStreamEvent.RefusalDelta(" help with that."));
        assertThat(text()).isEmpty();
    }

    @Test
    void tool_call_chunks_are_assembled_by_index_with_id_and_name_from_the_first_chunk() {
        server.enqueue(FixtureServer.Reply.sse(List.of(
                chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_A\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_invoice\",\"arguments\":\"\"}}]}", "null"),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"invoice_\"}}]}", "null"),
                chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_B\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"transfer_to_billing_specialist\",\"arguments\":\"{}\"}}]}", "null"),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"id\\\":\\\"INV-8821\\\"}\"}}]}", "null"),
                chunk("{}", "\"tool_calls\""),
                usageChunk(USAGE))));
        server.enqueue(FixtureServer.Reply.json("""
                {"id":"chatcmpl-7","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_A","type":"function","function":{"name":"get_invoice","arguments":"{\\"invoice_id\\":\\"INV-8821\\"}"}},
                   {"id":"call_B","type":"function","function":{"name":"transfer_to_billing_specialist","arguments":"{}"}}]},
                   "finish_reason":"tool_calls"}],
                 "usage":%s}""".formatted(USAGE)));

        ModelResponse streamed = model.stream(REQUEST, events::add);
        ModelResponse responded = model.respond(REQUEST);

        assertThat(streamed).isEqualTo(responded);
        assertThat(streamed.output()).containsExactly(
                new ToolCall("call_A", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                new ToolCall("call_B", "transfer_to_billing_specialist", "{}"));
        assertThat(events).containsExactly(
                new ModelStreamEvent.ToolCallDelta(0, "call_A", "get_invoice", ""),
                new ModelStreamEvent.ToolCallDelta(0, "call_A", "get_invoice", "{\"invoice_"),
                new ModelStreamEvent.ToolCallDelta(1, "call_B", "transfer_to_billing_specialist", "{}"),
                new ModelStreamEvent.ToolCallDelta(0, "call_A", "get_invoice", "id\":\"INV-8821\"}"));
    }

    @Test
    void text_then_a_call_puts_the_call_after_the_message_and_a_stream_without_ids_or_usage_still_maps() {
        server.enqueue(FixtureServer.Reply.sse(List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"Checking.\"}", "null"),
                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"get_invoice\",\"arguments\":{\"invoice_id\":\"INV-8821\"}}}]}", "null"),
                chunk("{}", "\"tool_calls\""))));

        ModelResponse streamed = model.stream(REQUEST, events::add);

        assertThat(streamed.output()).hasSize(2);
        assertThat(streamed.output().get(0)).isEqualTo(Message.assistant("Checking."));
        ToolCall call = (ToolCall) streamed.output().get(1);
        assertThat(call.name()).isEqualTo("get_invoice");
        assertThat(call.arguments()).isEqualTo("{\"invoice_id\":\"INV-8821\"}");
        assertThat(call.callId()).matches("call_[A-Za-z0-9]{24}");
        assertThat(streamed.usage()).isEqualTo(new Usage(1, 0, 0, 0, 0, 0));
        assertThat(events).contains(new ModelStreamEvent.ToolCallDelta(1, "", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"));
        assertThat(text()).isEqualTo("Checking.");
    }
}
