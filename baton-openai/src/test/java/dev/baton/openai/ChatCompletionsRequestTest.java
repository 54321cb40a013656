package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.item.Image;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelSettings;
import dev.baton.model.ToolChoice;
import dev.baton.testing.ConformanceRequests;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsRequestTest {
    private static final String TEXT_REPLY = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    private final FixtureServer server = new FixtureServer();
    private final OpenAIChatCompletionsModel model = server.model();

    @AfterEach
    void close() {
        model.close();
        server.close();
    }

    private JsonNode send(ModelRequest request) {
        server.enqueue(FixtureServer.Reply.json(TEXT_REPLY));
        model.respond(request);
        FixtureServer.Recorded recorded = server.lastRequest();
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.path()).isEqualTo("/v1/chat/completions");
        assertThat(recorded.headers().get("Authorization")).containsExactly("Bearer " + FixtureServer.API_KEY);
        return recorded.json();
    }

    private static JsonNode json(String text) throws Exception {
        return FixtureServer.JSON.readTree(text);
    }

    @Test
    void a_full_request_is_sent_as_the_exact_chat_completions_json() throws Exception {
        ObjectNode outputSchema = FixtureServer.JSON.createObjectNode();
        outputSchema.put("type", "object");
        outputSchema.putObject("properties").putObject("answer").put("type", "string");
        outputSchema.putArray("required").add("answer");
        outputSchema.put("additionalProperties", false);
        ModelSettings settings = ModelSettings.defaults()
                .withTemperature(0.3)
                .withTopP(0.8)
                .withMaxTokens(200)
                .withToolChoice(ToolChoice.named("get_invoice"))
                .withParallelToolCalls(false);
        ModelRequest request = new ModelRequest("billing_specialist", "Look up the invoice.",
                List.of(Message.user("I was charged twice"),
                        new Reasoning("rs_1", "thinking", null),
                        new ToolCall("call_a", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                        new ToolOutput("call_a", "{\"status\":\"paid\"}")),
                List.of(ConformanceRequests.invoiceTool()),
                List.of(ConformanceRequests.billingHandoff()),
                outputSchema, settings);

        JsonNode body = send(request);

        assertThat(body.get("model")).isEqualTo(json("\"gpt-4.1-mini\""));
        assertThat(body.get("messages")).isEqualTo(json("""
                [{"role":"system","content":"Look up the invoice."},
                 {"role":"user","content":"I was charged twice"},
                 {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_a","type":"function","function":{"name":"get_invoice","arguments":"{\\"invoice_id\\":\\"INV-8821\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_a","content":"{\\"status\\":\\"paid\\"}"}]"""));
        assertThat(body.get("tools")).isEqualTo(json("""
                [{"type":"function","function":{"name":"get_invoice","description":"Fetch an invoice by id.",
                   "parameters":{"type":"object","additionalProperties":false,
                      "properties":{"invoice_id":{"type":"string","description":"Invoice id, e.g. INV-8821"}},
                      "required":["invoice_id"]},
                   "strict":true}},
                 {"type":"function","function":{"name":"transfer_to_billing_specialist",
                   "description":"Hand the conversation to the billing_specialist agent, who takes over from here. Invoices, charges, refunds.",
                   "parameters":{"type":"object","additionalProperties":false,"properties":{},"required":[]},
                   "strict":true}}]"""));
        assertThat(body.get("tool_choice")).isEqualTo(json("{\"type\":\"function\",\"function\":{\"name\":\"get_invoice\"}}"));
        assertThat(body.get("temperature")).isEqualTo(json("0.3"));
        assertThat(body.get("top_p")).isEqualTo(json("0.8"));
        assertThat(body.get("max_completion_tokens")).isEqualTo(json("200"));
        assertThat(body.get("parallel_tool_calls")).isEqualTo(json("false"));
        assertThat(body.get("response_format")).isEqualTo(json("""
                {"type":"json_schema","json_schema":{"name":"final_output","strict":true,
                  "schema":{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}}}"""));
        assertThat(body.has("stream")).isFalse();
        assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void a_plain_request_sends_only_model_and_messages() throws Exception {
        JsonNode body = send(ModelRequest.of("a", null, List.of(Message.user("hi"))));

        assertThat(body).isEqualTo(json("{\"model\":\"gpt-4.1-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    }

    @Test
    void consecutive_calls_merge_into_one_assistant_message_after_its_text_and_roles_map() throws Exception {
        ModelRequest request = ModelRequest.of("a", null, List.of(
                new Message(Message.Role.DEVELOPER, "be brief"),
                Message.system("sys"),
                Message.user("two invoices"),
                Message.assistant("Looking both up."),
                new ToolCall("c1", "get_invoice", "{\"invoice_id\":\"1\"}"),
                new ToolCall("c2", "get_invoice", ""),
                new ToolOutput("c1", "one"),
                new ToolOutput("c2", "two"),
                new ToolCall("c3", "get_invoice", "{}"),
                new ToolOutput("c3", "three"),
                Message.assistant("Done.")));

        JsonNode body = send(request);

        assertThat(body.get("messages")).isEqualTo(json("""
                [{"role":"developer","content":"be brief"},
                 {"role":"system","content":"sys"},
                 {"role":"user","content":"two invoices"},
                 {"role":"assistant","content":"Looking both up.","tool_calls":[
                    {"id":"c1","type":"function","function":{"name":"get_invoice","arguments":"{\\"invoice_id\\":\\"1\\"}"}},
                    {"id":"c2","type":"function","function":{"name":"get_invoice","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"c1","content":"one"},
                 {"role":"tool","tool_call_id":"c2","content":"two"},
                 {"role":"assistant","content":null,"tool_calls":[
                    {"id":"c3","type":"function","function":{"name":"get_invoice","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"c3","content":"three"},
                 {"role":"assistant","content":"Done."}]"""));
    }

    @Test
    void a_refusal_goes_back_in_the_refusal_field_of_its_assistant_message() throws Exception {
        ModelRequest request = ModelRequest.of("a", null, List.of(
                Message.user("bypass the licence check"),
                Message.assistantRefusal("I can't help with that."),
                Message.user("what about a refund?"),
                new Message(Message.Role.ASSISTANT, "Refunds take 5 days.", null, "I can't share card numbers."),
                new ToolCall("c1", "get_invoice", "{}"),
                new ToolOutput("c1", "one")));

        JsonNode body = send(request);

        assertThat(body.get("messages")).isEqualTo(json("""
                [{"role":"user","content":"bypass the licence check"},
                 {"role":"assistant","content":null,"refusal":"I can't help with that."},
                 {"role":"user","content":"what about a refund?"},
                 {"role":"assistant","content":"Refunds take 5 days.","refusal":"I can't share card numbers.","tool_calls":[
                    {"id":"c1","type":"function","function":{"name":"get_invoice","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"c1","content":"one"}]"""));
    }

    @Test
    void tool_choice_auto_required_and_none_are_strings() throws Exception {
        ModelRequest base = ConformanceRequests.billing();
        for (var entry : List.of(
                List.of(ToolChoice.auto(), "auto"), List.of(ToolChoice.required(), "required"), List.of(ToolChoice.none(), "none"))) {
            ModelSettings settings = ModelSettings.defaults().withToolChoice((ToolChoice) entry.get(0)).withParallelToolCalls(true);
            JsonNode body = send(new ModelRequest(base.agent(), base.instructions(), base.input(), base.tools(), base.handoffs(), null, settings));
            assertThat(body.get("tool_choice").asText()).isEqualTo(entry.get(1));
            assertThat(body.get("parallel_tool_calls").asBoolean()).isTrue();
        }
    }

    @Test
    void parallel_tool_calls_is_not_sent_without_tools() {
        ModelRequest request = new ModelRequest("a", null, List.of(Message.user("hi")), List.of(), List.of(), null,
                ModelSettings.defaults().withParallelToolCalls(true));

        JsonNode body = send(request);

        assertThat(body.has("parallel_tool_calls")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }

    @Test
    void a_non_strict_tool_is_sent_with_strict_false() {
        var tool = ConformanceRequests.invoiceTool();
        var loose = new dev.baton.model.ToolSpec(tool.name(), "", tool.parameters(), false);

        JsonNode body = send(new ModelRequest("a", null, List.of(Message.user("hi")), List.of(loose), List.of(), null, null));

        JsonNode function = body.get("tools").get(0).get("function");
        assertThat(function.get("strict").asBoolean()).isFalse();
        assertThat(function.has("description")).isFalse();
    }

    @Test
    void images_of_tool_outputs_follow_the_tool_messages_in_one_user_message() throws Exception {
        ModelRequest request = ModelRequest.of("billing", null, List.of(
                Message.user("show both"),
                new ToolCall("c1", "get_receipt", "{}"),
                new ToolCall("c2", "get_invoice", "{}"),
                new ToolOutput("c1", "Receipt INV-1:", List.of(Image.ofBase64("image/png", "iVBORw0KGgo=").withDetail(Image.Detail.LOW))),
                new ToolOutput("c2", "{\"status\":\"paid\"}"),
                Message.assistant("It was paid.")));

        JsonNode body = send(request);

        assertThat(body.get("messages")).isEqualTo(json("""
                [{"role":"user","content":"show both"},
                 {"role":"assistant","content":null,"tool_calls":[
                    {"id":"c1","type":"function","function":{"name":"get_receipt","arguments":"{}"}},
                    {"id":"c2","type":"function","function":{"name":"get_invoice","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"c1","content":"Receipt INV-1:\\n[1 image follows in the next message]"},
                 {"role":"tool","tool_call_id":"c2","content":"{\\"status\\":\\"paid\\"}"},
                 {"role":"user","content":[
                    {"type":"text","text":"The image returned by tool call c1:"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]},
                 {"role":"assistant","content":"It was paid."}]"""));
    }
}
