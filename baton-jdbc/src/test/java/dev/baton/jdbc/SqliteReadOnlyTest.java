package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run store opened only to read: for commands that list runs, which must not need to write the file. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SqliteReadOnlyTest {
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private static RunRecord run(String id) {
        return new RunRecord(id, "support", "support_triage", "billing_specialist", "s1", List.of(Message.user("hello")), RunStatus.RUNNING,
                T, T, null, null, Usage.zero(), Map.of(), null, null, null);
    }

    @Test
    void a_read_only_store_lists_what_a_writable_one_recorded_and_refuses_every_write() {
        Path file = dir.resolve("runs.db");
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            store.createRun(run("r1"));
        }

        try (SqliteRunStore reader = SqliteRunStore.openReadOnly(file)) {
            assertThat(reader.listRuns(RunQuery.all())).extracting(RunRecord::id).containsExactly("r1");
            assertThat(reader.findRun("r1")).map(RunRecord::currentAgent).contains("billing_specialist");
            assertThat(reader.pendingApprovals(10)).isEmpty();
            assertThatThrownBy(() -> reader.createRun(run("r2"))).isInstanceOf(StoreException.class);
        }
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            assertThat(store.findRun("r2")).isEmpty();
        }
    }

    @Test
    void reading_does_not_wait_for_a_writer_that_holds_the_file() throws Exception {
        Path file = dir.resolve("runs.db");
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            store.createRun(run("r1"));
        }
        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = writer.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            s.execute("UPDATE runs SET current_agent = 'technical_specialist' WHERE id = 'r1'");

            try (SqliteRunStore reader = SqliteRunStore.openReadOnly(file)) {
                assertThat(reader.findRun("r1")).map(RunRecord::currentAgent).as("the last committed state").contains("billing_specialist");
            }
            s.execute("ROLLBACK");
        }
    }

    @Test
    void a_missing_file_is_an_error_and_is_not_created() {
        Path file = dir.resolve("missing.db");

        assertThatThrownBy(() -> SqliteRunStore.openReadOnly(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining("it does not exist");
        assertThat(file).doesNotExist();
    }

    @Test
    void a_file_whose_schema_is_behind_is_refused_rather_than_misread() throws Exception {
        Path file = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INTEGER)");
        }

        assertThatThrownBy(() -> SqliteRunStore.openReadOnly(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining("its schema is not the current one");
        assertThat(Files.size(file)).isPositive();
    }
}
