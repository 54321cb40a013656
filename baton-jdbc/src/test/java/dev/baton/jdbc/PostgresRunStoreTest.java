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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the PostgreSQL run store does beyond the conformance suite: precision, corrupted rows, several processes, errors. */
class PostgresRunStoreTest {

    private static final String URL = PostgresServer.createDatabase("run_store");
    private static final Instant NOW = Instant.parse("2026-03-14T09:26:53.589793238Z");

    private static PostgresRunStore open() {
        return PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password());
    }

    private static RunRecord run(Instant createdAt) {
        return new RunRecord("pg-run-" + UUID.randomUUID(), RunRecord.DEFAULT_APPLICATION, "support_triage", "support_triage", "pg-session",
                List.of(Message.user("I was charged twice")), RunStatus.RUNNING, createdAt, createdAt, null, null, Usage.zero(),
                Map.of("support_triage", "fp"), null, null, null);
    }

    @Test
    void instants_are_kept_to_the_millisecond() {
        try (PostgresRunStore store = open()) {
            RunRecord run = run(NOW).withLease("worker-1", NOW.plusNanos(100_000));
            store.createRun(run);
            store.recordEffect(new Effect(run.id(), "m1", Effect.Kind.MODEL, Effect.Status.DONE, "support_triage", "gpt",
                    "{}", "{}", 1, NOW, NOW.plusNanos(1_500_000), Usage.of(1, 2)));
            store.appendEvents(List.of(new RecordedEvent(run.id(), 0, "AgentStarted", "support_triage", NOW, "{}")));
            store.requestApprovals(List.of(new Approval(run.id(), "call_1", "support_triage", "refund", "{}",
                    Approval.Status.PENDING, null, NOW, null)));

            Instant millis = NOW.truncatedTo(ChronoUnit.MILLIS);
            RunRecord found = store.findRun(run.id()).orElseThrow();
            assertThat(found.createdAt()).isEqualTo(millis);
            assertThat(found.updatedAt()).isEqualTo(millis);
            assertThat(found.leaseUntil()).isEqualTo(millis);
            assertThat(store.effects(run.id()).get(0).finishedAt()).isEqualTo(millis.plusMillis(2));
            assertThat(store.events(run.id(), 0, 1).get(0).at()).isEqualTo(millis);
            assertThat(store.approvals(run.id()).get(0).requestedAt()).isEqualTo(millis);
            assertThat(store.decide(run.id(), "call_1", true, null, NOW.plusNanos(1)).orElseThrow().decidedAt()).isEqualTo(millis);
            // Leases compare the caller's instants, to the millisecond: the lease ends at .589, so it has not ended before .590.
            assertThat(store.claim(run.id(), "worker-2", NOW.plusNanos(200_000), NOW.plusSeconds(30))).isFalse();
            assertThat(store.claim(run.id(), "worker-2", millis.plusMillis(1), NOW.plusSeconds(30))).isTrue();
        }
    }

    @Test
    void a_duplicate_run_is_refused_with_its_id() {
        try (PostgresRunStore store = open()) {
            RunRecord run = run(NOW);
            store.createRun(run);

            assertThatThrownBy(() -> store.createRun(run)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Run '" + run.id() + "' already exists in the PostgreSQL run store " + URL);
        }
    }

    @Test
    void a_run_with_unreadable_json_is_reported_with_table_run_and_column() {
        assertCorrupted("UPDATE runs SET input = '[{\"type\":' WHERE id = '%s'", "runs", "input",
                (store, id) -> store.findRun(id));
    }

    @Test
    void a_run_with_an_unknown_status_is_reported_with_table_run_and_column() {
        assertCorrupted("UPDATE runs SET status = 'SLEEPING' WHERE id = '%s'", "runs", "status",
                (store, id) -> store.listRuns(RunQuery.all().withSession("pg-session").withLimit(1000)));
    }

    @Test
    void a_run_with_an_unreadable_graph_is_reported_with_table_run_and_column() {
        assertCorrupted("UPDATE runs SET graph = '[1,2]' WHERE id = '%s'", "runs", "graph", (store, id) -> store.findRun(id));
    }

    @Test
    void an_effect_of_an_unknown_kind_is_reported_with_table_run_and_column() {
        assertCorrupted("UPDATE run_effects SET kind = 'TELEPORT' WHERE run_id = '%s'", "run_effects", "kind",
                (store, id) -> store.effects(id));
    }

    @Test
    void an_effect_with_unreadable_usage_is_reported_with_table_run_and_column() {
        assertCorrupted("UPDATE run_effects SET usage = 'lots' WHERE run_id = '%s'", "run_effects", "usage",
                (store, id) -> store.effects(id));
    }

    @Test
    void an_approval_with_an_unknown_status_is_reported_with_table_run_and_column() {
        assertCorrupted("UPDATE run_approvals SET status = 'MAYBE' WHERE run_id = '%s'", "run_approvals", "status",
                (store, id) -> store.approvals(id));
    }

    @FunctionalInterface
    private interface Read {
        void read(PostgresRunStore store, String runId);
    }

    /** Creates a run with an effect and an approval, corrupts it with {@code sql}, and expects {@code read} to report it. */
    private void assertCorrupted(String sql, String table, String column, Read read) {
        try (PostgresRunStore store = open()) {
            RunRecord run = run(Instant.now());
            store.createRun(run);
            store.recordEffect(new Effect(run.id(), "m1", Effect.Kind.MODEL, Effect.Status.DONE, "support_triage", "gpt",
                    "{}", "{}", 1, NOW, NOW, Usage.of(1, 2)));
            store.requestApprovals(List.of(new Approval(run.id(), "call_1", "support_triage", "refund", "{}",
                    Approval.Status.PENDING, null, NOW, null)));
            PostgresServer.execute(URL, sql.formatted(run.id()));

            assertThatThrownBy(() -> read.read(store, run.id())).isInstanceOfSatisfying(StoreException.class, e -> {
                assertThat(e.database()).isEqualTo(URL);
                assertThat(e.getMessage()).startsWith("The PostgreSQL run store " + URL + " has a corrupted row in table "
                        + table + " for run '" + run.id() + "': column " + column + " ");
            });
            PostgresServer.execute(URL, "DELETE FROM " + table + " WHERE " + (table.equals("runs") ? "id" : "run_id")
                    + " = '" + run.id() + "'");
        }
    }

    @Test
    void a_batch_of_events_with_replays_stores_each_event_once() {
        try (PostgresRunStore store = open()) {
            RunRecord run = run(NOW);
            store.createRun(run);
            List<RecordedEvent> events = IntStream.range(0, 500)
                    .mapToObj(seq -> new RecordedEvent(run.id(), seq, "ToolCalled", "support_triage", NOW, "{\"seq\":" + seq + "}"))
                    .toList();
            List<RecordedEvent> withReplays = new ArrayList<>(events.subList(0, 300));
            withReplays.addAll(events.subList(100, 500));

            store.appendEvents(events.subList(0, 100));
            store.appendEvents(withReplays);

            assertThat(store.events(run.id(), 0, 1000)).containsExactlyElementsOf(
                    events.stream().map(e -> new RecordedEvent(e.runId(), e.seq(), e.type(), e.agent(),
                            e.at().truncatedTo(ChronoUnit.MILLIS), e.data())).toList());
        }
    }

    @Test
    @Timeout(60)
    void of_workers_in_several_jvms_claiming_the_same_runs_exactly_one_wins_each() throws Exception {
        int jvms = 3;
        List<String> ids = new ArrayList<>();
        try (PostgresRunStore store = open()) {
            for (int i = 0; i < 40; i++) {
                RunRecord run = run(NOW);
                store.createRun(run);
                ids.add(run.id());
            }
        }
        String javaCommand = ProcessHandle.current().info().command().orElse(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<Process> workers = new ArrayList<>();
        try {
            for (int w = 0; w < jvms; w++) {
                workers.add(new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"), Claimer.class.getName(),
                        URL, PostgresServer.user(), PostgresServer.password(), "jvm-" + w, String.join(",", ids))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            List<BufferedReader> outputs = new ArrayList<>();
            for (Process worker : workers) {
                BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).as("a worker JVM opened the store").isEqualTo("ready");
                outputs.add(out);
            }
            for (Process worker : workers) { // all JVMs have their store open: let them claim at once
                OutputStream in = worker.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            List<String> claimed = new ArrayList<>();
            for (int w = 0; w < jvms; w++) {
                String line;
                while ((line = outputs.get(w).readLine()) != null) {
                    claimed.add(line);
                }
                assertThat(workers.get(w).waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(workers.get(w).exitValue()).isZero();
            }
            Set<String> distinct = new HashSet<>(claimed);
            assertThat(claimed).as("runs claimed, over every JVM").hasSize(ids.size());
            assertThat(distinct).containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
        try (PostgresRunStore store = open()) {
            for (String id : ids) {
                assertThat(store.findRun(id).orElseThrow().owner()).startsWith("jvm-");
            }
        }
    }

    /** A worker JVM: opens the store, says "ready", waits for "go", claims every run given and prints those it won. */
    static final class Claimer {
        public static void main(String[] args) throws IOException {
            try (PostgresRunStore store = PostgresRunStore.open(args[0], args[1], args[2])) {
                System.out.println("ready");
                System.out.flush();
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                Instant now = Instant.now();
                for (String id : args[4].split(",")) {
                    if (store.claim(id, args[3], now, now.plusSeconds(60))) {
                        System.out.println(id);
                    }
                }
            }
        }
    }

    @Test
    void an_unreachable_server_at_open_is_reported_with_the_url() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/baton";

        assertThatThrownBy(() -> PostgresRunStore.open(url, "baton", "s3cret"))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.database()).isEqualTo(url);
                    assertThat(e.getMessage()).startsWith("Cannot open the PostgreSQL run store " + url + ": ")
                            .doesNotContain("s3cret");
                });
    }

    @Test
    void a_closed_store_refuses_calls_naming_the_run() {
        PostgresRunStore store = open();
        store.close();

        assertThatThrownBy(() -> store.findRun("run-1")).isInstanceOf(StoreException.class)
                .hasMessage("Cannot read run 'run-1': the PostgreSQL run store " + URL + " is closed");
    }
}
