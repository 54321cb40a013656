package dev.baton.readme;

import static dev.baton.testing.BatonAssertions.expect;
import static dev.baton.testing.MockEvent.done;
import static dev.baton.testing.MockEvent.handoff;
import static dev.baton.testing.MockEvent.toolCall;
import static dev.baton.testing.MockRun.mockRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.Prompts;
import dev.baton.offline.OfflineModel;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.schema.Description;
import dev.baton.tool.Tool;
import org.junit.jupiter.api.Test;

/** The README's first example, exactly as printed there, does what the README says. */
class ReadmeExampleTest {
    record GetInvoice(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}
    record Invoice(String id, int amount, String status) {}

    @Test
    void the_first_desk_hands_the_customer_to_billing_which_looks_up_the_invoice() {
        Tool<Void> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
                (ctx, args) -> new Invoice(args.invoiceId(), 99, "charged twice"));
        Agent<Void> billing = Agent.<Void>builder("billing_specialist")
                .handoffDescription("Billing: invoices, charges, refunds")
                .instructions("Look up the invoice before you answer.")
                .tools(getInvoice)
                .build();
        Agent<Void> triage = Agent.<Void>builder("support_triage")
                .instructions(Prompts.withHandoffInstructions("Route the customer to the right specialist."))
                .handoffs(billing)
                .build();

        Runner runner = Runner.create(RunConfig.builder().defaultModel(OfflineModel.create()).build());
        RunResult result = runner.run(triage, "I was charged twice for INV-8821", RunOptions.session("ticket-42"));
        System.out.println(result.lastAgent() + ": " + result.finalOutputText());

        assertThat(result.lastAgent()).isEqualTo("billing_specialist");
        assertThat(result.handoffs()).extracting(java.util.Map.Entry::getValue).containsExactly("billing_specialist");
        assertThat(result.finalOutputText()).contains("INV-8821").contains("charged twice");
        RunResult next = runner.run(triage, "Thanks. Can you check INV-8821 again?", RunOptions.session("ticket-42"));
        assertThat(next.handoffs()).as("the session stays with billing").isEmpty();
        assertThat(next.lastAgent()).isEqualTo("billing_specialist");
    }

    record Support(String customerId) {}

    @Test
    void the_mock_run_of_the_team_hands_off_to_billing_which_uses_the_tool() {
        Tool<Support> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
                (ctx, args) -> new Invoice(args.invoiceId(), 99, "paid"));
        Agent<Support> billing = Agent.<Support>builder("billing_specialist")
                .handoffDescription("Invoices, charges, refunds")
                .instructions("Look up the invoice before you answer.")
                .tools(getInvoice)
                .handoffs(Handoff.to("support_triage"))
                .build();
        Agent<Support> triage = Agent.<Support>builder("support_triage")
                .instructions(Prompts.withHandoffInstructions("Route the customer to the right specialist."))
                .handoffs("billing_specialist")
                .build();
        Team<Support> desk = Team.of(triage, billing);

        RunResult result = mockRun(desk.agent("support_triage"), "I was charged twice",
                RunOptions.context(new Support("C-1001")),
                handoff("billing_specialist"),
                toolCall("get_invoice", new GetInvoice("INV-8821")),
                done("Refund initiated for INV-8821."));

        expect(result).completed().handedOffTo("billing_specialist").usedTool("get_invoice");
    }
}
