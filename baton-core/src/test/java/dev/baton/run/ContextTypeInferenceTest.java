package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The code in these tests is the specification: each builder chain below needed a type witness
 * ({@code Tool.<Support, Refund>of}, {@code Handoff.<Support>to}) before, and now compiles as
 * written. The runs then show that the tools and handoffs behave as their agent's own.
 */
@DisplayName("Tools and handoffs take the agent's context type without type witnesses")
class ContextTypeInferenceTest {

    record Support(String customerId, boolean vip) {}

    record Refund(String invoiceId, int amount) {}

    record NoArgs() {}

    final List<String> refunded = new CopyOnWriteArrayList<>();

    @Test
    @DisplayName("Tool.of(...).requiringApproval() inside an agent's tools(...) pauses the run for approval")
    void a_tool_made_and_marked_for_approval_inside_the_builder_pauses_the_run() {
        Agent<Support> billing = Agent.<Support>builder("billing")
                .tools(Tool.of("process_refund", "Refund an invoice.", Refund.class, (ctx, a) -> {
                    refunded.add(a.invoiceId());
                    return "refunded";
                }).requiringApproval())
                .build();
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"), reply("Refund done."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

        RunResult paused = runner.run(billing, "refund INV-9", RunOptions.context(new Support("C-1", false)));

        assertThat(paused.isPaused()).isTrue();
        assertThat(refunded).isEmpty();
        RunResult done = runner.resume(billing, paused.toState().approve(paused.interruptions().get(0).callId()),
                RunOptions.context(new Support("C-1", false)));
        assertThat(done.finalOutput()).isEqualTo("Refund done.");
        assertThat(refunded).containsExactly("INV-9");
    }

    @Test
    @DisplayName("an approval policy given in the chain reads the agent's context type")
    void an_approval_policy_in_the_chain_reads_the_context() {
        Agent<Support> billing = Agent.<Support>builder("billing")
                .tools(Tool.of("process_refund", "Refund an invoice.", Refund.class, (ctx, a) -> {
                    refunded.add(a.invoiceId());
                    return "refunded";
                }).requiringApproval((ctx, arguments) -> !ctx.context().vip()))
                .build();
        Runner runner = Runner.create();

        RunResult forVip = runner.run(billing, "refund", RunOptions.context(new Support("C-1", true)).withModel(
                new Script(call("process_refund", "{\"invoice_id\":\"INV-1\",\"amount\":10}"), reply("Done."))));
        RunResult forOthers = runner.run(billing, "refund", RunOptions.context(new Support("C-2", false)).withModel(
                new Script(call("process_refund", "{\"invoice_id\":\"INV-2\",\"amount\":10}"))));

        assertThat(forVip.isPaused()).isFalse();
        assertThat(forOthers.isPaused()).isTrue();
        assertThat(refunded).containsExactly("INV-1");
    }

    @Test
    @DisplayName("a tool changed in a chain (a Tool<Object>) fits an agent of any context type and sees its context")
    void a_tool_written_for_any_context_fits_the_agent_and_receives_its_context() {
        var whoAsks = Tool.of("who_asks", "Who is asking.", NoArgs.class, (ctx, a) -> String.valueOf(ctx.context()))
                .withTimeout(Duration.ofSeconds(30));
        Agent<Support> billing = Agent.<Support>builder("billing").tools(whoAsks).build();
        Agent<Support> technical = Agent.<Support>builder("technical").tools(List.of(whoAsks)).build();
        Script model = new Script(call("who_asks", "{}"), reply("ok"));

        RunResult result = Runner.create().run(billing, "hi", RunOptions.context(new Support("C-7", false)).withModel(model));

        assertThat(result.newItems()).filteredOn(i -> i instanceof dev.baton.item.RunItem.ToolOutputItem)
                .extracting(i -> ((dev.baton.item.RunItem.ToolOutputItem) i).output().output())
                .containsExactly("Support[customerId=C-7, vip=false]");
        assertThat(technical.tool("who_asks")).isNotNull();
    }

    @Test
    @DisplayName("Handoff.to(\"name\") with settings chained on it goes straight into handoffs(...)")
    void a_handoff_by_name_with_chained_settings_needs_no_witness() {
        Agent<Support> triage = Agent.<Support>builder("triage").handoffs("billing").build();
        Agent<Support> billing = Agent.<Support>builder("billing")
                .handoffs(Handoff.to("triage").toolName("back_to_triage").description("The customer changed topic"))
                .build();
        Team<Support> desk = Team.of(triage, billing);
        Script model = new Script(Script.handoff("billing"), call("back_to_triage", "{}"), reply("Triage here."));

        RunResult result = Runner.create().run(desk.agent("triage"), "hi",
                RunOptions.context(new Support("C-1", false)).withModel(model));

        assertThat(result.handoffs()).extracting(java.util.Map.Entry::getValue).containsExactly("billing", "triage");
        assertThat(model.requests.get(1).handoffs().get(0).tool().description()).isEqualTo("The customer changed topic");
    }
}
