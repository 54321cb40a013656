package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.item.ToolOutput;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Human approval of tools")
class ApprovalTest {

    record Refund(String invoiceId, int amount) {}

    final AtomicInteger refunds = new AtomicInteger();

    Tool<Void> refundTool() {
        return Tool.<Void, Refund>of("process_refund", "Refund an invoice.", Refund.class, (ctx, a) -> {
            refunds.incrementAndGet();
            return "refunded " + a.amount();
        }).requiringApproval((ctx, args) -> dev.baton.schema.JsonArguments.bind(args, Refund.class).amount() > 200);
    }

    Agent<Void> billing() {
        return Agent.<Void>builder("billing").tools(refundTool()).build();
    }

    @Test
    void a_call_needing_approval_pauses_the_run_and_runs_once_when_approved() {
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"), reply("Refund done."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        Agent<Void> billing = billing();

        RunResult paused = runner.run(billing, "refund 450");

        assertThat(paused.isPaused()).isTrue();
        assertThat(paused.finalOutput()).isNull();
        assertThat(refunds).hasValue(0);
        assertThat(paused.interruptions()).singleElement().satisfies(r -> {
            assertThat(r.toolName()).isEqualTo("process_refund");
            assertThat(r.agent()).isEqualTo("billing");
            assertThat(r.arguments()).contains("450");
        });
        RunState state = paused.toState().approve(paused.interruptions().get(0).callId());

        RunResult done = runner.resume(billing, state);

        assertThat(done.isPaused()).isFalse();
        assertThat(done.finalOutput()).isEqualTo("Refund done.");
        assertThat(done.runId()).isEqualTo(paused.runId());
        assertThat(refunds).hasValue(1);
        assertThat(done.newItems()).extracting(i -> i.getClass().getSimpleName())
                .containsExactly("ToolCallItem", "ToolOutputItem", "MessageItem");
        assertThat(done.usage().requests()).isEqualTo(2);
    }

