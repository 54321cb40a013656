package dev.baton.testing;

import dev.baton.agent.Agent;
import dev.baton.model.Model;
import dev.baton.schema.Description;
import dev.baton.tool.Tool;

/** The two agents of the support flow ({@link ConformanceScript}), on a given model. */
final class SupportDesk {
    private SupportDesk() {}

    /** The arguments of the invoice tool. */
    record InvoiceQuery(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    /** What the invoice tool returns. */
    record Invoice(String id, int amount, String status) {}

    /** Triage, which can hand off to billing; run this one. */
    static Agent<Void> triage(Model model) {
        return Agent.<Void>builder(ConformanceScript.TRIAGE)
                .instructions("Route the customer to the right specialist.")
                .model(model)
                .handoffs(billing(model))
                .build();
    }

    /** Billing, which looks invoices up with {@value ConformanceScript#INVOICE_TOOL}. */
    static Agent<Void> billing(Model model) {
        Tool<Void> getInvoice = Tool.of(ConformanceScript.INVOICE_TOOL, "Fetch an invoice by id.", InvoiceQuery.class,
                (ctx, query) -> new Invoice(query.invoiceId(), 99, "paid"));
        return Agent.<Void>builder(ConformanceScript.BILLING)
                .handoffDescription("Invoices, charges, refunds.")
                .instructions("Look up the invoice before answering.")
                .model(model)
                .tools(getInvoice)
                .build();
    }
}
