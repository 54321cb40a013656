package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a SQLite file whose schema is current reads its migration history in one query and
 * leaves Flyway out; any other history goes through Flyway as before.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SqliteSchemaCheckTest {
    private static final String HISTORY = SqliteDatabase.SCHEMA_HISTORY_TABLE;

    @TempDir
    Path dir;

    @Test
    void the_latest_migration_the_check_knows_is_the_newest_migration_file() throws Exception {
        URL migrations = SqliteDatabase.class.getClassLoader().getResource("db/migration/sqlite");
        assertThat(migrations).isNotNull();
        Pattern versioned = Pattern.compile("V(\\d+)__.*\\.sql");
        int newest = 0;
        try (Stream<Path> files = Files.list(Path.of(migrations.toURI()))) {
            for (Path f : files.toList()) {
                Matcher m = versioned.matcher(f.getFileName().toString());
                if (m.matches()) {
                    newest = Math.max(newest, Integer.parseInt(m.group(1)));
                }
            }
        }
        assertThat(SqliteDatabase.LATEST_MIGRATION).as("SqliteDatabase.LATEST_MIGRATION").isEqualTo(newest);
    }

    @Test
    void a_file_one_migration_behind_is_brought_up_to_date_when_opened() throws Exception {
        Path file = dir.resolve("baton.db");
        SqliteSessionStore.open(file).close();
        SqliteFiles.execute(file, "DELETE FROM " + HISTORY + " WHERE version = '" + SqliteDatabase.LATEST_MIGRATION + "'");
        // Undo what the latest migration (V9__fewer_index_entries.sql) did, as if the file was written before it.
        SqliteFiles.execute(file, "CREATE INDEX runs_by_owner ON runs (owner) WHERE owner IS NOT NULL");

        SqliteRunStore.open(file).close();

        assertThat(SqliteFiles.query(file, "SELECT version || ':' || success FROM " + HISTORY + " WHERE version IS NOT NULL ORDER BY CAST(version AS INTEGER)"))
                .containsExactly("1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1", "8:1", "9:1");
        assertThat(SqliteFiles.query(file, "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'runs_by_owner'")).isEmpty();
    }

    @Test
    void a_current_file_is_opened_on_its_history_alone_without_flyway_validating_it() throws Exception {
        Path file = dir.resolve("baton.db");
        SqliteSessionStore.open(file).close();
        // Flyway would refuse this file (the checksum of an applied migration no longer matches its script).
        SqliteFiles.execute(file, "UPDATE " + HISTORY + " SET checksum = 12345 WHERE version = '1'");

        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            store.addItems("s", List.of(dev.baton.item.Message.user("still opens")));
        }
        assertThat(SqliteFiles.query(file, "SELECT COUNT(*) FROM " + HISTORY)).containsExactly(String.valueOf(SqliteDatabase.LATEST_MIGRATION));
    }

    @Test
    void a_history_with_a_failed_migration_goes_to_flyway_which_refuses_it() throws Exception {
        Path file = dir.resolve("baton.db");
        SqliteSessionStore.open(file).close();
        SqliteFiles.execute(file, "UPDATE " + HISTORY + " SET success = 0 WHERE version = '" + SqliteDatabase.LATEST_MIGRATION + "'");

        assertThatThrownBy(() -> SqliteSessionStore.open(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Cannot open the SQLite session store")
                .hasMessageContaining("failed migration");
    }
}