    @Test
    void calls_the_policy_lets_through_run_without_approval() {
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-1\",\"amount\":99}"), reply("Done."));

        RunResult result = Runner.create().run(billing(), "refund 99", RunOptions.<Void>none().withModel(model));

        assertThat(result.isPaused()).isFalse();
        assertThat(refunds).hasValue(1);
    }

    @Test
    void a_rejected_call_does_not_run_and_the_model_reads_the_message() {
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"), reply("A manager declined it."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        RunResult paused = runner.run(billing(), "refund 450");

        RunResult done = runner.resume(billing(), paused.toState()
                .reject(paused.interruptions().get(0).callId(), "Declined: refunds above $200 need a second invoice check."));

        assertThat(refunds).hasValue(0);
        assertThat(model.requests.get(1).input()).last().isInstanceOfSatisfying(ToolOutput.class,
                o -> assertThat(o.output()).isEqualTo("The call was not approved by a human reviewer, so process_refund did not "
                        + "run. The reviewer said: Declined: refunds above $200 need a second invoice check."));
        assertThat(done.finalOutput()).isEqualTo("A manager declined it.");
    }

    @Test
    void an_always_decision_sticks_for_the_rest_of_the_run() {
        Script model = new Script(
                call("process_refund", "{\"invoice_id\":\"A\",\"amount\":300}"),
                call("process_refund", "{\"invoice_id\":\"B\",\"amount\":400}"),
                reply("Both refunded."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        RunResult paused = runner.run(billing(), "refund both");

        RunResult done = runner.resume(billing(), paused.toState().approveAlways(paused.interruptions().get(0).callId()));

        assertThat(done.isPaused()).isFalse();
        assertThat(refunds).hasValue(2);
    }

    @Test
    void other_calls_of_the_turn_run_once_and_the_session_gets_each_item_once() {
        Tool<Void> lookup = Tool.of("look_up", "", Refund.class, (ctx, a) -> "found " + a.invoiceId());
        AtomicInteger lookups = new AtomicInteger();
        Tool<Void> countingLookup = Tool.<Void, Refund>of("look_up", "", Refund.class, (ctx, a) -> {
            lookups.incrementAndGet();
            return "found " + a.invoiceId();
        });
        Agent<Void> billing = Agent.<Void>builder("billing").tools(refundTool(), countingLookup).build();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs(billing).build();
        Script model = new Script(handoff("billing"),
                Script.items(toolCall("look_up", "{\"invoice_id\":\"INV-9\",\"amount\":0}"),
                        toolCall("process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}")),
                reply("Refunded."));
        InMemorySessionStore store = new InMemorySessionStore();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(store).build());

        RunResult paused = runner.run(triage, "refund 450", RunOptions.session("t-1"));
        assertThat(paused.lastAgent()).isEqualTo("billing");
        assertThat(store.activeAgent("t-1")).contains("billing");
        int savedAtPause = store.items("t-1", 0).size();
        RunResult done = runner.resume(triage, paused.toState().approve(paused.interruptions().get(0).callId()),
                RunOptions.session("t-1"));

        assertThat(lookups).hasValue(1);
        assertThat(refunds).hasValue(1);
        assertThat(savedAtPause).isEqualTo(3);
        assertThat(store.items("t-1", 0)).hasSize(3 + 4 + 1);
        assertThat(store.items("t-1", 0)).doesNotHaveDuplicates();
        assertThat(done.newItems()).hasSize(2 + 4 + 1).doesNotHaveDuplicates();
        assertThat(done.lastAgent()).isEqualTo("billing");
        assertThat(lookup).isNotNull();
    }

    @Test
    void the_state_travels_as_json_and_rejects_other_agent_definitions() {
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"), reply("Refund done."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        RunResult paused = runner.run(billing(), "refund 450");
        String json = paused.toState().toJson();

        RunState restored = RunState.fromJson(json);
        assertThat(restored.pendingApprovals()).isEqualTo(paused.interruptions());
        Agent<Void> impostor = Agent.<Void>builder("billing").instructions("something else").tools(refundTool()).build();
        assertThatThrownBy(() -> runner.resume(impostor, RunState.fromJson(json)))
                .isInstanceOf(UserError.class).hasMessageContaining("same agent definitions");

        RunResult done = runner.resume(billing(), restored.approve(restored.pendingApprovals().get(0).callId()));
        assertThat(done.finalOutput()).isEqualTo("Refund done.");
        assertThatThrownBy(() -> RunState.fromJson("{\"version\":99}")).isInstanceOf(UserError.class);
        assertThatThrownBy(() -> restored.approve("call_unknown")).isInstanceOf(UserError.class);
    }

    @Test
    void undecided_calls_pause_again_and_a_stream_ends_with_run_paused() {
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"), reply("Refund done."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        List<RunEvent> events = new ArrayList<>();
        RunResult paused;
        try (RunStream stream = runner.stream(billing(), "refund 450", RunOptions.none())) {
            stream.forEach(events::add);
            paused = stream.result();
        }
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunEvent.RunPaused.class);
        assertThat(events).filteredOn(e -> e instanceof RunEvent.ApprovalRequested).hasSize(1);

        RunResult again = runner.resume(billing(), paused.toState());

        assertThat(again.isPaused()).isTrue();
        assertThat(refunds).hasValue(0);
        assertThat(again.newItems()).filteredOn(i -> i instanceof RunItem.ToolCallItem).hasSize(1);
        assertThat(again.toInputList()).startsWith(Message.user("refund 450"));
    }

    @Test
    void approvals_inside_an_agent_used_as_a_tool_pause_and_resume_the_caller_too() {
        Agent<Void> billing = billing();
        Agent<Void> support = Agent.<Void>builder("support").tools(billing.asTool("ask_billing", "Ask billing to act")).build();
        dev.baton.model.Model model = request -> switch (request.agent()) {
            case "support" -> request.lastInput() instanceof Message
                    ? Script.response(new dev.baton.item.ToolCall("call_outer", "ask_billing", "{\"input\":\"refund INV-9, $450\"}"))
                    : Script.response(Message.assistant("Billing says: " + ((ToolOutput) request.lastInput()).output()));
            case "billing" -> request.lastInput() instanceof Message
                    ? Script.response(new dev.baton.item.ToolCall("call_inner", "process_refund", "{\"invoice_id\":\"INV-9\",\"amount\":450}"))
                    : Script.response(Message.assistant("refunded INV-9"));
            default -> throw new AssertionError(request.agent());
        };
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

        RunResult paused = runner.run(support, "please refund INV-9");

        assertThat(paused.isPaused()).isTrue();
        assertThat(paused.interruptions()).singleElement().satisfies(r -> {
            assertThat(r.agent()).isEqualTo("billing");
            assertThat(r.callId()).isEqualTo("call_inner");
        });
        assertThat(refunds).hasValue(0);
        RunState state = RunState.fromJson(paused.toState().toJson()).approve("call_inner");

        RunResult done = runner.resume(support, state);

        assertThat(done.isPaused()).isFalse();
        assertThat(done.finalOutput()).isEqualTo("Billing says: refunded INV-9");
        assertThat(refunds).hasValue(1);
    }
}
