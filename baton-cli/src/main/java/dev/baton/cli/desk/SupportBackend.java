package dev.baton.cli.desk;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The support desk's systems in memory: accounts, invoices, tickets, regional service status, the
 * refund ledger and the human queue. Refunds, password resets and escalations change its state, so
 * a conversation sees the effects of earlier steps. So do cancellations and plan changes, prorated
 * over a {@value #CYCLE_DAYS}-day cycle from the days each account has left in it.
 */
final class SupportBackend {

    record Account(String id, String name, String email, String plan, String monthlyPrice, String billingStatus,
            String region, int seats) {}

    record Invoice(String id, String customerId, String amount, String description, String status, int timesCharged,
            String refunded) {}

    record Refund(String refundId, String invoiceId, String amount, String reason, String invoiceStatus) {}

    record Ticket(String id, String opened, String subject, String status) {}

    record ServiceStatus(String region, String status, String detail) {}

    record PasswordReset(String customerId, String sentTo, int expiresInMinutes) {}

    record Escalation(String ticketId, String queue, String priority, String reason, String expectedResponse) {}

    /** A cancellation: when it takes effect, and what is refunded for the unused days. */
    record Cancellation(String cancellationId, String customerId, String plan, String effective, String refund, String status) {}

    /** A plan change: the prorated charge (an upgrade) or credit (a downgrade) for the days left in the cycle. */
    record PlanChange(String changeId, String customerId, String fromPlan, String toPlan, String newMonthlyPrice,
            String proratedCharge, String proratedCredit, String status) {}

    /** The plans and their monthly prices. */
    static final Map<String, BigDecimal> PLANS = Map.of("Starter", new BigDecimal("19.00"), "Pro", new BigDecimal("99.00"),
            "Business", new BigDecimal("450.00"));

    /** Days in a billing cycle, for proration. */
    static final int CYCLE_DAYS = 30;

    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private final Map<String, MutableInvoice> invoices = new LinkedHashMap<>();
    private final Map<String, List<Ticket>> tickets = new LinkedHashMap<>();
    private final Map<String, ServiceStatus> regions = new LinkedHashMap<>();
    private final List<Refund> refunds = new ArrayList<>();
    private final List<PasswordReset> resets = new ArrayList<>();
    private final List<Escalation> escalations = new ArrayList<>();
    private final Map<String, Integer> daysLeft = new LinkedHashMap<>();
    private final List<Cancellation> cancellations = new ArrayList<>();
    private final List<PlanChange> planChanges = new ArrayList<>();
    private final AtomicInteger nextCancellation = new AtomicInteger(7001);
    private final AtomicInteger nextChange = new AtomicInteger(3001);
    private final AtomicInteger nextRefund = new AtomicInteger(5001);
    private final AtomicInteger nextTicket = new AtomicInteger(4120);

    private static final class MutableInvoice {
        final String id;
        final String customerId;
        final BigDecimal amount;
        final String description;
        final int timesCharged;
        BigDecimal refunded = BigDecimal.ZERO;

        MutableInvoice(String id, String customerId, String amount, String description, int timesCharged) {
            this.id = id;
            this.customerId = customerId;
            this.amount = new BigDecimal(amount);
            this.description = description;
            this.timesCharged = timesCharged;
        }

        BigDecimal charged() {
            return amount.multiply(BigDecimal.valueOf(timesCharged));
        }

        String status() {
            if (refunded.signum() == 0) {
                return timesCharged > 1 ? "paid, charged " + timesCharged + " times" : "paid";
            }
            return refunded.compareTo(charged()) >= 0 ? "refunded" : "partially refunded";
        }

        Invoice view() {
            return new Invoice(id, customerId, money(amount), description, status(), timesCharged, money(refunded));
        }
    }

    SupportBackend() {
        account(new Account("C-1001", "Dana Whitfield", "dana.whitfield@example.com", "Pro", "$99.00", "active", "eu-west", 3));
        account(new Account("C-1002", "Marcus Oyelaran", "marcus@oyelaran.example", "Business", "$450.00", "active", "us-east", 12));
        account(new Account("C-1003", "Priya Raman", "priya.raman@example.org", "Starter", "$19.00", "past due", "ap-south", 1));
        account(new Account("C-1004", "Tomás Ferreira", "tomas@ferreira.example", "Pro", "$99.00", "active", "eu-west", 5));
        invoice(new MutableInvoice("INV-8821", "C-1001", "99.00", "Pro plan, March", 2));
        invoice(new MutableInvoice("INV-8790", "C-1001", "99.00", "Pro plan, February", 1));
        invoice(new MutableInvoice("INV-9000", "C-1002", "450.00", "Business plan, 5 extra seats, March", 1));
        invoice(new MutableInvoice("INV-9104", "C-1003", "19.00", "Starter plan, March", 1));
        invoice(new MutableInvoice("INV-9120", "C-1004", "129.00", "Pro plan and priority support add-on, March", 1));
        daysLeft.put("C-1001", 12);
        daysLeft.put("C-1002", 20);
        daysLeft.put("C-1003", 5);
        daysLeft.put("C-1004", 18);
        tickets.put("C-1001", List.of(new Ticket("T-4101", "2025-02-11", "Login loop after password change", "closed"),
                new Ticket("T-4117", "2025-03-03", "Question about the March invoice", "open")));
        tickets.put("C-1002", List.of(new Ticket("T-4088", "2025-01-20", "Add five seats for the new team", "closed")));
        tickets.put("C-1003", List.of(new Ticket("T-4093", "2025-01-28", "Card declined", "closed"),
                new Ticket("T-4110", "2025-02-25", "How to export project data", "closed"),
                new Ticket("T-4115", "2025-03-01", "Thinking about cancelling", "open")));
        tickets.put("C-1004", List.of());
        regions.put("eu-west", new ServiceStatus("eu-west", "degraded",
                "Incident INC-3107: sign-in errors for some users since 07:40 UTC; a fix is rolling out"));
        regions.put("us-east", new ServiceStatus("us-east", "operational", "All systems normal"));
        regions.put("ap-south", new ServiceStatus("ap-south", "operational", "Scheduled maintenance Sunday 02:00-03:00 UTC"));
    }

    private void account(Account a) {
        accounts.put(a.id(), a);
    }

    private void invoice(MutableInvoice i) {
        invoices.put(i.id, i);
    }

    synchronized Account account(String idOrEmail) {
        String key = idOrEmail.strip();
        for (Account a : accounts.values()) {
            if (a.id().equalsIgnoreCase(key) || a.email().equalsIgnoreCase(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("No customer with id or e-mail '" + key + "'");
    }

    synchronized Invoice invoice(String id) {
        return find(id).view();
    }

    private MutableInvoice find(String id) {
        MutableInvoice invoice = invoices.get(id.strip().toUpperCase(Locale.ROOT));
        if (invoice == null) {
            throw new IllegalArgumentException("No invoice " + id);
        }
        return invoice;
    }

    /** What an invoice has been refunded so far; zero for an unknown invoice (the refund itself then fails). */
    synchronized BigDecimal refundedSoFar(String invoiceId) {
        MutableInvoice invoice = invoices.get(invoiceId.strip().toUpperCase(Locale.ROOT));
        return invoice == null ? BigDecimal.ZERO : invoice.refunded;
    }

    synchronized Refund refund(String invoiceId, BigDecimal amount, String reason) {
        MutableInvoice invoice = find(invoiceId);
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("A refund needs a positive amount");
        }
        BigDecimal left = invoice.charged().subtract(invoice.refunded);
        if (amount.compareTo(left) > 0) {
            throw new IllegalArgumentException("Only " + money(left) + " of " + invoice.id + " can still be refunded");
        }
        invoice.refunded = invoice.refunded.add(amount);
        Refund refund = new Refund("RF-" + nextRefund.getAndIncrement(), invoice.id, money(amount), reason, invoice.status());
        refunds.add(refund);
        return refund;
    }

    synchronized List<Ticket> tickets(String customer) {
        List<Ticket> all = tickets.getOrDefault(account(customer).id(), List.of());
        return List.copyOf(all.subList(Math.max(0, all.size() - 5), all.size()));
    }

    synchronized ServiceStatus status(String region) {
        ServiceStatus status = regions.get(region.strip().toLowerCase(Locale.ROOT));
        if (status == null) {
            throw new IllegalArgumentException("Unknown region '" + region + "'; regions are " + String.join(", ", regions.keySet()));
        }
        return status;
    }

    synchronized PasswordReset resetPassword(String customer) {
        Account account = account(customer);
        PasswordReset reset = new PasswordReset(account.id(), account.email(), 30);
        resets.add(reset);
        return reset;
    }

    synchronized Escalation escalate(String reason, String priority) {
        Escalation e = new Escalation("T-" + nextTicket.getAndIncrement(), "human support", priority, reason,
                priority.equals("HIGH") ? "within 1 hour" : "within 1 business day");
        escalations.add(e);
        return e;
    }

    /**
     * The refund a cancellation gives: nothing at the end of the period or on an account past due;
     * immediately, the unused days of the cycle at the plan's price.
     */
    synchronized BigDecimal cancellationRefund(String customer, boolean immediately) {
        Account a = account(customer);
        if (!immediately || !a.billingStatus().equals("active")) {
            return BigDecimal.ZERO;
        }
        return prorate(PLANS.get(a.plan()), daysLeft.get(a.id()));
    }

    synchronized Cancellation cancel(String customer, boolean immediately, String reason) {
        Account a = account(customer);
        if (a.billingStatus().startsWith("cancel")) {
            throw new IllegalArgumentException(a.id() + "'s subscription is already " + a.billingStatus());
        }
        BigDecimal refund = cancellationRefund(customer, immediately);
        int days = daysLeft.get(a.id());
        String effective = immediately ? "now" : "at the end of the billing period, in " + days + " days";
        String status = immediately ? "cancelled" : "cancelled at the end of the period";
        accounts.put(a.id(), new Account(a.id(), a.name(), a.email(), a.plan(), a.monthlyPrice(), status, a.region(), a.seats()));
        Cancellation c = new Cancellation("CX-" + nextCancellation.getAndIncrement(), a.id(), a.plan(), effective,
                money(refund), status + (a.billingStatus().equals("past due") ? "; the past-due balance is still owed" : ""));
        cancellations.add(c);
        return c;
    }

    /** The prorated amount of a plan change for the days left: positive is a charge (an upgrade), negative a credit. */
    synchronized BigDecimal planChangeAmount(String customer, String plan) {
        Account a = account(customer);
        String to = planName(plan);
        return prorate(PLANS.get(to).subtract(PLANS.get(a.plan())), daysLeft.get(a.id()));
    }

    synchronized PlanChange changePlan(String customer, String plan) {
        Account a = account(customer);
        String to = planName(plan);
        if (to.equals(a.plan())) {
            throw new IllegalArgumentException(a.id() + " is already on the " + to + " plan");
        }
        if (a.billingStatus().startsWith("cancel")) {
            throw new IllegalArgumentException(a.id() + "'s subscription is " + a.billingStatus() + "; it cannot change plan");
        }
        BigDecimal amount = planChangeAmount(customer, plan);
        accounts.put(a.id(), new Account(a.id(), a.name(), a.email(), to, money(PLANS.get(to)), a.billingStatus(), a.region(),
                a.seats()));
        PlanChange change = new PlanChange("PC-" + nextChange.getAndIncrement(), a.id(), a.plan(), to, money(PLANS.get(to)),
                money(amount.max(BigDecimal.ZERO)), money(amount.min(BigDecimal.ZERO).negate()), "effective now");
        planChanges.add(change);
        return change;
    }

    private static String planName(String plan) {
        for (String name : PLANS.keySet()) {
            if (name.equalsIgnoreCase(plan.strip())) {
                return name;
            }
        }
        throw new IllegalArgumentException("No plan '" + plan + "'; plans are Starter ($19), Pro ($99) and Business ($450)");
    }

    private static BigDecimal prorate(BigDecimal monthly, int days) {
        return monthly.multiply(BigDecimal.valueOf(days)).divide(BigDecimal.valueOf(CYCLE_DAYS), 2, RoundingMode.HALF_UP);
    }

    synchronized List<Cancellation> cancellations() {
        return List.copyOf(cancellations);
    }

    synchronized List<PlanChange> planChanges() {
        return List.copyOf(planChanges);
    }

    synchronized List<Refund> refunds() {
        return List.copyOf(refunds);
    }

    synchronized List<PasswordReset> passwordResets() {
        return List.copyOf(resets);
    }

    synchronized List<Escalation> escalations() {
        return List.copyOf(escalations);
    }

    static String money(BigDecimal amount) {
        return "$" + amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
