package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SqliteSessionStoreTest {

    @TempDir
    Path dir;

    @Test
    void the_file_is_created_on_first_use_and_in_WAL_mode() throws Exception {
        Path file = dir.resolve("baton.db");
        assertThat(file).doesNotExist();

        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            store.addItems("s", List.of(Message.user("hello")));
            assertThat(file).exists();
            assertThat(store.file()).isEqualTo(file.toAbsolutePath());
            assertThat(SqliteFiles.query(file, "PRAGMA journal_mode")).containsExactly("wal");
        }
    }

    @Test
    void the_schema_is_migrated_by_flyway_once() throws Exception {
        Path file = dir.resolve("baton.db");
        SqliteSessionStore.open(file).close();
        SqliteSessionStore.open(file).close();

        assertThat(SqliteFiles.query(file, "SELECT version || ':' || success FROM " + SqliteSessionStore.SCHEMA_HISTORY_TABLE
                + " WHERE version IS NOT NULL ORDER BY installed_rank")).containsExactly("1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1", "8:1", "9:1");
        assertThat(SqliteFiles.query(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
                .containsExactly(SqliteSessionStore.SCHEMA_HISTORY_TABLE, "run_approvals", "run_effects", "run_events", "runs", "session_items", "session_leases", "session_usage", "session_writes", "sessions");
    }

    @Test
    void items_and_the_active_agent_survive_closing_and_reopening_the_file() {
        Path file = dir.resolve("baton.db");
        List<Item> items = List.of(Message.user("I was charged twice"),
                new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}", "fc_1"),
                new ToolOutput("call_1", "{\"amount\":99}"),
                new Reasoning("rs_1", "check first", "opaque=="),
                new Message(Message.Role.ASSISTANT, "Refund initiated.", "msg_1"));
        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            store.addItems("ticket-42", items);
            store.setActiveAgent("ticket-42", "billing_specialist");
            store.setActiveAgent("agent-only", "support_triage");
        }

        try (SqliteSessionStore reopened = SqliteSessionStore.open(file)) {
            assertThat(reopened.items("ticket-42", 0)).containsExactlyElementsOf(items);
            assertThat(reopened.activeAgent("ticket-42")).contains("billing_specialist");
            assertThat(reopened.activeAgent("agent-only")).contains("support_triage");
            assertThat(reopened.items("agent-only", 0)).isEmpty();
            assertThat(reopened.popItem("ticket-42")).contains(items.get(4));
        }
        try (SqliteSessionStore again = SqliteSessionStore.open(file)) {
            assertThat(again.items("ticket-42", 0)).containsExactlyElementsOf(items.subList(0, 4));
        }
    }

    @Test
    void items_are_stored_as_json_with_their_type_and_without_null_ids() throws Exception {
        Path file = dir.resolve("baton.db");
        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            store.addItems("s", List.of(Message.user("hi"), new ToolCall("call_1", "f", "{}")));
        }

        assertThat(SqliteFiles.query(file, "SELECT item FROM session_items WHERE session_id = 's' ORDER BY position")).containsExactly(
                "{\"type\":\"message\",\"role\":\"USER\",\"text\":\"hi\"}",
                "{\"type\":\"function_call\",\"callId\":\"call_1\",\"name\":\"f\",\"arguments\":\"{}\"}");
    }

    @Test
    void two_stores_on_one_file_see_each_others_writes_and_lose_nothing() throws Exception {
        Path file = dir.resolve("baton.db");
        try (SqliteSessionStore a = SqliteSessionStore.open(file); SqliteSessionStore b = SqliteSessionStore.open(file);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                SqliteSessionStore store = w % 2 == 0 ? a : b;
                int writer = w;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        store.addItems("shared", List.of(Message.user(writer + ":" + i + ":a"), Message.user(writer + ":" + i + ":b")));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }

            List<Item> stored = b.items("shared", 0);
            assertThat(stored).hasSize(8 * 25 * 2).isEqualTo(a.items("shared", 0));
            for (int i = 0; i < stored.size(); i += 2) {
                String first = ((Message) stored.get(i)).text();
                assertThat(first).endsWith(":a");
                assertThat(((Message) stored.get(i + 1)).text()).isEqualTo(first.substring(0, first.length() - 1) + "b");
            }
        }
    }

    @Test
    void a_missing_directory_is_a_clear_error_naming_the_file() {
        Path file = dir.resolve("no-such-dir").resolve("baton.db");

        assertThatThrownBy(() -> SqliteSessionStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(((StoreException) e).database()).isEqualTo(file.toString()));
        assertThat(dir.resolve("no-such-dir")).doesNotExist();
    }

    @Test
    void an_unwritable_path_is_a_clear_error_naming_the_file() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path underAFile = notADirectory.resolve("baton.db");
        Path aDirectory = Files.createDirectory(dir.resolve("a-directory.db"));

        assertThatThrownBy(() -> SqliteSessionStore.open(underAFile))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(underAFile.toString())
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> SqliteSessionStore.open(aDirectory))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(aDirectory.toString())
                .hasMessageContaining("is a directory");
    }

    @Test
    void a_read_only_directory_is_a_clear_error_naming_the_file() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Path file = readOnly.resolve("baton.db");
        assertThat(readOnly.toFile().setWritable(false, false)).isTrue();
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly),
                    "this user can write to read-only directories (root)");
            assertThatThrownBy(() -> SqliteSessionStore.open(file))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString());
        } finally {
            readOnly.toFile().setWritable(true, false);
        }
    }

    @Test
    void a_file_that_is_not_a_database_is_a_clear_error_naming_the_file() throws Exception {
        Path file = dir.resolve("corrupt.db");
        Files.write(file, "this is not a SQLite database, just some text ".repeat(200).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> SqliteSessionStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a database");
    }

    @Test
    void a_corrupted_item_is_reported_not_skipped() throws Exception {
        Path file = dir.resolve("baton.db");
        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            store.addItems("s", List.of(Message.user("fine"), Message.user("about to break")));
            SqliteFiles.execute(file, "UPDATE session_items SET item = '{\"type\":\"telegram\"}' WHERE session_id = 's' AND position = 2");

            assertThatThrownBy(() -> store.items("s", 0))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("corrupted row in table session_items for session 's' at position 2");
            assertThatThrownBy(() -> store.popItem("s"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("corrupted row in table session_items for session 's' at position 2");
            assertThat(SqliteFiles.query(file, "SELECT COUNT(*) FROM session_items WHERE session_id = 's'")).containsExactly("2");
            store.clear("s"); // a corrupted session can still be cleared
            assertThat(store.items("s", 0)).isEmpty();
        }
    }

    @Test
    void a_corrupted_usage_row_is_reported_with_its_run_and_column() throws Exception {
        Path file = dir.resolve("baton.db");
        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            store.recordUsage("s", "run_1", dev.baton.model.Usage.of(10, 2), java.time.Instant.parse("2026-11-21T10:00:00Z"));
            SqliteFiles.execute(file, "UPDATE session_usage SET usage = 'not json' WHERE session_id = 's'");

            assertThatThrownBy(() -> store.usage("s"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("session_usage for run 'run_1' of session 's': column usage does not decode");
        }
    }

    @Test
    void a_database_locked_longer_than_the_busy_timeout_is_a_clear_error() throws Exception {
        Path file = dir.resolve("baton.db");
        try (SqliteSessionStore store = SqliteSessionStore.open(file, Duration.ofMillis(200));
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            store.addItems("s", List.of(Message.user("before the lock")));
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.executeUpdate("INSERT INTO sessions (session_id, created_at, updated_at) VALUES ('other', 0, 0)");
            }

            assertThatThrownBy(() -> store.addItems("s", List.of(Message.user("while locked"))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("session 's'")
                    .hasMessageContaining("locked");
            assertThat(store.items("s", 0)).containsExactly(Message.user("before the lock")); // readers are not blocked

            other.rollback();
            store.addItems("s", List.of(Message.user("after the lock")));
            assertThat(store.items("s", 0)).containsExactly(Message.user("before the lock"), Message.user("after the lock"));
        }
    }

    @Test
    void an_interrupted_run_still_gives_its_session_back_and_keeps_its_interrupt() {
        Path file = dir.resolve("baton.db");
        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            dev.baton.session.SessionLease lease = store.tryLease("s", "worker-1", Duration.ofMinutes(1)).orElseThrow();

            Thread.currentThread().interrupt(); // a run cancelled by an interrupt, on its way out
            boolean stillInterrupted;
            try {
                store.releaseLease(lease);
            } finally {
                stillInterrupted = Thread.interrupted();
            }

            assertThat(stillInterrupted).isTrue();
            assertThat(store.lease("s")).as("released, so the next run takes the session at once").isEmpty();
        }
    }

    @Test
    void a_closed_store_refuses_work_clearly_and_closing_twice_is_harmless() {
        Path file = dir.resolve("baton.db");
        SqliteSessionStore store = SqliteSessionStore.open(file);
        store.close();
        store.close();

        assertThatThrownBy(() -> store.items("s", 0)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("is closed");
        assertThatThrownBy(() -> store.addItems("s", List.of(Message.user("x")))).isInstanceOf(StoreException.class)
                .hasMessageContaining("is closed");
    }
}
