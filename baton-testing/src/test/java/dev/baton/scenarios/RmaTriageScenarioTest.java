package dev.baton.scenarios;

import static dev.baton.testing.BatonAssertions.assertThat;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.testing.ScriptedModel;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The RMA triage of the seed scenario: a guardrail agent classifies each request into a
 * {@link TicketInfo}; requests that are neither product questions nor RMA claims are rejected
 * before triage acts; the priority it found is kept in the context for the specialists.
 */
@DisplayName("RMA triage with a priority guardrail")
class RmaTriageScenarioTest {

    enum Priority { LOW, MEDIUM, HIGH }

    record TicketInfo(String ticketId, Priority priority, String category) {}

    /** The application context: what the guardrail learned about the ticket. */
    static final class SupportContext {
        volatile TicketInfo ticket;
    }

    static Agent<SupportContext> desk() {
        Agent<SupportContext> guard = Agent.<SupportContext>builder("priority_guardrail")
                .instructions("Confirm the request is about support and set its priority.")
                .outputType(TicketInfo.class)
                .build();
        InputGuardrail<SupportContext> priority = InputGuardrail.fromAgent("priority", guard, TicketInfo.class, (ctx, info) -> {
            ctx.context().ticket = info;
            return Set.of("product", "rma").contains(info.category()) ? GuardrailOutput.pass(info) : GuardrailOutput.trip(info);
        });
        Agent<SupportContext> product = Agent.<SupportContext>builder("product_specialist")
                .handoffDescription("Product questions and how features work")
                .instructions((ctx, self) -> "Diagnose UI problems step by step. Ticket priority: " + ctx.context().ticket.priority())
                .build();
        Agent<SupportContext> rma = Agent.<SupportContext>builder("rma_analyst")
                .handoffDescription("Returns, warranty claims and RMA reports")
                .instructions((ctx, self) -> "Review the repair history; escalate HIGH priority claims. Ticket priority: "
                        + ctx.context().ticket.priority())
                .build();
        return Agent.<SupportContext>builder("support_triage")
                .instructions("Assess the request and hand it to the right specialist.")
                .handoffs(product, rma)
                .inputGuardrails(priority)
                .build();
    }

    @Test
    void an_rma_claim_passes_the_guardrail_and_the_analyst_reads_its_priority() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("priority_guardrail", reply("{\"ticket_id\":\"RMA-7\",\"priority\":\"HIGH\",\"category\":\"rma\"}"))
                .forAgent("support_triage", handoffTo("rma_analyst"))
                .forAgent("rma_analyst", reply("RMA-7 is accepted; a courier collects the unit tomorrow."));
        SupportContext context = new SupportContext();

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build())
                .run(desk(), "My screen died after the repair, I want it replaced.", RunOptions.context(context));

        assertThat(result).completed().handedOffTo("rma_analyst").finalOutputContains("RMA-7");
        assertThat(context.ticket).isEqualTo(new TicketInfo("RMA-7", Priority.HIGH, "rma"));
        assertThat(result.guardrailResults()).singleElement().satisfies(g -> {
            assertThat(g.tripwireTriggered()).isFalse();
            assertThat(g.info()).isEqualTo(context.ticket);
        });
        assertThat(model.requestsFor("rma_analyst").get(0).instructions()).endsWith("Ticket priority: HIGH");
        assertThat(model.requestsFor("priority_guardrail").get(0).outputSchema().toString()).contains("ticket_id");
        model.assertAllStepsUsed();
    }

    @Test
    void a_product_question_goes_to_the_product_specialist() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("priority_guardrail", reply("{\"ticket_id\":\"T-2\",\"priority\":\"LOW\",\"category\":\"product\"}"))
                .forAgent("support_triage", handoffTo("product_specialist"))
                .forAgent("product_specialist", reply("Open Settings, then Display."));

        RunResult result = Runner.create(RunConfig.builder().defaultModel(model).build())
                .run(desk(), "Where do I change the brightness?", RunOptions.context(new SupportContext()));

        assertThat(result).handedOffTo("product_specialist");
        assertThat(model.requestsFor("product_specialist").get(0).instructions()).endsWith("LOW");
    }

    @Test
    void a_sales_request_is_rejected_by_the_tripwire() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("priority_guardrail", reply("{\"ticket_id\":\"T-3\",\"priority\":\"LOW\",\"category\":\"sales\"}"))
                .forAgent("support_triage", handoffTo("product_specialist"))
                .forAgent("product_specialist", reply("should never be reached"));

        assertThatThrownBy(() -> Runner.create(RunConfig.builder().defaultModel(model).build())
                .run(desk(), "I want to buy a new product", RunOptions.context(new SupportContext())))
                .isInstanceOfSatisfying(InputGuardrailTripwireTriggered.class, e -> {
                    assertThat(e.result().name()).isEqualTo("priority");
                    assertThat(((TicketInfo) e.result().info()).category()).isEqualTo("sales");
                });
        assertThat(model.requestsFor("product_specialist")).isEmpty();
    }
}
