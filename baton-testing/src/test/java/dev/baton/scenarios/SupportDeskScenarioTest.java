package dev.baton.scenarios;

import static dev.baton.testing.BatonAssertions.assertThat;
import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Message;
import dev.baton.run.RunConfig;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunStream;
import dev.baton.run.Runner;
import dev.baton.scenarios.SupportDesk.Backend;
import dev.baton.scenarios.SupportDesk.CustomerRef;
import dev.baton.scenarios.SupportDesk.Escalation;
import dev.baton.scenarios.SupportDesk.InvoiceRef;
import dev.baton.scenarios.SupportDesk.Priority;
import dev.baton.scenarios.SupportDesk.Refund;
import dev.baton.scenarios.SupportDesk.Region;
import dev.baton.scenarios.SupportDesk.Support;
import dev.baton.testing.ScriptedModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The support desk of the seed scenario, end to end with a scripted model. */
@DisplayName("Support desk: triage to billing, technical or account specialists")
class SupportDeskScenarioTest {

    final Backend backend = new Backend();
    final Support customer = new Support("C-1001", backend);

    RunResult run(ScriptedModel model, String message) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        return runner.run(SupportDesk.triage(), message, RunOptions.context(customer));
    }

    @Test
    void a_double_charge_goes_to_billing_which_checks_the_invoice_and_refunds_it() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("get_account", new CustomerRef("C-1001")),
                        callTool("get_invoice", new InvoiceRef("INV-8821")),
                        callTool("process_refund", new Refund("INV-8821", "charged twice")),
                        reply("I have refunded the duplicate $99 charge on INV-8821."));

        RunResult result = run(model, "Hi, I was charged $99 twice last month (invoice INV-8821). Can I get a refund?");

        assertThat(result).completed().handedOffTo("billing_specialist").lastAgent("billing_specialist")
                .usedTool("get_invoice", new InvoiceRef("INV-8821"))
                .usedTool("process_refund", new Refund("INV-8821", "charged twice"))
                .didNotUseTool("escalate_to_human")
                .noErrors()
                .finalOutputContains("refunded")
                .turns(5);
        assertThat(backend.refunds).containsExactly("INV-8821: charged twice");
        assertThat(model.requestsFor("billing_specialist").get(0).instructions()).contains("Always look up the account first");
        assertThat(model.requestsFor("support_triage").get(0).handoffs()).extracting(h -> h.toolName())
                .containsExactly("transfer_to_billing_specialist", "transfer_to_technical_specialist", "transfer_to_account_specialist");
        model.assertAllStepsUsed();
    }

    @Test
    void a_large_refund_is_escalated_to_a_human_instead() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("get_invoice", new InvoiceRef("INV-9000")),
                        callTool("escalate_to_human", new Escalation("T-77", "refund of $450 requested", Priority.HIGH)),
                        reply("A colleague will review the $450 refund today."));

        RunResult result = run(model, "Refund invoice INV-9000 please, it was a mistake.");

        assertThat(result).completed().handedOffTo("billing_specialist").didNotUseTool("process_refund")
                .usedTool("escalate_to_human", "{\"ticket_id\":\"T-77\",\"reason\":\"refund of $450 requested\",\"priority\":\"HIGH\"}");
        assertThat(backend.escalations).containsExactly("T-77 HIGH: refund of $450 requested");
        assertThat(backend.refunds).isEmpty();
    }

    @Test
    void a_login_problem_goes_to_technical_which_checks_status_then_resets_the_password() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("technical_specialist"))
                .forAgent("technical_specialist",
                        callTool("check_service_status", new Region("eu-west")),
                        callTool("reset_password", new CustomerRef("C-1001")),
                        reply("Service is degraded in eu-west; I also sent you a password reset email."));

        RunResult result = run(model, "I can't log in since this morning.");

        assertThat(result).completed().handedOffTo("technical_specialist").noErrors()
                .usedTool("check_service_status").usedTool("reset_password");
        assertThat(result).toolOutput("check_service_status").contains("degraded");
        assertThat(backend.passwordResets).containsExactly("C-1001");
    }

    @Test
    void a_cancellation_goes_to_the_account_specialist_who_reads_the_ticket_history() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("account_specialist"))
                .forAgent("account_specialist",
                        callTool("get_account", new CustomerRef("C-1001")),
                        callTool("get_ticket_history", new CustomerRef("C-1001")),
                        reply("Before you cancel: we can move you to the starter plan at half the price."));

        RunResult result = run(model, "Please cancel my subscription.");

        assertThat(result).completed().handedOffTo("account_specialist").usedTool("get_ticket_history")
                .finalOutputContains("starter plan");
    }

    @Test
    void a_tool_error_is_shown_to_the_specialist_which_recovers() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("get_invoice", new InvoiceRef("INV-0000")),
                        callTool("get_invoice", new InvoiceRef("INV-8821")),
                        reply("Found it: INV-8821, $99, paid."));

        RunResult result = run(model, "What about invoice 0000? Or maybe 8821.");

        assertThat(result).completed().finalOutputContains("INV-8821");
        assertThat(result).toolOutput("get_invoice").contains("no invoice INV-0000");
    }

    @Test
    void the_session_keeps_the_conversation_with_the_specialist_for_the_next_message() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        reply("Which invoice was charged twice?"),
                        callTool("process_refund", new Refund("INV-8821", "duplicate charge")),
                        reply("Done: INV-8821 is refunded."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        RunOptions<Support> ticket = RunOptions.<Support>session("ticket-42").withContext(customer);

        RunResult first = runner.run(SupportDesk.triage(), "I was charged twice.", ticket);
        RunResult second = runner.run(SupportDesk.triage(), "INV-8821", ticket);

        assertThat(first).handedOffTo("billing_specialist").finalOutputContains("Which invoice");
        assertThat(second).noHandoffs().lastAgent("billing_specialist").finalOutputContains("refunded");
        assertThat(model.requests().get(2).agent()).isEqualTo("billing_specialist");
        assertThat(model.requests().get(2).input()).startsWith(Message.user("I was charged twice."))
                .endsWith(Message.user("INV-8821"));
        assertThat(backend.refunds).containsExactly("INV-8821: duplicate charge");
    }

    @Test
    void streaming_the_ticket_shows_the_routing_and_the_tool_calls_as_they_happen() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("get_invoice", new InvoiceRef("INV-8821")),
                        reply("Refund initiated for INV-8821."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        List<String> trace = new ArrayList<>();
        StringBuilder text = new StringBuilder();

        try (RunStream events = runner.stream(SupportDesk.triage(), "Charged twice for INV-8821", RunOptions.context(customer))) {
            for (RunEvent e : events) {
                switch (e) {
                    case RunEvent.HandoffOccurred h -> trace.add("routed to " + h.to());
                    case RunEvent.ToolCalled t -> trace.add("tool " + t.item().call().name());
                    case RunEvent.TextDelta d -> text.append(d.delta());
                    case RunEvent.RunCompleted c -> trace.add("done");
                    default -> { }
                }
            }
            assertThat(events.result()).lastAgent("billing_specialist");
        }

        assertThat(trace).containsExactly("routed to billing_specialist", "tool get_invoice", "done");
        assertThat(text).hasToString("Refund initiated for INV-8821.");
    }
}
