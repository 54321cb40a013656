package dev.baton.runtime.handoff;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanChannel;
import dev.baton.human.HumanQueue;
import dev.baton.schema.Description;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seed 001's support desk for the tests of the runtime, in process and on Kafka (this module's
 * test-jar): its agents, tools and handoffs, the scripted model steps of its console conversation,
 * the customer's lines and the transcript they give.
 */
public final class SeedDesk {

    public record Search(@Description("A description or keywords of the item") String searchQuery) {}

    public record Refund(@Description("The item's id") String itemId, @Description("Why") String reason) {}

    public record Order(@Description("The product") String product, @Description("Price in USD") int price) {}

    /** What the customer types, in order; "exit" ends the session. */
    public static final List<String> CUSTOMER = List.of("I want a refund", "A pair of shoes I bought", "The shoes are too small",
            "no I want a refund", "I want to talk to your manager", "Okay", "Hi! Thanks for your service. I give you 5 stars!", "exit");

    /** What the manager answers the human agent's questions with. */
    public static final List<String> MANAGER = List.of("Hello this is manager", "Thanks.");

    /** The conversation as the customer sees it. */
    public static final List<String> TRANSCRIPT = List.of(
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

    /** The tool calls of the conversation, name and arguments, in order. */
    public static final List<List<String>> TOOL_CALLS = List.of(
            List.of("transfer_to_issues_and_repairs", "{}"),
            List.of("look_up_item", "{\"search_query\":\"shoes\"}"),
            List.of("execute_refund", "{\"item_id\":\"item_132612938\",\"reason\":\"not provided\"}"),
            List.of("transfer_back_to_triage", "{}"),
            List.of("escalate_to_human", "{}"));

    /** Counts the calls of the tools that change something, to see that none was made twice. */
    public final AtomicInteger refunds = new AtomicInteger();
    public final AtomicInteger lookups = new AtomicInteger();

    private SeedDesk() {}

    public static SeedDesk create() {
        return new SeedDesk();
    }

    /** The seed's agents; the human agent asks through {@code people}. */
    public Team<Void> team(HumanChannel people) {
        Tool<Void> lookUp = Tool.of("look_up_item", "Find an item's id from a description.", Search.class, (ctx, a) -> {
            lookups.incrementAndGet();
            return "item_132612938";
        });
        Tool<Void> refund = Tool.of("execute_refund", "Refund an item.", Refund.class, (ctx, a) -> {
            refunds.incrementAndGet();
            return "success";
        });
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

    /** The model's steps in the seed's conversation, per agent. */
    public static ScriptedModel model() {
        return ScriptedModel.create()
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
    }

    /**
     * The manager, answering the human agent's questions from {@code people} with {@code replies}
     * on a thread of its own, outside any runtime, until {@code open} is false.
     */
    public static void manager(HumanQueue people, AtomicBoolean open, List<String> replies) {
        Thread.ofVirtual().name("manager").start(() -> {
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
}
