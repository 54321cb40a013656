package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The durable scenario runs end to end and prints its three measurements as JSON lines; no timing is checked. */
@DisplayName("The durable benchmark scenario")
class DurableScenarioTest {

    @Test
    void journals_every_run_and_prints_the_durable_with_and_without_sessions_and_in_memory_measurements() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new BenchMain()).execute(
                    "--scenario", "durable", "--runs", "40", "--warmup", "10", "--concurrency", "8");
        } finally {
            System.setOut(out);
        }

        assertThat(exit).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).strip().split("\n")) {
            lines.add(json.readTree(line));
        }
        assertThat(lines).hasSize(3);

        JsonNode durable = lines.get(0);
        assertThat(durable.get("impl").asText()).isEqualTo("baton");
        assertThat(durable.get("scenario").asText()).isEqualTo("durable");
        assertThat(durable.get("config").asText()).isEqualTo("sqlite-journal");
        assertThat(durable.get("runs").asInt()).isEqualTo(40);
        assertThat(durable.get("concurrency").asInt()).isEqualTo(8);
        assertThat(durable.get("failures").asLong()).isZero();
        assertThat(durable.get("runs_per_s").asDouble()).isPositive();
        assertThat(durable.get("in_memory_runs_per_s").asDouble()).isPositive();
        assertThat(durable.get("completed_runs").asLong()).isEqualTo(40);
        assertThat(durable.get("effects").asLong()).isEqualTo(40L * 5);
        assertThat(durable.get("events_per_run").asDouble()).isEqualTo(durable.get("expected_events_per_run").asDouble());
        assertThat(durable.get("expected_events_per_run").asInt()).isPositive();
        assertThat(durable.get("bad_journal_runs").asLong()).isZero();

        JsonNode withSessions = lines.get(1);
        assertThat(withSessions.get("scenario").asText()).isEqualTo("durable");
        assertThat(withSessions.get("config").asText()).isEqualTo("sqlite-journal+session");
        assertThat(withSessions.get("session").asBoolean()).isTrue();
        assertThat(withSessions.get("failures").asLong()).isZero();
        assertThat(withSessions.get("completed_runs").asLong()).isEqualTo(40);
        assertThat(withSessions.get("effects").asLong()).isEqualTo(40L * 5);
        assertThat(withSessions.get("bad_journal_runs").asLong()).isZero();
        assertThat(withSessions.get("sessions").asLong()).isEqualTo(40);
        assertThat(withSessions.get("expected_session_items_per_run").asInt()).isPositive();
        assertThat(withSessions.get("session_items").asLong())
                .isEqualTo(40L * withSessions.get("expected_session_items_per_run").asInt());
        assertThat(withSessions.get("released_session_leases").asLong()).isEqualTo(40);
        assertThat(withSessions.get("bad_sessions").asLong()).isZero();
        assertThat(withSessions.get("in_memory_runs_per_s").asDouble()).isEqualTo(durable.get("in_memory_runs_per_s").asDouble());
        assertThat(withSessions.get("vs_no_session").asDouble()).isPositive();

        JsonNode memory = lines.get(2);
        assertThat(memory.get("scenario").asText()).isEqualTo("durable");
        assertThat(memory.get("config").asText()).isEqualTo("in-memory");
        assertThat(memory.get("runs").asInt()).isEqualTo(40);
        assertThat(memory.get("failures").asLong()).isZero();
        assertThat(memory.get("runs_per_s").asDouble()).isEqualTo(durable.get("in_memory_runs_per_s").asDouble());
    }

    @Test
    void the_journal_check_counts_runs_with_a_missing_effect_or_event(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Durable durable = new Durable(dev.baton.run.RunOptions.<Void>none().withTracingDisabled(true), java.util.List.of(),
                new java.util.concurrent.atomic.AtomicReference<>());
        java.nio.file.Path file = dir.resolve("runs.db");
        assertThat(durable.durable(file, 6, 3, false).failures()).isZero();
        assertThat(durable.checkJournal(file, 6).badRuns()).isZero();

        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = db.createStatement()) {
            s.executeUpdate("DELETE FROM run_effects WHERE kind = 'TOOL' AND run_id = (SELECT min(id) FROM runs)");
            s.executeUpdate("DELETE FROM run_events WHERE seq = 3 AND run_id = (SELECT max(id) FROM runs)");
        }

        Durable.JournalCheck check = durable.checkJournal(file, 6);
        assertThat(check.badRuns()).isEqualTo(2);
        assertThat(check.effects()).isEqualTo(6L * 5 - 1);
    }

    @Test
    void the_session_check_counts_runs_whose_session_lost_or_repeated_an_item_or_kept_its_lease(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Durable durable = new Durable(dev.baton.run.RunOptions.<Void>none().withTracingDisabled(true), java.util.List.of(),
                new java.util.concurrent.atomic.AtomicReference<>());
        java.nio.file.Path file = dir.resolve("runs.db");
        assertThat(durable.durable(file, 6, 3, true).failures()).isZero();
        Durable.SessionCheck clean = durable.checkSessions(file, 6);
        assertThat(clean.badSessions()).isZero();
        assertThat(clean.sessions()).isEqualTo(6);
        assertThat(clean.releasedLeases()).isEqualTo(6);
        assertThat(clean.items()).isEqualTo(6L * clean.expectedItems());

        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = db.createStatement()) {
            // bench-0 lost its last item; bench-1 holds its first item twice; bench-2 still holds its lease.
            s.executeUpdate("DELETE FROM session_items WHERE session_id = 'bench-0' AND position = "
                    + "(SELECT max(position) FROM session_items WHERE session_id = 'bench-0')");
            s.executeUpdate("INSERT INTO session_items (session_id, position, item, created_at) "
                    + "SELECT session_id, position + 100, item, created_at FROM session_items WHERE session_id = 'bench-1' AND position = 1");
            s.executeUpdate("UPDATE session_leases SET expires_at = 4102444800000 WHERE session_id = 'bench-2'");
        }

        Durable.SessionCheck check = durable.checkSessions(file, 6);
        assertThat(check.badSessions()).isEqualTo(3);
        assertThat(check.releasedLeases()).isEqualTo(5);
    }

    @Test
    void a_run_that_did_not_complete_with_the_refund_fails_the_check() {
        var completed = new dev.baton.durable.RunRecord("run_1", "support", "support_triage", "billing_specialist", null, List.of(),
                dev.baton.durable.RunStatus.COMPLETED, java.time.Instant.EPOCH, java.time.Instant.EPOCH,
                "\"" + SupportFlow.ANSWER + "\"", null, null, java.util.Map.of(), null, null, null);

        assertThat(Durable.completedAsExpected(completed)).isTrue();
        assertThat(Durable.completedAsExpected(completed.withStatus(dev.baton.durable.RunStatus.FAILED, java.time.Instant.EPOCH)))
                .isFalse();
        assertThat(Durable.completedAsExpected(completed.withOutcome(dev.baton.durable.RunStatus.COMPLETED, "support_triage",
                "\"" + SupportFlow.ANSWER + "\"", null, completed.usage(), null, java.time.Instant.EPOCH))).isFalse();
    }
}
