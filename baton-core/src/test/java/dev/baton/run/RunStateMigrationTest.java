package dev.baton.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.tool.Tool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Paused runs written by earlier builds resume with this one. The fixture
 * {@code paused-state-v1.json} was written by {@link RunState#toJson()} as it was before the loop
 * kept its state in one record (version 1, 21 positional fields): a support desk paused for two
 * approvals after a handoff, one of them inside an agent used as a tool, with usage, an input
 * guardrail's result and model responses from before the pause. It was written by
 * {@code runner.run(triage(), "please refund INV-9 and credit $50", RunOptions.none().withMaxTurns(7))}
 * with {@link #MODEL}, and is kept as it was written.
 */
@DisplayName("RunState written by earlier builds")
class RunStateMigrationTest {
    record Refund(String invoiceId, int amount) {}

    record Credit(String invoiceId, int amount) {}

    final AtomicInteger refunds = new AtomicInteger();
    final AtomicInteger credits = new AtomicInteger();

    /** The desk the fixture was paused with; its definitions (and so their fingerprints) must not change. */
    Agent<Void> triage() {
        Tool<Void> issueCredit = Tool.<Void, Credit>of("issue_credit", "Credit an invoice.", Credit.class, (ctx, c) -> {
            credits.incrementAndGet();
            return "credited " + c.invoiceId() + " $" + c.amount();
        }).requiringApproval();
        Agent<Void> billing = Agent.<Void>builder("billing").instructions("Issue credits.").tools(issueCredit).build();
        Tool<Void> processRefund = Tool.<Void, Refund>of("process_refund", "Refund an invoice.", Refund.class, (ctx, r) -> {
            refunds.incrementAndGet();
            return "refunded " + r.invoiceId() + " $" + r.amount();
        }).requiringApproval();
        Agent<Void> support = Agent.<Void>builder("support").instructions("Refund, and ask billing for credits.")
                .tools(processRefund, billing.asTool("ask_billing", "Ask billing to credit an invoice")).build();
        InputGuardrail<Void> polite = InputGuardrail.of("polite", (ctx, agent, input) ->
                GuardrailOutput.pass(Map.of("checked", "polite")));
        return Agent.<Void>builder("triage").instructions("Route to support.").handoffs(support).inputGuardrails(polite).build();
    }

    /** A model that is a function of the request, so the run after the pause answers as it would have. */
    static final Model MODEL = request -> switch (request.agent()) {
        case "triage" -> Script.response(new ToolCall("call_h", "transfer_to_support", "{}"));
        case "support" -> request.lastInput() instanceof ToolOutput o && o.callId().equals("call_h")
                ? Script.response(
                        new ToolCall("call_refund", "process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"),
                        new ToolCall("call_outer", "ask_billing", "{\"input\":\"credit INV-9 $50\"}"))
                : Script.response(Message.assistant("Done: " + outputs(request.input())));
        case "billing" -> request.lastInput() instanceof Message
                ? Script.response(new ToolCall("call_inner", "issue_credit", "{\"invoice_id\":\"INV-9\",\"amount\":50}"))
                : Script.response(Message.assistant("billing: " + ((ToolOutput) request.lastInput()).output()));
        default -> throw new AssertionError(request.agent());
    };

    private static String outputs(List<dev.baton.item.Item> input) {
        return String.join("; ", input.stream().filter(i -> i instanceof ToolOutput o && !o.callId().equals("call_h"))
                .map(i -> ((ToolOutput) i).output()).toList());
    }

    static String fixture() throws IOException {
        try (InputStream in = RunStateMigrationTest.class.getResourceAsStream("paused-state-v1.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void a_paused_state_of_version_1_resumes_to_completion() throws IOException {
        RunState state = RunState.fromJson(fixture());
        assertThat(state.pendingApprovals()).extracting(ApprovalRequest::callId).containsExactly("call_refund", "call_inner");
        assertThat(state.pendingApprovals()).extracting(ApprovalRequest::agent).containsExactly("support", "billing");

        RunResult done = Runner.create(RunConfig.builder().defaultModel(MODEL).build())
                .resume(triage(), state.approve("call_refund").approve("call_inner"));

        assertThat(done.isPaused()).isFalse();
        assertThat(done.runId()).isEqualTo(state.runId());
        assertThat(done.finalOutput()).isEqualTo("Done: refunded INV-9 $450; billing: credited INV-9 $50");
        assertThat(done.lastAgent()).isEqualTo("support");
        assertThat(refunds).hasValue(1);
        assertThat(credits).hasValue(1);
        assertThat(done.handoffs()).containsExactly(Map.entry("triage", "support"));
        assertThat(done.newItems()).filteredOn(i -> i instanceof RunItem.ToolOutputItem)
                .extracting(i -> ((RunItem.ToolOutputItem) i).output().callId()).containsExactly("call_refund", "call_outer");
        assertThat(done.guardrailResults()).extracting(GuardrailResult::name).containsExactly("polite");
        assertThat(done.rawResponses()).as("the two before the pause and the one after").hasSize(3);
        assertThat(done.usage().requests()).as("three of the run's own, two of billing's as a tool").isEqualTo(5);
        assertThat(done.usageByAgent()).containsOnlyKeys("triage", "support", "billing");
        assertThat(done.usageByAgent().get("billing").requests()).isEqualTo(2);
        assertThat(done.turns()).isEqualTo(3);
        assertThat(done.input()).containsExactly(Message.user("please refund INV-9 and credit $50"));
    }

    @Test
    void a_resumed_version_1_state_keeps_the_options_it_was_paused_with() throws IOException {
        RunState state = RunState.fromJson(fixture()).approve("call_refund").approve("call_inner");

        // The fixture's run had a limit of 7 turns; a resume that does not set one keeps it.
        assertThat(state.data().options().maxTurns()).isEqualTo(7);
    }

    @Test
    void a_version_1_state_is_written_again_in_the_current_version_and_reads_back_the_same() throws IOException {
        RunState old = RunState.fromJson(fixture()).approve("call_refund");

        String json = old.toJson();
        RunState again = RunState.fromJson(json);

        assertThat(json).startsWith("{\"version\":" + RunState.VERSION + ",");
        assertThat(again.runId()).isEqualTo(old.runId());
        assertThat(again.pendingApprovals()).extracting(ApprovalRequest::callId).containsExactly("call_inner");
        assertThat(again.data().loop()).isEqualTo(old.data().loop());
        assertThat(again.data().pause().nested()).containsOnlyKeys("call_outer");
        assertThat(again.data().pause().nested().get("call_outer").loop())
                .isEqualTo(old.data().pause().nested().get("call_outer").loop());
    }

    @Test
    void a_state_of_a_version_this_build_does_not_know_is_refused_naming_both_versions() {
        assertThatThrownBy(() -> RunState.fromJson("{\"version\":99}"))
                .isInstanceOf(dev.baton.UserError.class)
                .hasMessageContaining("version 99").hasMessageContaining("version " + RunState.VERSION);
    }
}
