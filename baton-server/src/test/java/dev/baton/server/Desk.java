package dev.baton.server;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.model.Model;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.session.SessionStore;
import dev.baton.tool.Tool;

/** The small support desk the server's specifications serve (triage hands off to billing, which may refund), and a server for it. */
final class Desk {
    record Refund(String orderId) {}

    private Desk() {}

    static Agent<Void> billing() {
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an order.", Refund.class,
                (ctx, r) -> "refunded " + r.orderId()).requiringApproval();
        Tool<Void> lookup = Tool.<Void, Refund>of("look_up_order", "Find an order.", Refund.class, (ctx, r) -> "order " + r.orderId());
        return Agent.<Void>builder("billing").handoffDescription("Charges, invoices and refunds.").tools(lookup, refund).build();
    }

    /** A server on a free port whose runner answers with {@code model}; the caller adds its desks. */
    static BatonServer.Builder server(Model model) {
        return BatonServer.builder().runner(Runner.create(RunConfig.builder().defaultModel(model).build())).port(0);
    }

    /** The same, with the runner's sessions in {@code sessions}. */
    static BatonServer.Builder server(Model model, SessionStore sessions) {
        return BatonServer.builder()
                .runner(Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build()))
                .port(0);
    }

    static Agent<Void> triage() {
        return Agent.<Void>builder("triage").instructions("Route the customer.").handoffs(Handoff.to(billing())).build();
    }
}
