package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database's half of the store seam: how each dialect lends connections and statements to a
 * call, and how its failures read. The operations themselves are specified once, by the
 * conformance suites the SQLite and PostgreSQL stores both pass.
 */
@DisplayName("The dialects under the JDBC stores")
class DialectTest {

    private static final String BROKEN = "SELECT no_such_column FROM runs";

    @Nested
    @DisplayName("SQLite")
    class Sqlite {
        @TempDir
        Path dir;

        private SqliteDialect open(Path file) {
            SqliteDatabase.Opened opened = SqliteDatabase.open(file, Duration.ofSeconds(5), 1, "SQLite run store");
            return new SqliteDialect(opened, "SQLite run store", Duration.ofSeconds(5), 10, false, true);
        }

        @Test
        void keeps_statements_prepared_across_calls_so_the_journal_prepares_none_per_write() {
            SqliteDialect dialect = open(dir.resolve("baton.db"));
            try {
                PreparedStatement firstWrite = dialect.write("write", "run 'r'", true, c -> c.prepare("SELECT 1"));
                PreparedStatement secondWrite = dialect.write("write", "run 'r'", false, c -> c.prepare("SELECT 1"));
                PreparedStatement firstRead = dialect.read("read", "run 'r'", c -> c.prepare("SELECT 1"));
                PreparedStatement secondRead = dialect.read("read", "run 'r'", c -> c.prepare("SELECT 1"));

                assertThat(secondWrite).as("the writer's statement").isSameAs(firstWrite);
                assertThat(secondRead).as("the reader's statement").isSameAs(firstRead).isNotSameAs(firstWrite);
            } finally {
                dialect.close();
            }
        }

        @Test
        void reports_a_failure_with_the_store_what_was_done_and_to_what() {
            Path file = dir.resolve("baton.db");
            SqliteDialect dialect = open(file);
            try {
                assertThatThrownBy(() -> dialect.read("read the marks of", "run 'r-1'", c -> c.prepare(BROKEN).executeQuery()))
                        .isInstanceOfSatisfying(StoreException.class, e -> {
                            assertThat(e.database()).isEqualTo(file.toAbsolutePath().toString());
                            assertThat(e.getMessage()).startsWith("The SQLite run store " + file.toAbsolutePath()
                                    + " failed to read the marks of run 'r-1': ");
                        });
                assertThatThrownBy(() -> dialect.write("mark", "run 'r-1'", true, c -> c.prepare(BROKEN).executeQuery()))
                        .isInstanceOf(StoreException.class)
                        .hasMessageStartingWith("The SQLite run store " + file.toAbsolutePath() + " failed to mark run 'r-1': ");
                long runs = dialect.read("read", "run 'r-1'", c -> count(c.prepare("SELECT count(*) FROM runs")));
                assertThat(runs).as("the reader works after its failure").isZero();
            } finally {
                dialect.close();
            }
        }

        @Test
        void refuses_calls_once_closed_naming_the_store() {
            Path file = dir.resolve("baton.db");
            SqliteDialect dialect = open(file);
            dialect.close();
            dialect.close();

            assertThatThrownBy(() -> dialect.read("read", "run 'r-1'", c -> null)).isInstanceOf(StoreException.class)
                    .hasMessage("Cannot read run 'r-1': the SQLite run store " + file.toAbsolutePath() + " is closed");
            assertThatThrownBy(() -> dialect.write("cancel", "run 'r-1'", true, c -> null)).isInstanceOf(StoreException.class)
                    .hasMessage("Cannot cancel run 'r-1': the SQLite run store " + file.toAbsolutePath() + " is closed");
        }
    }

    @Nested
    @DisplayName("PostgreSQL")
    class Postgres {
        private static final String URL = PostgresServer.createDatabase("dialect");

        private PostgresDialect open() {
            return new PostgresDialect(PostgresDatabase.open("PostgreSQL run store", URL, PostgresServer.user(),
                    PostgresServer.password(), Duration.ofSeconds(10)));
        }

        @Test
        void closes_the_statements_of_a_call_when_it_returns_the_connection_to_the_pool() throws Exception {
            PostgresDialect dialect = open();
            try {
                PreparedStatement read = dialect.read("read", "run 'r'", c -> c.prepare("SELECT 1"));
                PreparedStatement inTransaction = dialect.write("write", "run 'r'", true, c -> c.prepare("SELECT 1"));
                PreparedStatement autoCommitted = dialect.write("write", "run 'r'", false, c -> c.prepare("SELECT 1"));

                assertThat(read.isClosed()).isTrue();
                assertThat(inTransaction.isClosed()).isTrue();
                assertThat(autoCommitted.isClosed()).isTrue();
            } finally {
                dialect.close();
            }
        }

        @Test
        void rolls_back_a_transaction_that_fails_and_reports_it_with_the_store_what_was_done_and_to_what() {
            PostgresDialect dialect = open();
            try {
                assertThatThrownBy(() -> dialect.write("cancel", "run 'r-1'", true, c -> {
                    c.prepare("CREATE TABLE dialect_probe (id int)").executeUpdate();
                    return c.prepare(BROKEN).executeQuery();
                })).isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.database()).isEqualTo(URL);
                    assertThat(e.getMessage()).startsWith("The PostgreSQL run store " + URL + " failed to cancel run 'r-1': ");
                });
                long probes = dialect.read("read", "the catalog",
                        c -> count(c.prepare("SELECT count(*) FROM pg_tables WHERE tablename = 'dialect_probe'")));
                assertThat(probes).as("tables the failed transaction made").isZero();
            } finally {
                dialect.close();
            }
        }

        @Test
        void refuses_calls_once_closed_naming_the_store() {
            PostgresDialect dialect = open();
            dialect.close();
            dialect.close();

            assertThatThrownBy(() -> dialect.read("read", "run 'r-1'", c -> null)).isInstanceOf(StoreException.class)
                    .hasMessage("Cannot read run 'r-1': the PostgreSQL run store " + URL + " is closed");
            assertThatThrownBy(() -> dialect.write("cancel", "run 'r-1'", true, c -> null)).isInstanceOf(StoreException.class)
                    .hasMessage("Cannot cancel run 'r-1': the PostgreSQL run store " + URL + " is closed");
        }
    }

    private static long count(PreparedStatement ps) throws java.sql.SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
