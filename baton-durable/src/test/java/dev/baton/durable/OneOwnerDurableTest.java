package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One owner at a time within a process: a run is executed once however its start, the worker
 * loop, decisions and heartbeats interleave. The interleavings are forced by a wrapping store that
 * holds a call until the moment under test has passed.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class OneOwnerDurableTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private DurableWorker durable(RefundDesk desk, RunStore runStore) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(new InMemorySessionStore()).build());
        DurableWorker d = DurableWorker.builder(runner, runStore).agents(desk.triage()).workerId("worker-1")
                .lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(10)).build().start();
        closing.add(d);
        return d;
    }

    /** Waits (bounded, for a failing run not to hang the suite) until the run has ended. */
    private static RunRecord ended(RunHandle run) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            RunRecord r = run.record();
            if (r.status().isTerminal()) {
                return r;
            }
            Thread.sleep(10);
        }
        return run.record();
    }

    /** Blocks the calling thread until {@code count} reaches {@code atLeast}, or it is interrupted, or 5 s passed. */
    private static void awaitCount(AtomicInteger count, int atLeast) {
        for (int i = 0; i < 500 && count.get() < atLeast; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void a_run_whose_creation_is_slow_to_be_acknowledged_is_not_also_taken_by_the_worker_loop() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        RunStore slowToAcknowledge = new ForwardingRunStore(store) {
            @Override
            public void createRun(RunRecord run) {
                super.createRun(run);
                // The run is stored, owned by this worker, but start() has not heard back yet: let the
                // worker loop look for runs to take twice before it does.
                int seen = polls.get();
                awaitCount(polls, seen + 2);
            }

            @Override
            public List<String> claimable(java.time.Instant now, java.util.Set<String> applications, int limit) {
                polls.incrementAndGet();
                return super.claimable(now, applications, limit);
            }
        };
        RefundDesk desk = new RefundDesk();
        DurableWorker durable = durable(desk, slowToAcknowledge);

        RunHandle run = durable.startRun(desk.triage(), "refund O-1 150");

        assertThat(ended(run).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(polls.get()).as("the worker loop polled while the run was being created").isGreaterThanOrEqualTo(2);
        assertThat(desk.invocations).as("the refund is issued once").hasSize(1);
        assertThat(desk.modelCalls.get()).as("triage, the refund call, the report: each asked once").isEqualTo(3);
        assertThat(run.history().events()).extracting(RecordedEvent::seq).doesNotHaveDuplicates();
    }

    @Test
    void an_approval_decided_while_the_pause_is_being_written_resumes_the_run() throws Exception {
        AtomicInteger beats = new AtomicInteger();
        AtomicBoolean decidedDuringPause = new AtomicBoolean();
        DurableWorker[] runner = new DurableWorker[1];
        RunStore interleaving = new ForwardingRunStore(store) {
            @Override
            public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
                if (run.status() != RunStatus.PAUSED || !decidedDuringPause.compareAndSet(false, true)) {
                    return super.finishRun(events, run);
                }
                // The approvals are recorded; the reviewer approves before the pause is written.
                String callId = delegate.approvals(run.id()).get(0).callId();
                Approval approved = CompletableFuture.supplyAsync(() -> runner[0].attach(run.id()).approve(callId)).join();
                assertThat(approved.status()).isEqualTo(Approval.Status.APPROVED);
                boolean written = super.finishRun(events, run);
                // Then the heartbeats look at the run (and, had they stopped it, the interrupt would fail the next
                // store call, as it fails a JDBC call).
                int seen = beats.get();
                awaitCount(beats, seen + 2);
                return written;
            }

            @Override
            public int renewLeases(String owner, java.time.Instant leaseUntil) {
                beats.incrementAndGet();
                return super.renewLeases(owner, leaseUntil);
            }

            @Override
            public List<Approval> approvals(String runId) {
                failIfInterrupted();
                return super.approvals(runId);
            }

            @Override
            public java.util.Optional<RunRecord> findRun(String runId) {
                if (!Thread.currentThread().getName().startsWith("baton-durable-heartbeat")) {
                    failIfInterrupted();
                }
                return super.findRun(runId);
            }

            @Override
            public boolean markResumable(String runId, java.time.Instant at) {
                failIfInterrupted();
                return super.markResumable(runId, at);
            }

            private static void failIfInterrupted() {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("connection closed: the calling thread was interrupted");
                }
            }
        };
        RefundDesk desk = new RefundDesk();
        runner[0] = durable(desk, interleaving);

        RunHandle run = runner[0].startRun(desk.triage(), "refund O-1 250");

        RunRecord done = ended(run);
        assertThat(decidedDuringPause).isTrue();
        assertThat(done.status()).as("the decision is not lost: the run goes on and ends").isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).contains("refunded $250 for O-1");
        assertThat(run.approvals()).extracting(Approval::status).containsExactly(Approval.Status.APPROVED);
        assertThat(desk.invocations).hasSize(1);
    }

    @Test
    void a_release_that_failed_in_an_outage_is_not_retried_over_the_worker_s_new_claim() throws Exception {
        AtomicBoolean toolEffectFails = new AtomicBoolean(true);
        AtomicBoolean releasesFail = new AtomicBoolean(true);
        AtomicInteger beats = new AtomicInteger();
        RunStore outage = new ForwardingRunStore(store) {
            @Override
            public void record(List<RecordedEvent> events, Effect effect) {
                if (effect.kind() == Effect.Kind.TOOL && toolEffectFails.getAndSet(false)) {
                    throw new IllegalStateException("connection refused: store is down");
                }
                super.record(events, effect);
            }

            @Override
            public void release(String runId, String owner) {
                if (releasesFail.get()) {
                    throw new IllegalStateException("connection refused: store is down");
                }
                super.release(runId, owner);
            }

            @Override
            public int renewLeases(String owner, java.time.Instant leaseUntil) {
                beats.incrementAndGet();
                return super.renewLeases(owner, leaseUntil);
            }
        };
        RefundDesk desk = new RefundDesk();
        desk.blockInTool = new CountDownLatch(1);
        DurableWorker durable = durable(desk, outage);
        RunHandle run = durable.startRun(desk.triage(), "refund O-1 150");

        // The store failed before the refund and is back at once: this worker takes its run back by
        // itself and is inside the refund when the release that failed in the outage could go through.
        assertThat(desk.inTool.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(toolEffectFails).as("the first execution stopped on the store failure").isFalse();
        releasesFail.set(false);
        int seen = beats.get();
        awaitCount(beats, seen + 3);
        assertThat(run.record().owner()).as("the new claim holds").isEqualTo("worker-1");
        desk.blockInTool.countDown();

        assertThat(run.await(Duration.ofSeconds(10))).get().extracting(RunRecord::status).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.record().finalOutput()).contains("refunded $150 for O-1").doesNotContain("unknown");
        assertThat(desk.invocations).as("the refund ran once, not stopped and tried again").hasSize(1);
    }

    @Test
    void a_run_in_flight_names_the_agent_it_was_handed_off_to() throws Exception {
        RefundDesk desk = new RefundDesk();
        desk.blockInTool = new CountDownLatch(1);
        DurableWorker durable = durable(desk, store);
        RunHandle run = durable.startRun(desk.triage(), "refund O-1 150");
        assertThat(desk.inTool.await(10, TimeUnit.SECONDS)).isTrue();

        RunRecord inFlight = run.record();
        assertThat(inFlight.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(inFlight.currentAgent()).as("the refunds agent holds it, not triage").isEqualTo("refunds");
        assertThat(durable.client().runs(RunQuery.all().withAgent("refunds"))).extracting(RunRecord::id).containsExactly(run.id());

        desk.blockInTool.countDown();
        assertThat(run.result().currentAgent()).isEqualTo("refunds");
    }
}
