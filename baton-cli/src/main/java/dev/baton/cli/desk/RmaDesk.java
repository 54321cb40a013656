package dev.baton.cli.desk;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.schema.Description;
import dev.baton.tool.Tool;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code rma} desk: before the agent holding the conversation acts (triage, or the specialist a
 * continued session is with), a guardrail agent classifies the ticket (category and
 * priority, as structured output), keeps it in the context for the specialists, and rejects requests
 * the desk does not handle (sales). Triage hands product questions to the product specialist and
 * returns, repairs and warranty claims to the RMA specialist; both hand back to triage for another
 * topic. Each conversation gets a ticket with its own id.
 */
final class RmaDesk implements Desk<RmaDesk.RmaContext> {

    enum Priority { LOW, MEDIUM, HIGH }

    enum Category { PRODUCT, RMA, SALES }

    /** What the guardrail agent makes of a request. */
    record TicketInfo(
            @Description("The order, serial or RMA number the customer gives, e.g. ORD-5521, SN-88412 or RMA-7001, "
                    + "if any") @Nullable String reference,
            @Description("LOW (questions, how-to, cosmetic), MEDIUM (faulty but usable) or HIGH (dead, no power, died, "
                    + "smoke, overheating, safety risk, urgent)") Priority priority,
            @Description("PRODUCT (how-to questions, settings, features, connect, bluetooth, firmware), RMA (returns, "
                    + "repairs, replacements, warranty claims, broken, faulty or dead units) or SALES (buying, prices, "
                    + "quotes, new orders)") Category category) {}

    /**
     * A support ticket: its own id (one per conversation, from the backend), the order, serial or RMA
     * number the customer gave if any, and how the guardrail classified the latest message.
     */
    record Ticket(String ticketId, @Nullable String reference, Priority priority, Category category) {}

    /** The run context: the ticket as the guardrail classified it, and the systems. */
    static final class RmaContext {
        private final RmaBackend backend;
        private volatile @Nullable Ticket ticket;

        RmaContext(RmaBackend backend) {
            this.backend = backend;
        }

        RmaBackend backend() {
            return backend;
        }

        @Nullable Ticket ticket() {
            return ticket;
        }

        void ticket(Ticket value) {
            ticket = value;
        }

        /** The classified priority, MEDIUM when the guardrail has not run. */
        Priority priority() {
            Ticket t = ticket;
            return t == null ? Priority.MEDIUM : t.priority();
        }
    }

    record SerialRef(@Description("Serial number, e.g. SN-88412") String serial) {}

    record OrderRef(@Description("Order id, e.g. ORD-5521") String orderId) {}

    record Question(@Description("The customer's question, in a few keywords") String query) {}

    record RmaRequest(@Description("Serial number, e.g. SN-88412") String serial,
            @Description("The fault, in the customer's words") String reason) {}

    private final RmaBackend backend = new RmaBackend();
    private final Agent<RmaContext> entry = triage();

    @Override
    public String name() {
        return "rma";
    }

    @Override
    public String title() {
        return "Hardware support: a priority guardrail, product and RMA specialists";
    }

    @Override
    public Agent<RmaContext> entry() {
        return entry;
    }

    @Override
    public RmaContext newContext() {
        return new RmaContext(backend);
    }

    RmaBackend backend() {
        return backend;
    }

    @Override
    public List<DemoStep> demo() {
        return List.of(
                new DemoStep("rma-1", "My X200 headset SN-88412 died after two weeks, no power at all. I need a replacement.",
                        "the guardrail sets HIGH priority; the RMA specialist checks the warranty and opens an RMA"),
                new DemoStep("rma-2", "How do I connect my X200 headset over bluetooth to my laptop?",
                        "a LOW priority product question answered from a help article"),
                new DemoStep("rma-3", "I'd like a quote to buy 50 more X200 headsets for our team.",
                        "a guardrail trip: this desk does not handle sales"));
    }

