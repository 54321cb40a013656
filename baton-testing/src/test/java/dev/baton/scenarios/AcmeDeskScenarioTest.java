package dev.baton.scenarios;

import static dev.baton.testing.BatonAssertions.assertThat;
import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.schema.Description;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ACME desk of the seed scenario: triage hands to sales or to issues and repairs; those hand
 * back to triage when the customer changes topic; triage can escalate to a human. The agents point
 * at each other, so they are assembled by name in a {@link Team}.
 */
@DisplayName("ACME desk: triage, issues and repairs, back to triage, escalation")
class AcmeDeskScenarioTest {

    /** What the desk's tools did, for the test to check. */
    static final class Acme {
        final List<String> refunds = new CopyOnWriteArrayList<>();
        final List<String> orders = new CopyOnWriteArrayList<>();
        final List<String> escalations = new CopyOnWriteArrayList<>();
    }

    record Search(@Description("A description or keywords of the item") String searchQuery) {}

    record RefundRequest(String itemId, @Nullable String reason) {}

    record Order(String product, @Description("Price in USD") int price) {}

    record Summary(String summary) {}

    static Team<Acme> desk() {
        Tool<Acme> lookUpItem = Tool.of("look_up_item", "Use to find item ID. Search query can be a description or keywords.",
                Search.class, (ctx, a) -> "item_132612938");
        Tool<Acme> executeRefund = Tool.of("execute_refund", "Refund an item.", RefundRequest.class, (ctx, a) -> {
            ctx.context().refunds.add(a.itemId() + " (" + (a.reason() == null ? "not provided" : a.reason()) + ")");
            return "success";
        });
        Tool<Acme> executeOrder = Tool.of("execute_order", "Place an order.", Order.class, (ctx, a) -> {
            ctx.context().orders.add(a.product() + " $" + a.price());
            return "Success";
        });
        Tool<Acme> escalateToHuman = Tool.of("escalate_to_human", "Only call this if explicitly asked to.", Summary.class,
                (ctx, a) -> {
                    ctx.context().escalations.add(a.summary());
                    return "Escalated";
                });
        Handoff<Acme, Void> backToTriage = Handoff.<Acme>to("Triage Agent")
                .toolName("transfer_back_to_triage")
                .description("Call this if the user brings up a topic outside of your purview, including escalating to human.");

        Agent<Acme> triage = Agent.<Acme>builder("Triage Agent")
                .instructions("You are a customer service bot for ACME Inc. Introduce yourself. Always be very brief. "
                        + "Gather information to direct the customer to the right department.")
                .tools(escalateToHuman)
                .handoffs(Handoff.<Acme>to("Sales Agent").toolName("transfer_to_sales_agent")
                                .description("Use for anything sales or buying related."),
                        Handoff.<Acme>to("Issues and Repairs Agent").toolName("transfer_to_issues_and_repairs")
                                .description("Use for issues, repairs, or refunds."))
                .build();
        Agent<Acme> sales = Agent.<Acme>builder("Sales Agent")
                .instructions("You are a sales agent for ACME Inc. Always answer in a sentence or less.")
                .tools(executeOrder)
                .handoffs(backToTriage)
                .build();
        Agent<Acme> repairs = Agent.<Acme>builder("Issues and Repairs Agent")
                .instructions("You are a customer support agent for ACME Inc. Propose a fix first; only if the user is "
                        + "not satisfied, offer a refund. If accepted, search for the ID and then execute the refund.")
                .tools(executeRefund, lookUpItem)
                .handoffs(backToTriage)
                .build();
        return Team.of(triage, sales, repairs);
    }

