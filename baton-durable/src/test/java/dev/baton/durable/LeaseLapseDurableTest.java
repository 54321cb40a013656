package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("A worker whose heartbeat comes late")
@Timeout(30)
class LeaseLapseDurableTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<DurableWorker> runners = new ArrayList<>();
    private final CountDownLatch unstall = new CountDownLatch(1);

    @AfterEach
    void close() {
        unstall.countDown();
        runners.forEach(DurableWorker::close);
    }

    private DurableWorker durable(RefundDesk desk, RunStore runStore) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).build());
        DurableWorker d = DurableWorker.builder(runner, runStore).agents(desk.triage()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).autoResume(false).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    @Test
    void does_not_take_its_next_step_once_another_worker_may_hold_the_run() throws Exception {
        AtomicBoolean stalled = new AtomicBoolean();
        CountDownLatch released = new CountDownLatch(1);
        // The first worker's heartbeat hangs (a busy machine): its lease expires while it is alive.
        RunStore slowHeartbeat = new ForwardingRunStore(store) {
            @Override
            public int renewLeases(String owner, Instant leaseUntil) {
                if (stalled.get()) {
                    try {
                        unstall.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.renewLeases(owner, leaseUntil);
            }

            @Override
            public void release(String runId, String owner) {
                super.release(runId, owner);
                released.countDown();
            }
        };
        RefundDesk first = new RefundDesk();
        first.blockInTool = new CountDownLatch(1);
        DurableWorker late = durable(first, slowHeartbeat);
        RunHandle run = late.startRun(first.triage(), "refund O-1 150");
        assertThat(first.inTool.await(5, TimeUnit.SECONDS)).isTrue();
        stalled.set(true);

        RefundDesk second = new RefundDesk();
        DurableWorker other = durable(second, store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (other.resumeIncomplete().isEmpty()) {
            assertThat(System.nanoTime()).as("the other worker takes the run once the lease expired").isLessThan(deadline);
            Thread.sleep(20);
        }
        RunRecord done = other.attach(run.id()).result();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);

        first.blockInTool.countDown(); // the first worker's tool call returns; its heartbeat still hangs
        assertThat(released.await(10, TimeUnit.SECONDS)).as("the first worker stops the run and lets it go").isTrue();

        assertThat(first.modelCalls.get()).as("the first worker asked nothing after its tool call").isEqualTo(2);
        assertThat(second.modelCalls.get()).as("the other worker asked only the call after the tool").isEqualTo(1);
        assertThat(store.findRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void takes_its_run_up_again_once_its_leases_can_be_renewed_when_no_other_worker_took_it() throws Exception {
        AtomicBoolean unreachable = new AtomicBoolean();
        RunStore flakyRenewals = new ForwardingRunStore(store) {
            @Override
            public int renewLeases(String owner, Instant leaseUntil) {
                if (unreachable.get()) {
                    throw new IllegalStateException("connection refused");
                }
                return super.renewLeases(owner, leaseUntil);
            }
        };
        RefundDesk desk = new RefundDesk();
        desk.blockInTool = new CountDownLatch(1);
        // Takes over nothing by itself, like a `baton chat` process: only what it started.
        DurableWorker alone = durable(desk, flakyRenewals);
        RunHandle run = alone.startRun(desk.triage(), "refund O-1 150");
        assertThat(desk.inTool.await(5, TimeUnit.SECONDS)).isTrue();
        unreachable.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.findRun(run.id()).orElseThrow().owner() != null) {
            assertThat(System.nanoTime()).as("the worker stops the run it cannot renew the lease of").isLessThan(deadline);
            Thread.sleep(10);
        }
        desk.blockInTool.countDown(); // the tool's next attempt returns at once
        unreachable.set(false);

        RunRecord done = run.result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $150 for O-1\"");
        assertThat(desk.invocations).as("the tool's first attempt was interrupted; its second one finished").hasSize(2);
        assertThat(desk.ledger).as("one refund: both attempts carried the same idempotency key").hasSize(1);
    }
}
