package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelBehaviorError;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponsesResponseTest {
    private static final ModelRequest REQUEST = ModelRequest.of("a", null, List.of(Message.user("hi")));

    private final FixtureServer server = new FixtureServer();
    private final OpenAIResponsesModel model = server.responsesModel();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    private ModelResponse answer(String body) {
        server.enqueue(FixtureServer.Reply.json(body));
        return model.respond(REQUEST);
    }

    @Test
    void a_text_answer_is_one_assistant_message_with_its_item_id_usage_and_response_id() {
        ModelResponse response = answer("""
                {"id":"resp_abc","object":"response","created_at":1,"status":"completed","model":"gpt-4.1-mini",
                 "output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Hello ","annotations":[]},{"type":"output_text","text":"there.","annotations":[]}]}],
                 "usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,
                   "output_tokens_details":{"reasoning_tokens":0},"total_tokens":39}}""");

        assertThat(response.output()).containsExactly(new Message(Message.Role.ASSISTANT, "Hello there.", "msg_1"));
        assertThat(response.usage()).isEqualTo(new Usage(1, 36, 3, 39, 0, 0));
        assertThat(response.responseId()).isEqualTo("resp_abc");
    }

    @Test
    void reasoning_text_and_parallel_function_calls_keep_their_output_order_with_ids_and_encrypted_content() {
        ModelResponse response = answer("""
                {"id":"resp_r","object":"response","created_at":1,"status":"completed","model":"o4-mini",
                 "output":[
                   {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"The customer was charged twice."},
                      {"type":"summary_text","text":"Look up the invoice."}],"encrypted_content":"gAAAAB-opaque=="},
                   {"type":"message","id":"msg_2","status":"completed","role":"assistant",
                      "content":[{"type":"output_text","text":"Checking both.","annotations":[]}]},
                   {"type":"function_call","id":"fc_1","call_id":"call_A","name":"get_invoice","arguments":"{\\"invoice_id\\":\\"INV-1\\"}","status":"completed"},
                   {"type":"function_call","id":"fc_2","call_id":"call_B","name":"get_invoice","arguments":"{\\"invoice_id\\":\\"INV-2\\"}","status":"completed"}],
                 "usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1024},"output_tokens":300,
                   "output_tokens_details":{"reasoning_tokens":256},"total_tokens":1500}}""");

        assertThat(response.output()).containsExactly(
                new Reasoning("rs_1", "The customer was charged twice.\n\nLook up the invoice.", "gAAAAB-opaque=="),
                new Message(Message.Role.ASSISTANT, "Checking both.", "msg_2"),
                new ToolCall("call_A", "get_invoice", "{\"invoice_id\":\"INV-1\"}", "fc_1"),
                new ToolCall("call_B", "get_invoice", "{\"invoice_id\":\"INV-2\"}", "fc_2"));
        assertThat(response.usage()).isEqualTo(new Usage(1, 1200, 300, 1500, 1024, 256));
    }

    @Test
    void a_handoff_call_alone_gives_no_message_and_a_reasoning_item_without_summary_or_content_maps() {
        ModelResponse response = answer("""
                {"id":"resp_h","object":"response","created_at":1,"status":"completed","model":"o4-mini",
                 "output":[{"type":"reasoning","id":"rs_9","summary":[]},
                   {"type":"function_call","id":"fc_9","call_id":"call_H","name":"transfer_to_billing_specialist","arguments":"{}","status":"completed"}]}""");

        assertThat(response.output()).containsExactly(
                new Reasoning("rs_9", "", null),
                new ToolCall("call_H", "transfer_to_billing_specialist", "{}", "fc_9"));
        assertThat(response.usage()).isEqualTo(new Usage(1, 0, 0, 0, 0, 0));
    }

    @Test
    void a_refusal_part_is_the_message_refusal_not_its_text_and_unknown_output_items_are_left_out() {
        ModelResponse response = answer("""
                {"id":"resp_x","object":"response","created_at":1,"status":"completed","model":"gpt-4.1-mini",
                 "output":[{"type":"web_search_call","id":"ws_1","status":"completed"},
                   {"type":"message","id":"msg_3","status":"completed","role":"assistant",
                      "content":[{"type":"refusal","refusal":"I can't help with that."}]}]}""");

        assertThat(response.output()).containsExactly(new Message(Message.Role.ASSISTANT, "", "msg_3", "I can't help with that."));
    }

    @Test
    void a_message_with_text_and_a_refusal_keeps_both_apart() {
        ModelResponse response = answer("""
                {"id":"resp_y","object":"response","created_at":1,"status":"completed","model":"gpt-4.1-mini",
                 "output":[{"type":"message","id":"msg_4","status":"completed","role":"assistant",
                      "content":[{"type":"output_text","text":"Your invoice is INV-1.","annotations":[]},
                        {"type":"refusal","refusal":"I can't share card numbers."}]}]}""");

        assertThat(response.output()).containsExactly(
                new Message(Message.Role.ASSISTANT, "Your invoice is INV-1.", "msg_4", "I can't share card numbers."));
    }

    @Test
    void a_compatible_server_without_ids_and_with_object_arguments_still_maps() {
        ModelResponse response = answer("""
                {"object":"response","created_at":1,"status":"completed","model":"llama",
                 "output":[{"type":"function_call","name":"get_invoice","arguments":{"invoice_id":"INV-8821"}}]}""");

        ToolCall call = (ToolCall) response.output().get(0);
        assertThat(response.output()).hasSize(1);
        assertThat(call.callId()).matches("call_[A-Za-z0-9]{24}");
        assertThat(call.id()).isNull();
        assertThat(call.arguments()).isEqualTo("{\"invoice_id\":\"INV-8821\"}");
        assertThat(response.responseId()).isNull();
    }

    @Test
    void an_empty_output_is_an_empty_assistant_message() {
        ModelResponse response = answer("""
                {"id":"resp_e","object":"response","created_at":1,"status":"incomplete","model":"gpt-4.1-mini","output":[]}""");

        assertThat(response.output()).containsExactly(Message.assistant(""));
    }

    @Test
    void a_function_call_without_a_name_is_a_model_behavior_error() {
        assertThatThrownBy(() -> answer("""
                {"id":"resp_n","object":"response","created_at":1,"status":"completed","model":"m",
                 "output":[{"type":"function_call","id":"fc_1","call_id":"c","arguments":"{}"}]}"""))
                .isInstanceOf(ModelBehaviorError.class);
    }
}