    /** The guardrail: classify, remember, reject sales. */
    static InputGuardrail<RmaContext> priorityGuardrail() {
        Agent<RmaContext> classifier = Agent.<RmaContext>builder("priority_guardrail")
                .instructions("Classify the support request. Give the order, serial or RMA number the customer mentions, "
                        + "if any, the priority and "
                        + "the category: PRODUCT for how-to questions, RMA for returns, repairs and warranty claims, SALES "
                        + "for buying.")
                .outputType(TicketInfo.class)
                .build();
        return InputGuardrail.fromAgent("priority", classifier, TicketInfo.class, (ctx, info) -> {
            String reference = info.reference() == null || info.reference().isBlank() ? null : info.reference();
            Ticket ticket = new Ticket(ctx.context().backend().ticketId(ctx.sessionId().orElse(null)), reference,
                    info.priority(), info.category());
            ctx.context().ticket(ticket);
            return info.category() == Category.SALES ? GuardrailOutput.trip(ticket) : GuardrailOutput.pass(ticket);
        }).blocking();
    }

    private static final String PRODUCT = "Product questions: how to use a device, settings, features, firmware, connecting, "
            + "bluetooth, setup.";
    private static final String RMA = "Returns and repairs: broken, faulty or dead devices, replacements, warranty claims, RMA.";

    private static Handoff<RmaContext, Void> backToTriage(String when) {
        return Handoff.<RmaContext>to("support_triage").toolName("transfer_back_to_triage")
                .description("Back to triage, for " + when + ".");
    }

    /** Triage and its specialists, who hand back to triage for another topic. */
    static Agent<RmaContext> triage() {
        Tool<RmaContext> lookUpOrder = Tool.of("look_up_order", "Look up an order: customer, date, serial numbers, status.",
                OrderRef.class, (ctx, a) -> ctx.context().backend().order(a.orderId()));
        Tool<RmaContext> lookUpSerial = Tool.of("look_up_serial", "Look up a unit by serial: product, order, repair history.",
                SerialRef.class, (ctx, a) -> ctx.context().backend().unit(a.serial()));
        Tool<RmaContext> checkWarranty = Tool.of("check_warranty", "Check whether a unit is under warranty, for a return or repair.",
                SerialRef.class, (ctx, a) -> ctx.context().backend().warranty(a.serial()));
        Tool<RmaContext> createRma = Tool.of("create_rma",
                "Open an RMA for a broken or faulty unit: a repair or replacement, handled by the ticket's priority.",
                RmaRequest.class,
                (ctx, a) -> ctx.context().backend().createRma(a.serial(), a.reason(), ctx.context().priority().name()));
        Tool<RmaContext> findArticle = Tool.of("find_help_article",
                "Find the help article for a product question: setup, settings, connect, bluetooth, firmware.",
                Question.class, (ctx, a) -> ctx.context().backend().article(a.query()));

        // Input guardrails run for the agent a run starts with, and a continued session starts with
        // the specialist holding it: every agent of the desk carries the guardrail, so every message is classified.
        InputGuardrail<RmaContext> priority = priorityGuardrail();
        Agent<RmaContext> product = Agent.<RmaContext>builder("product_specialist")
                .handoffDescription(PRODUCT)
                .instructions((ctx, self) -> "You answer product questions step by step from the help articles. For "
                        + "returns, repairs or another topic, transfer back to triage. Ticket priority: "
                        + ctx.context().priority() + ".")
                .tools(findArticle, lookUpSerial)
                .handoffs(backToTriage("what product questions do not cover: a broken, faulty or dead unit, a return, "
                        + "a repair or a warranty claim"))
                .inputGuardrails(priority)
                .build();
        Agent<RmaContext> rma = Agent.<RmaContext>builder("rma_specialist")
                .handoffDescription(RMA)
                .instructions((ctx, self) -> "You handle returns and repairs. Check the warranty, review the repair "
                        + "history, then open an RMA; HIGH priority tickets get an advance replacement. For how-to "
                        + "questions or another topic, transfer back to triage. Ticket priority: "
                        + ctx.context().priority() + ".")
                .tools(lookUpOrder, lookUpSerial, checkWarranty, createRma)
                .handoffs(backToTriage("what returns and repairs do not cover: how to use a device, settings, features, "
                        + "firmware updates, connecting, bluetooth and setup"))
                .inputGuardrails(priority)
                .build();
        Agent<RmaContext> triage = Agent.<RmaContext>builder("support_triage")
                .instructions("Assess the request and hand it to the right specialist: how-to and product questions to "
                        + "product_specialist; returns, repairs and warranty claims to rma_specialist.")
                .handoffs(Handoff.<RmaContext>to("product_specialist").description(PRODUCT),
                        Handoff.<RmaContext>to("rma_specialist").description(RMA))
                .inputGuardrails(priority)
                .build();
        return Team.of(triage, product, rma).agent("support_triage");
    }
}
