package dev.baton.runtime.handoff;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ToolProviderFailed;
import dev.baton.agent.Agent;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.run.RunConfig;
import dev.baton.run.RunContext;
import dev.baton.run.Runner;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.schema.Description;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolProvider;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A desk whose turns are durable runs: what several processes serving one desk rely on. */
@DisplayName("A desk with journaled turns")
class JournaledDeskTest {

    record Invoice(@Description("Invoice id") String id) {}

    final InMemoryRunStore store = new InMemoryRunStore();
    final InMemorySessionStore sessions = new InMemorySessionStore();
    final AtomicInteger lookups = new AtomicInteger();
    volatile CountDownLatch toolGate;
    final CountDownLatch toolEntered = new CountDownLatch(1);

    @AfterEach
    void close() {
        store.close();
    }

    Agent<Void> triage() {
        Tool<Void> invoice = Tool.of("get_invoice", "Look an invoice up.", Invoice.class, (ctx, a) -> {
            lookups.incrementAndGet();
            CountDownLatch gate = toolGate;
            if (gate != null) {
                toolEntered.countDown();
                gate.await();
            }
            return a.id() + ": $42, paid";
        });
        Agent<Void> billing = Agent.<Void>builder("billing").instructions("Billing.").tools(invoice).build();
        return Agent.<Void>builder("triage").instructions("Triage.").handoffs(billing).build();
    }

