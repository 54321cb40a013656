package dev.baton.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules about actions: stop after one unless asked, look before acting, say what was done, trim reasons. */
class OfflineModelActionRulesTest {
    final OfflineModel model = OfflineModel.create();

    static final String CUSTOMER = """
            {"type":"object","properties":{"customer":{"type":"string","description":"Customer id such as C-1001"}},
             "required":["customer"]}""";
    static final ToolSpec ACCOUNT = OfflineModelTest.tool("get_account", "Look up a customer's account: plan, region.", CUSTOMER);
    static final ToolSpec RESET = OfflineModelTest.tool("reset_password", "Send a password reset e-mail to the customer.", CUSTOMER);
    static final ToolSpec STATUS = OfflineModelTest.tool("check_service_status",
            "Check current service health for a region: outages, incidents and maintenance.", """
            {"type":"object","properties":{"region":{"type":"string","description":"Region code: eu-west or us-east"}},
             "required":["region"]}""");
    static final List<ToolSpec> TECHNICAL = List.of(ACCOUNT, STATUS, RESET);

    static final String SERIAL = """
            {"type":"object","properties":{"serial":{"type":"string","description":"Serial number, e.g. SN-88412"}},
             "required":["serial"]}""";
    static final ToolSpec LOOK_UP_SERIAL = OfflineModelTest.tool("look_up_serial",
            "Look up a unit by serial: product, order, repair history.", SERIAL);
    static final ToolSpec WARRANTY = OfflineModelTest.tool("check_warranty",
            "Check whether a unit is under warranty, for a return or repair.", SERIAL);
    static final ToolSpec CREATE_RMA = OfflineModelTest.tool("create_rma",
            "Open an RMA for a broken or faulty unit: a repair or replacement.", """
            {"type":"object","properties":{"serial":{"type":"string","description":"Serial number, e.g. SN-88412"},
             "reason":{"type":"string","description":"The fault, in the customer's words"}},"required":["serial","reason"]}""");
    static final List<ToolSpec> RMA = List.of(LOOK_UP_SERIAL, CREATE_RMA, WARRANTY);

    static final String ACCOUNT_JSON = "{\"id\":\"C-1001\",\"name\":\"Dana Whitfield\",\"email\":\"dana@example.com\","
            + "\"plan\":\"Pro\",\"billing_status\":\"active\",\"region\":\"eu-west\",\"seats\":3}";
    static final String RESET_JSON = "{\"customer_id\":\"C-1001\",\"sent_to\":\"dana@example.com\",\"expires_in_minutes\":30}";

    // --- Rule: after an action succeeded, only the customer's own words justify another call

    @Test
    void after_a_successful_action_the_model_answers_instead_of_calling_another_fillable_tool() {
        List<Item> input = conversation("Please send me a password reset, my customer id is C-1001.",
                "get_account", "{\"customer\":\"C-1001\"}", ACCOUNT_JSON,
                "reset_password", "{\"customer\":\"C-1001\"}", RESET_JSON);
        ModelRequest r = OfflineModelTest.request("technical", input, TECHNICAL, List.of());

        // check_service_status could be filled (region eu-west from the account) and shares a topic, but is not asked for
        assertThat(calls(model.respond(r))).isEmpty();
        assertThat(OfflineModel.explain(r)).startsWith("answer from 2 tool result(s)");
    }

    @Test
    void after_a_successful_action_a_tool_the_customer_names_is_still_called() {
        List<Item> input = conversation("Reset my password, C-1001, and check the service status too.",
                "get_account", "{\"customer\":\"C-1001\"}", ACCOUNT_JSON,
                "reset_password", "{\"customer\":\"C-1001\"}", RESET_JSON);

        assertThat(calls(model.respond(OfflineModelTest.request("technical", input, TECHNICAL, List.of()))))
                .extracting(ToolCall::name).containsExactly("check_service_status");
    }

    @Test
    void after_a_failed_action_the_rule_is_the_usual_one() {
        List<Item> input = conversation("Please send me a password reset, my customer id is C-1001.",
                "get_account", "{\"customer\":\"C-1001\"}", ACCOUNT_JSON,
                "reset_password", "{\"customer\":\"C-1001\"}", "Error: tool 'reset_password' failed: mail server down");

        assertThat(calls(model.respond(OfflineModelTest.request("technical", input, TECHNICAL, List.of()))))
                .extracting(ToolCall::name).containsExactly("check_service_status");
    }

    @Test
    void a_question_about_status_looks_up_but_takes_no_action_it_does_not_name() {
        List<Item> input = new ArrayList<>(List.of(Message.user("What is the warranty status of my headset SN-88412?")));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<ToolCall> calls = calls(model.respond(OfflineModelTest.request("rma", input, RMA, List.of())));
            if (calls.isEmpty()) {
                break;
            }
            names.add(calls.get(0).name());
            input.add(calls.get(0));
            input.add(new dev.baton.item.ToolOutput(calls.get(0).callId(), "{\"serial\":\"SN-88412\",\"in_warranty\":true}"));
        }

