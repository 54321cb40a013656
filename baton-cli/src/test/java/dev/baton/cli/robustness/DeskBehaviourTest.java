package dev.baton.cli.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults of the example desks a user meets through the command. */
class DeskBehaviourTest {
    static final String DOUBLE_CHARGE = "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?";

    @TempDir
    Path dir;

    /*
     * Cause: RmaDesk.java:154 attaches the priority guardrail to support_triage only, and an input
     * guardrail runs only for the agent a run starts with. A continued session starts with the specialist
     * that holds it (product_specialist here), so from the second message on nothing is classified: sales
     * requests are answered, and RmaContext.priority() falls back to MEDIUM (create_rma never gives HIGH
     * tickets their advance replacement). docs/desks.md says the guardrail "classifies every message".
     * Fix: give product_specialist and rma_specialist the same priorityGuardrail() (or run it from a
     * RunConfig-level input guardrail so it applies whichever agent starts the run).
     */
    @Test
    void a_sales_request_in_a_continued_rma_session_is_still_stopped_by_the_priority_guardrail() {
        Baton.Result r = Baton.run(dir, "How do I connect my X200 headset over bluetooth to my laptop?\n"
                + "I'd like a quote to buy 50 more X200 headsets for our team.\n", "chat", "--desk", "rma");

        assertThat(r.exit()).as("%s", r).isZero();
        String second = r.out().substring(r.out().indexOf("you> I'd like a quote"));
        assertThat(second).as("%s", r).contains("!! guardrail priority tripped");
    }

    /*
     * Cause: refunds are checked per call. SupportDesk.aboveLimit() (SupportDesk.java:143-153) only looks
     * at the amount of the call in front of it, so $450 refunded as 3 x $150 on INV-9000 never asks anyone.
     * Fix: let the policy add what the invoice already had refunded (backend.invoice(id).refunded) to the
     * amount and ask when the total passes APPROVAL_LIMIT (or when the invoice's refunds in the session do).
     */
    @Test
    void refunds_split_below_the_limit_still_need_approval_once_their_total_passes_it() {
        Baton.Result r = Baton.run(dir, "Please refund $150 for invoice INV-9000, seats never used.\n"
                + "Please refund $150 for invoice INV-9000, more seats never used.\n"
                + "Please refund $150 for invoice INV-9000, the last seats never used.\n", "chat");

        assertThat(r.out()).as("%s", r).contains("Approve process_refund");
    }
}
