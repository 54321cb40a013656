package dev.baton.durable.robustness;

import dev.baton.durable.ForwardingRunStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.durable.Approval;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.Effect;
import dev.baton.durable.EventStream;
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
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.SessionLease;
import dev.baton.session.SessionStore;
import dev.baton.session.TurnUsage;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** More review specs of the durable runner: streams, approvals and failure statuses. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class DurableWorkerFaultsTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<DurableWorker> runners = new ArrayList<>();

    @AfterEach
    void closeAll() {
        runners.forEach(DurableWorker::close);
    }

    private DurableWorker durable(Model model, RunStore runStore, SessionStore sessions, Agent<?>... agents) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        DurableWorker d = DurableWorker.builder(runner, runStore).agents(agents).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    // ------------------------------------------------------------------------------------------
    // 7. Following the events of a run that stopped here with RunStoreFailed never ends: the
    //    stream blocks forever (result()/await() throw the RunStoreFailed at once).
    //
    // Cause: EventStream.fill (EventStream.java:59-73) only stops when isLive() is false;
    // DurableWorker.isLive (DurableWorker.java:302-308) reports the stopped run as live because
    // its stored status is still RUNNING, and ignores the `stopped` map that await() consults
    // (DurableWorker.java:286-289).
    // Fix: have the stream end (or throw the RunStoreFailed) when this process's execution stopped
    // and no one holds a live lease -- e.g. isLive consults `stopped`, or the stream checks the lease.
    // ------------------------------------------------------------------------------------------
    @Test
    void following_the_events_of_a_run_that_stopped_on_a_store_failure_ends_instead_of_hanging() throws Exception {
        AtomicInteger effects = new AtomicInteger();
        ForwardingRunStore flaky = new ForwardingRunStore(store) {
            @Override
            public void record(List<RecordedEvent> events, Effect effect) {
                if (effects.incrementAndGet() > 2) {
                    throw new IllegalStateException("connection refused: store is down");
                }
                super.record(events, effect);
            }
        };
        Desk desk = new Desk();
        DurableWorker durable = durable(desk.model(), flaky, new InMemorySessionStore(), desk.agent());
        RunHandle run = durable.startRun(desk.agent(), "refund O-1 150");
        assertThatThrownBy(run::result).isInstanceOf(RunStoreFailed.class);

        CompletableFuture<List<RecordedEvent>> followed = CompletableFuture.supplyAsync(() -> {
            try (EventStream stream = run.events(0)) {
                return stream.stream().toList();
            }
        });
        try {
            assertThat(followed).as("the stream of a stopped run ends (or fails) instead of blocking forever")
                    .succeedsWithin(Duration.ofSeconds(3));
        } finally {
            followed.cancel(true);
        }
    }

    // ------------------------------------------------------------------------------------------
    // 8. Approvals of a cancelled run stay PENDING and keep showing in pendingApprovals(), the
    //    reviewers' queue "across runs"; approving one "succeeds" and nothing happens.
    //
    // Cause: cancelRun (InMemoryRunStore.java:109-123, SqliteRunStore CANCEL_RUN line 102,
    // PostgresRunStore.cancelRun) leaves run_approvals untouched, and pendingApprovals
    // (InMemoryRunStore.java:273-282, SqliteRunStore SELECT_PENDING line 134) does not join on
    // the run's status; DurableWorker.decide (DurableWorker.java:310-327) records the decision on an
    // ended run without complaint.
    // Fix: list only approvals of PAUSED runs (join runs), or close pending approvals when a run is
    // cancelled/fails; refuse decisions on ended runs with a UserError.
    // ------------------------------------------------------------------------------------------
    @Test
    void the_approvals_of_a_cancelled_run_no_longer_wait_for_a_reviewer() {
        Desk desk = new Desk();
        DurableWorker durable = durable(desk.model(), store, new InMemorySessionStore(), desk.agent());
        RunHandle run = durable.startRun(desk.agent(), "refund O-7 450");
        assertThat(run.result().status()).isEqualTo(RunStatus.PAUSED);

        assertThat(run.cancel()).isTrue();

        assertThat(durable.client().pendingApprovals(10)).extracting(Approval::runId).doesNotContain(run.id());
    }

    // ------------------------------------------------------------------------------------------
    // 9. A transient failure of the session store (with SQLite: the same file as the run store, a
    //    busy timeout) ends a durable run as FAILED for good, although its journal could replay it
    //    and its session writes are keyed for exactly that.
    //
    // Cause: SessionWrites.call turns the failure into SessionStoreFailed (SessionWrites.java:77-86),
    // which DurableWorker.execute treats like any run failure: `catch (RuntimeException e)` ->
    // finish(FAILED) (DurableWorker.java:474-475); only RunStoreFailed keeps the run resumable
    // (DurableWorker.java:457-461).
    // Fix: treat SessionStoreFailed like RunStoreFailed in a durable run (stop, release, stay RUNNING).
    // ------------------------------------------------------------------------------------------
    @Test
    void a_transient_session_store_failure_leaves_the_durable_run_resumable() {
        InMemorySessionStore real = new InMemorySessionStore();
        AtomicInteger failures = new AtomicInteger(1);
        SessionStore flaky = new ForwardingSessionStore(real) {
            @Override
            public boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items) {
                if (writeKey.endsWith("/turn1") && failures.getAndDecrement() > 0) {
                    throw new IllegalStateException("database is locked (SQLITE_BUSY)");
                }
                return super.addItemsOnce(lease, writeKey, items);
            }
        };
        Desk desk = new Desk();
        DurableWorker durable = durable(desk.model(), store, flaky, desk.agent());
        RunHandle run = durable.startRun(desk.agent(), "refund O-1 150", RunOptions.session("ticket"));
        try {
            run.result();
        } catch (RuntimeException expected) {
            // stopping with an exception is fine
        }

        assertThat(store.findRun(run.id()).orElseThrow().status()).as("the run can be replayed once the store is back")
                .isEqualTo(RunStatus.RUNNING);
    }

    // ------------------------------------------------------------------------------------------
    // 10. When a model reuses a tool call id in a later turn (several OpenAI-compatible servers
    //     number calls per response: "call_0", "call_1", ...), a call that needs approval is
    //     carried out without one: the decision recorded for the earlier call with that id is
    //     taken for it.
    //
    // Cause: decisions are keyed by call id only for the whole run: StoreJournal.decision(callId)
    // (StoreJournal.java:99-105) over run_approvals keyed (run_id, call_id), consulted in
    // RunLoop.finishTurn (RunLoop.java:344-350) for every later turn (the loop's own `decisions`
    // map restored from RunState has the same problem); requestApprovals keeps the old decided
    // row ("left as it is"). Tool effects are keyed by turn (t<turn>/<callId>), approvals are not.
    // Fix: key approvals/decisions by turn and call id (the tool effect key), or scope a decision
    // to the paused turn it was made for.
    // ------------------------------------------------------------------------------------------
    @Test
    void a_reused_call_id_in_a_later_turn_still_needs_its_own_approval() {
        List<String> refunded = new CopyOnWriteArrayList<>();
        Tool<Void> refund = Tool.<Void, Desk.Refund>of("issue_refund", "Refund an order.", Desk.Refund.class, (ctx, r) -> {
            refunded.add(r.orderId());
            return "refunded " + r.orderId();
        }).requiringApproval((ctx, args) -> Desk.amount(args) > 200);
        Agent<Void> agent = Agent.<Void>builder("refunds").instructions("Refund.").tools(refund).build();
        Model model = request -> {
            Item last = request.lastInput();
            Item out;
            if (last instanceof ToolOutput o && o.output().contains("O-7")) {
                out = new ToolCall("call_1", "issue_refund", "{\"order_id\":\"O-8\",\"amount\":900}");
            } else if (last instanceof ToolOutput o) {
                out = Message.assistant("Done: " + o.output());
            } else {
                out = new ToolCall("call_1", "issue_refund", "{\"order_id\":\"O-7\",\"amount\":450}");
            }
            return new ModelResponse(List.of(out), Usage.of(10, 2));
        };
        DurableWorker durable = durable(model, store, new InMemorySessionStore(), agent);
        RunHandle run = durable.startRun(agent, "refund O-7 and O-8");
        assertThat(run.result().status()).isEqualTo(RunStatus.PAUSED);

        run.approve("call_1"); // the reviewer approves the $450 refund of O-7
        RunRecord next = run.result();

        assertThat(refunded).as("the $900 refund of O-8 was never approved").containsExactly("O-7");
        assertThat(next.status()).isEqualTo(RunStatus.PAUSED);
    }

    /** A session store passing every call to another. */
    static class ForwardingSessionStore implements SessionStore {
        private final SessionStore d;

        ForwardingSessionStore(SessionStore d) {
            this.d = d;
        }

        @Override public List<Item> items(String sessionId, int limit) { return d.items(sessionId, limit); }
        @Override public void addItems(String sessionId, List<Item> items) { d.addItems(sessionId, items); }
        @Override public boolean addItemsOnce(String sessionId, String writeKey, List<Item> items) { return d.addItemsOnce(sessionId, writeKey, items); }
        @Override public Optional<Item> popItem(String sessionId) { return d.popItem(sessionId); }
        @Override public void recordUsage(String sessionId, String runId, Usage usage, Instant at) { d.recordUsage(sessionId, runId, usage, at); }
        @Override public List<TurnUsage> usage(String sessionId) { return d.usage(sessionId); }
        @Override public void clear(String sessionId) { d.clear(sessionId); }
        @Override public Optional<String> activeAgent(String sessionId) { return d.activeAgent(sessionId); }
        @Override public void setActiveAgent(String sessionId, String agentName) { d.setActiveAgent(sessionId, agentName); }
        @Override public Optional<SessionLease> tryLease(String sessionId, String owner, java.time.Duration ttl) { return d.tryLease(sessionId, owner, ttl); }
        @Override public Optional<SessionLease> renewLease(SessionLease lease, java.time.Duration ttl) { return d.renewLease(lease, ttl); }
        @Override public void releaseLease(SessionLease lease) { d.releaseLease(lease); }
        @Override public Optional<SessionLease> lease(String sessionId) { return d.lease(sessionId); }
        @Override public void addItems(SessionLease lease, List<Item> items) { d.addItems(lease, items); }
        @Override public boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items) { return d.addItemsOnce(lease, writeKey, items); }
        @Override public void setActiveAgent(SessionLease lease, String agentName) { d.setActiveAgent(lease, agentName); }
        @Override public void recordUsage(SessionLease lease, String runId, Usage usage, Instant at) { d.recordUsage(lease, runId, usage, at); }
    }
}
