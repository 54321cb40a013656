package dev.baton.jdbc;

import dev.baton.item.Item;
import dev.baton.session.SessionStore;
import java.time.Duration;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Sessions in a PostgreSQL database: the {@link SessionStore} for processes and machines that
 * share their sessions.
 *
 * <pre>{@code
 * try (PostgresSessionStore store = PostgresSessionStore.open("jdbc:postgresql://db:5432/baton", "baton", secret)) {
 *     Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(store).build());
 *     runner.run(triage, "I was charged twice", RunOptions.session("ticket-42"));
 * }
 * }</pre>
 *
 * <p>Opening the store opens a HikariCP pool of up to 10
 * connections (or uses a {@link DataSource} you give it) and brings the schema up to date with
 * the Flyway migrations under {@code db/migration/postgres}, history table
 * {@value SqliteSessionStore#SCHEMA_HISTORY_TABLE}; the run tables of {@link PostgresRunStore}
 * come with them. Items are stored as JSON text, with the {@code type} discriminator of
 * {@link Item}.
 *
 * <p>Thread-safe, and safe to share between processes: each method is one transaction. Writers
 * of one session take turns on its row in {@code sessions}, which also hands out the positions
 * of new items, so a batch stays together after the items already there. Reads are single
 * statements and wait for no writer. Every failure, from an unreachable server to a row that no
 * longer decodes, is a {@link StoreException} naming the database URL (never its password).
 *
 * <p>The operations, their lease fences and their messages are those of every JDBC session
 * store, written once; this class opens the database and picks PostgreSQL's dialect.
 */
public final class PostgresSessionStore extends JdbcSessionStore {

    /** How long a call waits for a connection from the pool (and so for an unreachable server) before it fails. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private static final String KIND = "PostgreSQL session store";

    private final PostgresDatabase database;

    private PostgresSessionStore(PostgresDatabase database) {
        super(new PostgresDialect(database));
        this.database = database;
    }

    /**
     * Opens the store on the database of {@code jdbcUrl} with a pool of its own, migrating its
     * schema, with the {@linkplain #DEFAULT_CONNECTION_TIMEOUT default connection timeout}.
     *
     * @param jdbcUrl for example {@code jdbc:postgresql://localhost:5432/baton}
     * @throws StoreException if the server cannot be reached, refuses the login, or the schema
     *     cannot be migrated
     */
    public static PostgresSessionStore open(String jdbcUrl, String user, @Nullable String password) {
        return open(jdbcUrl, user, password, DEFAULT_CONNECTION_TIMEOUT);
    }

    /**
     * Opens the store as {@link #open(String, String, String)} does.
     *
     * @param connectionTimeout how long a call waits for a connection before it fails (250 ms or more)
     */
    public static PostgresSessionStore open(String jdbcUrl, String user, @Nullable String password,
            Duration connectionTimeout) {
        return new PostgresSessionStore(PostgresDatabase.open(KIND, jdbcUrl, user, password, connectionTimeout));
    }

    /**
     * Opens the store on connections from {@code dataSource}, migrating the schema. The caller
     * keeps the data source: closing the store leaves it open.
     */
    public static PostgresSessionStore open(DataSource dataSource) {
        return new PostgresSessionStore(PostgresDatabase.open(KIND, dataSource));
    }

    /** The database URL, without its password. */
    public String url() {
        return database.url();
    }

    /**
     * Closes the pool the store opened (a data source given to {@link #open(DataSource)} stays
     * open). Later calls fail with a {@link StoreException}. Closing twice is harmless.
     */
    @Override
    public void close() {
        super.close();
    }

    @Override
    public String toString() {
        return "PostgresSessionStore[" + database.url() + "]";
    }
}
