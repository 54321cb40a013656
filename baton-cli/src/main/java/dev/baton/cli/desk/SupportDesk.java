package dev.baton.cli.desk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.Prompts;
import dev.baton.mcp.McpToolProvider;
import dev.baton.schema.Description;
import dev.baton.tool.ApprovalPolicy;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolProvider;
import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code support} desk: a triage agent hands the customer to a billing, technical or account
 * specialist, each with tools on {@link SupportBackend}, and each able to hand back to triage when
 * the customer brings up another topic. Refunds above $200, immediate cancellations with a refund and
 * plan changes with a prorated charge or credit wait for a person's approval. The technical specialist
 * answers how-to questions from the help center, an MCP server ({@link KnowledgeBaseServer}) the desk
 * starts on first use and ends when it is closed.
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

    enum Plan { STARTER, PRO, BUSINESS }

    enum When { END_OF_PERIOD, IMMEDIATELY }

    record CancelRequest(
            @Description("Customer id such as C-1001, or the customer's e-mail address") String customer,
            @Description("END_OF_PERIOD (at the end of the billing period; the default) or IMMEDIATELY (now, right away, "
                    + "with a prorated refund of the unused days)") @Nullable When when,
            @Description("Why the customer cancels, if they said") @Nullable String reason) {}

    record PlanRequest(
            @Description("Customer id such as C-1001, or the customer's e-mail address") String customer,
            @Description("The new plan: STARTER ($19 a month), PRO ($99) or BUSINESS ($450)") Plan plan) {}

    record EscalationRequest(
            @Description("What the customer needs and what was tried") String reason,
            @Description("LOW, MEDIUM (the default) or HIGH (urgent, angry, outage)") @Nullable Priority priority) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SupportBackend backend = new SupportBackend();
    private final McpToolProvider helpCenter = HelpCenter.provider();
    private final Agent<Support> entry = team(helpCenter).agent("support_triage");

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

    /** Ends the help center's server process, if a run started it. */
    @Override
    public void close() {
        helpCenter.close();
    }

    @Override
    public List<DemoStep> demo() {
        return List.of(
                new DemoStep("support-1", "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?",
                        "a handoff to billing, an invoice lookup and a $99 refund below the approval limit"),
                new DemoStep("support-1", "Something else: the service seems to be down for us in eu-west. Is there an outage?",
                        "a new topic: billing hands back to triage, which routes to technical for a status check"),
                new DemoStep("support-2", "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.",
                        "an approval pause: refunds above $200 wait for a person"),
                new DemoStep("support-3", "I can't log in since this morning. I'm in eu-west.",
                        "a handoff to technical and a service status check"),
                new DemoStep("support-3", "Please send me a password reset, my customer id is C-1001.",
                        "the session keeps the specialist for the next message; a password reset"),
                new DemoStep("support-4", "I want to cancel my subscription. My e-mail is priya.raman@example.org.",
                        "a handoff to the account specialist, who looks the account up by e-mail and cancels at the end of "
                                + "the billing period"),
                new DemoStep("support-5", "Please upgrade C-1004 to the Business plan.",
                        "a plan change: the prorated charge for the rest of the cycle waits for approval"),
                new DemoStep("support-6", "How do I set up single sign-on with Okta for my team?",
                        "a how-to question: the technical specialist searches the help center, an MCP server the desk starts, "
                                + "and answers from the article"));
    }

    /**
     * The desk's agents: triage, and three specialists who each hand back to triage for other topics;
     * the technical specialist also has the tools of {@code helpCenter}.
     */
    static Team<Support> team(ToolProvider<Object> helpCenter) {
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
        Tool<Support> cancelSubscription = Tool.<Support, CancelRequest>of("cancel_subscription",
                        "Cancel a customer's subscription: at the end of the billing period (nothing is refunded), or "
                                + "immediately with a prorated refund, which waits for a manager's approval.",
                        CancelRequest.class, (ctx, a) -> ctx.context().backend().cancel(a.customer(),
                                a.when() == When.IMMEDIATELY, a.reason() == null ? "" : a.reason()))
                .requiringApproval(cancellationRefunds());
        Tool<Support> changePlan = Tool.<Support, PlanRequest>of("change_plan",
                        "Change a customer's plan: upgrade or downgrade to Starter, Pro or Business. The prorated charge "
                                + "or credit for the rest of the billing cycle waits for a manager's approval.",
                        PlanRequest.class, (ctx, a) -> ctx.context().backend().changePlan(a.customer(), a.plan().name()))
                .requiringApproval(planChangesThatMoveMoney());

        Agent<Support> billing = Agent.<Support>builder("billing_specialist")
                .handoffDescription(BILLING)
                .instructions("You handle billing questions: invoices, charges and refunds. Look up the invoice (and the "
                        + "account when you know the customer) before acting. Refund only clear billing errors such as "
                        + "duplicate charges; refunds above $200 wait for a manager's approval. Escalate to a human "
                        + "when the customer asks for one. For another topic, transfer back to triage.")
                .tools(getAccount, getInvoice, processRefund, escalate)
                .handoffs(backToTriage("what billing does not handle: login and password trouble, outages, errors, "
                        + "cancellations and plan changes"))
                .build();
        Agent<Support> technical = Agent.<Support>builder("technical_specialist")
                .handoffDescription(TECHNICAL)
                .instructions("You handle technical issues and how-to questions. For a how-to or setup question (single "
                        + "sign-on, API keys, webhooks, two-factor authentication), search the help center with "
                        + "search_help_articles first and answer from the article you found, citing its id; if no article "
                        + "matches, say so rather than guess. For a problem, check the service status of the customer's "
                        + "region first. Send a password reset only to the e-mail address on the account. For another "
                        + "topic, transfer back to triage.")
                .tools(getAccount, serviceStatus, resetPassword, escalate)
                .toolProviders(helpCenter)
                .handoffs(backToTriage("what technical support does not handle: invoices, charges, refunds, cancellations "
                        + "and plan changes"))
                .build();
        Agent<Support> account = Agent.<Support>builder("account_specialist")
                .handoffDescription(ACCOUNT)
                .instructions("You handle account changes. Look up the account and its ticket history before changing "
                        + "anything. Before a cancellation, offer the Starter plan. A cancellation takes effect at the end "
                        + "of the billing period unless the customer asks for it now; money that moves (a prorated refund "
                        + "or charge) waits for a manager's approval. For another topic, transfer back to triage.")
                .tools(getAccount, ticketHistory, cancelSubscription, changePlan, escalate)
                .handoffs(backToTriage("what account changes do not cover: invoices, charges, refunds, login trouble, "
                        + "outages and errors"))
                .build();
        Agent<Support> triage = Agent.<Support>builder("support_triage")
                .instructions(Prompts.withHandoffInstructions("You are the support desk's triage agent. Understand the "
                        + "customer's issue and hand off to the right specialist immediately: billing, charges, "
                        + "invoices and refunds to billing_specialist; login, outages, errors and how-to "
                        + "or setup questions to technical_specialist; plan changes and cancellations to account_specialist."))
                .handoffs(Handoff.<Support>to("billing_specialist").description(BILLING),
                        Handoff.<Support>to("technical_specialist").description(TECHNICAL),
                        Handoff.<Support>to("account_specialist").description(ACCOUNT))
                .build();
        return Team.of(triage, billing, technical, account);
    }

    private static final String BILLING = "Billing: invoices, charges, double charges, refunds, payments, receipts and wrong amounts.";
    private static final String TECHNICAL = "Technical problems: login and password trouble, sign-in errors, outages, a slow or "
            + "unavailable service, API errors; and how-to questions on setting up single sign-on (SSO, SAML, Okta), API keys, "
            + "webhooks and two-factor authentication.";
    private static final String ACCOUNT = "Account changes: plan upgrades and downgrades, cancellations, subscriptions, seats "
            + "and data exports.";

    private static Handoff<Support, Void> backToTriage(String when) {
        return Handoff.<Support>to("support_triage").toolName("transfer_back_to_triage")
                .description("Back to triage, for " + when + ".");
    }

    /** The approval rule of {@code cancel_subscription}: an immediate cancellation that refunds money. */
    static ApprovalPolicy<Support> cancellationRefunds() {
        return (ctx, arguments) -> {
            try {
                JsonNode args = JSON.readTree(arguments);
                return ctx.context().backend().cancellationRefund(args.path("customer").asText(""),
                        args.path("when").asText("").equals(When.IMMEDIATELY.name())).signum() > 0;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return true;
            } catch (IllegalArgumentException e) {
                return false; // an unknown customer: the call fails at once with the backend's message
            }
        };
    }

    /** The approval rule of {@code change_plan}: a change with a prorated charge or credit. */
    static ApprovalPolicy<Support> planChangesThatMoveMoney() {
        return (ctx, arguments) -> {
            try {
                JsonNode args = JSON.readTree(arguments);
                return ctx.context().backend().planChangeAmount(args.path("customer").asText(""), args.path("plan").asText(""))
                        .signum() != 0;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        };
    }

    /**
     * For a refund waiting for approval: what its invoice was refunded before, when anything; for a
     * cancellation or plan change: the money it moves.
     */
    @Override
    public @Nullable String explain(String tool, String arguments) {
        try {
            JsonNode args = JSON.readTree(arguments);
            if (tool.equals("cancel_subscription")) {
                return "prorated refund " + SupportBackend.money(backend.cancellationRefund(args.path("customer").asText(""),
                        args.path("when").asText("").equals(When.IMMEDIATELY.name()))) + " for the unused days";
            }
            if (tool.equals("change_plan")) {
                BigDecimal amount = backend.planChangeAmount(args.path("customer").asText(""), args.path("plan").asText(""));
                return (amount.signum() >= 0 ? "prorated charge " : "prorated credit ") + SupportBackend.money(amount.abs())
                        + " for the rest of the billing cycle";
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
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
