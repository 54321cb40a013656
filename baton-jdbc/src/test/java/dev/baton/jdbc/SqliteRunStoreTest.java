package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the conformance suite does not cover: the file, the shared schema, corrupted rows, group commit and closing. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SqliteRunStoreTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00.123456789Z");

    @TempDir
    Path dir;

    // ---- the file and its schema

    @Test
    void instants_are_kept_to_the_millisecond() {
        try (SqliteRunStore store = SqliteRunStore.open(dir.resolve("runs.db"))) {
            RunRecord run = run("r1").withLease("w", T.plusSeconds(30));
            store.createRun(run);

            RunRecord found = store.findRun("r1").orElseThrow();
            assertThat(found.createdAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00.123Z"));
            assertThat(found.leaseUntil()).isEqualTo(Instant.parse("2026-03-01T10:00:30.123Z"));
        }
    }

    @Test
    void runs_and_sessions_share_one_file_and_one_migration_history_whichever_store_opens_it_first() throws Exception {
        for (boolean runsFirst : List.of(true, false)) {
            Path file = dir.resolve("shared-" + runsFirst + ".db");
            SqliteRunStore runs = runsFirst ? SqliteRunStore.open(file) : null;
            try (SqliteSessionStore sessions = SqliteSessionStore.open(file)) {
                if (runs == null) {
                    runs = SqliteRunStore.open(file);
                }
                runs.createRun(run("r1"));
                sessions.addItems("s1", List.of(Message.user("hello")));
                assertThat(sessions.addItemsOnce("s1", "r1/1", List.of(Message.user("once")))).isTrue();
                assertThat(runs.findRun("r1")).isPresent();
                assertThat(sessions.items("s1", 0)).hasSize(2);
            } finally {
                if (runs != null) {
                    runs.close();
                }
            }
            assertThat(appliedMigrations(file)).as("opened by the %s store first", runsFirst ? "run" : "session")
                    .containsExactly("1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1", "8:1", "9:1");
        }
    }

    @Test
    @Timeout(120)
    void two_processes_opening_one_new_file_at_once_both_migrate_it() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int round = 0; round < 5; round++) {
            Path file = dir.resolve("race-" + round + ".db");
            Path go = dir.resolve("go-" + round);
            Process other = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), OpenSessionStore.class.getName(), file.toString(), go.toString())
                    .redirectErrorStream(true)
                    .start();
            var childOutput = new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = childOutput.readLine()) != null && !line.equals("ready")) {
                // warnings of the other JVM, if any
            }
            assertThat(line).as("the other process started").isEqualTo("ready"); // both JVMs are up: open the file at once
            Files.createFile(go);
            try (SqliteRunStore runs = SqliteRunStore.open(file)) {
                runs.createRun(run("r1"));
            }
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = String.join("\n", childOutput.lines().toList());
            assertThat(other.exitValue()).as("the other process said: %s", output).isZero();
            assertThat(appliedMigrations(file)).containsExactly("1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1", "8:1", "9:1");
            try (SqliteSessionStore sessions = SqliteSessionStore.open(file)) {
                assertThat(sessions.items("from-the-other-process", 0)).hasSize(1);
            }
        }
    }

    /** The other process of {@link #two_processes_opening_one_new_file_at_once_both_migrate_it}. */
    static final class OpenSessionStore {
        public static void main(String[] args) {
            Path go = Path.of(args[1]);
            System.out.println("ready");
            System.out.flush();
            while (!Files.exists(go)) {
                Thread.onSpinWait();
            }
            try (SqliteSessionStore sessions = SqliteSessionStore.open(Path.of(args[0]))) {
                sessions.addItems("from-the-other-process", List.of(Message.user("hi")));
            }
        }
    }

    // ---- failures

    @Test
    void a_missing_directory_is_a_clear_error_naming_the_file() {
        Path file = dir.resolve("no-such-dir").resolve("runs.db");

        assertThatThrownBy(() -> SqliteRunStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("SQLite run store")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void a_file_that_is_not_a_database_is_a_clear_error_naming_the_file() throws Exception {
        Path file = dir.resolve("corrupt.db");
        Files.write(file, "this is not a SQLite database, just some text ".repeat(200).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> SqliteRunStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a database");
    }

    @Test
    void a_closed_store_refuses_every_call_clearly_and_closing_twice_is_harmless() {
        Path file = dir.resolve("runs.db");
        SqliteRunStore store = SqliteRunStore.open(file);
        store.createRun(run("r1"));
        store.close();
        store.close();

        List<Consumer<SqliteRunStore>> calls = List.of(
                s -> s.createRun(run("r2")),
                s -> s.findRun("r1"),
                s -> s.listRuns(RunQuery.all()),
                s -> s.updateRun(run("r1")),
                s -> s.cancelRun("r1", "why", T),
                s -> s.markResumable("r1", T),
                s -> s.claim("r1", "w", T, T),
                s -> s.claimable(T, java.util.Set.of(), 10),
                s -> s.renewLeases("w", T),
                s -> s.release("r1", "w"),
                s -> s.recordEffect(effect("r1", "m1")),
                s -> s.effects("r1"),
                s -> s.appendEvents(List.of(new RecordedEvent("r1", 0, "AgentStarted", "a", T, "{}"))),
                s -> s.events("r1", 0, 10),
                s -> s.events("r1", 0, 0),
                s -> s.appendEvents(List.of()),
                s -> s.requestApprovals(List.of()),
                s -> s.requestApprovals(List.of(approval("r1", "c1"))),
                s -> s.approvals("r1"),
                s -> s.pendingApprovals(10),
                s -> s.decide("r1", "c1", true, null, T));
        for (Consumer<SqliteRunStore> call : calls) {
            assertThatThrownBy(() -> call.accept(store))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .hasMessageContaining("is closed");
        }
    }

    @Test
    void a_corrupted_row_is_reported_with_the_database_table_run_and_column() throws Exception {
        Path file = dir.resolve("runs.db");
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            for (String id : List.of("input", "usage", "graph", "status", "fine")) {
                store.createRun(run("run-" + id));
            }
            store.recordEffect(effect("run-fine", "m1"));
            store.recordEffect(effect("run-effect", "m1"));
            store.requestApprovals(List.of(approval("run-approval", "c1")));
            SqliteFiles.execute(file, "UPDATE runs SET input = '[{\"type\":\"telegram\"}]' WHERE id = 'run-input'");
            SqliteFiles.execute(file, "UPDATE runs SET usage = 'not json' WHERE id = 'run-usage'");
            SqliteFiles.execute(file, "UPDATE runs SET graph = '[1, 2]' WHERE id = 'run-graph'");
            SqliteFiles.execute(file, "UPDATE runs SET status = 'SLEEPING' WHERE id = 'run-status'");
            SqliteFiles.execute(file, "UPDATE run_effects SET kind = 'TELEPATHY' WHERE run_id = 'run-effect'");
            SqliteFiles.execute(file, "UPDATE run_approvals SET status = 'MAYBE' WHERE run_id = 'run-approval'");

            for (String column : List.of("input", "usage", "graph", "status")) {
                assertThatThrownBy(() -> store.findRun("run-" + column))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining(file.toAbsolutePath().toString())
                        .hasMessageContaining("table runs")
                        .hasMessageContaining("run 'run-" + column + "'")
                        .hasMessageContaining("column " + column);
            }
            assertThatThrownBy(() -> store.listRuns(RunQuery.all()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("table runs");
            assertThatThrownBy(() -> store.effects("run-effect"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .hasMessageContaining("table run_effects")
                    .hasMessageContaining("run 'run-effect'")
                    .hasMessageContaining("column kind")
                    .hasMessageContaining("TELEPATHY");
            assertThatThrownBy(() -> store.approvals("run-approval"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("table run_approvals")
                    .hasMessageContaining("run 'run-approval'")
                    .hasMessageContaining("column status");
            assertThatThrownBy(() -> store.decide("run-approval", "c1", true, null, T))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("table run_approvals");

            assertThat(store.findRun("run-fine")).isPresent(); // the rest of the store still works
            assertThat(store.effects("run-fine")).hasSize(1);
            store.recordEffect(effect("run-fine", "m2"));
            assertThat(store.effects("run-fine")).hasSize(2);
        }
    }

    @Test
    void a_database_locked_longer_than_the_busy_timeout_fails_the_write_clearly_and_then_recovers() throws Exception {
        Path file = dir.resolve("runs.db");
        SqliteRunStore.Options options = SqliteRunStore.Options.defaults().withBusyTimeout(Duration.ofMillis(200));
        try (SqliteRunStore store = SqliteRunStore.open(file, options);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            store.createRun(run("r1"));
            try (Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }

            assertThatThrownBy(() -> store.recordEffect(effect("r1", "m1")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .hasMessageContaining("run 'r1'")
                    .hasMessageContaining("locked");
            assertThat(store.findRun("r1")).isPresent(); // readers are not blocked

            try (Statement s = other.createStatement()) {
                s.execute("ROLLBACK");
            }
            store.recordEffect(effect("r1", "m1"));
            assertThat(store.effects("r1")).hasSize(1);
        }
    }

    // ---- group commit

    @Test
    @Timeout(60)
    void a_write_that_fails_in_a_group_fails_alone_and_the_others_are_committed() throws Exception {
        Path file = dir.resolve("runs.db");
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            SqliteFiles.execute(file, """
                    CREATE TRIGGER refuse_poison BEFORE INSERT ON run_effects WHEN NEW.effect_key = 'poison'
                    BEGIN SELECT RAISE(ABORT, 'poisoned effect'); END""");
            int threads = 64;
            int perThread = 50;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        List<String> failures = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            String key = i % 10 == 5 ? "poison" : "k" + i;
                            try {
                                store.recordEffect(effect("run-" + thread, key));
                            } catch (StoreException e) {
                                failures.add(key + ": " + e.getMessage());
                            }
                        }
                        return failures;
                    }));
                }
                start.countDown();
                for (int t = 0; t < threads; t++) {
                    List<String> failures = results.get(t).get(50, TimeUnit.SECONDS);
                    String run = "run 'run-" + t + "'";
                    assertThat(failures).hasSize(perThread / 10).allSatisfy(failure -> assertThat(failure)
                            .startsWith("poison: ")
                            .contains(file.toAbsolutePath().toString())
                            .contains(run)
                            .contains("poisoned effect"));
                    assertThat(store.effects("run-" + t)).hasSize(perThread - perThread / 10);
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void closing_releases_callers_waiting_for_a_group_commit_with_an_error() throws Exception {
        Path file = dir.resolve("runs.db");
        SqliteRunStore.Options options = SqliteRunStore.Options.defaults().withBusyTimeout(Duration.ofSeconds(2));
        SqliteRunStore store = SqliteRunStore.open(file, options);
        store.createRun(run("r1"));
        List<Future<?>> writes = new ArrayList<>();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            try (Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE"); // the writer thread now waits for the lock
            }
            for (int i = 0; i < 20; i++) {
                String key = "m" + i;
                writes.add(pool.submit(() -> store.recordEffect(effect("r1", key))));
                Thread.sleep(5);
            }
            Thread.sleep(100);
            store.close();

            for (Future<?> write : writes) {
                assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining(file.toAbsolutePath().toString())
                        .hasMessageContaining("run 'r1'")
                        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("is closed", "locked"));
            }
            try (Statement s = other.createStatement()) {
                s.execute("ROLLBACK");
            }
        }
    }

    @Test
    void runs_and_sessions_on_one_file_in_one_process_never_wait_for_each_others_lock() throws Exception {
        // With a busy timeout of zero, a write meeting another connection's lock on the file fails at once
        // ("database is locked"). The two stores commit through one writer, so none ever meets the other's lock.
        Path file = dir.resolve("shared.db");
        try (SqliteRunStore runs = SqliteRunStore.open(file, SqliteRunStore.Options.defaults().withBusyTimeout(Duration.ZERO));
                SqliteSessionStore sessions = SqliteSessionStore.open(file, Duration.ZERO);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                int writer = w;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        String id = "r" + writer + "-" + i;
                        if (writer % 2 == 0) {
                            runs.createRun(run(id));
                            runs.recordEffect(effect(id, "m1"));
                        } else {
                            dev.baton.session.SessionLease lease = sessions.tryLease(id, "worker", Duration.ofMinutes(1)).orElseThrow();
                            sessions.addItemsOnce(lease, id + "/1", List.of(Message.user("hi " + id)));
                            sessions.recordUsage(lease, id, Usage.of(10, 2), T);
                            sessions.releaseLease(lease);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS); // a "database is locked" failure would surface here
            }

            assertThat(count(file, "SELECT count(*) FROM runs")).isEqualTo(160);
            assertThat(count(file, "SELECT count(*) FROM run_effects")).isEqualTo(160);
            assertThat(count(file, "SELECT count(*) FROM session_items")).isEqualTo(160);
            assertThat(count(file, "SELECT count(*) FROM session_usage")).isEqualTo(160);
            assertThat(count(file, "SELECT count(*) FROM session_leases WHERE expires_at = 0")).isEqualTo(160);
        }
    }

    @Test
    void closing_one_store_on_a_shared_file_leaves_the_other_writing() {
        Path file = dir.resolve("shared.db");
        SqliteRunStore runs = SqliteRunStore.open(file);
        SqliteSessionStore sessions = SqliteSessionStore.open(file);
        try {
            sessions.close();
            assertThatThrownBy(() -> sessions.addItems("s1", List.of(Message.user("after close"))))
                    .isInstanceOf(StoreException.class).hasMessageContaining("SQLite session store").hasMessageContaining("is closed");
            runs.createRun(run("r1"));
            assertThat(runs.findRun("r1")).isPresent();

            try (SqliteSessionStore again = SqliteSessionStore.open(file)) {
                runs.close();
                assertThatThrownBy(() -> runs.createRun(run("r2")))
                        .isInstanceOf(StoreException.class).hasMessageContaining("SQLite run store").hasMessageContaining("is closed");
                again.addItems("s1", List.of(Message.user("still writing")));
                assertThat(again.items("s1", 0)).containsExactly(Message.user("still writing"));
            }
        } finally {
            sessions.close();
            runs.close();
        }
    }

    // ---- helpers

    private static long count(Path file, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void the_write_ahead_log_is_copied_into_the_database_while_the_store_is_open() throws Exception {
        Path file = dir.resolve("runs.db");
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            long before = Files.size(file);
            // About 600 KB in 30 commits, well under SQLite's own checkpoint threshold of 1,000 pages
            // (each commit appends the pages it touched: the run's, its overflow pages, the indexes').
            String text = "x".repeat(20_000);
            for (int i = 0; i < 30; i++) {
                RunRecord r = run("wal-" + i);
                store.createRun(new RunRecord(r.id(), r.application(), r.startAgent(), r.currentAgent(), r.sessionId(),
                        List.of(Message.user(text)), r.status(), r.createdAt(), r.updatedAt(), null, null, r.usage(), r.graph(),
                        null, null, null));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.size(file) < before + 500_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.size(file)).as("the database file holds the committed runs, not only the log")
                    .isGreaterThan(before + 500_000);
            assertThat(store.findRun("wal-29")).isPresent();
        }
    }

    static RunRecord run(String id) {
        return new RunRecord(id, RunRecord.DEFAULT_APPLICATION, "triage", "triage", "s1", List.of(Message.user("hi")), RunStatus.RUNNING, T, T, null, null,
                Usage.zero(), Map.of("triage", "fp"), null, null, null);
    }

    static Effect effect(String runId, String key) {
        return new Effect(runId, key, Effect.Kind.MODEL, Effect.Status.DONE, "triage", "gpt", "{}", "{\"text\":\"ok\"}", 1,
                T, T.plusMillis(20), Usage.of(10, 2));
    }

    static Approval approval(String runId, String callId) {
        return new Approval(runId, callId, "triage", "refund", "{}", Approval.Status.PENDING, null, T, null);
    }

    private static List<String> appliedMigrations(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version || ':' || success FROM " + SqliteSessionStore.SCHEMA_HISTORY_TABLE
                        + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
