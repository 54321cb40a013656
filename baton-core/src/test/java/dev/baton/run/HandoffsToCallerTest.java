package dev.baton.run;

import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.session.InMemorySessionStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A host that routes handoffs itself (the publish/subscribe runtime publishes the conversation to
 * the target's topic) runs one agent's part of the conversation at a time.
 */
@DisplayName("Handoffs returned to the caller")
class HandoffsToCallerTest {

    final InMemorySessionStore sessions = new InMemorySessionStore();
    final List<String> onHandoff = new CopyOnWriteArrayList<>();
    final Agent<Void> billing = Agent.<Void>builder("billing").instructions("Billing.").build();
    final Agent<Void> sales = Agent.<Void>builder("sales").instructions("Sales.").build();
    final Agent<Void> triage = Agent.<Void>builder("triage")
            .handoffs(Handoff.to(billing).onHandoff(ctx -> onHandoff.add("billing")),
                    Handoff.to(sales).onHandoff(ctx -> onHandoff.add("sales")))
            .build();

    Runner runner(Script model) {
        return Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
    }

    static RunOptions<Void> hosted(String session) {
        return RunOptions.<Void>session(session).withHandoffsToCaller(true);
    }

    @Test
    void the_run_ends_after_the_turn_that_hands_off_and_names_the_target() {
        Script model = new Script(handoff("billing"));

        RunResult result = runner(model).run(triage, "I was charged twice", hosted("s1"));

        assertThat(model.calls()).as("the target is not run here").isEqualTo(1);
        assertThat(result.isHandedOff()).isTrue();
        assertThat(result.handedOffTo()).containsExactly("billing");
        assertThat(result.finalOutput()).isNull();
        assertThat(result.lastAgent()).isEqualTo("billing");
        assertThat(result.handoffs()).containsExactly(java.util.Map.entry("triage", "billing"));
        assertThat(onHandoff).containsExactly("billing");
        assertThat(sessions.activeAgent("s1")).as("the session is held by the target").contains("billing");
        assertThat(sessions.items("s1", 0)).last().isInstanceOf(ToolOutput.class);
        assertThat(result.conversation()).last().isInstanceOf(ToolOutput.class);
    }

    @Test
    void every_transfer_of_one_response_is_carried_out_none_ignored() {
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        Script model = new Script(items(toolCall("transfer_to_billing", "{}"), toolCall("transfer_to_sales", "{}")));

        RunResult result = runner(model).run(triage, "refund this and sell me that",
                hosted("s2").withListener(events::add));

        assertThat(result.handedOffTo()).containsExactly("billing", "sales");
        assertThat(onHandoff).containsExactly("billing", "sales");
        assertThat(events).filteredOn(RunEvent.HandoffOccurred.class::isInstance)
                .extracting(e -> ((RunEvent.HandoffOccurred) e).to()).containsExactly("billing", "sales");
        assertThat(events).noneMatch(RunEvent.HandoffIgnored.class::isInstance);
        assertThat(events).last().isInstanceOfSatisfying(RunEvent.RunCompleted.class,
                c -> assertThat(c.finalOutput()).isNull());
        assertThat(result.newItems()).filteredOn(RunItem.HandoffOutputItem.class::isInstance)
                .extracting(i -> ((RunItem.HandoffOutputItem) i).target()).containsExactly("billing", "sales");
        assertThat(sessions.activeAgent("s2")).contains("billing");
    }

    @Test
    void the_target_runs_on_the_session_without_new_input_and_reads_the_transfer() {
        Script model = new Script(handoff("billing"), reply("I see the double charge; refund started."));
        Runner runner = runner(model);
        runner.run(triage, "I was charged twice", hosted("s3"));

        RunResult answer = runner.run(billing, List.<Item>of(), hosted("s3"));

        assertThat(answer.finalOutput()).isEqualTo("I see the double charge; refund started.");
        assertThat(answer.isHandedOff()).isFalse();
        assertThat(model.requests.get(1).agent()).isEqualTo("billing");
        List<Item> read = model.requests.get(1).input();
        assertThat(read.get(0)).isEqualTo(dev.baton.item.Message.user("I was charged twice"));
        assertThat(read).last().isInstanceOf(ToolOutput.class);
        assertThat(read).anySatisfy(i -> assertThat(i).isInstanceOf(ToolCall.class));
        assertThat(sessions.activeAgent("s3")).contains("billing");
    }

    @Test
    void the_given_agent_runs_even_when_another_holds_the_session() {
        Script model = new Script(handoff("billing"), reply("Sales here: what are you after?"));
        Runner runner = runner(model);
        runner.run(triage, "hello", hosted("s4"));
        assertThat(sessions.activeAgent("s4")).contains("billing");

        RunResult result = runner.run(sales, List.<Item>of(), hosted("s4"));

        assertThat(model.requests.get(1).agent()).isEqualTo("sales");
        assertThat(result.lastAgent()).isEqualTo("sales");
        assertThat(sessions.activeAgent("s4")).contains("sales");
    }

    @Test
    void without_the_option_the_run_carries_on_with_the_target_and_the_holder_runs() {
        Script model = new Script(handoff("billing"), reply("Billing here."), reply("Still billing."));
        Runner runner = runner(model);

        RunResult first = runner.run(triage, "hi", RunOptions.session("s5"));
        RunResult second = runner.run(triage, "and?", RunOptions.session("s5"));

        assertThat(first.handedOffTo()).isEmpty();
        assertThat(first.finalOutput()).isEqualTo("Billing here.");
        assertThat(model.requests.get(2).agent()).isEqualTo("billing");
        assertThat(second.lastAgent()).isEqualTo("billing");
    }
}
