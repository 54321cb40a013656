package dev.baton.runtime.handoff;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanQueue;
import dev.baton.item.Item;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.schema.Description;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.time.Duration;
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

    record Search(@Description("A description or keywords of the item") String searchQuery) {}

    record Refund(@Description("The item's id") String itemId, @Description("Why") String reason) {}

    record Order(@Description("The product") String product, @Description("Price in USD") int price) {}

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

    static Team<Void> seedDesk(dev.baton.human.HumanChannel people) {
        Tool<Void> lookUp = Tool.of("look_up_item", "Find an item's id from a description.", Search.class,
                (ctx, a) -> "item_132612938");
        Tool<Void> refund = Tool.of("execute_refund", "Refund an item.", Refund.class, (ctx, a) -> "success");
        Tool<Void> order = Tool.of("execute_order", "Order a product.", Order.class, (ctx, a) -> "Success");
        Agent<Void> triage = Agent.<Void>builder("triage_agent")
                .instructions("You are a customer service bot for ACME Inc. Introduce yourself. Always be very brief.")
                .handoffs(Handoff.<Void>to("issues_and_repairs").toolName("transfer_to_issues_and_repairs")
                                .description("Use for issues, repairs, or refunds."),
                        Handoff.<Void>to("sales_agent").toolName("transfer_to_sales_agent")
                                .description("Use for anything sales or buying related."),
                        Handoff.<Void>to("human_agent").toolName("escalate_to_human")
                                .description("Only call this if explicitly asked to."))
                .build();
        Handoff<Void, Void> back = Handoff.<Void>to("triage_agent").toolName("transfer_back_to_triage")
                .description("Call this if the user brings up a topic outside of your purview, including escalating to human.");
        Agent<Void> sales = Agent.<Void>builder("sales_agent").instructions("You are a sales agent for ACME Inc.")
                .tools(order).handoffs(back).build();
        Agent<Void> repairs = Agent.<Void>builder("issues_and_repairs")
                .instructions("You are a customer support agent for ACME Inc.")
                .tools(refund, lookUp).handoffs(back).build();
        Agent<Void> human = HumanAgent.<Void>builder("human_agent").channel(people).timeout(Duration.ofMinutes(1)).build();
        return Team.of(triage, sales, repairs, human);
    }

    /** The manager, answering the human agent's questions from outside the runtime. */
    void manager(String... replies) {
        Thread.ofVirtual().start(() -> {
            for (String text : replies) {
                while (open.get()) {
                    var question = people.poll(Duration.ofMillis(200));
                    if (question.isPresent()) {
                        question.get().reply(text);
                        break;
                    }
                }
            }
        });
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
        HandoffDesk<Void> desk = HandoffDesk.builder(seedDesk(humans).agent("triage_agent"), runner).build();
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
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage_agent",
                        reply("I can help with that! Could I ask what item you're seeking a refund for?"),
                        handoffTo("issues_and_repairs"),
                        handoffTo("human_agent"))
                .forAgent("issues_and_repairs",
                        reply("I see you're looking for a refund on a pair of shoes. Can you tell me what the issue is with the shoes?"),
                        reply("I recommend trying a size up as a fix; would that work for you?"),
                        callTool("look_up_item", "{\"search_query\":\"shoes\"}"),
                        callTool("execute_refund", "{\"item_id\":\"item_132612938\",\"reason\":\"not provided\"}"),
                        reply("Your refund has been successfully processed! If you have any other questions, feel free to ask."),
                        reply("I can help with that, let me transfer you to a supervisor."),
                        handoffTo("triage_agent"));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        HandoffDesk<Void> desk = HandoffDesk.builder(seedDesk(channel).agent("triage_agent"), runner).build();
        Transcript customer = new Transcript("I want a refund", "A pair of shoes I bought", "The shoes are too small",
                "no I want a refund", "I want to talk to your manager", "Okay",
                "Hi! Thanks for your service. I give you 5 stars!", "exit");
        desk.host(runtime);
        desk.hostUser(runtime, customer);
        wire.run();
        manager("Hello this is manager", "Thanks.");

        desk.login(runtime, "7a568cf5");
        runtime.stopWhenIdle();

        assertThat(customer.said).containsExactly(
                "user: I want a refund",
                "triage_agent: I can help with that! Could I ask what item you're seeking a refund for?",
                "user: A pair of shoes I bought",
                "issues_and_repairs: I see you're looking for a refund on a pair of shoes. Can you tell me what the issue is with the shoes?",
                "user: The shoes are too small",
                "issues_and_repairs: I recommend trying a size up as a fix; would that work for you?",
                "user: no I want a refund",
                "issues_and_repairs: Your refund has been successfully processed! If you have any other questions, feel free to ask.",
                "user: I want to talk to your manager",
                "issues_and_repairs: I can help with that, let me transfer you to a supervisor.",
                "user: Okay",
                "human_agent: Hello this is manager",
                "user: Hi! Thanks for your service. I give you 5 stars!",
                "human_agent: Thanks.",
                "(session ended)");
        List<Item> conversation = sessions.items("7a568cf5", 0);
        assertThat(conversation).filteredOn(ToolCall.class::isInstance).map(i -> (ToolCall) i)
                .extracting(ToolCall::name, ToolCall::arguments)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("transfer_to_issues_and_repairs", "{}"),
                        org.assertj.core.groups.Tuple.tuple("look_up_item", "{\"search_query\":\"shoes\"}"),
                        org.assertj.core.groups.Tuple.tuple("execute_refund", "{\"item_id\":\"item_132612938\",\"reason\":\"not provided\"}"),
                        org.assertj.core.groups.Tuple.tuple("transfer_back_to_triage", "{}"),
                        org.assertj.core.groups.Tuple.tuple("escalate_to_human", "{}"));
        assertThat(conversation).filteredOn(ToolOutput.class::isInstance).map(i -> ((ToolOutput) i).output())
                .contains("item_132612938", "success");
        assertThat(sessions.activeAgent("7a568cf5")).as("the human agent holds the conversation").contains("human_agent");
        assertThat(model.requestsFor("triage_agent")).hasSize(3);
        model.assertAllStepsUsed();
        assertThat(deadLetters.list()).isEmpty();
    }
}
