package dev.baton.runtime.handoff;

import static dev.baton.testing.Steps.handoffTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.human.HumanQueue;
import dev.baton.item.Item;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seed 001's console conversation, played on the in-process runtime: the customer asks triage for
 * a refund, is handed to issues and repairs, gets the refund, asks for a manager, goes back to
 * triage and on to the human agent, whom a person answers from outside the runtime.
 */
@DisplayName("The seed's support conversation on the in-process runtime")
class SeedConversationTest {

    final InMemorySessionStore sessions = new InMemorySessionStore();
    final HumanQueue people = new HumanQueue();
    final AtomicBoolean open = new AtomicBoolean(true);
    final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    final InProcessRuntime runtime = InProcessRuntime.builder().deadLetters(deadLetters).build();

    @AfterEach
    void close() {
        open.set(false);
        runtime.close();
    }

    @Test
    void the_seed_conversation_plays_through_with_the_same_agents_tools_and_arguments() {
        playSeed(people, () -> {});
    }

    @Test
    void the_manager_can_answer_through_the_runtime_from_wherever_the_operator_is_hosted() {
        RuntimeHumans humans = new RuntimeHumans();
        playSeed(humans, () -> {
            humans.bind(runtime);
            RuntimeHumans.hostOperator(runtime, people);
        });
    }

    @Test
    void a_human_agent_without_an_operator_fails_its_turn_visibly() {
        ScriptedModel model = ScriptedModel.create().forAgent("triage_agent", handoffTo("human_agent"));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        RuntimeHumans humans = new RuntimeHumans();
        HandoffDesk<Void> desk = HandoffDesk.builder(SeedDesk.create().team(humans).agent("triage_agent"), runner).build();
        Transcript customer = new Transcript("I want to talk to your manager");
        desk.host(runtime);
        desk.hostUser(runtime, customer);
        humans.bind(runtime);

        desk.login(runtime, "no-operator");
        runtime.stopWhenIdle();

        assertThat(customer.failures).singleElement().satisfies(f -> {
            assertThat(f.agent()).isEqualTo("human_agent");
            assertThat(f.error()).contains("did not reach an operator").contains(RuntimeHumans.OPERATOR);
        });
    }

    void playSeed(dev.baton.human.HumanChannel channel, Runnable wire) {
        ScriptedModel model = SeedDesk.model();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        SeedDesk seed = SeedDesk.create();
        HandoffDesk<Void> desk = HandoffDesk.builder(seed.team(channel).agent("triage_agent"), runner).build();
        Transcript customer = new Transcript(SeedDesk.CUSTOMER.toArray(String[]::new));
        desk.host(runtime);
        desk.hostUser(runtime, customer);
        wire.run();
        SeedDesk.manager(people, open, SeedDesk.MANAGER);

        desk.login(runtime, "7a568cf5");
        runtime.stopWhenIdle();

        assertThat(customer.said).containsExactlyElementsOf(SeedDesk.TRANSCRIPT);
        List<Item> conversation = sessions.items("7a568cf5", 0);
        assertThat(conversation).filteredOn(ToolCall.class::isInstance).map(i -> (ToolCall) i)
                .extracting(ToolCall::name, ToolCall::arguments)
                .containsExactlyElementsOf(SeedDesk.TOOL_CALLS.stream().map(c -> org.assertj.core.groups.Tuple.tuple(c.get(0), c.get(1))).toList());
        assertThat(conversation).filteredOn(ToolOutput.class::isInstance).map(i -> ((ToolOutput) i).output())
                .contains("item_132612938", "success");
        assertThat(sessions.activeAgent("7a568cf5")).as("the human agent holds the conversation").contains("human_agent");
        assertThat(seed.refunds).as("execute_refund calls").hasValue(1);
        assertThat(model.requestsFor("triage_agent")).hasSize(3);
        model.assertAllStepsUsed();
        assertThat(deadLetters.list()).isEmpty();
    }
}