    @Test
    void a_refund_then_a_request_for_a_human_goes_back_through_triage_to_escalation() {
        Acme acme = new Acme();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("Triage Agent", handoffTo("Issues and Repairs Agent"))
                .forAgent("Issues and Repairs Agent",
                        reply("Sorry about that. Have you tried re-lacing the boot?"),
                        callTool("look_up_item", new Search("black boot")),
                        callTool("execute_refund", new RefundRequest("item_132612938", "sole came off")),
                        reply("Your refund is on its way."),
                        callTool("transfer_back_to_triage"))
                .forAgent("Triage Agent",
                        callTool("escalate_to_human", new Summary("Customer was refunded for a black boot and asked for a person.")),
                        reply("A person from ACME will contact you shortly."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(new InMemorySessionStore()).build());
        Agent<Acme> triage = desk().agent("Triage Agent");
        RunOptions<Acme> conversation = RunOptions.<Acme>session("acme-1").withContext(acme);

        RunResult first = runner.run(triage, "My black boot's sole came off.", conversation);
        RunResult second = runner.run(triage, "That didn't help, I want a refund.", conversation);
        RunResult third = runner.run(triage, "Thanks. Now let me talk to a human, please.", conversation);

        assertThat(first).handedOffTo("Issues and Repairs Agent").lastAgent("Issues and Repairs Agent")
                .finalOutputContains("re-lacing");
        assertThat(second).noHandoffs().lastAgent("Issues and Repairs Agent")
                .usedTool("look_up_item", new Search("black boot"))
                .usedTool("execute_refund", "{\"item_id\":\"item_132612938\",\"reason\":\"sole came off\"}")
                .finalOutputContains("refund");
        assertThat(third).handedOffTo("Triage Agent").lastAgent("Triage Agent")
                .usedTool("escalate_to_human").finalOutputContains("person");
        assertThat(acme.refunds).containsExactly("item_132612938 (sole came off)");
        assertThat(acme.escalations).singleElement().asString().contains("black boot");
        assertThat(model.requests()).extracting(r -> r.agent()).containsExactly(
                "Triage Agent", "Issues and Repairs Agent",
                "Issues and Repairs Agent", "Issues and Repairs Agent", "Issues and Repairs Agent",
                "Issues and Repairs Agent", "Triage Agent", "Triage Agent");
        model.assertAllStepsUsed();
    }

    @Test
    void the_back_and_forth_between_agents_uses_the_seed_tool_names() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("Triage Agent", handoffTo("Sales Agent"))
                .forAgent("Sales Agent", callTool("transfer_back_to_triage"))
                .forAgent("Triage Agent", handoffTo("Issues and Repairs Agent"))
                .forAgent("Issues and Repairs Agent", reply("What seems to be the problem?"));

        RunResult result = Runner.create().run(desk().agent("Triage Agent"), "I want to buy... no wait, my anvil broke",
                RunOptions.<Acme>context(new Acme()).withModel(model));

        assertThat(result).handedOffTo("Sales Agent", "Triage Agent", "Issues and Repairs Agent");
        assertThat(model.requestsFor("Triage Agent").get(0).handoffs()).extracting(h -> h.toolName())
                .containsExactly("transfer_to_sales_agent", "transfer_to_issues_and_repairs");
        assertThat(model.requestsFor("Sales Agent").get(0).handoffs()).extracting(h -> h.toolName())
                .containsExactly("transfer_back_to_triage");
    }

    @Test
    void a_sale_passes_the_typed_order_to_the_tool() {
        Acme acme = new Acme();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("Triage Agent", handoffTo("Sales Agent"))
                .forAgent("Sales Agent", callTool("execute_order", new Order("Rocket skates", 1999)), reply("Ordered!"));

        RunResult result = Runner.create().run(desk().agent("Triage Agent"), "Roadrunners keep escaping me.",
                RunOptions.context(acme).withModel(model));

        assertThat(result).usedTool("execute_order", new Order("Rocket skates", 1999)).finalOutputContains("Ordered");
        assertThat(acme.orders).containsExactly("Rocket skates $1999");
        assertThat(model.requestsFor("Sales Agent").get(0).tools().get(0).parameters().toString())
                .contains("\"price\"").contains("Price in USD");
    }
}
