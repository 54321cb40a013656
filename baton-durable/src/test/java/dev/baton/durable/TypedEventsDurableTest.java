package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.MaxTurnsExceeded;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunConfig;
import dev.baton.run.RunEvent;
import dev.baton.run.RunFailure;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process that only shares the store (a CLI, a web server) reads a durable run's events as the
 * same typed events the run emitted where it executed.
 */
@DisplayName("Durable runs' events, read typed from the store")
@Timeout(30)
class TypedEventsDurableTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final InMemorySessionStore sessions = new InMemorySessionStore();
    private final List<DurableWorker> runners = new ArrayList<>();

    @AfterEach
    void close() {
        runners.forEach(DurableWorker::close);
    }

    private DurableWorker durable(RefundDesk desk) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(sessions).build());
        DurableWorker d = DurableWorker.builder(runner, store).agents(desk.triage()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    /** Another process: the same store, none of the run's agents. */
    private DurableWorker reader() {
        DurableWorker d = DurableWorker.builder(Runner.create(), store).pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    @Test
    @DisplayName("the history another process reads is the events the run emitted, in order and typed")
    void history_holds_the_emitted_events() {
        RefundDesk desk = new RefundDesk();
        List<RunEvent> emitted = new CopyOnWriteArrayList<>();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150", RunOptions.<Void>none().withListener(emitted::add));
        run.result();

        List<RunEvent> read = reader().attach(run.id()).history().runEvents();

        assertThat(read).isEqualTo(emitted);
        assertThat(read).filteredOn(RunEvent.HandoffOccurred.class::isInstance).singleElement()
                .isInstanceOfSatisfying(RunEvent.HandoffOccurred.class, h -> {
                    assertThat(h.from()).isEqualTo("triage");
                    assertThat(h.to()).isEqualTo("refunds");
                });
        assertThat(read.get(read.size() - 1)).isInstanceOfSatisfying(RunEvent.RunCompleted.class,
                c -> assertThat(c.finalOutput()).isEqualTo("Done: refunded $150 for O-1"));
    }

    @Test
    @DisplayName("a stream of typed events resumes at any sequence number and ends with the run")
    void a_typed_stream_resumes_from_a_sequence_number() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150");
        run.result();
        RunHandle attached = reader().attach(run.id());
        List<RunEvent> all = attached.history().runEvents();

        List<RunEvent> firstFour;
        long resumeAt;
        try (EventStream stream = attached.events(0)) {
            firstFour = stream.runEvents().limit(4).toList();
            resumeAt = stream.nextSeq();
        }
        List<RunEvent> rest;
        try (EventStream stream = attached.events(resumeAt)) {
            rest = stream.runEvents().toList();
        }

        assertThat(resumeAt).isEqualTo(4);
        assertThat(firstFour).isEqualTo(all.subList(0, 4));
        assertThat(rest).isEqualTo(all.subList(4, all.size()));
        assertThat(rest.get(rest.size() - 1)).isInstanceOf(RunEvent.RunCompleted.class);
    }

    @Test
    @DisplayName("a run waiting for approval reads back with the typed request and the pending calls")
    void a_paused_run_reads_back_with_its_approval_requests() {
        RefundDesk desk = new RefundDesk();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-7 450");
        assertThat(run.result().status()).isEqualTo(RunStatus.PAUSED);

        List<RunEvent> read = reader().attach(run.id()).history().runEvents();

        ApprovalRequest request = read.stream().filter(RunEvent.ApprovalRequested.class::isInstance)
                .map(e -> ((RunEvent.ApprovalRequested) e).request()).findFirst().orElseThrow();
        assertThat(request.agent()).isEqualTo("refunds");
        assertThat(request.toolName()).isEqualTo("issue_refund");
        assertThat(request.arguments()).isEqualTo("{\"order_id\":\"O-7\",\"amount\":450}");
        assertThat(read.get(read.size() - 1)).isInstanceOfSatisfying(RunEvent.RunPaused.class,
                p -> assertThat(p.pending()).containsExactly(request));
    }

    @Test
    @DisplayName("a failed run reads back with the failure's type and message, and without the exception")
    void a_failed_run_reads_back_with_its_failure() {
        RefundDesk desk = new RefundDesk();
        List<RunEvent> emitted = new CopyOnWriteArrayList<>();
        RunHandle run = durable(desk).startRun(desk.triage(), "refund O-1 150",
                RunOptions.<Void>none().withMaxTurns(1).withListener(emitted::add));
        assertThat(run.result().status()).isEqualTo(RunStatus.FAILED);
        RunEvent.RunFailed live = (RunEvent.RunFailed) emitted.get(emitted.size() - 1);

        List<RunEvent> read = reader().attach(run.id()).history().runEvents();

        assertThat(live.error()).isInstanceOf(MaxTurnsExceeded.class);
        assertThat(read.get(read.size() - 1)).isInstanceOfSatisfying(RunEvent.RunFailed.class, failed -> {
            assertThat(failed.failure()).isEqualTo(new RunFailure(MaxTurnsExceeded.class.getName(), live.error().getMessage()));
            assertThat(failed.error()).isNull();
            assertThat(failed.seq()).isEqualTo(live.seq());
        });
        assertThat(read.subList(0, read.size() - 1)).isEqualTo(emitted.subList(0, emitted.size() - 1));
    }
}
