package dev.baton.scenarios;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.Prompts;
import dev.baton.schema.Description;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The customer-support desk of the seed scenario: a triage agent routes to billing, technical or
 * account specialists, each with its own tools; every specialist can escalate to a human. The
 * backends are in-memory fakes that record what the agents did.
 */
final class SupportDesk {

    /** The application context: the customer and the systems the tools talk to. */
    record Support(String customerId, Backend backend) {}

    /** In-memory stand-ins for the billing API, the account database, the status page and the queue. */
    static final class Backend {
        final Map<String, Integer> invoices = Map.of("INV-8821", 99, "INV-9000", 450);
        final List<String> refunds = new CopyOnWriteArrayList<>();
        final List<String> escalations = new CopyOnWriteArrayList<>();
        final List<String> passwordResets = new CopyOnWriteArrayList<>();
    }

    record CustomerRef(@Description("Customer id, e.g. C-1001") String customerId) {}

    record InvoiceRef(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    record Refund(String invoiceId, @Description("Why the refund is due") String reason) {}

    record Region(@Description("Region code such as eu-west") String region) {}

    enum Priority { LOW, MEDIUM, HIGH }

    record Escalation(String ticketId, String reason, Priority priority) {}

    record Account(String id, String plan, String billingStatus) {}

    record Invoice(String id, int amount, String status) {}

    static final Tool<Support> GET_ACCOUNT = Tool.of("get_account",
            "Look up a customer's account: plan, billing status, usage.", CustomerRef.class,
            (ctx, a) -> new Account(a.customerId(), "pro", "active"));

    static final Tool<Support> GET_INVOICE = Tool.of("get_invoice", "Fetch an invoice by id.", InvoiceRef.class,
            (ctx, a) -> {
                Integer amount = ctx.context().backend().invoices.get(a.invoiceId());
                if (amount == null) {
                    throw new IllegalArgumentException("no invoice " + a.invoiceId());
                }
                return new Invoice(a.invoiceId(), amount, "paid");
            });

    static final Tool<Support> PROCESS_REFUND = Tool.of("process_refund", "Issue a full refund for an invoice.", Refund.class,
            (ctx, a) -> {
                ctx.context().backend().refunds.add(a.invoiceId() + ": " + a.reason());
                return Map.of("refunded", a.invoiceId());
            });

    static final Tool<Support> GET_TICKET_HISTORY = Tool.of("get_ticket_history",
            "Get the last 5 support tickets for a customer.", CustomerRef.class,
            (ctx, a) -> List.of("T-1: login issue (closed)", "T-2: invoice question (closed)"));

    static final Tool<Support> RESET_PASSWORD = Tool.of("reset_password", "Send a password reset email to the customer.",
            CustomerRef.class, (ctx, a) -> {
                ctx.context().backend().passwordResets.add(a.customerId());
                return "reset email sent";
            });

    static final Tool<Support> CHECK_SERVICE_STATUS = Tool.of("check_service_status",
            "Check current service health for a region.", Region.class, (ctx, a) -> Map.of("region", a.region(), "status", "degraded"));

    static final Tool<Support> ESCALATE_TO_HUMAN = Tool.of("escalate_to_human", "Escalate this ticket to a human agent.",
            Escalation.class, (ctx, a) -> {
                ctx.context().backend().escalations.add(a.ticketId() + " " + a.priority() + ": " + a.reason());
                return "queued for a human";
            });

    static Agent<Support> triage() {
        Agent<Support> billing = Agent.<Support>builder("billing_specialist")
                .handoffDescription("Invoices, charges, refunds, plan changes")
                .instructions("You handle billing questions. Always look up the account first. Process refunds only "
                        + "for clear billing errors. For amounts over $200, escalate to a human.")
                .tools(GET_ACCOUNT, GET_INVOICE, PROCESS_REFUND, ESCALATE_TO_HUMAN)
                .build();
        Agent<Support> technical = Agent.<Support>builder("technical_specialist")
                .handoffDescription("Login problems, outages, API errors")
                .instructions("You handle technical issues. Always check service status first.")
                .tools(GET_ACCOUNT, CHECK_SERVICE_STATUS, RESET_PASSWORD, ESCALATE_TO_HUMAN)
                .build();
        Agent<Support> account = Agent.<Support>builder("account_specialist")
                .handoffDescription("Upgrades, downgrades, cancellations, data exports")
                .instructions("You handle account changes. Look up the account and ticket history first.")
                .tools(GET_ACCOUNT, GET_TICKET_HISTORY, ESCALATE_TO_HUMAN)
                .build();
        return Agent.<Support>builder("support_triage")
                .instructions(Prompts.withHandoffInstructions("Understand the customer's issue and hand off to the right "
                        + "specialist immediately."))
                .handoffs(billing, technical, Handoff.to(account))
                .build();
    }

    private SupportDesk() {}
}
