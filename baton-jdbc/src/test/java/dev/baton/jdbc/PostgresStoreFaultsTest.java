package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Store faults on PostgreSQL: a database that only accepts reads is refused at open, as a read-only SQLite file is. */
@DisplayName("PostgreSQL stores under store faults")
@Timeout(60)
class PostgresStoreFaultsTest {

    private static final String URL = PostgresServer.createDatabase("store_faults");
    private static final String DATABASE = URL.substring(URL.lastIndexOf('/') + 1);

    @Test
    @DisplayName("a database that only accepts reads is refused at open by both stores, and opens again once it takes writes")
    void a_read_only_database_is_refused_at_open() {
        PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password()).close(); // migrated, as a previous process left it

        // Set from another database: the setting holds for the sessions that start on this one from now on.
        PostgresServer.execute(PostgresServer.jdbcUrl(), "ALTER DATABASE " + DATABASE + " SET default_transaction_read_only = on");
        try {
            assertThatThrownBy(() -> PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("Cannot open the PostgreSQL run store " + URL)
                    .hasMessageContaining("the database only accepts reads")
                    .satisfies(e -> assertThat(((StoreException) e).database()).isEqualTo(URL));
            assertThatThrownBy(() -> PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("Cannot open the PostgreSQL session store " + URL)
                    .hasMessageContaining("the database only accepts reads");
        } finally {
            PostgresServer.execute(PostgresServer.jdbcUrl(), "ALTER DATABASE " + DATABASE + " RESET default_transaction_read_only");
        }

        try (PostgresRunStore store = PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password())) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            store.createRun(new RunRecord("r1", RunRecord.DEFAULT_APPLICATION, "desk", "desk", null, List.of(Message.user("hi")), RunStatus.RUNNING, now, now,
                    null, null, Usage.zero(), Map.of(), null, null, null));
            assertThat(store.findRun("r1")).isPresent();
        }
    }
}
