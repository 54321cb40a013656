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
import dev.baton.model.ToolSpec;
import dev.baton.testing.ConformanceRequests;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponsesRequestTest {
    private static final String TEXT_REPLY = ResponsesWire.response("resp_1",
            List.of(ResponsesWire.message("msg_1", "ok")), ResponsesWire.usage(1, 1, 0, 0)).toString();

    private final FixtureServer server = new FixtureServer();
    private final OpenAIResponsesModel model = server.responsesModel();

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
        assertThat(recorded.path()).isEqualTo("/v1/responses");
        assertThat(recorded.headers().get("Authorization")).containsExactly("Bearer " + FixtureServer.API_KEY);
        return recorded.json();
    }

    private static JsonNode json(String text) throws Exception {
        return FixtureServer.JSON.readTree(text);
    }

    @Test
    void a_full_request_is_sent_as_the_exact_responses_json() throws Exception {
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
                        new Reasoning("rs_1", "Need the invoice first.", "gAAAA-encrypted"),
                        new ToolCall("call_a", "get_invoice", "{\"invoice_id\":\"INV-8821\"}", "fc_1"),
                        new ToolOutput("call_a", "{\"status\":\"paid\"}")),
                List.of(ConformanceRequests.invoiceTool()),
                List.of(ConformanceRequests.billingHandoff()),
                outputSchema, settings);

        JsonNode body = send(request);

        assertThat(body).isEqualTo(json("""
                {"model":"gpt-4.1-mini",
                 "instructions":"Look up the invoice.",
                 "input":[
                   {"type":"message","role":"user","content":"I was charged twice"},
                   {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Need the invoice first."}],
                    "encrypted_content":"gAAAA-encrypted"},
                   {"type":"function_call","call_id":"call_a","name":"get_invoice","arguments":"{\\"invoice_id\\":\\"INV-8821\\"}","id":"fc_1"},
                   {"type":"function_call_output","call_id":"call_a","output":"{\\"status\\":\\"paid\\"}"}],
                 "tools":[
                   {"type":"function","name":"get_invoice","description":"Fetch an invoice by id.",
                    "parameters":{"type":"object","additionalProperties":false,
                       "properties":{"invoice_id":{"type":"string","description":"Invoice id, e.g. INV-8821"}},
                       "required":["invoice_id"]},
                    "strict":true},
                   {"type":"function","name":"transfer_to_billing_specialist",
                    "description":"Hand the conversation to the billing_specialist agent, who takes over from here. Invoices, charges, refunds.",
                    "parameters":{"type":"object","additionalProperties":false,"properties":{},"required":[]},
                    "strict":true}],
                 "text":{"format":{"type":"json_schema","name":"final_output","strict":true,
                    "schema":{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}}},
                 "temperature":0.3,
                 "top_p":0.8,
                 "max_output_tokens":200,
                 "tool_choice":{"type":"function","name":"get_invoice"},
                 "parallel_tool_calls":false,
                 "store":false,
                 "include":["reasoning.encrypted_content"]}"""));
    }

    @Test
    void a_plain_request_sends_model_input_and_stateless_reasoning_settings_only() throws Exception {
        JsonNode body = send(ModelRequest.of("a", null, List.of(Message.user("hi"))));

        assertThat(body).isEqualTo(json("""
                {"model":"gpt-4.1-mini","input":[{"type":"message","role":"user","content":"hi"}],
                 "store":false,"include":["reasoning.encrypted_content"]}"""));
    }

    @Test
    void roles_map_and_items_keep_their_order_with_ids_only_where_known() throws Exception {
        ModelRequest request = ModelRequest.of("a", null, List.of(
                new Message(Message.Role.DEVELOPER, "be brief"),
                Message.system("sys"),
                Message.user("two invoices"),
                new Message(Message.Role.ASSISTANT, "Looking both up.", "msg_7"),
                new ToolCall("c1", "get_invoice", "{\"invoice_id\":\"1\"}"),
                new ToolCall("c2", "get_invoice", ""),
                new ToolOutput("c1", "one"),
                new ToolOutput("c2", "two"),
                Message.assistant("Done.")));

        JsonNode body = send(request);

        assertThat(body.get("input")).isEqualTo(json("""
                [{"type":"message","role":"developer","content":"be brief"},
                 {"type":"message","role":"system","content":"sys"},
                 {"type":"message","role":"user","content":"two invoices"},
                 {"type":"message","role":"assistant","content":"Looking both up."},
                 {"type":"function_call","call_id":"c1","name":"get_invoice","arguments":"{\\"invoice_id\\":\\"1\\"}"},
                 {"type":"function_call","call_id":"c2","name":"get_invoice","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c1","output":"one"},
                 {"type":"function_call_output","call_id":"c2","output":"two"},
                 {"type":"message","role":"assistant","content":"Done."}]"""));
    }

    @Test
    void a_refusal_goes_back_as_what_the_assistant_said_after_any_text() throws Exception {
        ModelRequest request = ModelRequest.of("a", null, List.of(
                Message.user("bypass the licence check"),
                Message.assistantRefusal("I can't help with that."),
                new Message(Message.Role.ASSISTANT, "Refunds take 5 days.", "msg_2", "I can't share card numbers.")));

        JsonNode body = send(request);

        assertThat(body.get("input")).isEqualTo(json("""
                [{"type":"message","role":"user","content":"bypass the licence check"},
                 {"type":"message","role":"assistant","content":"I can't help with that."},
                 {"type":"message","role":"assistant","content":"Refunds take 5 days.\\n\\nI can't share card numbers."}]"""));
    }

    @Test
    void reasoning_is_sent_back_only_with_an_id_and_without_summary_or_content_where_it_has_none() throws Exception {
        ModelRequest request = ModelRequest.of("a", null, List.of(
                Message.user("hi"),
                new Reasoning("a summary from a model without reasoning ids"),
                new Reasoning("rs_2", "", null),
                Message.assistant("hello")));

        JsonNode body = send(request);

        assertThat(body.get("input")).isEqualTo(json("""
                [{"type":"message","role":"user","content":"hi"},
                 {"type":"reasoning","id":"rs_2","summary":[]},
                 {"type":"message","role":"assistant","content":"hello"}]"""));
    }

    @Test
    void tool_choice_auto_required_and_none_are_strings() throws Exception {
        ModelRequest base = ConformanceRequests.billing();
        for (var entry : List.of(
                List.of(ToolChoice.auto(), "auto"), List.of(ToolChoice.required(), "required"), List.of(ToolChoice.none(), "none"))) {
            ModelSettings settings = ModelSettings.defaults().withToolChoice((ToolChoice) entry.get(0)).withParallelToolCalls(true);
            JsonNode body = send(new ModelRequest(base.agent(), base.instructions(), base.input(), base.tools(), base.handoffs(), null, settings));
            assertThat(body.get("tool_choice")).isEqualTo(json("\"" + entry.get(1) + "\""));
            assertThat(body.get("parallel_tool_calls").asBoolean()).isTrue();
        }
    }

    @Test
    void a_handoff_can_be_the_named_tool_choice() throws Exception {
        ModelRequest base = ConformanceRequests.triage();
        ModelSettings settings = ModelSettings.defaults().withToolChoice(ToolChoice.named("transfer_to_billing_specialist"));

        JsonNode body = send(new ModelRequest(base.agent(), base.instructions(), base.input(), base.tools(), base.handoffs(), null, settings));

        assertThat(body.get("tool_choice")).isEqualTo(json("{\"type\":\"function\",\"name\":\"transfer_to_billing_specialist\"}"));
    }

    @Test
    void parallel_tool_calls_is_not_sent_without_tools_and_a_non_strict_tool_says_so() {
        JsonNode plain = send(new ModelRequest("a", null, List.of(Message.user("hi")), List.of(), List.of(), null,
                ModelSettings.defaults().withParallelToolCalls(true)));
        ToolSpec tool = ConformanceRequests.invoiceTool();
        JsonNode loose = send(new ModelRequest("a", null, List.of(Message.user("hi")),
                List.of(new ToolSpec(tool.name(), "", tool.parameters(), false)), List.of(), null, null));

        assertThat(plain.has("parallel_tool_calls")).isFalse();
        assertThat(plain.has("tools")).isFalse();
        assertThat(loose.get("tools").get(0).get("strict").asBoolean()).isFalse();
        assertThat(loose.get("tools").get(0).has("description")).isFalse();
    }

    @Test
    void with_store_enabled_responses_are_stored_and_encrypted_reasoning_is_not_requested() throws Exception {
        OpenAISettings settings = server.settings().toBuilder().api(OpenAISettings.Api.RESPONSES).store(true).build();
        server.enqueue(FixtureServer.Reply.json(TEXT_REPLY));

        try (OpenAIResponsesModel stored = OpenAIResponsesModel.create(settings, "gpt-4.1-mini")) {
            stored.respond(ModelRequest.of("a", null, List.of(Message.user("hi"))));
        }

        assertThat(server.lastRequest().json()).isEqualTo(json("""
                {"model":"gpt-4.1-mini","input":[{"type":"message","role":"user","content":"hi"}],"store":true}"""));
    }

    @Test
    void a_tool_output_with_images_is_sent_as_text_and_image_parts() throws Exception {
        ModelRequest request = ModelRequest.of("billing", null, List.of(
                Message.user("show INV-1"),
                new ToolCall("c1", "get_receipt", "{}"),
                new ToolOutput("c1", "Receipt INV-1:", List.of(Image.ofBase64("image/png", "iVBORw0KGgo="),
                        Image.ofUrl("https://files.example.com/r.png").withDetail(Image.Detail.HIGH))),
                new ToolCall("c2", "get_receipt", "{}"),
                new ToolOutput("c2", "", List.of(Image.ofUrl("https://files.example.com/s.png")))));

        JsonNode input = send(request).get("input");

        assertThat(input.get(2)).isEqualTo(json("""
                {"type":"function_call_output","call_id":"c1","output":[
                  {"type":"input_text","text":"Receipt INV-1:"},
                  {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="},
                  {"type":"input_image","image_url":"https://files.example.com/r.png","detail":"high"}]}"""));
        assertThat(input.get(4)).isEqualTo(json("""
                {"type":"function_call_output","call_id":"c2","output":[
                  {"type":"input_image","image_url":"https://files.example.com/s.png"}]}"""));
    }
}
