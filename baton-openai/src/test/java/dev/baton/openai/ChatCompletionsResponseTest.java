package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelBehaviorError;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsResponseTest {
    private final FixtureServer server = new FixtureServer();
    private final OpenAIChatCompletionsModel model = server.model();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    private ModelResponse answer(String message, String usage) {
        server.enqueue(FixtureServer.Reply.json("""
                {"id":"chatcmpl-42","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
                 "choices":[{"index":0,"message":%s,"finish_reason":"stop"}]%s}""".formatted(message, usage)));
        return model.respond(ModelRequest.of("a", null, List.of(Message.user("hi"))));
    }

    private static final String USAGE = ",\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}";

    @Test
    void text_becomes_one_assistant_message_with_usage_and_response_id() {
        ModelResponse response = answer("{\"role\":\"assistant\",\"content\":\"Hello there.\"}", USAGE);

        assertThat(response.output()).containsExactly(Message.assistant("Hello there."));
        assertThat(response.usage()).isEqualTo(new Usage(1, 12, 5, 17, 0, 0));
        assertThat(response.responseId()).isEqualTo("chatcmpl-42");
    }

    @Test
    void tool_calls_with_null_content_become_calls_in_order() {
        ModelResponse response = answer("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"get_invoice","arguments":"{\\"invoice_id\\":\\"INV-1\\"}"}},
                  {"id":"call_2","type":"function","function":{"name":"transfer_to_billing_specialist","arguments":"{}"}}]}""", USAGE);

        assertThat(response.output()).containsExactly(
                new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-1\"}"),
                new ToolCall("call_2", "transfer_to_billing_specialist", "{}"));
    }

    @Test
    void text_and_tool_calls_give_the_message_first() {
        ModelResponse response = answer("""
                {"role":"assistant","content":"Let me check.","tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"get_invoice","arguments":"{}"}}]}""", USAGE);

        assertThat(response.output()).containsExactly(
                Message.assistant("Let me check."), new ToolCall("call_1", "get_invoice", "{}"));
    }

    @Test
    void missing_call_ids_and_types_are_generated_and_distinct() {
        ModelResponse response = answer("""
                {"role":"assistant","tool_calls":[
                  {"function":{"name":"get_invoice","arguments":"{}"}},
                  {"id":"","function":{"name":"get_invoice","arguments":"{}"}}]}""", USAGE);

        List<ToolCall> calls = response.output().stream().map(ToolCall.class::cast).toList();
        assertThat(calls).hasSize(2);
        assertThat(calls).allSatisfy(c -> assertThat(c.callId()).matches("call_[A-Za-z0-9]{24}"));
        assertThat(calls.get(0).callId()).isNotEqualTo(calls.get(1).callId());
    }

    @Test
    void arguments_sent_as_an_object_are_serialised_and_missing_arguments_are_an_empty_object() {
        ModelResponse response = answer("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"get_invoice","arguments":{"invoice_id":"INV-8821","n":2}}},
                  {"id":"call_2","type":"function","function":{"name":"transfer_to_billing_specialist"}}]}""", USAGE);

        assertThat(response.output()).containsExactly(
                new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\",\"n\":2}"),
                new ToolCall("call_2", "transfer_to_billing_specialist", "{}"));
    }

    @Test
    void missing_usage_counts_one_request_and_no_tokens() {
        ModelResponse response = answer("{\"role\":\"assistant\",\"content\":\"hi\"}", "");

        assertThat(response.usage()).isEqualTo(new Usage(1, 0, 0, 0, 0, 0));
    }

    @Test
    void null_usage_counts_one_request_and_a_missing_total_is_the_sum() {
        assertThat(answer("{\"role\":\"assistant\",\"content\":\"hi\"}", ",\"usage\":null").usage())
                .isEqualTo(new Usage(1, 0, 0, 0, 0, 0));
        assertThat(answer("{\"role\":\"assistant\",\"content\":\"hi\"}", ",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}").usage())
                .isEqualTo(new Usage(1, 3, 4, 7, 0, 0));
    }

    @Test
    void cached_and_reasoning_tokens_are_read() {
        ModelResponse response = answer("{\"role\":\"assistant\",\"content\":\"hi\"}", """
                ,"usage":{"prompt_tokens":2000,"completion_tokens":300,"total_tokens":2300,
                  "prompt_tokens_details":{"cached_tokens":1536,"audio_tokens":0},
                  "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0}}""");

        assertThat(response.usage()).isEqualTo(new Usage(1, 2000, 300, 2300, 1536, 256));
    }

    @Test
    void null_content_without_calls_is_an_empty_assistant_message_and_a_refusal_is_its_refusal_not_its_text() {
        assertThat(answer("{\"role\":\"assistant\",\"content\":null}", USAGE).output())
                .containsExactly(Message.assistant(""));
        assertThat(answer("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"}", USAGE).output())
                .containsExactly(Message.assistantRefusal("I can't help with that."));
        assertThat(answer("{\"role\":\"assistant\",\"content\":\"hi\",\"refusal\":\"\"}", USAGE).output())
                .as("an empty refusal, as some compatible servers send on every message, is no refusal")
                .containsExactly(Message.assistant("hi"));
    }

    @Test
    void a_response_without_choices_is_a_model_behavior_error() {
        server.enqueue(FixtureServer.Reply.json("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}"));

        assertThatThrownBy(() -> model.respond(ModelRequest.of("a", null, List.of(Message.user("hi")))))
                .isInstanceOf(ModelBehaviorError.class)
                .hasMessageContaining("no choices");
    }
}
