package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.item.Message;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.SessionLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The durable client and the durable worker: a client that knows no agents starts, lists, waits
 * for and decides runs through the store; workers register agents per application and execute
 * the runs of their applications only, whoever started them.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(30)
class ClientAndWorkerTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final InMemorySessionStore sessions = new InMemorySessionStore();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private DurableWorker.Builder worker(RefundDesk desk, RunStore runStore) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(sessions).build());
        return DurableWorker.builder(runner, runStore).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(20));
    }

    private <T extends AutoCloseable> T closed(T c) {
        closing.add(c);
        return c;
    }

    /** A client as another process would hold it: no agents, its own handles, nothing executing here. */
    private DurableClient client() {
        return closed(DurableClient.builder(store).pollInterval(Duration.ofMillis(20)).build());
    }

    @Test
    void a_client_with_no_agents_starts_a_run_that_a_worker_of_its_application_executes() {
        RefundDesk desk = new RefundDesk();
        closed(worker(desk, store).application("support", desk.triage()).build().start());

        RunHandle run = client().startRun("support", "triage", "refund O-1 150", "ticket-1");
        RunRecord done = run.result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $150 for O-1\"");
        assertThat(done.application()).isEqualTo("support");
        assertThat(done.sessionId()).isEqualTo("ticket-1");
        assertThat(done.graph()).as("the agents it was executed with, recorded by the worker").containsKeys("triage", "refunds");
        assertThat(desk.invocations).hasSize(1);
    }

    @Test
    void building_a_worker_starts_no_thread_and_it_executes_nothing_until_started() {
        RefundDesk desk = new RefundDesk();
        DurableWorker idle = closed(worker(desk, store).application("support", desk.triage()).workerId("idle-worker").build());

        assertThat(threadsNamed("idle-worker")).isEmpty();
        assertThatThrownBy(() -> idle.startRun(desk.triage(), "refund O-1 150")).isInstanceOf(UserError.class)
                .hasMessageContaining("not started");
        RunHandle waiting = client().startRun("support", "triage", "refund O-1 150");
        assertThat(waiting.await(Duration.ofMillis(200))).isEmpty();
        assertThat(waiting.record().owner()).isNull();

        idle.start();

        assertThat(threadsNamed("idle-worker")).isNotEmpty();
        assertThat(waiting.result().status()).isEqualTo(RunStatus.COMPLETED);
        idle.close();
        assertThat(threadsNamed("idle-worker")).as("closing stops them").isEmpty();
    }

    @Test
    void a_worker_takes_only_the_runs_of_its_applications_and_names_are_per_application() {
        RefundDesk support = new RefundDesk();
        RefundDesk acme = new RefundDesk("Refund with issue_refund, then say so.");
        closed(worker(support, store).application("support", support.triage()).build().start());
        closed(worker(acme, store).application("acme", acme.triage()).build().start());

        RunRecord a = client().startRun("acme", "triage", "refund O-7 20").result();
        RunRecord s = client().startRun("support", "triage", "refund O-8 30").result();

        assertThat(a.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(s.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(acme.ledger.values()).containsExactly("O-7 $20");
        assertThat(support.ledger.values()).containsExactly("O-8 $30");
        assertThat(client().runs(RunQuery.all().withApplication("acme"))).extracting(RunRecord::id).containsExactly(a.id());
        assertThat(client().runs(RunQuery.all().withApplication("support"))).extracting(RunRecord::id).containsExactly(s.id());
    }

    @Test
    void a_run_of_an_application_nobody_serves_waits_untouched() {
        RefundDesk desk = new RefundDesk();
        closed(worker(desk, store).application("support", desk.triage()).build().start());

        RunHandle run = client().startRun("billing-desk", "triage", "refund O-1 150");

        assertThat(run.await(Duration.ofMillis(300))).isEmpty();
        assertThat(run.record().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.record().owner()).isNull();
        assertThat(desk.modelCalls).hasValue(0);
    }

    @Test
    void a_run_started_with_an_agent_its_application_does_not_have_fails_with_an_error_that_says_so() {
        RefundDesk desk = new RefundDesk();
        closed(worker(desk, store).application("support", desk.triage()).build().start());

        RunRecord failed = client().startRun("support", "trige", "refund O-1 150").result();

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).contains("application 'support' has no agent named 'trige'").contains("triage", "refunds");
        assertThat(desk.modelCalls).hasValue(0);
    }

    @Test
    void a_client_run_may_start_with_any_agent_its_application_reaches() {
        RefundDesk desk = new RefundDesk();
        closed(worker(desk, store).application("support", desk.triage()).build().start());

        RunRecord done = client().startRun("support", "refunds", "refund O-2 40").result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.startAgent()).isEqualTo("refunds");
        assertThat(desk.ledger.values()).containsExactly("O-2 $40");
    }

    @Test
    void a_decision_made_by_a_client_elsewhere_is_carried_out_by_a_worker() {
        RefundDesk desk = new RefundDesk();
        closed(worker(desk, store).application("support", desk.triage()).build().start());
        DurableClient client = client();

        RunHandle run = client.startRun("support", "triage", "refund O-3 450");
        assertThat(run.result().status()).isEqualTo(RunStatus.PAUSED);
        Approval pending = client.pendingApprovals(10).get(0);
        client.attach(pending.runId()).approve(pending.callId());

        RunRecord done = run.result();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(desk.ledger.values()).containsExactly("O-3 $450");
    }

    @Test
    void one_worker_serves_several_applications_and_a_run_names_its_application_when_an_agent_is_in_several() {
        RefundDesk desk = new RefundDesk();
        DurableWorker both = closed(worker(desk, store).application("support", desk.triage()).application("acme", desk.triage())
                .build().start());

        assertThatThrownBy(() -> both.startRun(desk.triage(), "refund O-1 10")).isInstanceOf(UserError.class)
                .hasMessageContaining("several applications").hasMessageContaining("[acme, support]");
        RunRecord done = both.startRun("acme", desk.triage(), List.of(Message.user("refund O-1 10")), RunOptions.none()).result();

        assertThat(done.application()).isEqualTo("acme");
        assertThat(both.applications()).containsExactlyInAnyOrder("acme", "support");
    }

    @Test
    void a_worker_without_take_over_leaves_runs_started_elsewhere_to_others() {
        RefundDesk desk = new RefundDesk();
        DurableWorker chat = closed(worker(desk, store).application("support", desk.triage()).takeOver(false).build().start());

        RunHandle elsewhere = client().startRun("support", "triage", "refund O-4 15");
        assertThat(elsewhere.await(Duration.ofMillis(300))).isEmpty();
        RunRecord mine = chat.startRun(desk.triage(), "refund O-5 25").result();

        assertThat(mine.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(elsewhere.record().owner()).isNull();
        assertThat(chat.resumeIncomplete()).extracting(RunHandle::id).containsExactly(elsewhere.id());
        assertThat(elsewhere.result().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void a_resumed_run_reads_its_journal_only_once_it_holds_its_session() throws Exception {
        RefundDesk desk = new RefundDesk();
        AtomicInteger journalReads = new AtomicInteger();
        AtomicReference<Boolean> sessionFreeAtFirstRead = new AtomicReference<>();
        RunStore counting = new ForwardingRunStore(store) {
            @Override
            public List<Effect> effects(String runId) {
                if (journalReads.getAndIncrement() == 0) {
                    sessionFreeAtFirstRead.set(sessions.lease("ticket-9").map(l -> !l.owner().equals("someone-else")).orElse(true));
                }
                return super.effects(runId);
            }
        };
        // A run that paused for approval on a session; the decision is taken while another process holds the session.
        DurableWorker first = closed(worker(desk, counting).application("support", desk.triage()).takeOver(false).autoResume(false)
                .build().start());
        RunHandle run = first.startRun(desk.triage(), "refund O-9 450", RunOptions.session("ticket-9"));
        assertThat(run.result().status()).isEqualTo(RunStatus.PAUSED);
        SessionLease other = sessions.tryLease("ticket-9", "someone-else", Duration.ofSeconds(30)).orElseThrow();
        run.approve(run.approvals().get(0).callId());
        journalReads.set(0);

        DurableWorker second = closed(worker(desk, counting).application("support", desk.triage()).takeOver(false).build().start());
        assertThat(second.resumeIncomplete()).extracting(RunHandle::id).containsExactly(run.id());
        assertThat(run.await(Duration.ofMillis(300))).as("waiting for the session").isEmpty();
        assertThat(journalReads).as("the journal is not read while another holds the session").hasValue(0);

        sessions.releaseLease(other);
        assertThat(run.result().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(sessionFreeAtFirstRead.get()).isTrue();
        assertThat(journalReads).hasValue(1);
        assertThat(desk.ledger.values()).containsExactly("O-9 $450");
    }

    private static List<String> threadsNamed(String part) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.contains(part)).toList();
    }
}
