package dev.baton.jdbc;

import dev.baton.durable.RunNotifier;
import dev.baton.durable.RunStore;
import java.time.Duration;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Durable runs in a PostgreSQL database: the {@link RunStore} for workers on several processes
 * or machines that share runs, taking them over from one another by their leases.
 *
 * <pre>{@code
 * try (PostgresRunStore runs = PostgresRunStore.open("jdbc:postgresql://db:5432/baton", "baton", secret)) {
 *     // give it to the durable runner
 * }
 * }</pre>
 *
 * <p>Opening the store opens a HikariCP pool of up to 10
 * connections (or uses a {@link DataSource} you give it) and brings the schema up to date with
 * the Flyway migrations under {@code db/migration/postgres}: the tables {@code runs},
 * {@code run_effects}, {@code run_events} and {@code run_approvals}, with the columns the SQLite
 * run store has, and the session tables of {@link PostgresSessionStore}.
 *
 * <p>Each method is one statement or one transaction. The lease operations use the instants the
 * caller gives, never the database clock, and {@link #claim} is one conditional {@code UPDATE}:
 * of workers claiming a run at once, from any number of processes, exactly one wins (the others
 * wait for its row lock, then see its lease). {@link #claimable} only lists candidates; claiming
 * decides. A run whose owner has no lease time counts as having an expired lease. Instants are
 * kept to the millisecond: finer parts are dropped on write.
 *
 * <p>Every failure is a {@link StoreException} naming the database URL (never its password) and
 * the run; a row that cannot be read back names its table, run and column.
 *
 * <p>The operations, their fences and their messages are those of every JDBC run store, written
 * once; this class opens the database and picks PostgreSQL's dialect.
 */
public final class PostgresRunStore extends JdbcRunStore {

    /** How long a call waits for a connection from the pool (and so for an unreachable server) before it fails. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = PostgresSessionStore.DEFAULT_CONNECTION_TIMEOUT;

    private static final String KIND = "PostgreSQL run store";

    private final PostgresDatabase database;

    private PostgresRunStore(PostgresDatabase database) {
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
    public static PostgresRunStore open(String jdbcUrl, String user, @Nullable String password) {
        return open(jdbcUrl, user, password, DEFAULT_CONNECTION_TIMEOUT);
    }

    /**
     * Opens the store as {@link #open(String, String, String)} does.
     *
     * @param connectionTimeout how long a call waits for a connection before it fails (250 ms or more)
     */
    public static PostgresRunStore open(String jdbcUrl, String user, @Nullable String password, Duration connectionTimeout) {
        return new PostgresRunStore(PostgresDatabase.open(KIND, jdbcUrl, user, password, connectionTimeout));
    }

    /**
     * Opens the store on connections from {@code dataSource}, migrating the schema. The caller
     * keeps the data source: closing the store leaves it open.
     */
    public static PostgresRunStore open(DataSource dataSource) {
        return new PostgresRunStore(PostgresDatabase.open(KIND, dataSource));
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

    /**
     * News of runs through {@code LISTEN}/{@code NOTIFY}: every write of a run's events or status
     * notifies channel {@code baton_runs} in its transaction, and the first subscription starts a
     * thread that listens on one connection of the store's own (taken from the pool for as long as
     * the store is open). Readers in any process sharing the database are woken when the write
     * commits; while that connection is lost they fall back to their poll interval, and are all
     * woken once it listens again.
     */
    @Override
    public RunNotifier notifier() {
        return super.notifier();
    }

    @Override
    public String toString() {
        return "PostgresRunStore[" + database.url() + "]";
    }
}
