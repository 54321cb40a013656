package dev.baton.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ToolSpec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rules that carry a conversation across messages: what a tool needs is asked for rather than
 * guessed from filler words, an answer to a question keeps the request it answers, and a reason is a
 * problem the customer stated.
 */
@DisplayName("Offline model across a conversation")
class OfflineModelConversationRulesTest {
    final OfflineModel model = OfflineModel.create();

    static final ToolSpec LOOK_UP_ITEM = OfflineModelTest.tool("look_up_item",
            "Find an item's id, price and stock from a description or keywords.", """
            {"type":"object","properties":{"search_query":{"type":"string","description":"A description or keywords of the item"}},
             "required":["search_query"]}""");
    static final ToolSpec KNOWN_FIX = OfflineModelTest.tool("find_known_fix", "Find the known fix for a problem with a product.", """
            {"type":"object","properties":{"product":{"type":"string","description":"The product that has the problem"}},
             "required":["product"]}""");
    static final ToolSpec EXECUTE_REFUND = OfflineModelTest.tool("execute_refund", "Refund an item.", """
            {"type":"object","properties":{"item_id":{"type":"string","description":"Item id, e.g. item_48213"},
             "reason":{"type":"string","description":"Why the customer wants a refund"}},"required":["item_id","reason"]}""");
    static final List<ToolSpec> REPAIRS = List.of(KNOWN_FIX, LOOK_UP_ITEM, EXECUTE_REFUND);

    @Test
    void a_request_without_the_thing_asks_which_item_instead_of_searching_for_the_filler_words() {
        ModelRequest r = request(Message.user("I want a refund"));

        assertThat(calls(model.respond(r))).isEmpty();
        assertThat(text(model.respond(r))).isEqualTo("To refund an item I need a description or keywords of the item.");
        assertThat(OfflineModel.explain(r)).isEqualTo("ask: execute_refund matched 'refund' but needs item_id, which "
                + "look_up_item finds from search_query");
    }

    @Test
    void an_answer_to_the_question_keeps_the_request_and_asks_for_the_reason_it_still_lacks() {
        ModelRequest r = request(Message.user("I want a refund"),
                Message.assistant("To refund an item I need a description or keywords of the item."),
                Message.user("A pair of shoes I bought"));

        assertThat(calls(model.respond(r))).isEmpty();
        assertThat(text(model.respond(r))).isEqualTo("To refund an item I need to know why you want a refund.");
        assertThat(OfflineModel.explain(r)).contains("(the customer's previous message: 'I want a refund')");
    }

    @Test
    void without_a_question_before_it_a_bare_thing_does_not_revive_an_old_request() {
        ModelRequest r = request(Message.user("I want a refund"), Message.assistant("Refunded."),
                Message.user("A pair of shoes I bought"));

        assertThat(OfflineModel.explain(r)).startsWith("reply: no handoff or tool matched");
    }

    @Test
    void a_stated_problem_gets_the_known_fix_before_any_refund() {
        ModelRequest r = request(Message.user("I want a refund"), Message.assistant("To refund an item I need to know why."),
                Message.user("The shoes are too small"));

        assertThat(calls(model.respond(r))).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("find_known_fix");
            assertThat(c.arguments()).isEqualTo("{\"product\":\"shoes\"}");
        });
    }

    @Test
    void a_refund_request_looks_the_item_up_from_earlier_words_and_takes_the_reason_from_the_stated_problem() {
        ModelRequest lookUp = request(Message.user("The shoes are too small"), Message.assistant("Try a size up."),
                Message.user("no I want a refund"));
        assertThat(calls(model.respond(lookUp))).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("look_up_item");
            assertThat(c.arguments()).isEqualTo("{\"search_query\":\"shoes\"}");
        });

        ModelRequest refund = request(Message.user("The shoes are too small"), Message.assistant("Try a size up."),
                Message.user("no I want a refund"), new ToolCall("c1", "look_up_item", "{\"search_query\":\"shoes\"}"),
                new ToolOutput("c1", "{\"item_id\":\"item_61374\",\"product\":\"Leather Walking Shoes\",\"price\":240}"));
        assertThat(calls(model.respond(refund))).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("execute_refund");
            assertThat(c.arguments()).isEqualTo("{\"item_id\":\"item_61374\",\"reason\":\"The shoes are too small\"}");
        });
    }

    @Test
    void a_number_argument_takes_an_amount_written_as_text_in_a_result_when_the_customer_named_none() {
        List<Item> input = List.of(Message.user("I was charged twice for invoice INV-8821."), Message.assistant("I see."),
                Message.user("Can you refund the duplicate charge please?"),
                new ToolCall("c1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                new ToolOutput("c1", "{\"id\":\"INV-8821\",\"amount\":\"$99.00\",\"status\":\"paid\"}"));
        ModelRequest r = OfflineModelTest.request("billing", input, List.of(OfflineModelTest.INVOICE, OfflineModelTest.REFUND),
                List.of());

        assertThat(calls(model.respond(r))).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("process_refund");
            assertThat(c.arguments()).contains("\"invoice_id\":\"INV-8821\"").contains("\"amount\":99.00");
        });
    }

    @Test
    void a_first_handoff_is_not_answered_by_handing_straight_back_to_the_agent_the_session_started_with() {
        List<Item> input = List.of(Message.user("My login fails with an error on my invoice page"),
                new ToolCall("c1", "transfer_to_billing", "{}"), new ToolOutput("c1", "{\"assistant\":\"billing\"}"));
        ModelRequest r = OfflineModelTest.request("billing", input, List.of(),
                List.of(OfflineModelTest.handoff("triage", "Back to triage, for login problems and errors.")));

        assertThat(OfflineModel.explain(r)).doesNotStartWith("handoff");
    }

    private ModelRequest request(Item... input) {
        return OfflineModelTest.request("issues_and_repairs", List.of(input), REPAIRS, List.of());
    }

    private static List<ToolCall> calls(ModelResponse r) {
        return r.output().stream().filter(ToolCall.class::isInstance).map(ToolCall.class::cast).toList();
    }

    private static String text(ModelResponse r) {
        return r.output().stream().filter(Message.class::isInstance).map(i -> ((Message) i).text()).findFirst().orElseThrow();
    }
}
