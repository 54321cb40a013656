package dev.baton.cli.desk;

import static dev.baton.testing.BatonAssertions.assertThat;
import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.human.HumanReply;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The desks' wiring with a scripted model: agents, tools and handoffs are connected, whatever model drives them. */
@DisplayName("Desk wiring with a scripted model")
class DeskWiringTest {

    @RegisterExtension
    final OpenedDesks desks = new OpenedDesks();

    static Runner runner(ScriptedModel model) {
        return Runner.create(RunConfig.builder().defaultModel(model).sessionStore(new InMemorySessionStore()).build());
    }

    @Test
    void support_triage_offers_the_three_specialists_and_billing_refunds_through_the_backend() {
        SupportDesk desk = desks.open(new SupportDesk());
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("process_refund", new SupportDesk.RefundRequest("INV-8821", 99, "duplicate charge")),
                        reply("Refunded."));

        RunResult r = runner(model).run(desk.entry(), "charged twice", RunOptions.<SupportDesk.Support>none().withContext(desk.newContext()));

        assertThat(r).completed().handedOffTo("billing_specialist").usedTool("process_refund").noErrors();
        assertThat(model.requestsFor("support_triage").get(0).handoffs()).extracting(h -> h.targetAgent())
                .containsExactly("billing_specialist", "technical_specialist", "account_specialist");
        assertThat(model.requestsFor("billing_specialist").get(0).tools()).extracting(t -> t.name())
                .containsExactly("get_account", "get_invoice", "process_refund", "escalate_to_human");
        assertThat(desk.backend().refunds()).singleElement().satisfies(f -> assertThat(f.invoiceId()).isEqualTo("INV-8821"));
    }

    @Test
    void acme_specialists_transfer_back_to_triage_which_escalates_to_the_operator() {
        AcmeDesk desk = new AcmeDesk(request -> Optional.of(HumanReply.say("A human from ACME here.")));
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage_agent", handoffTo("issues_and_repairs"))
                .forAgent("issues_and_repairs", callTool("transfer_back_to_triage"))
                .forAgent("triage_agent", callTool("escalate_to_human"));

        RunResult r = runner(model).run(desk.entry(), "I want a person", RunOptions.<AcmeDesk.Acme>none().withContext(desk.newContext()));

        assertThat(r).completed().handedOffTo("issues_and_repairs", "triage_agent", "human_agent").lastAgent("human_agent")
                .finalOutputContains("A human from ACME");
    }

    @Test
    void acmes_human_agent_can_hand_the_customer_back_to_triage() {
        AcmeDesk desk = new AcmeDesk(request -> Optional.of(HumanReply.handOff("triage_agent", "Our sales team can do that.")));
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage_agent", callTool("escalate_to_human"), handoffTo("sales_agent"))
                .forAgent("sales_agent", reply("The giant rubber band is $45."));

        RunResult r = runner(model).run(desk.entry(), "A person, please: I want to buy something",
                RunOptions.<AcmeDesk.Acme>none().withContext(desk.newContext()));

        assertThat(r).completed().handedOffTo("human_agent", "triage_agent", "sales_agent").lastAgent("sales_agent");
        model.verify();
    }

    @Test
    void rma_specialists_read_the_priority_the_guardrail_stored() {
        RmaDesk desk = new RmaDesk();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("priority_guardrail", reply("{\"reference\":\"SN-30977\",\"priority\":\"MEDIUM\",\"category\":\"RMA\"}"))
                .forAgent("support_triage", handoffTo("rma_specialist"))
                .forAgent("rma_specialist", reply("Checking SN-30977."));
        RmaDesk.RmaContext context = desk.newContext();

        RunResult r = runner(model).run(desk.entry(), "My dock is faulty", RunOptions.<RmaDesk.RmaContext>none().withContext(context));

        assertThat(r).completed().handedOffTo("rma_specialist");
        assertThat(context.priority()).isEqualTo(RmaDesk.Priority.MEDIUM);
        assertThat(model.requestsFor("rma_specialist").get(0).instructions()).endsWith("Ticket priority: MEDIUM.");
    }
}
