package dev.baton.durable;

import dev.baton.RunStoreFailed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.JournalMismatch;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Durable runs over the in-memory run store: handles, journal, replay, approvals, cancel, history. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(30)
class DurableWorkerTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final InMemorySessionStore sessions = new InMemorySessionStore();
    private final List<DurableWorker> runners = new ArrayList<>();

    @AfterEach
    void close() {
        runners.forEach(DurableWorker::close);
    }

    private DurableWorker durable(RefundDesk desk) {
        return durable(desk, store);
    }

    private DurableWorker durable(RefundDesk desk, RunStore runStore) {
        return durable(desk, runStore, false);
    }

    /** A worker; with {@code takeOver}, its loop takes the runs no live worker holds. */
    private DurableWorker durable(RefundDesk desk, RunStore runStore, boolean takeOver) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(sessions).build());
        DurableWorker d = DurableWorker.builder(runner, runStore).agents(desk.triage()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).takeOver(takeOver).build().start();
        runners.add(d);
        return d;
    }

    @Test
    void a_started_run_completes_and_its_record_holds_the_output_the_agent_and_the_usage() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150");

        RunRecord done = run.result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $150 for O-1\"");
        assertThat(done.startAgent()).isEqualTo("triage");
        assertThat(done.currentAgent()).isEqualTo("refunds");
        assertThat(done.usage().requests()).isEqualTo(3);
        assertThat(done.usage().inputTokens()).isEqualTo(60);
        assertThat(done.owner()).isNull();
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void a_run_started_once_under_an_id_is_recorded_once_and_its_handle_carries_the_runners_result() {
        RefundDesk desk = new RefundDesk();
        DurableWorker worker = durable(desk);
        List<Item> input = List.of(Message.user("refund O-1 150"));

        RunHandle first = worker.startRunOnce("turn-1", RunRecord.DEFAULT_APPLICATION, desk.triage(), input, RunOptions.none());
        RunRecord done = first.result();
        RunHandle again = worker.startRunOnce("turn-1", RunRecord.DEFAULT_APPLICATION, desk.triage(), input, RunOptions.none());

        assertThat(done.id()).isEqualTo("turn-1");
        assertThat(first.localResult()).hasValueSatisfying(r -> {
            assertThat(r.finalOutput()).isEqualTo("Done: refunded $150 for O-1");
            assertThat(r.lastAgent()).isEqualTo(done.currentAgent());
        });
        assertThat(again.result()).isEqualTo(done);
        assertThat(again.localResult()).as("read back, not executed again").isEmpty();
        assertThat(worker.attach("turn-1").localResult()).isEmpty();
        assertThat(desk.modelCalls).hasValue(3);
        assertThat(store.listRuns(RunQuery.all())).extracting(RunRecord::id).containsOnlyOnce("turn-1");
    }

    @Test
    void every_model_and_tool_call_is_journaled_with_its_timing_and_tokens() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150");
        run.result();

        RunHistory history = run.history();

        assertThat(history.effects()).extracting(Effect::key).containsExactly("start", "m1", "m2", "t2/call_r3", "m3");
        assertThat(history.modelCalls()).extracting(Effect::agent).containsExactly("triage", "refunds", "refunds");
        assertThat(history.toolCalls()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("issue_refund");
            assertThat(t.request()).isEqualTo("{\"order_id\":\"O-1\",\"amount\":150}");
            assertThat(t.status()).isEqualTo(Effect.Status.DONE);
            assertThat(t.attempts()).isEqualTo(1);
            assertThat(t.durationMillis()).isGreaterThanOrEqualTo(0);
        });
        assertThat(history.modelUsage().totalTokens()).isEqualTo(75);
    }

    @Test
    void the_events_are_journaled_in_order_with_gapless_sequence_numbers() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150");
        run.result();

        List<RecordedEvent> events = run.history().events();

        assertThat(events).extracting(RecordedEvent::seq).containsExactlyElementsOf(
                IntStream.range(0, events.size()).mapToObj(i -> (long) i).toList());
        assertThat(events.get(0).type()).isEqualTo("RunStarted");
        assertThat(events).extracting(RecordedEvent::type).contains("HandoffOccurred", "ToolCalled", "ToolFinished");
        assertThat(events.get(events.size() - 1).type()).isEqualTo("RunCompleted");
        assertThat(events.stream().filter(e -> e.type().equals("HandoffOccurred")).findFirst().orElseThrow().data())
                .contains("\"from\":\"triage\"").contains("\"to\":\"refunds\"");
    }

    @Test
    void events_can_be_followed_live_and_resumed_from_any_sequence_number() throws Exception {
        RefundDesk desk = new RefundDesk();
        desk.blockInTool = new CountDownLatch(1);
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150");
        List<String> seen = new ArrayList<>();
        try (EventStream stream = run.events(0)) {
            for (RecordedEvent e : stream) {
                seen.add(e.type());
                if (e.type().equals("ToolCalled")) {
                    break;
                }
            }
            long resumeAt = stream.nextSeq();
            desk.inTool.await(5, TimeUnit.SECONDS);
            desk.blockInTool.countDown();
            List<RecordedEvent> rest = run.events(resumeAt).stream().toList();
            assertThat(rest.get(0).seq()).isEqualTo(resumeAt);
            assertThat(rest.get(rest.size() - 1).type()).isEqualTo("RunCompleted");
            assertThat(seen.size() + rest.size()).isEqualTo(run.history().events().size());
        }
    }

    @Test
    void a_run_stopped_in_the_middle_of_a_tool_resumes_elsewhere_without_repeating_finished_model_calls() throws Exception {
        RefundDesk first = new RefundDesk();
        first.blockInTool = new CountDownLatch(1);
        DurableWorker dying = durable(first);
        RunHandle run = dying.startRun(first.triage(), "refund O-1 150");
        assertThat(first.inTool.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close(); // the process goes away in the middle of the refund
        assertThat(store.findRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

        RefundDesk second = new RefundDesk();
        DurableWorker survivor = durable(second);
        List<RunHandle> taken = survivor.resumeIncomplete();

        assertThat(taken).extracting(RunHandle::id).containsExactly(run.id());
        RunRecord done = survivor.attach(run.id()).result();
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $150 for O-1\"");
        assertThat(first.modelCalls.get()).isEqualTo(2);
        assertThat(second.modelCalls.get()).as("only the model call after the tool").isEqualTo(1);
        assertThat(second.invocations).as("the interrupted call runs once more, with the same key")
                .containsExactlyElementsOf(first.invocations);
        assertThat(survivor.client().history(run.id()).toolCalls().get(0).attempts()).isEqualTo(2);
    }

    @Test
    void a_restarted_process_with_a_stable_worker_id_takes_its_runs_back_at_once() throws Exception {
        RunStore crashy = new ForwardingRunStore(store) {
            @Override
            public void release(String runId, String owner) {
                // A killed process releases nothing.
            }
        };
        RefundDesk first = new RefundDesk();
        first.blockInTool = new CountDownLatch(1);
        DurableWorker dying = named(first, crashy, "desk-1");
        RunHandle run = dying.startRun(first.triage(), "refund O-1 150");
        assertThat(first.inTool.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close();

        assertThat(named(new RefundDesk(), store, "desk-2").resumeIncomplete()).as("another worker waits for the lease").isEmpty();
        DurableWorker restarted = named(new RefundDesk(), store, "desk-1");
        assertThat(restarted.resumeIncomplete()).extracting(RunHandle::id).containsExactly(run.id());
        assertThat(restarted.attach(run.id()).result().status()).isEqualTo(RunStatus.COMPLETED);
    }

    private DurableWorker named(RefundDesk desk, RunStore runStore, String workerId) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(sessions).build());
        DurableWorker d = DurableWorker.builder(runner, runStore).agents(desk.triage()).workerId(workerId)
                .lease(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    @Test
    void a_tool_call_interrupted_twice_is_not_tried_a_third_time_and_the_model_reads_why() throws Exception {
        RefundDesk desk = new RefundDesk();
        String runId = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            desk.blockInTool = new CountDownLatch(1);
            DurableWorker r = durable(desk);
            if (runId == null) {
                runId = r.startRun(desk.triage(), "refund O-1 150").id();
            } else {
                r.resumeIncomplete();
            }
            awaitInvocations(desk, attempt + 1);
            r.close();
        }
        desk.blockInTool = null;
        DurableWorker last = durable(desk);
        last.resumeIncomplete();

        RunRecord done = last.attach(runId).result();

        assertThat(desk.invocations).hasSize(2);
        assertThat(done.finalOutput()).contains("interrupted 2 times");
    }

    private static void awaitInvocations(RefundDesk desk, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (desk.invocations.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(desk.invocations).hasSize(n);
    }

    @Test
    void a_run_waiting_for_approval_pauses_durably_and_continues_when_approved() {
        RefundDesk desk = new RefundDesk();
        DurableWorker durable = durable(desk);
        RunHandle run = durable.startRun(desk.triage(), "refund O-7 450");

        RunRecord paused = run.result();
        assertThat(paused.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(paused.pausedState()).isNotNull();
        assertThat(run.approvals()).singleElement().satisfies(a -> {
            assertThat(a.status()).isEqualTo(Approval.Status.PENDING);
            assertThat(a.tool()).isEqualTo("issue_refund");
            assertThat(a.arguments()).contains("O-7");
        });
        assertThat(durable.client().pendingApprovals(10)).extracting(Approval::runId).contains(run.id());
        assertThat(desk.invocations).isEmpty();

        run.approve(run.approvals().get(0).callId());
        RunRecord done = run.result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $450 for O-7\"");
        assertThat(desk.invocations).hasSize(1);
        assertThat(desk.modelCalls.get()).isEqualTo(3);
        assertThat(run.approvals().get(0).status()).isEqualTo(Approval.Status.APPROVED);
    }

    @Test
    void an_approval_decided_by_another_runner_continues_the_run_there() {
        RefundDesk first = new RefundDesk();
        DurableWorker pausing = durable(first);
        String runId = pausing.startRun(first.triage(), "refund O-7 450").result().id();
        pausing.close();

        RefundDesk second = new RefundDesk();
        DurableWorker approver = durable(second);
        RunHandle run = approver.attach(runId);
        run.approve(run.approvals().get(0).callId());

        assertThat(run.result().finalOutput()).isEqualTo("\"Done: refunded $450 for O-7\"");
        assertThat(first.modelCalls.get() + second.modelCalls.get()).isEqualTo(3);
        assertThat(second.invocations).hasSize(1);
    }

    @Test
    void a_rejected_call_does_not_run_and_the_model_reads_the_reviewers_message() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-7 450");
        run.result();

        run.reject(run.approvals().get(0).callId(), "Refunds above $200 need a manager.");

        assertThat(run.result().finalOutput()).isEqualTo("\"Done: The call was not approved by a human reviewer, so issue_refund did "
                + "not run. The reviewer said: Refunds above $200 need a manager.\"");
        assertThat(desk.invocations).isEmpty();
    }

    @Test
    void deciding_an_unknown_call_or_contradicting_a_decision_is_a_clear_error() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-7 450");
        run.result();
        String callId = run.approvals().get(0).callId();

        assertThatThrownBy(() -> run.approve("call_nope")).isInstanceOf(UserError.class)
                .hasMessageContaining("no approval for call id 'call_nope'").hasMessageContaining(callId);
        run.reject(callId, "no");
        run.result();
        assertThatThrownBy(() -> run.approve(callId)).isInstanceOf(UserError.class).hasMessageContaining("has ended (COMPLETED)");
    }

    @Test
    void a_cancelled_run_stops_and_is_recorded_as_cancelled() throws Exception {
        RefundDesk desk = new RefundDesk();
        desk.blockInTool = new CountDownLatch(1);
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150");
        assertThat(desk.inTool.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(run.cancel()).isTrue();
        RunRecord done = run.result();

        assertThat(done.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(done.error()).contains("cancelled");
        assertThat(run.cancel()).isFalse();
    }

    @Test
    void a_run_on_a_session_replayed_after_a_stop_leaves_the_session_as_an_uninterrupted_run_would() throws Exception {
        RefundDesk reference = new RefundDesk();
        durable(reference).startRun(reference.triage(), "refund O-1 150", RunOptions.session("ref")).result();
        List<Item> expected = sessions.items("ref", 0);

        RefundDesk first = new RefundDesk();
        first.blockInTool = new CountDownLatch(1);
        DurableWorker dying = durable(first);
        RunHandle run = dying.startRun(first.triage(), "refund O-1 150", RunOptions.session("ticket"));
        assertThat(first.inTool.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close();
        DurableWorker survivor = durable(new RefundDesk());
        survivor.resumeIncomplete();
        survivor.attach(run.id()).result();

        assertThat(sessions.items("ticket", 0)).isEqualTo(expected);
        assertThat(sessions.activeAgent("ticket")).contains("refunds");
        assertThat(sessions.usage("ticket")).singleElement().satisfies(turn -> {
            assertThat(turn.runId()).isEqualTo(run.id());
            assertThat(turn.usage().requests()).isEqualTo(3);
        });
    }

    @Test
    void a_journal_written_by_a_different_agent_graph_is_refused_with_what_differs() {
        RefundDesk first = new RefundDesk();
        DurableWorker pausing = durable(first);
        String runId = pausing.startRun(first.triage(), "refund O-7 450").result().id();
        pausing.close();

        RefundDesk changed = new RefundDesk("Issue refunds only on Tuesdays.");
        DurableWorker other = durable(changed);
        RunHandle run = other.attach(runId);
        run.approve(run.approvals().get(0).callId());

        assertThatThrownBy(run::result).isInstanceOf(JournalMismatch.class)
                .hasMessageContaining("agent 'refunds' has a different definition");
        assertThat(store.findRun(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(changed.invocations).isEmpty();
    }

    @Test
    void attaching_to_an_unknown_run_is_a_clear_error() {
        DurableWorker durable = durable(new RefundDesk());
        assertThatThrownBy(() -> durable.attach("run_missing")).isInstanceOf(UserError.class).hasMessageContaining("run_missing");
    }

    @Test
    void a_store_that_is_down_at_start_fails_the_start_and_nothing_runs() {
        RefundDesk desk = new RefundDesk();
        FlakyRunStore down = new FlakyRunStore(store);
        down.failing = true;
        DurableWorker durable = durable(desk, down);

        assertThatThrownBy(() -> durable.startRun(desk.triage(), "refund O-1 150")).isInstanceOf(RunStoreFailed.class)
                .hasMessageContaining("record the new run").hasMessageContaining("store is down");
        assertThat(desk.modelCalls.get()).isZero();
    }

    @Test
    void a_store_failing_mid_run_stops_the_run_resumably_and_it_completes_once_the_store_is_back() {
        RefundDesk desk = new RefundDesk();
        FlakyRunStore flaky = new FlakyRunStore(store);
        flaky.failEffectsAfter = 2; // start and the first model call are recorded, the second is not
        DurableWorker durable = durable(desk, flaky);
        RunHandle run = durable.startRun(desk.triage(), "refund O-1 150");

        assertThatThrownBy(run::result).isInstanceOf(RunStoreFailed.class).hasMessageContaining("stays resumable");
        assertThat(store.findRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        durable.close();

        flaky.failEffectsAfter = Integer.MAX_VALUE;
        RefundDesk after = new RefundDesk();
        DurableWorker recovered = durable(after, flaky);
        recovered.resumeIncomplete();
        assertThat(recovered.attach(run.id()).result().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(desk.modelCalls.get() + after.modelCalls.get()).as("the unrecorded model call is asked once more").isEqualTo(4);
        assertThat(after.modelCalls.get()).isEqualTo(2);
    }

    @Test
    void a_worker_taking_back_a_run_stopped_by_a_store_failure_records_the_lost_result_first_and_calls_no_tool_twice()
            throws Exception {
        RefundDesk desk = new RefundDesk();
        CountDownLatch failedWrites = new CountDownLatch(2); // the run's own, then the worker's next try
        AtomicBoolean full = new AtomicBoolean(true);
        RunStore store = new ForwardingRunStore(this.store) {
            @Override
            public void record(List<RecordedEvent> events, Effect effect) {
                if (full.get() && "issue_refund".equals(effect.name()) && effect.status() == Effect.Status.DONE) {
                    failedWrites.countDown();
                    throw new IllegalStateException("database or disk is full");
                }
                super.record(events, effect);
            }
        };
        DurableWorker durable = durable(desk, store, true);
        RunHandle run = durable.startRun(desk.triage(), "refund O-1 150");
        assertThatThrownBy(run::result).isInstanceOf(RunStoreFailed.class).hasMessageContaining("database or disk is full");

        assertThat(failedWrites.await(10, TimeUnit.SECONDS)).isTrue();
        full.set(false);

        RunRecord done = resultOnceResumed(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(desk.invocations).as("the refund was issued once").hasSize(1);
        assertThat(done.finalOutput()).doesNotContain("unknown");
        assertThat(this.store.effects(run.id())).filteredOn(e -> "issue_refund".equals(e.name())).singleElement()
                .satisfies(e -> assertThat(e.attempts()).isEqualTo(1));
    }

    /** The run's result once a worker has taken it back: until then the handle reports the failure that stopped it. */
    private static RunRecord resultOnceResumed(RunHandle run) throws InterruptedException {
        while (true) {
            try {
                return run.result();
            } catch (RunStoreFailed stillStopped) {
                Thread.sleep(20);
            }
        }
    }

    @Test
    void history_lists_runs_by_status_agent_and_session() {
        RefundDesk desk = new RefundDesk();
        DurableWorker durable = durable(desk);
        RunHandle a = durable.startRun(desk.triage(), "refund O-1 100", RunOptions.session("s-1"));
        RunHandle b = durable.startRun(desk.triage(), "refund O-2 900", RunOptions.session("s-2"));
        a.result();
        b.result();

        assertThat(durable.client().runs(RunQuery.all().withStatuses(RunStatus.PAUSED))).extracting(RunRecord::id).containsExactly(b.id());
        assertThat(durable.client().runs(RunQuery.all().withSession("s-1"))).extracting(RunRecord::id).containsExactly(a.id());
        assertThat(durable.client().runs(RunQuery.all().withAgent("refunds"))).extracting(RunRecord::id).containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    void many_runs_started_at_once_each_complete_exactly_once() {
        RefundDesk desk = new RefundDesk();
        DurableWorker durable = durable(desk);
        List<RunHandle> handles = IntStream.range(0, 200).parallel()
                .mapToObj(i -> durable.startRun(desk.triage(), "refund O-" + i + " 10")).toList();

        handles.forEach(h -> assertThat(h.result().status()).isEqualTo(RunStatus.COMPLETED));
        assertThat(desk.modelCalls.get()).isEqualTo(600);
        assertThat(desk.ledger).hasSize(200);
    }

    /** A store whose effect writes start failing after a number of them, or that is down altogether. */
    static final class FlakyRunStore extends ForwardingRunStore {
        volatile boolean failing;
        volatile int failEffectsAfter = Integer.MAX_VALUE;
        private final AtomicInteger effects = new AtomicInteger();

        FlakyRunStore(RunStore delegate) {
            super(delegate);
        }

        @Override
        public void createRun(RunRecord run) {
            check();
            super.createRun(run);
        }

        @Override
        public void recordEffect(Effect effect) {
            countEffect();
            super.recordEffect(effect);
        }

        @Override
        public void record(List<RecordedEvent> events, Effect effect) {
            countEffect();
            super.record(events, effect);
        }

        private void countEffect() {
            check();
            if (effects.incrementAndGet() > failEffectsAfter) {
                throw new IllegalStateException("connection refused: store is down");
            }
        }

        private void check() {
            if (failing) {
                throw new IllegalStateException("connection refused: store is down");
            }
        }
    }
}
