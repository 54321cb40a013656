package dev.baton.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelSettings;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfflineModelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final OfflineModel model = OfflineModel.create();

    static HandoffSpec handoff(String target, String description) {
        ObjectNode params = JSON.createObjectNode().put("type", "object");
        params.putObject("properties");
        return new HandoffSpec(new ToolSpec("transfer_to_" + target, description, params, true), target);
    }

    static ToolSpec tool(String name, String description, String schema) {
        try {
            return new ToolSpec(name, description, (ObjectNode) JSON.readTree(schema), true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final ToolSpec REFUND = tool("process_refund", "Refund an invoice.", """
            {"type":"object","properties":{"invoice_id":{"type":"string","description":"Invoice id, e.g. INV-8821"},
             "amount":{"type":"number","description":"Amount in USD"},"reason":{"type":"string"}},
             "required":["invoice_id","amount","reason"]}""");

    static final ToolSpec INVOICE = tool("get_invoice", "Fetch an invoice by id.", """
            {"type":"object","properties":{"invoice_id":{"type":"string","description":"Invoice id, e.g. INV-8821"}},
             "required":["invoice_id"]}""");

    static ModelRequest request(String agent, List<Item> input, List<ToolSpec> tools, List<HandoffSpec> handoffs) {
        return new ModelRequest(agent, "instructions", input, tools, handoffs, null, ModelSettings.defaults());
    }

    static final List<HandoffSpec> DESK = List.of(
            handoff("billing_specialist", "Invoices, charges, refunds."),
            handoff("technical_specialist", "Login problems, outages, API errors."),
            handoff("account_specialist", "Upgrades, downgrades, cancellations."));

    @Test
    void a_double_charge_is_handed_to_billing_and_the_explanation_names_the_matching_words() {
        ModelRequest r = request("triage", List.of(Message.user("I was charged twice, I want my money back")), List.of(), DESK);

        assertThat(calls(model.respond(r))).extracting(ToolCall::name).containsExactly("transfer_to_billing_specialist");
        assertThat(OfflineModel.explain(r)).startsWith("handoff to billing_specialist").contains("'charged'");
    }

    @Test
    void a_login_problem_goes_to_technical_and_a_cancellation_to_account() {
        assertThat(calls(model.respond(request("triage", List.of(Message.user("I can't log in since the outage")), List.of(), DESK))))
                .extracting(ToolCall::name).containsExactly("transfer_to_technical_specialist");
        assertThat(calls(model.respond(request("triage", List.of(Message.user("Please cancel my subscription")), List.of(), DESK))))
                .extracting(ToolCall::name).containsExactly("transfer_to_account_specialist");
    }

    @Test
    void an_agent_does_not_hand_back_to_the_agent_it_just_came_from_in_the_same_turn() {
        List<Item> input = List.of(Message.user("refund my invoice"),
                new ToolCall("c1", "transfer_to_billing", "{}"), new ToolOutput("c1", "{\"assistant\":\"billing\"}"),
                new ToolCall("c2", "transfer_to_triage", "{}"), new ToolOutput("c2", "{\"assistant\":\"triage\"}"));
        ModelRequest r = request("triage", input, List.of(), List.of(handoff("billing", "Invoices and refunds")));

        assertThat(calls(model.respond(r))).isEmpty();
    }

    @Test
    void a_refund_is_filled_from_the_message_after_looking_up_the_invoice_first() {
        List<Item> input = new ArrayList<>(List.of(Message.user("Please refund $450 for invoice INV-9000, billed by mistake")));
        ModelRequest first = request("billing", input, List.of(INVOICE, REFUND), List.of());

        ToolCall lookup = calls(model.respond(first)).get(0);
        assertThat(lookup.name()).isEqualTo("get_invoice");
        assertThat(lookup.arguments()).isEqualTo("{\"invoice_id\":\"INV-9000\"}");

        input.add(lookup);
        input.add(new ToolOutput(lookup.callId(), "{\"id\":\"INV-9000\",\"amount\":450,\"status\":\"paid\"}"));
        ToolCall refund = calls(model.respond(request("billing", input, List.of(INVOICE, REFUND), List.of()))).get(0);
        assertThat(json(refund.arguments()).get("amount").asDouble()).isEqualTo(450.0);
        assertThat(json(refund.arguments()).get("invoice_id").asText()).isEqualTo("INV-9000");
        assertThat(refund.callId()).isNotEqualTo(lookup.callId());

        input.add(refund);
        input.add(new ToolOutput(refund.callId(), "{\"refund_id\":\"RF-1\",\"status\":\"processed\"}"));
        ModelResponse answer = model.respond(request("billing", input, List.of(INVOICE, REFUND), List.of()));
        assertThat(calls(answer)).isEmpty();
        assertThat(text(answer)).startsWith("Done: I refunded invoice INV-9000 (refund RF-1); it is processed.");
    }

    @Test
    void a_missing_id_is_asked_for_with_the_property_description() {
        ModelResponse r = model.respond(request("billing", List.of(Message.user("What does my invoice say?")), List.of(INVOICE), List.of()));

        assertThat(text(r)).isEqualTo("To fetch an invoice by id I need invoice id, e.g. INV-8821.");
    }

    @Test
    void a_value_from_an_earlier_tool_result_fills_the_next_tool() {
        ToolSpec find = tool("look_up_item", "Find an item's id by keywords.", """
                {"type":"object","properties":{"search_query":{"type":"string","description":"Keywords"}},"required":["search_query"]}""");
        ToolSpec refund = tool("execute_refund", "Refund an item.", """
                {"type":"object","properties":{"item_id":{"type":"string"}},"required":["item_id"]}""");
        List<Item> input = new ArrayList<>(List.of(Message.user("Refund the rocket skates please")));

        ToolCall lookup = calls(model.respond(request("repairs", input, List.of(find, refund), List.of()))).get(0);
        assertThat(lookup.name()).isEqualTo("look_up_item");
        assertThat(lookup.arguments()).isEqualTo("{\"search_query\":\"rocket skates\"}");

        input.add(lookup);
        input.add(new ToolOutput(lookup.callId(), "{\"item_id\":\"item_777\",\"price\":129}"));
        ToolCall call = calls(model.respond(request("repairs", input, List.of(find, refund), List.of()))).get(0);
        assertThat(call.name()).isEqualTo("execute_refund");
        assertThat(call.arguments()).isEqualTo("{\"item_id\":\"item_777\"}");
    }

    @Test
    void a_structured_answer_picks_enum_values_from_the_keywords_in_the_description() {
        ObjectNode schema = (ObjectNode) json("""
                {"type":"object","properties":{
                  "ticket_id":{"type":"string","description":"e.g. SN-100 or ORD-100"},
                  "priority":{"type":"string","enum":["LOW","MEDIUM","HIGH"],"description":"LOW (questions), HIGH (dead, no power, urgent)"},
                  "category":{"type":"string","enum":["PRODUCT","RMA","SALES"],"description":"PRODUCT (how-to), RMA (broken, replacement), SALES (buy, quote)"}},
                 "required":["ticket_id","priority","category"],"additionalProperties":false}""");
        ModelRequest r = new ModelRequest("guard", null, List.of(Message.user("My unit SN-4242 is dead, I need a replacement")),
                List.of(), List.of(), schema, ModelSettings.defaults());

        assertThat(json(text(model.respond(r)))).isEqualTo(json("{\"ticket_id\":\"SN-4242\",\"priority\":\"HIGH\",\"category\":\"RMA\"}"));
        ModelRequest sales = new ModelRequest("guard", null, List.of(Message.user("Can I get a quote to buy ten more?")),
                List.of(), List.of(), schema, ModelSettings.defaults());
        assertThat(json(text(model.respond(sales))).get("category").asText()).isEqualTo("SALES");
    }

    @Test
    void a_greeting_without_tools_gets_a_plain_reply_and_usage_estimates_tokens() {
        ModelResponse r = model.respond(ModelRequest.of("support_triage", null, List.of(Message.user("Hello, who is this?"))));

        assertThat(text(r)).startsWith("This is the support triage.");
        assertThat(r.usage().requests()).isEqualTo(1);
        assertThat(r.usage().inputTokens()).isPositive();
        assertThat(r.usage().totalTokens()).isEqualTo(r.usage().inputTokens() + r.usage().outputTokens());
    }

    @Test
    void streaming_spells_the_same_text_and_the_explaining_model_adds_its_rule_as_reasoning() {
        ModelRequest r = ModelRequest.of("support_triage", null, List.of(Message.user("Hello")));
        StringBuilder deltas = new StringBuilder();

        ModelResponse streamed = OfflineModel.explaining().stream(r, e -> {
            if (e instanceof ModelStreamEvent.TextDelta d) {
                deltas.append(d.text());
            }
        });

        assertThat(streamed.output().get(0)).isInstanceOf(Reasoning.class);
        assertThat(((Reasoning) streamed.output().get(0)).summary()).isEqualTo(OfflineModel.explain(r));
        assertThat(deltas.toString()).isEqualTo(text(streamed));
        assertThat(streamed).isEqualTo(OfflineModel.explaining().respond(r));
    }

    @Test
    void words_are_stemmed_so_plurals_and_tenses_meet() {
        assertThat(Words.stem("charged")).isEqualTo(Words.stem("charges")).isEqualTo(Words.stem("charging")).isEqualTo(Words.stem("charge"));
        assertThat(Words.stem("invoices")).isEqualTo(Words.stem("invoice"));
        assertThat(Words.tokens("I can't log in")).contains("login");
    }

    @Test
    void extractors_find_ids_amounts_e_mails_and_regions() {
        String text = "Refund 450 dollars on INV-9000 for C-1002 (marcus@oyelaran.example) in us-east-1, 5 seats";
        assertThat(Extract.ids(text)).containsExactly("INV-9000", "C-1002");
        assertThat(Extract.money(text)).isEqualByComparingTo("450");
        assertThat(Extract.money("it cost $1,299.50")).isEqualByComparingTo("1299.50");
        assertThat(Extract.email(text)).isEqualTo("marcus@oyelaran.example");
        assertThat(Extract.region(text)).isEqualTo("us-east-1");
        assertThat(Extract.number("I need 20 headsets, order ORD-1234")).isEqualByComparingTo("20");
    }

    private static List<ToolCall> calls(ModelResponse r) {
        return r.output().stream().filter(ToolCall.class::isInstance).map(ToolCall.class::cast).toList();
    }

    private static String text(ModelResponse r) {
        return r.output().stream().filter(Message.class::isInstance).map(i -> ((Message) i).text()).findFirst().orElseThrow();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
