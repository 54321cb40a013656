package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelCallFailed;
import dev.baton.RunCancelled;
import dev.baton.SessionBusy;
import dev.baton.SessionLeaseLost;
import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.Session;
import dev.baton.session.SessionLease;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A session has one owner at a time, across processes")
class SessionOwnershipTest {

    record Refund(String invoice) {}

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final Session session = new Session("ticket-7", store);

    /** Another process holding the session, as the store sees it. */
    private SessionLease heldElsewhere(Duration ttl) {
        return store.tryLease(session.id(), "run r-other (process 4242 on worker-2)", ttl).orElseThrow();
    }

    private static Agent<Void> desk() {
        return Agent.<Void>builder("billing").build();
    }

    @Test
    void a_run_refused_at_once_gets_SessionBusy_naming_the_holder_and_changes_nothing() {
        heldElsewhere(Duration.ofMinutes(1));
        Script model = new Script(reply("Refund started."));

        assertThatThrownBy(() -> Runner.create().run(desk(), "refund INV-1", RunOptions.<Void>none().withSession(session)
                .withModel(model).withSessionWait(Duration.ZERO)))
                .isInstanceOfSatisfying(SessionBusy.class, e -> {
                    assertThat(e.sessionId()).isEqualTo("ticket-7");
                    assertThat(e.holder()).isEqualTo("run r-other (process 4242 on worker-2)");
                    assertThat(e).hasMessageContaining("ticket-7").hasMessageContaining("process 4242 on worker-2");
                });
        assertThat(model.calls()).isZero();
        assertThat(session.items()).isEmpty();
    }

    @Test
    void a_run_that_waits_in_vain_gets_SessionBusy_when_its_wait_ends() {
        heldElsewhere(Duration.ofMinutes(1));

        assertThatThrownBy(() -> Runner.create().run(desk(), "refund INV-1", RunOptions.<Void>none().withSession(session)
                .withModel(new Script(reply("Refund started."))).withSessionWait(Duration.ofMillis(50))))
                .isInstanceOf(SessionBusy.class)
                .hasMessageContaining("waited 50 ms");
        assertThat(session.items()).isEmpty();
    }

    @Test
    void a_session_whose_holder_died_is_taken_over_once_its_lease_expires() {
        heldElsewhere(Duration.ofMillis(100)); // a process that crashed: it never renews nor releases

        RunResult result = Runner.create().run(desk(), "refund INV-1", RunOptions.<Void>none().withSession(session)
                .withModel(new Script(reply("Refund started."))));

        assertThat(result.finalOutput()).isEqualTo("Refund started.");
        assertThat(session.items()).containsExactly(Message.user("refund INV-1"), Message.assistant("Refund started."));
    }

    @Test
    void a_run_longer_than_its_lease_keeps_renewing_it_so_no_other_process_takes_the_session() {
        java.util.concurrent.atomic.AtomicReference<java.util.Optional<SessionLease>> takenMidRun = new java.util.concurrent.atomic.AtomicReference<>();
        Tool<Void> slow = Tool.<Void, Refund>of("issue_refund", "Refund an invoice.", Refund.class, (ctx, r) -> {
            Thread.sleep(1_000); // more than three leases of 300 ms
            takenMidRun.set(store.tryLease(session.id(), "run r-other (process 4242 on worker-2)", Duration.ofMinutes(1)));
            return "refunded";
        });
        Agent<Void> agent = Agent.<Void>builder("billing").tools(slow).build();

        RunResult result = Runner.create().run(agent, "refund INV-1", RunOptions.<Void>none().withSession(session)
                .withSessionLease(Duration.ofMillis(300))
                .withModel(new Script(call("issue_refund", "{\"invoice\":\"INV-1\"}"), reply("Refunded."))));

        assertThat(result.finalOutput()).isEqualTo("Refunded.");
        assertThat(takenMidRun.get()).as("another process could not take the session mid-run").isEmpty();
        assertThat(store.lease(session.id())).as("given back at the end").isEmpty();
    }

    @Test
    void a_run_gives_its_session_back_when_it_completes_fails_or_pauses() {
        Runner runner = Runner.create();
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an invoice.", Refund.class, (ctx, r) -> "refunded")
                .requiringApproval((ctx, args) -> true);
        Agent<Void> agent = Agent.<Void>builder("billing").tools(refund).build();
        RunOptions<Void> refuseIfHeld = RunOptions.<Void>none().withSession(session).withSessionWait(Duration.ZERO);

        runner.run(agent, "hi", refuseIfHeld.withModel(new Script(reply("Hello."))));
        assertThat(store.lease(session.id())).as("after a result").isEmpty();

        Script failing = new Script(r -> {
            throw new IllegalStateException("provider down");
        });
        assertThatThrownBy(() -> runner.run(agent, "again", refuseIfHeld.withModel(failing))).isInstanceOf(ModelCallFailed.class);
        assertThat(store.lease(session.id())).as("after a failure").isEmpty();

        Script approving = new Script(call("issue_refund", "{\"invoice\":\"INV-1\"}"), reply("Refunded."));
        RunResult paused = runner.run(agent, "refund INV-1", refuseIfHeld.withModel(approving));
        assertThat(paused.isPaused()).isTrue();
        assertThat(store.lease(session.id())).as("while paused for an approval").isEmpty();

        RunResult done = runner.resume(agent, paused.toState().approve(paused.interruptions().get(0).callId()),
                refuseIfHeld.withModel(approving));
        assertThat(done.finalOutput()).isEqualTo("Refunded.");
        assertThat(store.lease(session.id())).as("after the resumed run").isEmpty();
    }