    HandoffDesk<Void> desk(ScriptedModel model) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        return HandoffDesk.builder(triage(), runner).name("billing-desk").journaled(store, java.time.Duration.ofMillis(300)).build();
    }

    @Test
    void each_turn_is_a_durable_run_of_the_desk_and_a_handoff_ends_its_run() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("get_invoice", new Invoice("INV-1")), reply("INV-1 is paid."));
        Transcript customer = new Transcript("Is INV-1 paid?");
        try (HandoffDesk<Void> desk = desk(model); InProcessRuntime runtime = InProcessRuntime.create()) {
            desk.host(runtime);
            desk.hostUser(runtime, customer);
            desk.login(runtime, "s1");
            runtime.stopWhenIdle();
        }

        assertThat(customer.said).containsExactly("user: Is INV-1 paid?", "billing: INV-1 is paid.", "(session ended)");
        List<RunRecord> runs = store.listRuns(RunQuery.all());
        assertThat(runs).hasSize(2).allSatisfy(r -> {
            assertThat(r.application()).isEqualTo("billing-desk");
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.sessionId()).isEqualTo("s1");
            assertThat(r.id()).startsWith("turn_");
        });
        assertThat(runs).filteredOn(r -> r.startAgent().equals("triage")).singleElement()
                .satisfies(r -> assertThat(r.finalOutput()).as("a handoff has no output").isNull());
        assertThat(runs).filteredOn(r -> r.startAgent().equals("billing")).singleElement()
                .satisfies(r -> assertThat(r.finalOutput()).isEqualTo("\"INV-1 is paid.\""));
    }

    @Test
    void a_message_handled_twice_reads_back_its_turn_instead_of_taking_it_again() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("billing", callTool("get_invoice", new Invoice("INV-2")), reply("INV-2 is paid."));
        try (HandoffDesk<Void> desk = desk(model)) {
            Agent<Void> billing = triage().handoffs().getFirst().target().resolve();
            List<Item> input = List.of(Message.user("INV-2?"));

            Turn first = desk.turns().take("message-1", billing, input, desk.optionsFor("s2"));
            Turn again = desk.turns().take("message-1", billing, input, desk.optionsFor("s2"));

            assertThat(first).isInstanceOfSatisfying(Turn.Answered.class, a -> assertThat(a.text()).isEqualTo("INV-2 is paid."));
            assertThat(again).isEqualTo(first);
            assertThat(model.requests()).hasSize(2);
            assertThat(lookups).hasValue(1);
        }
    }

    @Test
    void a_turn_left_running_by_a_stopped_process_is_replayed_where_its_message_goes_next() throws Exception {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("billing", callTool("get_invoice", new Invoice("INV-3")), reply("INV-3 is paid."));
        Agent<Void> billing = triage().handoffs().getFirst().target().resolve();
        List<Item> input = List.of(Message.user("INV-3?"));
        toolGate = new CountDownLatch(1);
        HandoffDesk<Void> first = desk(model);
        Thread.ofVirtual().start(() -> {
            try {
                first.turns().take("message-3", billing, input, first.optionsFor("s3"));
            } catch (RuntimeException stopped) {
                // the process stopped under it
            }
        });
        assertThat(toolEntered.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        toolGate = null;

        try (HandoffDesk<Void> second = desk(model)) {
            Turn turn = second.turns().take("message-3", billing, input, second.optionsFor("s3"));

            assertThat(turn).isInstanceOfSatisfying(Turn.Answered.class, a -> assertThat(a.text()).isEqualTo("INV-3 is paid."));
        }
        assertThat(model.requests()).as("the recorded model call is replayed, not made again").hasSize(2);
        assertThat(lookups).as("the tool call that never finished runs again").hasValue(2);
        assertThat(store.listRuns(RunQuery.all())).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.COMPLETED));
    }

    @Test
    void a_journaled_turn_waits_for_approval_in_the_store_and_goes_on_with_the_decision() {
        Tool<Void> refund = Tool.<Void, Invoice>of("refund_invoice", "Refund an invoice.", Invoice.class,
                (ctx, a) -> "refunded " + a.id()).requiringApproval();
        Agent<Void> billing = Agent.<Void>builder("billing").instructions("Billing.").tools(refund).build();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("billing", callTool("refund_invoice", new Invoice("INV-4")), reply("Refunded."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        try (HandoffDesk<Void> desk = HandoffDesk.builder(billing, runner).journaled(store).build()) {
            Turn turn = desk.turns().take("message-4", billing, List.of(Message.user("refund INV-4")), desk.optionsFor("s4"));

            assertThat(turn).isInstanceOf(Turn.Paused.class);
            Turn.Paused paused = (Turn.Paused) turn;
            assertThat(store.findRun(paused.runId())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.PAUSED));
            String callId = paused.pending().getFirst().callId();
            ApprovalDecision yes = new ApprovalDecision(paused.runId(), callId, true, false, null, "Dana");

            Turn done = desk.turns().decide(billing, paused, List.of(yes), desk.optionsFor("s4"));
            Turn again = desk.turns().decide(billing, paused, List.of(yes), desk.optionsFor("s4"));

            assertThat(done).isInstanceOfSatisfying(Turn.Answered.class, a -> assertThat(a.text()).isEqualTo("Refunded."));
            assertThat(again).as("a decision delivered twice").isEqualTo(done);
            assertThat(store.approvals(paused.runId())).singleElement()
                    .satisfies(a -> assertThat(a.decidedBy()).isEqualTo("Dana"));
        }
    }

    /** A CRM whose tool source is down while {@link #down} says so (a server that crashed and is starting again). */
    final class Crm implements ToolProvider<Void> {
        volatile int failuresLeft;
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public String name() {
            return "crm";
        }

        @Override
        public List<Tool<Void>> tools(RunContext<Void> context, Agent<Void> agent) {
            asked.incrementAndGet();
            if (failuresLeft > 0) {
                failuresLeft--;
                throw new IllegalStateException("MCP server 'crm' exited with code 1");
            }
            return List.of(Tool.of("find_customer", "Find a customer.", Invoice.class, (ctx, a) -> "customer of " + a.id()));
        }
    }

    Agent<Void> withCrm(Crm crm) {
        return Agent.<Void>builder("accounts").instructions("Accounts.").toolProviders(crm).build();
    }

    HandoffDesk<Void> desk(ScriptedModel model, Agent<Void> entry) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        return HandoffDesk.builder(entry, runner).name("accounts-desk").journaled(store, java.time.Duration.ofMillis(300)).build();
    }

    @Test
    void a_tool_source_down_for_a_moment_is_asked_again_and_the_turn_answers() {
        Crm crm = new Crm();
        crm.failuresLeft = 1;
        ScriptedModel model = ScriptedModel.create().forAgent("accounts", callTool("find_customer", new Invoice("INV-5")), reply("Found."));
        try (HandoffDesk<Void> desk = desk(model, withCrm(crm))) {
            Turn turn = desk.turns().take("message-5", withCrm(crm), List.of(Message.user("who paid INV-5?")), desk.optionsFor("s5"));

            assertThat(turn).isInstanceOfSatisfying(Turn.Answered.class, a -> assertThat(a.text()).isEqualTo("Found."));
        }
        assertThat(store.listRuns(RunQuery.all())).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.COMPLETED));
    }

    @Test
    void a_tool_source_that_stays_down_fails_the_turn_naming_it_and_the_turn_continues_when_its_message_comes_again() {
        Crm crm = new Crm();
        crm.failuresLeft = Integer.MAX_VALUE;
        ScriptedModel model = ScriptedModel.create().forAgent("accounts", callTool("find_customer", new Invoice("INV-6")), reply("Found."));
        List<Item> input = List.of(Message.user("who paid INV-6?"));
        try (HandoffDesk<Void> desk = desk(model, withCrm(crm))) {
            assertThatThrownBy(() -> desk.turns().take("message-6", withCrm(crm), input, desk.optionsFor("s6")))
                    .isInstanceOf(ToolProviderFailed.class).hasMessageContaining("'crm'").hasMessageContaining("exited with code 1");
            assertThat(crm.asked).as("asked again before the turn fails").hasValueGreaterThan(1);
            assertThat(store.listRuns(RunQuery.all())).singleElement()
                    .satisfies(r -> assertThat(r.status()).as("the run is not failed: it waits for the source").isEqualTo(RunStatus.RUNNING));

            crm.failuresLeft = 0;
            Turn again = desk.turns().take("message-6", withCrm(crm), input, desk.optionsFor("s6"));

            assertThat(again).isInstanceOfSatisfying(Turn.Answered.class, a -> assertThat(a.text()).isEqualTo("Found."));
        }
        assertThat(store.listRuns(RunQuery.all())).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.COMPLETED));
    }
}
