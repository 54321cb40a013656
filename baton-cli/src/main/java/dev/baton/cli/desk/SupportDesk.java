package dev.baton.cli.desk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.Agent;
import dev.baton.handoff.Prompts;
import dev.baton.schema.Description;
import dev.baton.tool.ApprovalPolicy;
import dev.baton.tool.Tool;
import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code support} desk: a triage agent hands the customer to a billing, technical or account
 * specialist, each with tools on {@link SupportBackend}. Refunds above $200 wait for a person's
 * approval.
 */
final class SupportDesk implements Desk<SupportDesk.Support> {

    /** Refunds that take an invoice's refunded total above this many dollars need a person's approval. */
    static final BigDecimal APPROVAL_LIMIT = new BigDecimal("200");

    /** The run context: the systems the tools talk to. */
    record Support(SupportBackend backend) {}

    record CustomerRef(@Description("Customer id such as C-1001, or the customer's e-mail address") String customer) {}

    record InvoiceRef(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    record RefundRequest(
            @Description("Invoice id, e.g. INV-8821") String invoiceId,
            @Description("Amount to refund in USD") double amount,
            @Description("Why the refund is due, in the customer's words") String reason) {}

    record RegionRef(@Description("Region code: eu-west, us-east or ap-south") String region) {}

    enum Priority { LOW, MEDIUM, HIGH }

    record EscalationRequest(
            @Description("What the customer needs and what was tried") String reason,
            @Description("LOW, MEDIUM (the default) or HIGH (urgent, angry, outage)") @Nullable Priority priority) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SupportBackend backend = new SupportBackend();
    private final Agent<Support> entry = triage();

    @Override
    public String name() {
        return "support";
    }

    @Override
    public String title() {
        return "Customer support: triage to billing, technical and account specialists";
    }

    @Override
    public Agent<Support> entry() {
        return entry;
    }

    @Override
    public Support newContext() {
        return new Support(backend);
    }

    /** The desk's systems, shared by every run on this desk. */
    SupportBackend backend() {
        return backend;
    }

    @Override
    public List<DemoStep> demo() {
        return List.of(
                new DemoStep("support-1", "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?",
                        "a handoff to billing, an invoice lookup and a $99 refund below the approval limit"),
                new DemoStep("support-2", "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.",
                        "an approval pause: refunds above $200 wait for a person"),
                new DemoStep("support-3", "I can't log in since this morning. I'm in eu-west.",
                        "a handoff to technical and a service status check"),
                new DemoStep("support-3", "Please send me a password reset, my customer id is C-1001.",
                        "the session keeps the specialist for the next message; a password reset"),
                new DemoStep("support-4", "I want to cancel my subscription. My e-mail is priya.raman@example.org.",
                        "a handoff to the account specialist, who looks the account up by e-mail"));
    }

    static Agent<Support> triage() {
        Tool<Support> getAccount = Tool.of("get_account", "Look up a customer's account: plan, billing status, seats and region.",
                CustomerRef.class, (ctx, a) -> ctx.context().backend().account(a.customer()));
        Tool<Support> getInvoice = Tool.of("get_invoice",
                "Fetch an invoice by id: amount, what it was for, its status and how many times it was charged.",
                InvoiceRef.class, (ctx, a) -> ctx.context().backend().invoice(a.invoiceId()));
        Tool<Support> processRefund = Tool.<Support, RefundRequest>of("process_refund",
                        "Refund an invoice, in full or in part. Refunds above $200 wait for a manager's approval.",
                        RefundRequest.class,
                        (ctx, a) -> ctx.context().backend().refund(a.invoiceId(), BigDecimal.valueOf(a.amount()), a.reason()))
                .requiringApproval(aboveLimit());
        Tool<Support> ticketHistory = Tool.of("get_ticket_history", "Get the last 5 support tickets of a customer.",
                CustomerRef.class, (ctx, a) -> ctx.context().backend().tickets(a.customer()));
        Tool<Support> resetPassword = Tool.of("reset_password", "Send a password reset e-mail to the customer.",
                CustomerRef.class, (ctx, a) -> ctx.context().backend().resetPassword(a.customer()));
        Tool<Support> serviceStatus = Tool.of("check_service_status",
                "Check current service health for a region: outages, incidents and maintenance.",
                RegionRef.class, (ctx, a) -> ctx.context().backend().status(a.region()));
        Tool<Support> escalate = Tool.of("escalate_to_human", "Escalate this ticket to a human agent in the support queue.",
                EscalationRequest.class, (ctx, a) -> ctx.context().backend().escalate(a.reason(),
                        (a.priority() == null ? Priority.MEDIUM : a.priority()).name()));

        Agent<Support> billing = Agent.<Support>builder("billing_specialist")
                .handoffDescription("Billing: invoices, charges, double charges, refunds, payments, receipts and wrong amounts.")
                .instructions("You handle billing questions: invoices, charges and refunds. Look up the invoice (and the "
                        + "account when you know the customer) before acting. Refund only clear billing errors such as "
                        + "duplicate charges; refunds above $200 wait for a manager's approval. Escalate to a human "
                        + "when the customer asks for one.")
                .tools(getAccount, getInvoice, processRefund, escalate)
                .build();
        Agent<Support> technical = Agent.<Support>builder("technical_specialist")
                .handoffDescription("Technical problems: login and password trouble, sign-in errors, outages, a slow or "
                        + "unavailable service, API errors.")
                .instructions("You handle technical issues. Check the service status of the customer's region first. "
                        + "Send a password reset only to the e-mail address on the account.")
                .tools(getAccount, serviceStatus, resetPassword, escalate)
                .build();
        Agent<Support> account = Agent.<Support>builder("account_specialist")
                .handoffDescription("Account changes: plan upgrades and downgrades, cancellations, subscriptions, seats "
                        + "and data exports.")
                .instructions("You handle account changes. Look up the account and its ticket history before changing "
                        + "anything. Before a cancellation, offer the Starter plan.")
                .tools(getAccount, ticketHistory, escalate)
                .build();
        return Agent.<Support>builder("support_triage")
                .instructions(Prompts.withHandoffInstructions("You are the support desk's triage agent. Understand the "
                        + "customer's issue and hand off to the right specialist immediately: billing, charges, "
                        + "invoices and refunds to billing_specialist; login, outages and errors to "
                        + "technical_specialist; plan changes and cancellations to account_specialist."))
                .handoffs(billing, technical, account)
                .build();
    }

    /** For a refund waiting for approval: what its invoice was refunded before, when anything. */
    @Override
    public @Nullable String explain(String tool, String arguments) {
        if (!tool.equals("process_refund")) {
            return null;
        }
        try {
            String invoice = JSON.readTree(arguments).path("invoice_id").asText("");
            BigDecimal before = backend.refundedSoFar(invoice);
            return before.signum() == 0 ? null : invoice.strip().toUpperCase(java.util.Locale.ROOT) + " already refunded "
                    + SupportBackend.money(before) + " here; approval above $" + APPROVAL_LIMIT + " in total";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /**
     * The approval rule of {@code process_refund}: a refund that takes what the invoice has been
     * refunded in total above {@link #APPROVAL_LIMIT}, so a large refund split into small ones
     * still needs a person. A call whose arguments cannot be read needs approval too.
     */
    static ApprovalPolicy<Support> aboveLimit() {
        return (ctx, arguments) -> {
            try {
                JsonNode args = JSON.readTree(arguments);
                JsonNode amount = args.path("amount");
                if (!amount.isNumber()) {
                    return true;
                }
                BigDecimal before = ctx.context().backend().refundedSoFar(args.path("invoice_id").asText(""));
                return before.add(amount.decimalValue()).compareTo(APPROVAL_LIMIT) > 0;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return true;
            }
        };
    }
}
