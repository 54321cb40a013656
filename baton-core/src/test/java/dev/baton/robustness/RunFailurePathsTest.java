package dev.baton.robustness;

import static dev.baton.robustness.Scripted.calls;
import static dev.baton.robustness.Scripted.handoff;
import static dev.baton.robustness.Scripted.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.CallbackFailed;
import dev.baton.agent.Agent;
import dev.baton.agent.ToolUseBehavior;
import dev.baton.handoff.Handoff;
import dev.baton.item.Message;
import dev.baton.run.RunConfig;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunFailurePathsTest {
    record Q(String q) {}

    @Test
    void a_failing_handoff_filter_leaves_the_session_without_the_failed_turn() {
        // concepts.md: "If a run fails, the session keeps what earlier turns did. The items of a
        // failing turn are not saved." Today handOff() saves the turn before the filter runs, and
        // the active agent is not updated, so the session says "transferred to billing" while
        // triage still holds it.
        InMemorySessionStore store = new InMemorySessionStore();
        Agent<Void> billing = Agent.<Void>builder("billing").build();
        Agent<Void> triage = Agent.<Void>builder("triage")
                .handoffs(Handoff.to(billing).inputFilter(d -> { throw new IllegalStateException("boom"); }))
                .build();
        Runner runner = Runner.create(RunConfig.builder().sessionStore(store)
                .defaultModel(new Scripted().forAgent("triage", handoff("billing"))).build());

        assertThatThrownBy(() -> runner.run(triage, "charged twice", RunOptions.session("t")))
                .isInstanceOf(CallbackFailed.class);

        boolean consistent = store.items("t", 0).equals(List.of(Message.user("charged twice")))
                || store.activeAgent("t").equals(Optional.of("billing"));
        assertThat(consistent).as("items %s, active agent %s", store.items("t", 0), store.activeAgent("t")).isTrue();
    }

    @Test
    void a_listener_failing_on_RunCompleted_does_not_produce_two_terminal_events() {
        Agent<Void> a = Agent.<Void>builder("a").model(new Scripted().forAgent("a", reply("done"))).build();
        List<RunEvent> events = new ArrayList<>();
        try {
            Runner.create().run(a, "hi", RunOptions.<Void>none().withListener(e -> {
                events.add(e);
                if (e instanceof RunEvent.RunCompleted) {
                    throw new IllegalStateException("listener bug");
                }
            }));
        } catch (CallbackFailed ignored) {
            // today the completed run is turned into a failure after RunCompleted was published
        }
        assertThat(events.stream().filter(RunEvent::isTerminal)).hasSize(1);
    }

    @Test
    void a_custom_tool_use_behaviour_returning_null_fails_with_CallbackFailed() {
        Tool<Void> t = Tool.of("t", "", Q.class, (ctx, q) -> "x");
        Agent<Void> a = Agent.<Void>builder("a").tools(t)
                .toolUseBehavior(ToolUseBehavior.custom((ctx, results) -> null))
                .model(new Scripted().forAgent("a", calls("t", "{\"q\":\"1\"}"))).build();

        assertThatThrownBy(() -> Runner.create().run(a, "hi"))
                .isInstanceOf(CallbackFailed.class); // today: a bare NullPointerException from RunLoop
    }

    @Test
    void the_in_memory_store_rejects_a_null_item_instead_of_poisoning_the_session() {
        InMemorySessionStore store = new InMemorySessionStore();
        List<dev.baton.item.Item> batch = new ArrayList<>();
        batch.add(Message.user("a"));
        batch.add(null);
        try {
            store.addItems("s", batch);
        } catch (NullPointerException rejected) {
            // fine: rejected up front
        }
        assertThat(store.items("s", 0)).doesNotContainNull(); // today: NPE on every later read
    }
}
