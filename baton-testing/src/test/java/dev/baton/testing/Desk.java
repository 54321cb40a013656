package dev.baton.testing;

import dev.baton.agent.Agent;
import dev.baton.run.RunConfig;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;

/** A small support desk for the kit's own tests: triage hands to billing, billing to technical support. */
final class Desk {
    private Desk() {}

    record GetInvoice(String invoiceId) {}

    record Invoice(String id, int amount, String status) {}

    record IssueRefund(String invoiceId, int amountCents) {}

    static final Tool<Void> GET_INVOICE = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
            (ctx, args) -> new Invoice(args.invoiceId(), 99, "paid"));

    static final Tool<Void> ISSUE_REFUND = Tool.of("issue_refund", "Refund part of an invoice.", IssueRefund.class,
            (ctx, args) -> {
                throw new IllegalStateException("payments service unavailable");
            });

    static final Agent<Void> TECHNICAL = Agent.<Void>builder("technical_specialist")
            .instructions("Fix technical problems.")
            .build();

    static final Agent<Void> BILLING = billing();

    static final Agent<Void> TRIAGE = Agent.<Void>builder("support_triage")
            .instructions("Route the customer.")
            .handoffs(BILLING, TECHNICAL)
            .build();

    private static Agent<Void> billing() {
        return Agent.<Void>builder("billing_specialist")
                .handoffDescription("Invoices, charges, refunds.")
                .instructions("Look up the invoice first.")
                .tools(GET_INVOICE, ISSUE_REFUND)
                .handoffs(TECHNICAL)
                .build();
    }

    /** Runs triage on {@code input} with {@code model} as every agent's model. */
    static RunResult run(ScriptedModel model, String input) {
        return runner(model).run(TRIAGE, input);
    }

    static Runner runner(ScriptedModel model) {
        return Runner.create(RunConfig.builder().defaultModel(model).build());
    }
}