    @Test
    void a_cancelled_run_gives_its_session_back() throws Exception {
        CountDownLatch inTool = new CountDownLatch(1);
        Tool<Void> slow = Tool.<Void, Refund>of("issue_refund", "Refund an invoice.", Refund.class, (ctx, r) -> {
            inTool.countDown();
            new CountDownLatch(1).await(); // until cancelled
            return "refunded";
        });
        Agent<Void> agent = Agent.<Void>builder("billing").tools(slow).build();
        Runner runner = Runner.create();
        CompletableFuture<RunResult> run = runner.runAsync(agent, List.of(Message.user("refund INV-1")), RunOptions.<Void>none()
                .withSession(session).withModel(new Script(call("issue_refund", "{\"invoice\":\"INV-1\"}"))));
        assertThat(inTool.await(30, TimeUnit.SECONDS)).isTrue();
        run.cancel(true);
        assertThatThrownBy(run::join).isInstanceOfAny(CancellationException.class, RunCancelled.class);

        RunResult next = runner.run(agent, "are you there?", RunOptions.<Void>none().withSession(session)
                .withModel(new Script(reply("Yes."))));
        assertThat(next.finalOutput()).isEqualTo("Yes.");
    }

    @Test
    void a_run_that_lost_its_session_writes_nothing_more_into_it() {
        // While the tool runs, the run's lease is taken over (it expired during a long pause, say).
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an invoice.", Refund.class, (ctx, r) -> {
            store.releaseLease(store.lease(session.id()).orElseThrow());
            heldElsewhere(Duration.ofMinutes(1));
            return "refunded";
        });
        Agent<Void> agent = Agent.<Void>builder("billing").tools(refund).build();

        assertThatThrownBy(() -> Runner.create().run(agent, "refund INV-1", RunOptions.<Void>none().withSession(session)
                .withModel(new Script(call("issue_refund", "{\"invoice\":\"INV-1\"}"), reply("Refunded.")))))
                .isInstanceOfSatisfying(SessionLeaseLost.class, e -> assertThat(e.sessionId()).isEqualTo("ticket-7"));
        assertThat(session.items()).as("the user message was saved before; the turn after the takeover was not")
                .containsExactly(Message.user("refund INV-1"));
        assertThat(store.lease(session.id())).map(SessionLease::owner).contains("run r-other (process 4242 on worker-2)");
    }

    @Test
    void a_session_wait_must_not_be_negative_and_a_lease_must_last_long_enough_to_renew() {
        assertThatThrownBy(() -> RunOptions.none().withSessionWait(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionWait");
        assertThatThrownBy(() -> RunOptions.none().withSessionLease(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionLease");
        assertThatThrownBy(() -> RunConfig.builder().sessionWait(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionWait");
        assertThatThrownBy(() -> RunConfig.builder().sessionLease(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionLease");
        assertThat(RunOptions.none().sessionWait()).as("unset: the runner's").isNull();
        assertThat(RunConfig.defaults().sessionWait()).isEqualTo(RunOptions.DEFAULT_SESSION_WAIT);
        assertThat(RunConfig.defaults().sessionLease()).isEqualTo(RunOptions.DEFAULT_SESSION_LEASE);
    }

    @Test
    void a_runner_sets_the_session_wait_of_runs_that_set_none() {
        heldElsewhere(Duration.ofMinutes(1));
        Script model = new Script(reply("Refund started."));
        Runner refusing = Runner.create(RunConfig.builder().sessionStore(store).sessionWait(Duration.ZERO).build());

        assertThatThrownBy(() -> refusing.run(desk(), "refund INV-1", RunOptions.<Void>session(session.id()).withModel(model)))
                .isInstanceOf(SessionBusy.class);
        assertThat(model.calls()).isZero();
    }

    @Test
    void a_paused_run_keeps_its_own_session_wait_when_it_is_resumed() {
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an invoice.", Refund.class, (ctx, r) -> "refunded " + r.invoice())
                .requiringApproval();
        Agent<Void> billing = Agent.<Void>builder("billing").tools(refund).build();
        Script model = new Script(call("issue_refund", "{\"invoice\":\"INV-1\"}"), reply("Refunded."));
        Runner runner = Runner.create(RunConfig.builder().sessionStore(store).defaultModel(model).build());
        RunResult paused = runner.run(billing, "refund INV-1", RunOptions.<Void>session(session.id()).withSessionWait(Duration.ZERO));
        RunState state = RunState.fromJson(paused.toState().toJson()).approve(paused.interruptions().get(0).callId());

        heldElsewhere(Duration.ofMinutes(1));

        assertThatThrownBy(() -> runner.resume(billing, state)).as("the run's own wait: none, though the runner would wait 5 minutes")
                .isInstanceOf(SessionBusy.class);
    }
}
