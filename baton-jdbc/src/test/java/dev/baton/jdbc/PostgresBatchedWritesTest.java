package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.SessionLeaseLost;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import dev.baton.session.SessionLease;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL stores send the writes of many turns waiting at one moment as one statement
 * ({@link PostgresBatches}). What each caller sees must be what it would see writing alone: its
 * rows in order, its fence checked, its own error, and nobody else's.
 */
class PostgresBatchedWritesTest {

    private static final String URL = PostgresServer.createDatabase("batched_writes");
    private static final int TURNS = 48;
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @Test
    void effects_and_events_of_many_runs_recorded_at_once_read_back_in_each_runs_order() throws Exception {
        try (PostgresRunStore runs = PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "batch-" + UUID.randomUUID() + "-";
            atOnce(TURNS, turn -> () -> {
                String run = prefix + turn;
                for (int step = 0; step < 6; step++) {
                    runs.record(List.of(event(run, step * 2), event(run, step * 2 + 1)), effect(run, "model-" + step, step));
                }
                runs.record(List.of(), effect(run, "model-0", 99)); // replaced: keeps its place
                return null;
            });

            for (int turn = 0; turn < TURNS; turn++) {
                String run = prefix + turn;
                assertThat(runs.effects(run)).extracting(Effect::key)
                        .containsExactly("model-0", "model-1", "model-2", "model-3", "model-4", "model-5");
                assertThat(runs.effects(run).get(0).attempts()).isEqualTo(99);
                assertThat(runs.events(run, 0, 100)).extracting(RecordedEvent::seq)
                        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            }
            assertThat(runs.dialect.runBatches().largestRecordBatch()).as("writes were sent together").isGreaterThan(1);
        }
    }

