package dev.baton.server;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.tool.Tool;

/** The small support desk the server's specifications serve: triage hands off to billing, which may refund. */
final class Desk {
    record Refund(String orderId) {}

    private Desk() {}

    static Agent<Void> billing() {
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an order.", Refund.class,
                (ctx, r) -> "refunded " + r.orderId()).requiringApproval();
        Tool<Void> lookup = Tool.<Void, Refund>of("look_up_order", "Find an order.", Refund.class, (ctx, r) -> "order " + r.orderId());
        return Agent.<Void>builder("billing").handoffDescription("Charges, invoices and refunds.").tools(lookup, refund).build();
    }

    static Agent<Void> triage() {
        return Agent.<Void>builder("triage").instructions("Route the customer.").handoffs(Handoff.to(billing())).build();
    }
}
