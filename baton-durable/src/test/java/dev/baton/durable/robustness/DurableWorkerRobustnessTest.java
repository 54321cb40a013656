package dev.baton.durable.robustness;

import dev.baton.JournalMismatch;
import dev.baton.durable.ForwardingRunStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.durable.Approval;
import dev.baton.durable.Decision;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.Effect;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.RunStoreFailed;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review of the durable runner: races, replay divergence and lease holes, each proven by a failing spec. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class DurableWorkerRobustnessTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final InMemorySessionStore sessions = new InMemorySessionStore();
    private final List<DurableWorker> runners = new ArrayList<>();

    @AfterEach
    void closeAll() {
        runners.forEach(DurableWorker::close);
    }

    private DurableWorker durable(Model model, RunStore runStore, Duration lease, Agent<?>... agents) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        DurableWorker d = DurableWorker.builder(runner, runStore).agents(agents).lease(lease)
                .pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    private DurableWorker durable(Desk desk) {
        return durable(desk.model(), store, Duration.ofMillis(300), desk.agent());
    }

    private DurableWorker durable(Desk desk, RunStore runStore) {
        return durable(desk.model(), runStore, Duration.ofMillis(300), desk.agent());
    }

    private static void eventually(Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // 1. A graceful close (redeploy) leaves a RunFailed event in the event journal, at a sequence
    //    number the replay then needs: the resumed run's event history says it failed, and the
    //    replayed event with that number is dropped.
    //
    // Cause: close() interrupts the run; RunLoop.execute (RunLoop.java:146-151) calls fail(e), which
    // emits RunFailed; emit (RunLoop.java:806-813) journals it and, being terminal,
    // StoreJournal.event flushes it (StoreJournal.java:116-118). The store keeps the first event per
    // seq (RunStore.appendEvents contract; InMemoryRunStore.java:227 putIfAbsent, SQL ON CONFLICT DO
    // NOTHING), so the replay's event at that seq is ignored. Same for a run stopped by
    // RunStoreFailed (transient store failure) or JournalMismatch.
    // Fix: do not journal RunFailed when the run stops resumably (RunCancelled without a cancel
    // request, RunStoreFailed, JournalMismatch) -- e.g. let the journal decide (the durable runner
    // knows whether the stop is an ending) or have replays overwrite events from the first
    // non-matching seq on.
    // ------------------------------------------------------------------------------------------
    @Test
    void a_run_stopped_by_close_and_resumed_elsewhere_has_the_event_history_of_an_uninterrupted_run() throws Exception {
        Desk reference = new Desk();
        RunHandle ref = durable(reference).startRun(reference.agent(), "refund O-1 150");
        assertThat(ref.result().status()).isEqualTo(RunStatus.COMPLETED);
        List<String> expected = ref.history().events().stream().map(RecordedEvent::type).toList();

        Desk first = new Desk();
        first.blockInTool = new CountDownLatch(1);
        DurableWorker dying = durable(first);
        RunHandle run = dying.startRun(first.agent(), "refund O-1 150");
        assertThat(first.inTool.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close(); // graceful shutdown: "stops the runs executing here without ending them"

        DurableWorker survivor = durable(new Desk());
        survivor.resumeIncomplete();
        assertThat(survivor.attach(run.id()).result().status()).isEqualTo(RunStatus.COMPLETED);

        List<String> types = survivor.client().history(run.id()).events().stream().map(RecordedEvent::type).toList();
        assertThat(types).as("a run that completed never reports RunFailed").doesNotContain("RunFailed");
        assertThat(types).isEqualTo(expected);
    }

    // ------------------------------------------------------------------------------------------
    // 2. An agent used as a tool inside a durable run, which pauses for approval twice, is treated
    //    as a tool call "interrupted 2 times by a stopped process" on the second resume: the nested
    //    run is abandoned and the model reads an error.
    //
    // Cause: Journaling.tool (now JournaledEngine.performed) records the nested call as STARTED before it
    // runs and does not record anything when the outcome is paused; each resume after a pause
    // starts it again with attempt = attempts + 1 (now JournaledEngine.tools), so the second resume hits
    // MAX_TOOL_ATTEMPTS (JournaledEngine) although no process ever died.
    // Fix: do not count a pause as an attempt -- e.g. record a PAUSED status (or reset attempts)
    // when outcome.paused() != null, and only count STARTED records left by a dead process.
    // ------------------------------------------------------------------------------------------
    @Test
    void an_agent_used_as_a_tool_that_pauses_twice_for_approval_continues_after_each_approval() {
        List<String> refunds = new CopyOnWriteArrayList<>();
        Tool<Void> refund = Tool.<Void, Desk.Refund>of("issue_refund", "Refund an order.", Desk.Refund.class, (ctx, r) -> {
            refunds.add(r.orderId());
            return "refunded " + r.orderId();
        }).requiringApproval();
        Agent<Void> clerk = Agent.<Void>builder("clerk").instructions("Refund both orders, one at a time.").tools(refund).build();
        Agent<Void> desk = Agent.<Void>builder("desk").instructions("Ask the clerk.")
                .tools(clerk.asTool("ask_clerk", "Ask the refunds clerk.")).build();
        Model model = request -> {
            Item last = request.lastInput();
            List<Item> out;
            if (request.agent().equals("clerk")) {
                if (last instanceof ToolOutput o && o.callId().equals("call_a")) {
                    out = List.of(new ToolCall("call_b", "issue_refund", "{\"order_id\":\"O-2\",\"amount\":500}"));
                } else if (last instanceof ToolOutput o && o.callId().equals("call_b")) {
                    out = List.of(Message.assistant("both refunded"));
                } else {
                    out = List.of(new ToolCall("call_a", "issue_refund", "{\"order_id\":\"O-1\",\"amount\":500}"));
                }
            } else if (last instanceof ToolOutput o) {
                out = List.of(Message.assistant("Done: " + o.output()));
            } else {
                out = List.of(new ToolCall("call_o", "ask_clerk", "{\"input\":\"refund O-1 and O-2\"}"));
            }
            return new ModelResponse(out, Usage.of(10, 2));
        };
        DurableWorker durable = durable(model, store, Duration.ofMillis(300), desk);
        RunHandle run = durable.startRun(desk, "refund O-1 and O-2");

        assertThat(run.result().status()).isEqualTo(RunStatus.PAUSED);
        run.approve("call_a");
        RunRecord second = run.result();
        assertThat(second.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(run.approvals()).extracting(Approval::callId).contains("call_b");
        run.approve("call_b");
        RunRecord done = run.result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: both refunded\"");
        assertThat(refunds).containsExactly("O-1", "O-2");
    }

    // ------------------------------------------------------------------------------------------
    // 3. A worker whose heartbeats failed (store unreachable for the heartbeat, a long GC pause) and
    //    whose run was taken over keeps executing it: it repeats a tool call the new owner already
    //    finished and overwrites the new owner's journal entries.
    //
    // Cause: beat() ignores what renewLeases returns and never checks ownership
    // (DurableWorker.java:545-561); StoreJournal.write (StoreJournal.java:81-96) and
    // RunStore.record/recordEffect are not fenced by owner -- only updateRun is
    // (SqliteRunStore.java:99-101, PostgresRunStore.updateRun, InMemoryRunStore.java:99).
    // Fix: fence journal writes (record/recordEffect/appendEvents take the owner and are refused --
    // stopping the run -- when the run is leased to someone else), and have the heartbeat interrupt
    // executions whose lease it could not renew or that another worker now owns.
    // ------------------------------------------------------------------------------------------
    @Test
    void a_worker_that_lost_its_lease_stops_and_does_not_repeat_a_tool_call_the_new_owner_finished() throws Exception {
        ForwardingRunStore partitioned = new ForwardingRunStore(store) {
            @Override
            public int renewLeases(String owner, Instant leaseUntil) {
                throw new IllegalStateException("connection reset: heartbeat could not reach the store");
            }
        };
        Desk first = new Desk();
        first.blockFirstModelCall = new CountDownLatch(1);
        DurableWorker slow = durable(first.model(), partitioned, Duration.ofMillis(150), first.agent());
        RunHandle run = slow.startRun(first.agent(), "refund O-1 150");
        assertThat(first.inModel.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(400); // the lease expires: no heartbeat got through

        Desk second = new Desk();
        DurableWorker taker = durable(second.model(), store, Duration.ofSeconds(30), second.agent());
        assertThat(taker.resumeIncomplete()).extracting(RunHandle::id).containsExactly(run.id());
        assertThat(taker.attach(run.id()).result().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.invocations).hasSize(1);

        first.blockFirstModelCall.countDown(); // the old worker wakes up
        Thread.sleep(500);

        assertThat(first.invocations).as("the refund the new owner finished is not issued again by the old worker").isEmpty();
        assertThat(store.effects(run.id())).filteredOn(e -> e.kind() == Effect.Kind.TOOL)
                .singleElement().satisfies(e -> assertThat(e.attempts()).isEqualTo(1));
    }

    // ------------------------------------------------------------------------------------------
    // 4. A run stopped by a store outage whose lease could not be released stays pinned to its
    //    worker for as long as that worker executes any other run: the heartbeat renews the lease
    //    of every RUNNING run the worker id owns, including runs no longer executing there, so no
    //    other worker can take it over.
    //
    // Cause: beat() calls store.renewLeases(workerId, ...) (DurableWorker.java:550), which extends
    // every RUNNING run owned by the worker (InMemoryRunStore.java:182, SqliteRunStore RENEW
    // line 114, PostgresRunStore.renewLeases), not just the ones in `executing`; releaseQuietly
    // (DurableWorker.java:461, 531-537) swallows the failed release.
    // Fix: retry the release later, and take the stopped run up again on this worker once the store
    // answers (unless another worker holds it by then), so it is never left pinned and idle.
    // ------------------------------------------------------------------------------------------
    @Test
    void a_run_stopped_by_a_store_outage_is_taken_up_again_by_its_worker_once_the_store_answers() throws Exception {
        ForwardingRunStore outage = new ForwardingRunStore(store) {
            volatile boolean down = true;

            private boolean hit(String runId) {
                return down && delegate.findRun(runId).map(r -> r.input().toString().contains("O-2")).orElse(false);
            }

            @Override
            public void record(List<RecordedEvent> events, Effect effect) {
                if (hit(effect.runId())) {
                    throw new IllegalStateException("connection refused: store is down");
                }
                super.record(events, effect);
            }

            @Override
            public void recordEffect(Effect effect) {
                if (hit(effect.runId())) {
                    throw new IllegalStateException("connection refused: store is down");
                }
                super.recordEffect(effect);
            }

            @Override
            public void release(String runId, String owner) {
                if (hit(runId)) {
                    down = false; // the store comes back right after this call
                    throw new IllegalStateException("connection refused: store is down");
                }
                super.release(runId, owner);
            }
        };
        Desk desk = new Desk();
        desk.blockInTool = new CountDownLatch(1);
        DurableWorker a = durable(desk.model(), outage, Duration.ofMillis(150), desk.agent());
        RunHandle busy = a.startRun(desk.agent(), "refund O-1 10");
        assertThat(desk.inTool.await(5, TimeUnit.SECONDS)).isTrue(); // keeps worker a's heartbeat going
        RunHandle stopped = a.startRun(desk.agent(), "refund O-2 20");
        assertThatThrownBy(stopped::result).isInstanceOf(RunStoreFailed.class);

        desk.blockInTool.countDown();
        assertThat(busy.result().status()).isEqualTo(RunStatus.COMPLETED);

        // The store answers again: worker a takes the run it stopped up again by itself, with no other worker.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.findRun(stopped.id()).orElseThrow().status() != RunStatus.COMPLETED) {
            assertThat(System.nanoTime()).as("the stopped run completes once the store is back").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(store.findRun(stopped.id()).orElseThrow().finalOutput()).contains("O-2");
    }

    // ------------------------------------------------------------------------------------------
    // 5. An approval that arrives while the run is being marked paused can leave the run PAUSED
    //    forever with every approval decided (until some worker's resumeIncomplete scans it).
    //
    // Cause: DurableWorker.decide reads the run's status *before* recording the decision
    // (DurableWorker.java:311) and wakes the run only if that stale status was PAUSED
    // (DurableWorker.java:324-326). settle() meanwhile requests the approvals, marks the run paused
    // and runs wakeIfDecided (DurableWorker.java:498-509) before the decision is stored, so neither
    // side wakes the run.
    // Fix: after store.decide, re-read the run (or unconditionally call wakeIfDecided, which is
    // guarded by the conditional markResumable).
    // ------------------------------------------------------------------------------------------
    @Test
    void an_approval_decided_while_the_run_is_being_paused_still_continues_the_run() throws Exception {
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch deciding = new CountDownLatch(1);
        CountDownLatch releasedPaused = new CountDownLatch(1);
        List<Approval> asked = new CopyOnWriteArrayList<>();
        ForwardingRunStore racy = new ForwardingRunStore(store) {
            @Override
            public void requestApprovals(List<Approval> approvals) {
                super.requestApprovals(approvals);
                asked.addAll(approvals);
                requested.countDown();
                await(deciding); // the reviewer's approve() has read the run (still RUNNING) meanwhile
            }

            @Override
            public void release(String runId, String owner) {
                super.release(runId, owner);
                if (delegate.findRun(runId).orElseThrow().status() == RunStatus.PAUSED) {
                    releasedPaused.countDown();
                }
            }

            @Override
            public Optional<Approval> decide(String runId, String callId, Decision decision, Instant at) {
                deciding.countDown();
                await(releasedPaused);
                sleep(200); // settle() finishes its wakeIfDecided before the decision lands
                return super.decide(runId, callId, decision, at);
            }
        };
        Desk desk = new Desk();
        DurableWorker durable = durable(desk, racy);
        RunHandle run = durable.startRun(desk.agent(), "refund O-7 450");
        assertThat(requested.await(5, TimeUnit.SECONDS)).isTrue();

        run.approve(asked.get(0).callId());

        eventually(() -> assertThat(run.status()).isEqualTo(RunStatus.COMPLETED));
        assertThat(desk.invocations).hasSize(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------
    // 6. resumeIncomplete() only looks at the 200 newest PAUSED runs for "a decision whose process
    //    died before it could wake the run": with more runs waiting for humans (normal for a
    //    support desk), an older run whose approvals are all decided is never resumed.
    //
    // Cause: DurableWorker.java:183 lists PAUSED runs newest first with withLimit(200) (and the
    // RUNNING scan at :176 likewise stops at 1000).
    // Fix: page through all paused runs, or query for paused runs with no pending approval in the
    // store (a dedicated RunStore query), oldest first.
    // ------------------------------------------------------------------------------------------
    @Test
    void resume_incomplete_continues_a_decided_paused_run_however_many_newer_runs_are_paused() {
        assertThat(decidedPausedRunIsResumedWith(201)).isTrue();
    }

    /** Control for the spec above: with fewer newer paused runs the same decided run is resumed (passes). */
    @Test
    void control_resume_incomplete_continues_a_decided_paused_run_when_few_runs_are_paused() {
        assertThat(decidedPausedRunIsResumedWith(5)).isTrue();
    }

    private boolean decidedPausedRunIsResumedWith(int newer) {
        Desk desk = new Desk();
        DurableWorker first = durable(desk);
        RunHandle old = first.startRun(desk.agent(), "refund O-7 450");
        assertThat(old.result().status()).isEqualTo(RunStatus.PAUSED);
        String callId = old.approvals().get(0).callId();
        RunRecord template = store.findRun(old.id()).orElseThrow();
        first.close();
        for (int i = 0; i < newer; i++) {
            Instant at = template.createdAt().plusSeconds(1 + i);
            store.createRun(new RunRecord("run_newer_" + i, RunRecord.DEFAULT_APPLICATION, "refunds", "refunds", null, template.input(), RunStatus.PAUSED, at, at,
                    null, null, null, template.graph(), template.pausedState(), null, null));
            store.requestApprovals(List.of(new Approval("run_newer_" + i, "call_x", "refunds", "issue_refund", "{}",
                    Approval.Status.PENDING, null, at, null)));
        }
        // The reviewer's process records the decision and dies before it can wake the run.
        store.decide(old.id(), callId, true, null, Instant.now());

        DurableWorker worker = durable(new Desk());
        List<RunHandle> taken = worker.resumeIncomplete();

        return taken.stream().anyMatch(h -> h.id().equals(old.id()));
    }
}
