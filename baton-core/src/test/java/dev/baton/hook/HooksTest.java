package dev.baton.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.CallbackFailed;
import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.RunContext;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Lifecycle hooks")
class HooksTest {

    record Lookup(String invoiceId) {}

    /** Triage hands to billing; billing looks up an invoice, then answers. */
    static final Model DESK = new Model() {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public ModelResponse respond(ModelRequest r) {
            if (r.handoffTo("billing") != null) {
                return new ModelResponse(List.of(new ToolCall("c1", "transfer_to_billing", "{}")), Usage.of(1, 1));
            }
            if (r.lastInput() instanceof dev.baton.item.ToolOutput out && out.callId().equals("c1")) {
                return new ModelResponse(List.of(new ToolCall("c2", "lookup", "{\"invoice_id\":\"INV-1\"}")), Usage.of(1, 1));
            }
            return new ModelResponse(List.of(Message.assistant("Paid.")), Usage.of(1, 1));
        }
    };

    static final class Recorder implements RunHooks<StringBuilder> {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onAgentStart(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent) {
            events.add("start " + agent.name());
        }

        @Override
        public void onAgentEnd(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent, Object output) {
            events.add("end " + agent.name() + ": " + output);
        }

        @Override
        public void onModelStart(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent, ModelRequest request) {
            events.add("model " + agent.name());
        }

        @Override
        public void onModelEnd(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent, ModelResponse response) {
            events.add("model done " + agent.name());
        }

        @Override
        public void onHandoff(RunContext<StringBuilder> ctx, Agent<StringBuilder> from, Agent<StringBuilder> to) {
            events.add("handoff " + from.name() + " -> " + to.name());
        }

        @Override
        public void onToolStart(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent, Tool<StringBuilder> tool,
                String callId, String arguments) {
            ctx.context().append("hook saw the context;");
            events.add("tool " + tool.name() + " " + callId + " " + arguments);
        }

        @Override
        public void onToolEnd(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent, Tool<StringBuilder> tool,
                String callId, String result) {
            events.add("tool done " + tool.name() + " " + callId + " " + result);
        }
    }

    static Agent<StringBuilder> triage(AgentHooks<StringBuilder> billingHooks) {
        Tool<StringBuilder> lookup = Tool.of("lookup", "", Lookup.class, (ctx, a) -> {
            ctx.context().append("tool saw the context;");
            return "paid";
        });
        Agent<StringBuilder> billing = Agent.<StringBuilder>builder("billing").tools(lookup).hooks(billingHooks).build();
        return Agent.<StringBuilder>builder("triage").handoffs(billing).build();
    }

    @Test
    void run_hooks_see_every_step_in_order_with_the_same_context_as_tools() {
        Recorder run = new Recorder();
        StringBuilder context = new StringBuilder();

        Runner.create(RunConfig.builder().defaultModel(DESK).build())
                .run(triage(new AgentHooks<>() { }), "invoice?", RunOptions.context(context).withHooks(run));

        assertThat(run.events).containsExactly(
                "start triage", "model triage", "model done triage", "handoff triage -> billing",
                "start billing", "model billing", "model done billing",
                "tool lookup c2 {\"invoice_id\":\"INV-1\"}", "tool done lookup c2 paid",
                "model billing", "model done billing", "end billing: Paid.");
        assertThat(context).hasToString("hook saw the context;tool saw the context;");
    }

    @Test
    void agent_hooks_see_only_their_agent_and_the_handoff_to_it() {
        Recorder billing = new Recorder();

        Runner.create(RunConfig.builder().defaultModel(DESK).build())
                .run(triage(billing), "invoice?", RunOptions.context(new StringBuilder()));

        assertThat(billing.events).first().isEqualTo("handoff triage -> billing");
        assertThat(billing.events).noneMatch(e -> e.contains("model triage"));
        assertThat(billing.events).contains("start billing", "end billing: Paid.");
    }

    @Test
    void runner_hooks_apply_to_every_run() {
        Recorder everywhere = new Recorder();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(DESK).hooks(everywhere).build());

        runner.run(triage(new AgentHooks<>() { }), "invoice?", RunOptions.context(new StringBuilder()));

        assertThat(everywhere.events).contains("handoff triage -> billing", "end billing: Paid.");
    }

    @Test
    void a_hook_that_throws_fails_the_run_naming_the_hook() {
        RunHooks<StringBuilder> broken = new RunHooks<>() {
            @Override
            public void onToolStart(RunContext<StringBuilder> ctx, Agent<StringBuilder> agent, Tool<StringBuilder> tool,
                    String callId, String arguments) {
                throw new IllegalStateException("audit store down");
            }
        };

        assertThatThrownBy(() -> Runner.create(RunConfig.builder().defaultModel(DESK).build())
                .run(triage(new AgentHooks<>() { }), "invoice?", RunOptions.context(new StringBuilder()).withHooks(broken)))
                .isInstanceOf(CallbackFailed.class)
                .hasMessageContaining("onToolStart")
                .hasMessageContaining("audit store down");
    }
}
