package dev.baton.cli.desk;

import static dev.baton.testing.BatonAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.internal.AgentAccess;
import dev.baton.offline.OfflineModel;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunState;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole conversations with the desks and the offline model, as a customer has them: several
 * messages on one session, the routing, tool calls, approvals and answers each must show.
 */
@DisplayName("Conversations with the desks on the offline model")
class DeskConversationTest {

    final Runner runner = Runner.create(RunConfig.builder().defaultModel(OfflineModel.create())
            .sessionStore(new InMemorySessionStore()).build());

    @RegisterExtension
    final OpenedDesks desks = new OpenedDesks();

    <C> RunResult send(Desk<C> desk, String session, String message) {
        return runner.run(desk.entry(), message, options(desk, session));
    }

    <C> RunResult resume(Desk<C> desk, String session, RunState decided) {
        return runner.resume(desk.entry(), decided, options(desk, session));
    }

    private static <C> RunOptions<C> options(Desk<C> desk, String session) {
        return RunOptions.<C>session(session).withContext(desk.newContext());
    }

    @Test
    void seed_001_a_refund_of_shoes_asks_which_item_proposes_a_fix_refunds_with_approval_and_reaches_the_manager() {
        List<HumanRequest> asked = new ArrayList<>();
        List<String> manager = new ArrayList<>(List.of("Hello, this is the manager.", "Thanks."));
        AcmeDesk desk = new AcmeDesk(request -> {
            asked.add(request);
            return Optional.of(HumanReply.say(manager.remove(0)));
        });

        RunResult refund = send(desk, "seed", "I want a refund");
        assertThat(refund).completed().handedOffTo("issues_and_repairs").didNotUseTool("look_up_item")
                .didNotUseTool("execute_refund");
        assertThat(refund.finalOutputText()).isEqualTo("To refund an item I need a description or keywords of the item.");

        RunResult shoes = send(desk, "seed", "A pair of shoes I bought");
        assertThat(shoes).completed().noHandoffs().lastAgent("issues_and_repairs").didNotUseTool("execute_refund");
        assertThat(shoes.finalOutputText()).isEqualTo("To refund an item I need to know why you want a refund.");

        RunResult small = send(desk, "seed", "The shoes are too small");
        assertThat(small).completed().noHandoffs().usedTool("find_known_fix", "{\"product\":\"shoes\"}")
                .didNotUseTool("execute_refund").finalOutputContains("Leather Walking Shoes")
                .finalOutputContains("another size").finalOutputContains("we can refund the item instead");

        RunResult paused = send(desk, "seed", "no I want a refund");
        assertThat(paused).paused().awaitingApproval("execute_refund").usedTool("look_up_item", "{\"search_query\":\"shoes\"}");
        ApprovalRequest approval = paused.toState().pendingApprovals().get(0);
        assertThat(approval.arguments()).isEqualTo("{\"item_id\":\"item_61374\",\"reason\":\"The shoes are too small\"}");
        assertThat(desk.explain(approval.toolName(), approval.arguments())).isEqualTo("Leather Walking Shoes, $240");
        assertThat(desk.backend().refunds()).isEmpty();

        RunResult refunded = resume(desk, "seed", paused.toState().approve(approval.callId()));
        assertThat(refunded).completed().lastAgent("issues_and_repairs").noErrors()
                .finalOutputContains("Done: I refunded $240.00").finalOutputContains("Leather Walking Shoes");
        assertThat(desk.backend().refunds()).extracting(AcmeBackend.Refund::product).containsExactly("Leather Walking Shoes");

        RunResult escalated = send(desk, "seed", "I want to talk to your manager");
        assertThat(escalated).completed().handedOffTo("triage_agent", "human_agent").lastAgent("human_agent")
                .finalOutputIsEqualTo("Hello, this is the manager.");

        RunResult thanks = send(desk, "seed", "Hi! Thanks for your service. I give you 5 stars!");
        assertThat(thanks).completed().noHandoffs().lastAgent("human_agent").finalOutputIsEqualTo("Thanks.");
        assertThat(asked).extracting(HumanRequest::lastUserMessage)
                .containsExactly("I want to talk to your manager", "Hi! Thanks for your service. I give you 5 stars!");
    }

