package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.model.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the group commit, printed rather than asserted (timings depend on the machine).
 * Run with {@code ./mvnw -o -B test -pl baton-jdbc -Dtest=SqliteRunStoreThroughputTest -Dbaton.bench=true}.
 */
@EnabledIfSystemProperty(named = "baton.bench", matches = "true")
class SqliteRunStoreThroughputTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void record_effect_writes_per_second() throws Exception {
        for (int threads : List.of(1, 64, 256)) {
            try (SqliteRunStore store = SqliteRunStore.open(dir.resolve("effects-" + threads + ".db"))) {
                int perThread = Math.max(20_000 / threads, 200);
                run(store, threads, Math.max(perThread / 10, 20), "warmup");
                long started = System.nanoTime();
                run(store, threads, perThread, "k");
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("recordEffect, %3d virtual threads: %,.0f writes/s (%,d writes in %.2f s)%n", threads,
                        threads * perThread / seconds, threads * perThread, seconds);
            }
        }
    }

    @Test
    void durable_runs_per_second_with_eight_store_calls_each() throws Exception {
        int threads = 256;
        int runsPerThread = 40;
        try (SqliteRunStore store = SqliteRunStore.open(dir.resolve("runs.db"))) {
            long started = System.nanoTime();
            forEachThread(threads, t -> {
                for (int i = 0; i < runsPerThread; i++) {
                    String id = "run-" + t + "-" + i;
                    RunRecord run = new RunRecord(id, RunRecord.DEFAULT_APPLICATION, "triage", "triage", "s-" + t, List.of(), RunStatus.RUNNING, T, T, null,
                            null, Usage.zero(), java.util.Map.of("triage", "fp"), null, "w-" + t, T.plusSeconds(30));
                    store.createRun(run);
                    store.recordEffect(effect(id, "start", Effect.Status.DONE));
                    store.recordEffect(effect(id, "m1", Effect.Status.STARTED));
                    store.recordEffect(effect(id, "m1", Effect.Status.DONE));
                    store.appendEvents(List.of(new RecordedEvent(id, 0, "AgentStarted", "triage", T, "{}"),
                            new RecordedEvent(id, 1, "MessageOutput", "triage", T, "{\"text\":\"hi\"}")));
                    store.recordEffect(effect(id, "session/1", Effect.Status.DONE));
                    store.appendEvents(List.of(new RecordedEvent(id, 2, "RunCompleted", "triage", T, "{}")));
                    assertThat(store.updateRun(run.withOutcome(RunStatus.COMPLETED, "triage", "\"hi\"", null, Usage.of(10, 2),
                            null, T.plusSeconds(1)))).isTrue();
                }
            });
            double seconds = (System.nanoTime() - started) / 1e9;
            int runs = threads * runsPerThread;
            System.out.printf("durable runs, %d virtual threads, 8 store calls each: %,.0f runs/s (%,.0f calls/s)%n", threads,
                    runs / seconds, runs * 8 / seconds);
        }
    }

    /** The same inserts on one connection in one transaction: what the group commit can at best approach. */
    @Test
    void baseline_of_the_same_inserts_in_one_transaction() throws Exception {
        Path file = dir.resolve("baseline.db");
        SqliteRunStore.open(file).close(); // migrate
        SqliteDatabase.Opened opened = SqliteDatabase.open(file, java.time.Duration.ofSeconds(5), 1, "baseline");
        RunRows rows = new RunRows(file.toString(), "baseline");
        Statements c = new Statements(opened.writer());
        try {
            int n = 50_000;
            long started = System.nanoTime();
            SqliteDatabase.execute(c.connection(), "BEGIN IMMEDIATE");
            for (int i = 0; i < n; i++) {
                var ps = c.prepare("INSERT INTO run_effects (" + RunRows.EFFECT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (run_id, effect_key) DO UPDATE SET status = excluded.status");
                rows.bindEffect(ps, 1, effect("run-" + (i % 64), "k" + i, Effect.Status.DONE));
                ps.executeUpdate();
            }
            SqliteDatabase.execute(c.connection(), "COMMIT");
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("baseline, one thread, one transaction: %,.0f inserts/s%n", n / seconds);
        } finally {
            List<Throwable> failures = new ArrayList<>();
            c.close(failures);
            opened.readers().forEach(r -> SqliteDatabase.closeQuietly(r, failures));
        }
    }

    private static void run(SqliteRunStore store, int threads, int perThread, String prefix) throws Exception {
        forEachThread(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                store.recordEffect(effect("run-" + t, prefix + i, Effect.Status.DONE));
            }
        });
    }

    private interface PerThread {
        void run(int thread) throws Exception;
    }

    private static void forEachThread(int threads, PerThread task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    task.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS);
            }
        }
    }

    private static Effect effect(String runId, String key, Effect.Status status) {
        return new Effect(runId, key, Effect.Kind.MODEL, status, "triage", "gpt-4o-mini", "{\"turn\":1}",
                status == Effect.Status.DONE ? "{\"output\":[{\"type\":\"message\",\"text\":\"hi\"}]}" : null, 1, T,
                status == Effect.Status.DONE ? T.plusMillis(20) : null, status == Effect.Status.DONE ? Usage.of(100, 20) : null);
    }
}
