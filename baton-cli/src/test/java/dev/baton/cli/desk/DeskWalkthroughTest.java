package dev.baton.cli.desk;

import static dev.baton.testing.BatonAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.UserError;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.internal.AgentAccess;
import dev.baton.offline.OfflineModel;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunState;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The three desks with the offline model: the walkthrough each demo promises. */
@DisplayName("Desks with the offline model")
class DeskWalkthroughTest {

    final Runner runner = Runner.create(RunConfig.builder().defaultModel(OfflineModel.create())
            .sessionStore(new InMemorySessionStore()).build());

    @RegisterExtension
    final OpenedDesks desks = new OpenedDesks();

    <C> RunResult send(Desk<C> desk, String session, String message) {
        return runner.run(desk.entry(), message, RunOptions.<C>session(session).withContext(desk.newContext()));
    }

    @Test
    void a_double_charge_goes_to_billing_which_reads_the_invoice_and_refunds_99_dollars() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult r = send(desk, "s1", "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?");

        assertThat(r).completed().handedOffTo("billing_specialist").lastAgent("billing_specialist")
                .usedTool("get_invoice", "{\"invoice_id\":\"INV-8821\"}").usedTool("process_refund").noErrors()
                .finalOutputContains("INV-8821");
        assertThat(desk.backend().refunds()).singleElement()
                .satisfies(f -> assertThat(f.amount()).isEqualTo("$99.00"));
        assertThat(desk.backend().invoice("INV-8821").status()).isEqualTo("partially refunded");
    }

    @Test
    void a_450_dollar_refund_pauses_for_approval_and_completes_once_approved() {
        SupportDesk desk = desks.open(new SupportDesk());
        RunOptions<SupportDesk.Support> options = RunOptions.<SupportDesk.Support>session("s2").withContext(desk.newContext());

        RunResult paused = runner.run(desk.entry(), "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.", options);

        assertThat(paused.isPaused()).isTrue();
        RunState state = paused.toState();
        assertThat(state.pendingApprovals()).singleElement().satisfies(a -> {
            assertThat(a.toolName()).isEqualTo("process_refund");
            assertThat(a.arguments()).contains("\"amount\":450").contains("INV-9000");
        });
        assertThat(desk.backend().refunds()).isEmpty();

        RunResult done = runner.resume(desk.entry(), state.approve(state.pendingApprovals().get(0).callId()), options);

        assertThat(done).completed().lastAgent("billing_specialist").finalOutputContains("INV-9000");
        assertThat(desk.backend().refunds()).singleElement().satisfies(f -> assertThat(f.amount()).isEqualTo("$450.00"));
    }

    @Test
    void a_login_problem_goes_to_technical_and_the_next_message_stays_there_for_a_password_reset() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult first = send(desk, "s3", "I can't log in since this morning. I'm in eu-west.");
        RunResult second = send(desk, "s3", "Please send me a password reset, my customer id is C-1001.");

        assertThat(first).handedOffTo("technical_specialist").usedTool("check_service_status", "{\"region\":\"eu-west\"}")
                .finalOutputContains("degraded");
        assertThat(second).noHandoffs().lastAgent("technical_specialist").usedTool("reset_password", "{\"customer\":\"C-1001\"}");
        assertThat(desk.backend().passwordResets()).singleElement()
                .satisfies(p -> assertThat(p.sentTo()).isEqualTo("dana.whitfield@example.com"));
    }

    @Test
    void a_cancellation_goes_to_the_account_specialist_who_finds_the_account_by_e_mail() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult r = send(desk, "s4", "I want to cancel my subscription. My e-mail is priya.raman@example.org.");

        assertThat(r).handedOffTo("account_specialist").usedTool("get_account", "{\"customer\":\"priya.raman@example.org\"}")
                .finalOutputContains("C-1003");
    }

    @Test
    void an_invoice_question_without_an_id_gets_asked_for_the_id() {
        SupportDesk desk = desks.open(new SupportDesk());

        RunResult r = send(desk, "s5", "I have a question about my invoice.");

        assertThat(r).handedOffTo("billing_specialist").finalOutputContains("INV-8821");
        assertThat(r.finalOutputText()).startsWith("To ");
    }

    @Test
    void acme_walks_from_repairs_through_a_refund_and_a_sale_to_a_human_at_the_console() {
        Deque<HumanRequest> asked = new ArrayDeque<>();
        AcmeDesk desk = new AcmeDesk(request -> {
            asked.add(request);
            return Optional.of(HumanReply.say("Hi, this is Wile from ACME. I'll sort this out for you personally."));
        });

        RunResult fix = send(desk, "a1", "The left wheel of my rocket skates is broken and wobbles.");
        RunResult refund = send(desk, "a1", "That didn't help, I want a refund.");
        RunResult sale = send(desk, "a1", "Thanks. I'd also like to buy a giant rubber band.");
        RunResult human = send(desk, "a1", "One more thing: let me talk to a human, please.");

        assertThat(fix).handedOffTo("issues_and_repairs").usedTool("find_known_fix").finalOutputContains("axle nut");
        assertThat(refund).noHandoffs().usedTool("look_up_item").usedTool("execute_refund", "{\"item_id\":\"item_48213\","
                + "\"reason\":\"The left wheel of my rocket skates is broken and wobbles.\"}").finalOutputContains("item_48213");
        assertThat(sale).handedOffTo("triage_agent", "sales_agent").usedTool("look_up_item")
                .usedTool("execute_order", "{\"product\":\"Giant Rubber Band\",\"price\":45}");
        assertThat(human).handedOffTo("triage_agent", "human_agent").lastAgent("human_agent")
                .finalOutputContains("Wile from ACME");
        assertThat(asked).singleElement().satisfies(request -> {
            assertThat(request.lastUserMessage()).isEqualTo("One more thing: let me talk to a human, please.");
            assertThat(request.handoffs()).extracting(HumanRequest.HandoffOption::agent).containsExactly("triage_agent");
        });
        assertThat(desk.backend().refunds()).extracting(AcmeBackend.Refund::product).containsExactly("Rocket Skates");
        assertThat(desk.backend().orders()).extracting(AcmeBackend.Order::product).containsExactly("Giant Rubber Band");
    }

    @Test
    void an_rma_claim_is_classified_high_and_the_rma_specialist_opens_an_advance_replacement() {
        RmaDesk desk = new RmaDesk();
        RmaDesk.RmaContext context = desk.newContext();

        RunResult r = runner.run(desk.entry(), "My X200 headset SN-88412 died after two weeks, no power at all. I need a replacement.",
                RunOptions.<RmaDesk.RmaContext>session("r1").withContext(context));

        assertThat(context.ticket()).isEqualTo(new RmaDesk.Ticket("TCK-5001", "SN-88412", RmaDesk.Priority.HIGH, RmaDesk.Category.RMA));
        assertThat(r).handedOffTo("rma_specialist").usedTool("check_warranty").usedTool("create_rma").noErrors();
        assertThat(desk.backend().rmas()).singleElement().satisfies(rma -> {
            assertThat(rma.priority()).isEqualTo("HIGH");
            assertThat(rma.handling()).startsWith("advance replacement");
        });
    }

    @Test
    void a_product_question_is_low_priority_and_answered_from_a_help_article() {
        RmaDesk desk = new RmaDesk();
        RmaDesk.RmaContext context = desk.newContext();

        RunResult r = runner.run(desk.entry(), "How do I connect my X200 headset over bluetooth to my laptop?",
                RunOptions.<RmaDesk.RmaContext>session("r2").withContext(context));

        assertThat(context.priority()).isEqualTo(RmaDesk.Priority.LOW);
        assertThat(r).handedOffTo("product_specialist").usedTool("find_help_article").finalOutputContains("Bluetooth");
    }

    @Test
    void a_sales_request_trips_the_priority_guardrail() {
        RmaDesk desk = new RmaDesk();

        assertThatThrownBy(() -> send(desk, "r3", "I'd like a quote to buy 50 more X200 headsets for our team."))
                .isInstanceOfSatisfying(InputGuardrailTripwireTriggered.class, e -> {
                    assertThat(e.result().name()).isEqualTo("priority");
                    assertThat(((RmaDesk.Ticket) e.result().info()).category()).isEqualTo(RmaDesk.Category.SALES);
                });
    }

    @Test
    void every_demo_step_runs_to_an_answer_a_pause_or_a_guardrail_trip() {
        for (String name : Desks.names()) {
            Desk<?> desk = desks.open(Desks.create(name, request -> Optional.of(HumanReply.say("A person from the team here, how can I help?"))));
            runDemo(desk);
        }
    }

    private <C> void runDemo(Desk<C> desk) {
        for (Desk.DemoStep step : desk.demo()) {
            try {
                RunResult r = send(desk, desk.name() + "-" + step.session(), step.message());
                assertThat(r.isPaused() || !r.finalOutputText().isBlank()).as(step.message()).isTrue();
            } catch (InputGuardrailTripwireTriggered expected) {
                assertThat(desk.name()).isEqualTo("rma");
            }
        }
    }

    @Test
    void desks_are_found_by_name_and_an_unknown_name_lists_the_known_ones() {
        assertThat(Desks.names()).containsExactly("support", "acme", "rma");
        assertThat(Desks.create("acme", p -> Optional.empty()).name()).isEqualTo("acme");
        assertThatThrownBy(() -> Desks.create("sales", p -> Optional.empty())).isInstanceOf(UserError.class)
                .hasMessageContaining("support, acme, rma");
        assertThat(List.of(AgentAccess.reachableAgents(desks.open(new SupportDesk()).entry()).keySet()).get(0))
                .contains("support_triage", "billing_specialist", "technical_specialist", "account_specialist");
    }
}
