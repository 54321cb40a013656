package dev.baton.cli.desk;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.Prompts;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanChannel;
import dev.baton.schema.Description;
import dev.baton.tool.ApprovalPolicy;
import dev.baton.tool.Tool;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code acme} desk: triage hands the customer to sales or to issues and repairs, who hand back
 * to triage when the topic changes; triage escalates to a human agent, whose replies come from a
 * person through a {@link HumanChannel} (the operator at the console), and who may hand the customer
 * back to triage. Refunds above $200 wait for approval.
 */
final class AcmeDesk implements Desk<AcmeDesk.Acme> {

    /** Refunds of items priced above this many dollars need approval. */
    static final int APPROVAL_LIMIT = 200;

    /** The run context: ACME's systems. */
    record Acme(AcmeBackend backend) {}

    record Search(@Description("A description or keywords of the item") String searchQuery) {}

    record FixRequest(@Description("The product that has the problem") String product) {}

    record OrderRequest(@Description("The product's name") String product, @Description("Price in USD") int price) {}

    record RefundRequest(@Description("Item id, e.g. item_48213") String itemId, @Description("Why the customer wants a refund") String reason) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AcmeBackend backend = new AcmeBackend();
    private final Agent<Acme> entry;

    AcmeDesk(HumanChannel people) {
        this.entry = team(people).agent("triage_agent");
    }

    @Override
    public String name() {
        return "acme";
    }

    @Override
    public String title() {
        return "ACME Inc.: triage, sales, issues and repairs, and a human agent";
    }

    @Override
    public Agent<Acme> entry() {
        return entry;
    }

    @Override
    public Acme newContext() {
        return new Acme(backend);
    }

    AcmeBackend backend() {
        return backend;
    }

    @Override
    public List<DemoStep> demo() {
        return List.of(
                new DemoStep("acme-1", "I want a refund",
                        "seed 001: triage hands off to issues and repairs, which asks which item"),
                new DemoStep("acme-1", "A pair of shoes I bought",
                        "the answer keeps the refund request standing; the agent asks what is wrong with the item"),
                new DemoStep("acme-1", "The shoes are too small",
                        "a known fix is proposed first; a refund only if it does not help"),
                new DemoStep("acme-1", "no I want a refund",
                        "the agent looks the shoes up for their id, then refunds them: above $200, so a manager approves"),
                new DemoStep("acme-1", "I want to talk to your manager",
                        "back to triage, which escalates to the human agent, answered at the console"),
                new DemoStep("acme-1", "Hi! Thanks for your service. I give you 5 stars!",
                        "the human agent keeps the conversation"),
                new DemoStep("acme-2", "The left wheel of my rocket skates is broken and wobbles.",
                        "a handoff to issues and repairs, which looks up the known fix"),
                new DemoStep("acme-2", "Thanks. I'd also like to buy a giant rubber band.",
                        "a transfer back to triage, then to sales, which looks up the price and orders"));
    }

    /** The desk's agents; {@code people} answer for the human agent. */
    static Team<Acme> team(HumanChannel people) {
        Tool<Acme> lookUpItem = Tool.of("look_up_item",
                "Find an item's id, price and stock from a description or keywords.", Search.class,
                (ctx, a) -> ctx.context().backend().lookUp(a.searchQuery()));
        Tool<Acme> knownFix = Tool.of("find_known_fix", "Find the known fix for a problem with a product.", FixRequest.class,
                (ctx, a) -> ctx.context().backend().knownFix(a.product()));
        Tool<Acme> executeOrder = Tool.of("execute_order", "Place an order for a product at its listed price.",
                OrderRequest.class, (ctx, a) -> ctx.context().backend().order(a.product(), a.price()));
        Tool<Acme> executeRefund = Tool.<Acme, RefundRequest>of("execute_refund",
                        "Refund an item. Refunds of items above $200 wait for a manager's approval.",
                        RefundRequest.class, (ctx, a) -> ctx.context().backend().refund(a.itemId(), a.reason()))
                .requiringApproval(aboveLimit());

        Agent<Acme> triage = Agent.<Acme>builder("triage_agent")
                .instructions(Prompts.withHandoffInstructions("You are the customer service bot of ACME Inc. Be brief. "
                        + "Find out what the customer needs and hand off: buying to sales_agent; broken products, "
                        + "repairs and refunds to issues_and_repairs; a request for a person to human_agent."))
                .handoffs(
                        Handoff.<Acme>to("sales_agent").description("Sales: buying, orders, prices, quotes and new products."),
                        Handoff.<Acme>to("issues_and_repairs")
                                .description("Issues and repairs: broken or faulty products, repairs, returns and refunds."),
                        Handoff.<Acme>to("human_agent").toolName("escalate_to_human")
                                .description("A human: talk or speak to a person, a real representative, a manager; complaints."))
                .build();
        Agent<Acme> sales = Agent.<Acme>builder("sales_agent")
                .instructions("You are a sales agent for ACME Inc. Answer in a sentence or less. Look the item up for "
                        + "its price, then place the order.")
                .tools(lookUpItem, executeOrder)
                .handoffs(backToTriage("anything outside sales, such as a broken product, a refund or talking to a human"))
                .build();
        Agent<Acme> repairs = Agent.<Acme>builder("issues_and_repairs")
                .instructions("You are a support agent for ACME Inc. Propose the known fix first; only if the customer "
                        + "is not satisfied, offer a refund. For a refund, look up the item id, then execute the refund.")
                .tools(knownFix, lookUpItem, executeRefund)
                .handoffs(backToTriage("anything outside your purview, such as buying something or talking to a human"))
                .build();
        Agent<Acme> humanAgent = HumanAgent.<Acme>builder("human_agent")
                .handoffDescription("A person at ACME who handles what the bots cannot.")
                .instructions("A person answers here.")
                .channel(people)
                .handoffs(backToTriage("what the bots can do after all, such as an order, a repair or a refund"))
                .build();
        return Team.of(triage, sales, repairs, humanAgent);
    }

    private static Handoff<Acme, Void> backToTriage(String when) {
        return Handoff.<Acme>to("triage_agent").toolName("transfer_back_to_triage")
                .description("Back to triage, for " + when + ".");
    }

    /** The item and price of a refund waiting for approval. */
    @Override
    public @Nullable String explain(String tool, String arguments) {
        if (!tool.equals("execute_refund")) {
            return null;
        }
        try {
            AcmeBackend.Item item = backend.item(JSON.readTree(arguments).path("item_id").asText());
            return item.product() + ", $" + item.price();
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The approval rule of {@code execute_refund}: items priced above {@link #APPROVAL_LIMIT}, unless
     * already refunded (the refund then fails at once, without bothering a manager).
     */
    static ApprovalPolicy<Acme> aboveLimit() {
        return (ctx, arguments) -> {
            try {
                String id = JSON.readTree(arguments).path("item_id").asText();
                AcmeBackend backend = ctx.context().backend();
                return backend.item(id).price() > APPROVAL_LIMIT && backend.refundOf(id) == null;
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
                return false;
            }
        };
    }
}