        assertThat(names).isNotEmpty().doesNotContain("create_rma");
        assertThat(Rules.isQuestion("Can I get a refund?")).isTrue();
        assertThat(Rules.isQuestion("How do I connect it")).isTrue();
        assertThat(Rules.isQuestion("I need a replacement.")).isFalse();
    }

    // --- Rule: lookups before actions, also after a first lookup, when the lookup is about what the action acts on

    @Test
    void a_lookup_on_the_same_value_runs_before_the_action_even_after_another_lookup() {
        List<Item> input = new ArrayList<>(List.of(Message.user("My headset SN-88412 died, no power at all. I need a replacement.")));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ModelResponse response = model.respond(OfflineModelTest.request("rma", input, RMA, List.of()));
            List<ToolCall> calls = calls(response);
            if (calls.isEmpty()) {
                break;
            }
            ToolCall call = calls.get(0);
            names.add(call.name());
            input.add(call);
            input.add(new ToolOutput(call.callId(), switch (call.name()) {
                case "look_up_serial" -> "{\"serial\":\"SN-88412\",\"product\":\"X200 headset\",\"repairs\":[]}";
                case "check_warranty" -> "{\"serial\":\"SN-88412\",\"in_warranty\":true,\"warranty_until\":\"2027-02-27\"}";
                default -> "{\"rma_id\":\"RMA-7001\",\"serial\":\"SN-88412\",\"priority\":\"HIGH\"}";
            }));
        }

        assertThat(names).containsExactly("look_up_serial", "check_warranty", "create_rma");
    }

    @Test
    void shares_value_compares_the_filled_arguments() {
        Turn turn = Turn.of(OfflineModelTest.request("rma", List.of(Message.user("SN-88412 is broken")), RMA, List.of()));
        Fill lookup = Fill.forTool(WARRANTY.parameters(), turn);
        Fill action = Fill.forTool(CREATE_RMA.parameters(), turn);
        Fill other = Fill.forTool(STATUS.parameters(), Turn.of(OfflineModelTest.request("x",
                List.of(Message.user("eu-west")), List.of(), List.of())));

        assertThat(Rules.sharesValue(lookup, action)).isTrue();
        assertThat(Rules.sharesValue(other, action)).isFalse();
    }

    // --- Rule: replies lead with what was done, then a few key facts, without echoes

    @Test
    void the_reply_leads_with_the_refund_and_skips_the_echoed_reason_and_noisy_fields() {
        String message = "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?";
        List<Item> input = conversation(message,
                "get_invoice", "{\"invoice_id\":\"INV-8821\"}", "{\"id\":\"INV-8821\",\"customer_id\":\"C-1001\",\"amount\":\"$99.00\","
                        + "\"description\":\"Pro plan, March\",\"status\":\"paid, charged 2 times\",\"times_charged\":2,\"refunded\":\"$0.00\"}",
                "process_refund", "{\"invoice_id\":\"INV-8821\",\"amount\":99,\"reason\":\"I was charged $99 twice last month for invoice INV-8821.\"}",
                "{\"refund_id\":\"RF-5001\",\"invoice_id\":\"INV-8821\",\"amount\":\"$99.00\",\"reason\":\"" + message
                        + "\",\"invoice_status\":\"partially refunded\"}");

        String text = text(model.respond(OfflineModelTest.request("billing", input, List.of(OfflineModelTest.INVOICE,
                OfflineModelTest.REFUND), List.of())));

        assertThat(text).isEqualTo("Done: I refunded $99.00 for invoice INV-8821 (refund RF-5001); the invoice is now "
                + "partially refunded. Invoice INV-8821 (Pro plan, March) was paid, charged 2 times.");
    }

    @Test
    void the_reply_to_a_password_reset_says_where_it_went_and_when_it_expires() {
        List<Item> input = conversation("Please send me a password reset, my customer id is C-1001.",
                "get_account", "{\"customer\":\"C-1001\"}", ACCOUNT_JSON,
                "reset_password", "{\"customer\":\"C-1001\"}", RESET_JSON);

        String text = text(model.respond(OfflineModelTest.request("technical", input, TECHNICAL, List.of())));

        assertThat(text).startsWith("Done: I reset the password for customer C-1001 and sent it to dana@example.com; "
                + "it expires in 30 minutes. Account C-1001 (Dana Whitfield): ").doesNotContain("seats").doesNotContain("dana@example.com.");
    }

    @Test
    void an_action_whose_id_names_its_object_uses_the_id_as_the_object() {
        List<Item> input = conversation("My headset SN-88412 died. I need a replacement.",
                "create_rma", "{\"serial\":\"SN-88412\",\"reason\":\"My headset SN-88412 died.\"}",
                "{\"rma_id\":\"RMA-7001\",\"serial\":\"SN-88412\",\"product\":\"X200 headset\",\"priority\":\"HIGH\","
                        + "\"reason\":\"My headset SN-88412 died.\"}");

        assertThat(text(model.respond(OfflineModelTest.request("rma", input, RMA, List.of()))))
                .isEqualTo("Done: I created RMA-7001 for serial SN-88412 (X200 headset); priority HIGH.");
    }

    @Test
    void a_lookup_alone_is_answered_with_its_subject_status_and_a_few_facts() {
        List<Item> input = conversation("I can't log in. I'm in eu-west.", "check_service_status", "{\"region\":\"eu-west\"}",
                "{\"region\":\"eu-west\",\"status\":\"degraded\",\"detail\":\"Incident INC-3107: sign-in errors for some users\"}");

        assertThat(text(model.respond(OfflineModelTest.request("technical", input, TECHNICAL, List.of()))))
                .isEqualTo("Service status for eu-west is degraded. Incident INC-3107: sign-in errors for some users.");
    }

    @Test
    void a_rejected_action_is_reported_as_not_done() {
        List<Item> input = conversation("Please refund $450 for invoice INV-9000.", "process_refund",
                "{\"invoice_id\":\"INV-9000\",\"amount\":450,\"reason\":\"x\"}",
                "The call was not approved by a human reviewer, so process_refund did not run.");

        assertThat(text(model.respond(OfflineModelTest.request("billing", input, List.of(OfflineModelTest.REFUND), List.of()))))
                .isEqualTo("I did not refund invoice INV-9000: a reviewer did not approve it.");
    }

    @Test
    void a_rejection_with_a_message_is_reported_as_not_done_and_relays_the_message() {
        List<Item> input = conversation("Please refund $450 for invoice INV-9000.", "process_refund",
                "{\"invoice_id\":\"INV-9000\",\"amount\":450,\"reason\":\"x\"}",
                "The call was not approved by a human reviewer, so process_refund did not run. The reviewer said: "
                        + "Exceeds what the customer paid.");

        String answer = text(model.respond(OfflineModelTest.request("billing", input, List.of(OfflineModelTest.REFUND), List.of())));

        assertThat(answer).isEqualTo("I did not refund invoice INV-9000: a reviewer did not approve it (\"Exceeds what the "
                + "customer paid\").").doesNotContain("Done");
    }

    @Test
    void past_tenses_and_tool_names_read_as_verb_and_object() {
        assertThat(Replies.past("create")).isEqualTo("created");
        assertThat(Replies.past("send")).isEqualTo("sent");
        assertThat(Replies.past("ship")).isEqualTo("shipped");
        assertThat(Replies.past("open")).isEqualTo("opened");
        assertThat(Replies.past("apply")).isEqualTo("applied");
        assertThat(Replies.Name.of("process_refund").verbNoun()).isTrue();
        assertThat(Replies.Name.of("look_up_serial")).isEqualTo(new Replies.Name("look up", "serial"));
        assertThat(Replies.Name.of("create_rma").object()).isEqualTo("RMA");
    }

    // --- Rule: a reason is the sentence that states the problem

    @Test
    void a_reason_is_trimmed_to_the_sentence_that_states_the_problem() {
        assertThat(Extract.problem("Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?"))
                .isEqualTo("I was charged $99 twice last month for invoice INV-8821.");
        assertThat(Extract.problem("My X200 headset SN-88412 died after two weeks, no power at all. I need a replacement."))
                .isEqualTo("My X200 headset SN-88412 died after two weeks, no power at all.");
        assertThat(Extract.problem("That didn't help, I want a refund.")).isEqualTo("That didn't help, I want a refund.");
    }

    @Test
    void the_refund_call_carries_the_trimmed_reason() {
        List<Item> input = conversation("Hi, I was charged $99 twice for invoice INV-8821. Can I get a refund?",
                "get_invoice", "{\"invoice_id\":\"INV-8821\"}", "{\"id\":\"INV-8821\",\"amount\":99,\"status\":\"paid\"}");

        ToolCall refund = calls(model.respond(OfflineModelTest.request("billing", input,
                List.of(OfflineModelTest.INVOICE, OfflineModelTest.REFUND), List.of()))).get(0);

        assertThat(refund.name()).isEqualTo("process_refund");
        assertThat(refund.arguments()).contains("\"reason\":\"I was charged $99 twice for invoice INV-8821.\"");
    }

    /** A user message followed by calls and their outputs: name, arguments, output, repeated. */
    private static List<Item> conversation(String user, String... callsAndOutputs) {
        List<Item> input = new ArrayList<>(List.of(Message.user(user)));
        for (int i = 0; i < callsAndOutputs.length; i += 3) {
            String id = "call_" + i;
            input.add(new ToolCall(id, callsAndOutputs[i], callsAndOutputs[i + 1]));
            input.add(new ToolOutput(id, callsAndOutputs[i + 2]));
        }
        return input;
    }

    private static List<ToolCall> calls(ModelResponse r) {
        return r.output().stream().filter(ToolCall.class::isInstance).map(ToolCall.class::cast).toList();
    }

    private static String text(ModelResponse r) {
        return r.output().stream().filter(Message.class::isInstance).map(i -> ((Message) i).text()).findFirst().orElseThrow();
    }
}