    @Test
    void a_rejected_refund_is_reported_as_not_done_with_the_reviewers_message() {
        SupportDesk desk = desks.open(new SupportDesk());
        RunResult paused = send(desk, "reject", "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.");
        assertThat(paused).paused().awaitingApproval("process_refund");

        RunResult done = resume(desk, "reject", paused.toState()
                .reject(paused.toState().pendingApprovals().get(0).callId(), "Exceeds what the customer paid."));

        assertThat(done).completed().lastAgent("billing_specialist");
        assertThat(done.finalOutputText()).startsWith("I did not refund invoice INV-9000: a reviewer did not approve it "
                + "(\"Exceeds what the customer paid\").").doesNotContain("Done").doesNotContain("I refunded");
        assertThat(desk.backend().refunds()).isEmpty();
        assertThat(desk.backend().invoice("INV-9000").status()).isEqualTo("paid");
    }

    @Test
    void a_polite_request_in_a_later_message_refunds_the_invoice_the_customer_named_earlier() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult question = send(desk, "polite", "I have a question about invoice INV-8821.");
        RunResult refund = send(desk, "polite", "Can you refund the duplicate charge please?");

        assertThat(question).handedOffTo("billing_specialist").usedTool("get_invoice").didNotUseTool("process_refund")
                .finalOutputContains("charged 2 times");
        assertThat(refund).completed().noHandoffs().lastAgent("billing_specialist").usedTool("get_invoice")
                .finalOutputContains("Done: I refunded $99.00 for invoice INV-8821");
        assertThat(desk.backend().refunds()).singleElement().satisfies(r -> assertThat(r.amount()).isEqualTo("$99.00"));
    }

    @Test
    void an_outage_after_a_billing_question_goes_back_through_triage_to_technical_support() {
        SupportDesk desk = desks.open(new SupportDesk());

        send(desk, "topics", "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?");
        RunResult outage = send(desk, "topics", "Something else: the service seems to be down for us in eu-west. Is there an outage?");

        assertThat(outage).completed().handedOffTo("support_triage", "technical_specialist").lastAgent("technical_specialist")
                .usedTool("check_service_status", "{\"region\":\"eu-west\"}").finalOutputContains("degraded");
    }

    @Test
    void every_specialist_of_every_desk_can_hand_back_to_triage() {
        SupportDesk support = desks.open(new SupportDesk());
        RmaDesk rma = new RmaDesk();

        for (String specialist : List.of("billing_specialist", "technical_specialist", "account_specialist")) {
            assertThat(AgentAccess.reachableAgents(support.entry()).get(specialist).handoffs()).as(specialist)
                    .anySatisfy(h -> assertThat(h.targetName()).isEqualTo("support_triage"));
        }
        for (String specialist : List.of("product_specialist", "rma_specialist")) {
            assertThat(AgentAccess.reachableAgents(rma.entry()).get(specialist).handoffs()).as(specialist)
                    .anySatisfy(h -> assertThat(h.targetName()).isEqualTo("support_triage"));
        }
    }

    @Test
    void a_cancellation_at_the_end_of_the_period_moves_no_money_and_needs_no_approval() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult r = send(desk, "cancel", "I want to cancel my subscription. My e-mail is priya.raman@example.org.");

        assertThat(r).completed().handedOffTo("account_specialist").usedTool("get_account")
                .usedTool("cancel_subscription", "{\"customer\":\"priya.raman@example.org\",\"when\":null,\"reason\":null}")
                .finalOutputContains("Done: I canceled the subscription").finalOutputContains("in 5 days");
        assertThat(desk.backend().cancellations()).singleElement().satisfies(c -> {
            assertThat(c.customerId()).isEqualTo("C-1003");
            assertThat(c.refund()).isEqualTo("$0.00");
        });
    }

    @Test
    void an_immediate_cancellation_with_a_prorated_refund_waits_for_approval() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult paused = send(desk, "now", "Please cancel my subscription right away, I'm customer C-1001.");

        assertThat(paused).paused().awaitingApproval("cancel_subscription");
        ApprovalRequest approval = paused.toState().pendingApprovals().get(0);
        assertThat(approval.arguments()).contains("\"when\":\"IMMEDIATELY\"");
        assertThat(desk.explain(approval.toolName(), approval.arguments())).isEqualTo("prorated refund $39.60 for the unused days");
        assertThat(desk.backend().cancellations()).isEmpty();

        RunResult done = resume(desk, "now", paused.toState().approve(approval.callId()));

        assertThat(done).completed().finalOutputContains("Done: I canceled the subscription for customer C-1001");
        assertThat(desk.backend().cancellations()).singleElement().satisfies(c -> assertThat(c.refund()).isEqualTo("$39.60"));
        assertThat(desk.backend().account("C-1001").billingStatus()).isEqualTo("cancelled");
    }

    @Test
    void a_plan_upgrade_charges_the_rest_of_the_cycle_once_approved_and_a_rejected_one_changes_nothing() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult paused = send(desk, "upgrade", "Please upgrade C-1004 to the Business plan.");
        assertThat(paused).paused().awaitingApproval("change_plan");
        ApprovalRequest approval = paused.toState().pendingApprovals().get(0);
        assertThat(approval.arguments()).isEqualTo("{\"customer\":\"C-1004\",\"plan\":\"BUSINESS\"}");
        assertThat(desk.explain(approval.toolName(), approval.arguments()))
                .isEqualTo("prorated charge $210.60 for the rest of the billing cycle");
        RunResult done = resume(desk, "upgrade", paused.toState().approve(approval.callId()));

        assertThat(done).completed().finalOutputContains("Done: I changed the plan for customer C-1004")
                .finalOutputContains("prorated charge $210.60");
        assertThat(desk.backend().account("C-1004").plan()).isEqualTo("Business");

        RunResult downgrade = send(desk, "downgrade", "Please downgrade C-1002 to the Pro plan.");
        RunResult rejected = resume(desk, "downgrade", downgrade.toState()
                .reject(downgrade.toState().pendingApprovals().get(0).callId(), "Talk to the customer first."));

        assertThat(rejected).completed().finalOutputContains("I did not change the plan for customer C-1002")
                .finalOutputContains("Talk to the customer first");
        assertThat(desk.backend().account("C-1002").plan()).isEqualTo("Business");
        assertThat(desk.backend().planChanges()).singleElement().satisfies(c -> assertThat(c.customerId()).isEqualTo("C-1004"));
    }

    @Test
    void rma_tickets_get_an_id_kept_for_the_conversation_and_specialists_hand_new_topics_back_to_triage() {
        RmaDesk desk = new RmaDesk();
        RmaDesk.RmaContext first = desk.newContext();
        RmaDesk.RmaContext second = desk.newContext();
        RmaDesk.RmaContext other = desk.newContext();

        RunResult howTo = runner.run(desk.entry(), "How do I connect my X200 headset over bluetooth to my laptop?",
                RunOptions.<RmaDesk.RmaContext>session("rma-a").withContext(first));
        RunResult broken = runner.run(desk.entry(), "Also my X200 headset SN-88413 is broken, the left ear cup cracked. I need a repair.",
                RunOptions.<RmaDesk.RmaContext>session("rma-a").withContext(second));
        runner.run(desk.entry(), "How do I update the firmware of my dock?",
                RunOptions.<RmaDesk.RmaContext>session("rma-b").withContext(other));

        assertThat(first.ticket()).satisfies(t -> {
            assertThat(t.ticketId()).isEqualTo("TCK-5001");
            assertThat(t.reference()).isNull();
            assertThat(t.category()).isEqualTo(RmaDesk.Category.PRODUCT);
        });
        assertThat(second.ticket()).satisfies(t -> {
            assertThat(t.ticketId()).isEqualTo("TCK-5001");
            assertThat(t.reference()).isEqualTo("SN-88413");
        });
        assertThat(other.ticket().ticketId()).isEqualTo("TCK-5002");
        assertThat(howTo).handedOffTo("product_specialist").usedTool("find_help_article");
        assertThat(broken).handedOffTo("support_triage", "rma_specialist").usedTool("check_warranty")
                .usedTool("create_rma").finalOutputContains("RMA-7001");
    }
}