    @Test
    void writes_replayed_after_a_crash_among_new_ones_skip_what_was_written_and_the_new_ones_are_written() throws Exception {
        try (PostgresRunStore runs = PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "replayed-" + UUID.randomUUID() + "-";
            for (int turn = 0; turn < TURNS; turn += 2) { // every other run got through its first step before its worker died
                String run = prefix + turn;
                runs.createRun(running(run));
                runs.record(List.of(event(run, 0), event(run, 1)), effect(run, "model-0", 1));
            }
            List<Object> started = atOnce(TURNS, turn -> () -> {
                String run = prefix + turn;
                boolean isNew = runs.findRun(run).isEmpty();
                if (isNew) {
                    runs.createRun(running(run));
                }
                runs.record(List.of(event(run, 0), event(run, 1)), effect(run, "model-0", 1)); // a replay for the even runs
                runs.record(List.of(event(run, 2)), effect(run, "model-1", 1));
                runs.record(List.of(event(run, 2)), effect(run, "model-1", 1)); // written twice (a retry after a lost reply)
                RunRecord done = new RunRecord(run, RunRecord.DEFAULT_APPLICATION, "triage", "triage", null, List.of(),
                        RunStatus.COMPLETED, NOW, NOW, "answer", null, Usage.of(10, 2), Map.of(), null, "worker", null);
                boolean finished = runs.finishRun(List.of(event(run, 3)), done);
                return List.of(isNew, finished);
            });
            assertThatThrownBy(() -> runs.createRun(running(prefix + 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");

            for (int turn = 0; turn < TURNS; turn++) {
                String run = prefix + turn;
                assertThat(started.get(turn)).isEqualTo(List.of(turn % 2 == 1, true));
                assertThat(runs.effects(run)).extracting(Effect::key).containsExactly("model-0", "model-1");
                assertThat(runs.events(run, 0, 10)).extracting(RecordedEvent::seq).containsExactly(0L, 1L, 2L, 3L);
                assertThat(runs.findRun(run).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            }
            assertThat(runs.dialect.runBatches().largestRecordBatch()).as("writes were sent together").isGreaterThan(1);
            assertThat(runs.dialect.runBatches().recordBatchesResentSkipping()).as("batches carried replays").isPositive();
            assertThat(runs.dialect.runBatches().recordsSentAlone())
                    .as("a batch with a replay is sent again as a whole, skipping what exists, not write by write").isZero();
        }
    }

    @Test
    void text_that_array_syntax_would_escape_reads_back_exactly() throws Exception {
        List<String> awkward = List.of("", "NULL", "null", "a,b", "{braces}", "\"quoted\"", "back\\slash", "line\nbreak",
                "tab\tand spaces  ", "ünïcödé ✓ 🚀", "{\"json\":[1,\"two\",{\"three\":null}]}");
        try (PostgresRunStore runs = PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password());
                PostgresSessionStore sessions = PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "awkward-" + UUID.randomUUID() + "-";
            atOnce(TURNS, turn -> () -> {
                String text = awkward.get(turn % awkward.size());
                String run = prefix + turn;
                runs.record(List.of(new RecordedEvent(run, 0, "MessageOutput", text, NOW, text)), effect(run, text, 1));
                SessionLease lease = sessions.tryLease(run, "worker", Duration.ofMinutes(1)).orElseThrow();
                sessions.addItemsOnce(lease, text, List.of(Message.user(text)));
                return null;
            });

            for (int turn = 0; turn < TURNS; turn++) {
                String text = awkward.get(turn % awkward.size());
                String run = prefix + turn;
                RecordedEvent event = runs.events(run, 0, 10).getFirst();
                assertThat(event.agent()).isEqualTo(text);
                assertThat(event.data()).isEqualTo(text);
                assertThat(runs.effects(run)).extracting(Effect::key).containsExactly(text);
                assertThat(sessions.items(run, 0)).containsExactly(Message.user(text));
            }
        }
    }

    @Test
    void a_write_the_database_refuses_fails_alone_and_the_others_of_its_batch_are_written() throws Exception {
        try (PostgresRunStore runs = PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "refused-" + UUID.randomUUID() + "-";
            List<Object> outcomes = atOnce(TURNS, turn -> () -> {
                String run = prefix + turn;
                // PostgreSQL refuses a NUL character in text
                String data = turn % 7 == 3 ? "{\"text\":\"nul \u0000 here\"}" : "{\"text\":\"fine\"}";
                try {
                    runs.record(List.of(new RecordedEvent(run, 0, "MessageOutput", "billing", NOW, data)), effect(run, "model-0", 1));
                    return "written";
                } catch (StoreException e) {
                    return e;
                }
            });

            for (int turn = 0; turn < TURNS; turn++) {
                String run = prefix + turn;
                if (turn % 7 == 3) {
                    assertThat(outcomes.get(turn)).isInstanceOf(StoreException.class);
                    assertThat(((StoreException) outcomes.get(turn)).getMessage())
                            .startsWith("The PostgreSQL run store ")
                            .contains("failed to record effect 'model-0' of run '" + run + "': ERROR: invalid byte sequence");
                    assertThat(runs.effects(run)).isEmpty();
                } else {
                    assertThat(outcomes.get(turn)).isEqualTo("written");
                    assertThat(runs.effects(run)).hasSize(1);
                    assertThat(runs.events(run, 0, 10)).hasSize(1);
                }
            }
            assertThat(runs.dialect.runBatches().recordsSentAlone()).as("a refused write's batch is retried write by write")
                    .isPositive();
        }
    }

    @Test
    void session_writes_at_once_keep_each_sessions_order_fence_and_write_keys() throws Exception {
        try (PostgresSessionStore sessions = PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "batch-session-" + UUID.randomUUID() + "-";
            List<SessionLease> leases = new ArrayList<>();
            for (int turn = 0; turn < TURNS; turn++) {
                leases.add(sessions.tryLease(prefix + turn, "worker-" + turn, Duration.ofMinutes(1)).orElseThrow());
            }
            ConcurrentHashMap<Integer, Boolean> repeatedKeyAdded = new ConcurrentHashMap<>();
            List<Object> outcomes = atOnce(TURNS, turn -> () -> {
                SessionLease lease = leases.get(turn);
                // every fifth turn writes under a lease the session no longer has (a later token)
                SessionLease used = turn % 5 == 2 ? new SessionLease(lease.sessionId(), lease.owner(), lease.token() + 1,
                        lease.expiresAt()) : lease;
                try {
                    for (int step = 0; step < 4; step++) {
                        sessions.addItemsOnce(used, "turn/" + step, List.of(Message.user("q" + step), Message.assistant("a" + step)));
                    }
                    repeatedKeyAdded.put(turn, sessions.addItemsOnce(used, "turn/1", List.of(Message.user("again"))));
                    sessions.setActiveAgent(used, "billing-" + turn);
                    sessions.recordUsage(used, "run-" + turn, Usage.of(10 + turn, 2), NOW);
                    sessions.releaseLease(used);
                    return "written";
                } catch (SessionLeaseLost e) {
                    return e;
                }
            });

            for (int turn = 0; turn < TURNS; turn++) {
                String session = prefix + turn;
                if (turn % 5 == 2) {
                    assertThat(outcomes.get(turn)).isInstanceOf(SessionLeaseLost.class);
                    assertThat(sessions.items(session, 0)).isEmpty();
                    assertThat(sessions.activeAgent(session)).isEmpty();
                    assertThat(sessions.lease(session)).as("the real lease is not given back by a stale one").isPresent();
                    continue;
                }
                assertThat(outcomes.get(turn)).isEqualTo("written");
                List<Item> expected = new ArrayList<>();
                for (int step = 0; step < 4; step++) {
                    expected.add(Message.user("q" + step));
                    expected.add(Message.assistant("a" + step));
                }
                assertThat(sessions.items(session, 0)).containsExactlyElementsOf(expected);
                assertThat(repeatedKeyAdded.get(turn)).as("a write key is taken once").isFalse();
                assertThat(sessions.activeAgent(session)).contains("billing-" + turn);
                assertThat(sessions.usage(session)).extracting(u -> u.usage().inputTokens()).containsExactly(10L + turn);
                assertThat(sessions.lease(session)).as("given back").isEmpty();
            }
            assertThat(sessions.dialect.sessionBatches().largestAddItemsBatch()).as("writes were sent together").isGreaterThan(1);
        }
    }

    @Test
    void runs_started_and_finished_at_once_are_fenced_by_their_owner() throws Exception {
        try (PostgresRunStore runs = PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "lifecycle-" + UUID.randomUUID() + "-";
            List<Object> outcomes = atOnce(TURNS, turn -> () -> {
                RunRecord run = new RunRecord(prefix + turn, RunRecord.DEFAULT_APPLICATION, "triage", "triage", "s-" + turn,
                        List.of(Message.user("q" + turn)), RunStatus.RUNNING, NOW, NOW, null, null, Usage.zero(), Map.of(),
                        null, "worker-" + turn, NOW.plusSeconds(30));
                runs.createRun(run);
                // every sixth turn finishes as a worker that does not own the run
                String finisher = turn % 6 == 1 ? "someone-else" : "worker-" + turn;
                RunRecord done = new RunRecord(run.id(), run.application(), "triage", "billing", run.sessionId(), run.input(),
                        RunStatus.COMPLETED, NOW, NOW.plusMillis(turn), "answer " + turn, null, Usage.of(10, 2), Map.of(), null,
                        finisher, null);
                return runs.finishRun(List.of(event(run.id(), 0)), done);
            });
            assertThatThrownBy(() -> runs.createRun(runs.findRun(prefix + 0).orElseThrow()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");

            for (int turn = 0; turn < TURNS; turn++) {
                RunRecord stored = runs.findRun(prefix + turn).orElseThrow();
                if (turn % 6 == 1) {
                    assertThat(outcomes.get(turn)).isEqualTo(false);
                    assertThat(stored.status()).isEqualTo(RunStatus.RUNNING);
                    assertThat(stored.owner()).isEqualTo("worker-" + turn);
                    assertThat(runs.events(stored.id(), 0, 10)).as("no events without the outcome").isEmpty();
                } else {
                    assertThat(outcomes.get(turn)).isEqualTo(true);
                    assertThat(stored.status()).isEqualTo(RunStatus.COMPLETED);
                    assertThat(stored.finalOutput()).isEqualTo("answer " + turn);
                    assertThat(stored.owner()).as("an ended run gives up its lease").isNull();
                    assertThat(runs.events(stored.id(), 0, 10)).hasSize(1);
                }
                assertThat(stored.input()).containsExactly(Message.user("q" + turn));
            }
            assertThat(runs.dialect.runBatches().largestCreateBatch()).as("starts were sent together").isGreaterThan(1);
            assertThat(runs.dialect.runBatches().largestFinishBatch()).as("outcomes were sent together").isGreaterThan(1);
        }
    }

    @Test
    void leases_taken_at_once_go_only_to_free_sessions_and_items_read_at_once_are_each_sessions_own() throws Exception {
        try (PostgresSessionStore sessions = PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            String prefix = "leases-" + UUID.randomUUID() + "-";
            for (int turn = 0; turn < TURNS; turn += 4) { // every fourth session is held already
                sessions.tryLease(prefix + turn, "holder", Duration.ofMinutes(1)).orElseThrow();
            }
            for (int turn = 0; turn < TURNS; turn++) {
                sessions.addItems(prefix + turn, List.of(Message.user("hello " + turn), Message.assistant("hi " + turn)));
            }
            List<Object> outcomes = atOnce(TURNS, turn -> () -> List.of(
                    sessions.tryLease(prefix + turn, "worker-" + turn, Duration.ofMinutes(1)), sessions.items(prefix + turn, 0)));

            for (int turn = 0; turn < TURNS; turn++) {
                List<?> both = (List<?>) outcomes.get(turn);
                java.util.Optional<?> lease = (java.util.Optional<?>) both.get(0);
                if (turn % 4 == 0) {
                    assertThat(lease).isEmpty();
                    assertThat(sessions.lease(prefix + turn)).get().extracting(SessionLease::owner).isEqualTo("holder");
                } else {
                    assertThat(lease).get().extracting(l -> ((SessionLease) l).owner()).isEqualTo("worker-" + turn);
                    assertThat(sessions.lease(prefix + turn)).get().extracting(SessionLease::owner).isEqualTo("worker-" + turn);
                }
                assertThat(both.get(1)).isEqualTo(List.of(Message.user("hello " + turn), Message.assistant("hi " + turn)));
            }
            assertThat(sessions.dialect.sessionBatches().largestLeaseBatch()).isGreaterThan(1);
        }
    }

    @Test
    void a_batched_write_on_a_closed_store_fails_clearly() {
        PostgresSessionStore sessions = PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password());
        SessionLease lease = sessions.tryLease("closed-" + UUID.randomUUID(), "w", Duration.ofMinutes(1)).orElseThrow();
        sessions.close();

        assertThatThrownBy(() -> sessions.addItemsOnce(lease, "k", List.of(Message.user("hi"))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Cannot add items (write 'k') to session '" + lease.sessionId() + "'")
                .hasMessageContaining("is closed");
    }

    private static RunRecord running(String run) {
        return new RunRecord(run, RunRecord.DEFAULT_APPLICATION, "triage", "triage", null, List.of(Message.user("q")),
                RunStatus.RUNNING, NOW, NOW, null, null, Usage.zero(), Map.of(), null, "worker", NOW.plusSeconds(30));
    }

    private static RecordedEvent event(String run, long seq) {
        return new RecordedEvent(run, seq, "MessageOutput", "billing", NOW.plusMillis(seq), "{\"seq\":" + seq + "}");
    }

    private static Effect effect(String run, String key, int attempts) {
        return new Effect(run, key, Effect.Kind.MODEL, Effect.Status.DONE, "billing", "scripted", "{}", "{\"ok\":true}",
                attempts, NOW, NOW.plusMillis(5), Usage.of(10, 2));
    }

    /** Runs {@code count} callers at once, each on a thread of its own, and returns what each returned, in order. */
    private static List<Object> atOnce(int count, IntFunction<java.util.concurrent.Callable<Object>> caller) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                java.util.concurrent.Callable<Object> call = caller.apply(i);
                futures.add(threads.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        }
    }
}
