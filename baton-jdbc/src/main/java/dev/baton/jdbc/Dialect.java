package dev.baton.jdbc;

import dev.baton.durable.RecordedEvent;
import dev.baton.session.SessionLease;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What {@link JdbcRunStore} and {@link JdbcSessionStore} need from one database and nothing
 * else: how a read and a write transaction are taken, how a failure reads, and the few places
 * where the SQL of SQLite and PostgreSQL really differ. The operations, their fencing and lease
 * rules, the row mapping and the messages are written once, in the stores; a dialect is the
 * database's half of the seam.
 *
 * <p>A dialect is bound to one store's connections (the SQLite file's group-commit writer and a
 * pool of read connections, or a PostgreSQL pool) and names that store in its messages.
 */
sealed interface Dialect permits SqliteDialect, PostgresDialect {

    /** Statements run by a read or a write, on a connection the dialect lends for the call. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Statements connection) throws SQLException;
    }

    /** What a {@link StoreException} names: the SQLite file or the PostgreSQL URL without its password. */
    String database();

    /** How messages name the store, lower-case: {@code "the SQLite run store /var/baton.db"}. */
    String store();

    /**
     * Runs {@code work} as one read: SQLite on a pooled read connection, which never waits for the
     * writer; PostgreSQL on a pooled connection in auto-commit mode.
     *
     * @param what what is done, for messages: "read the events of"
     * @param subject what it is done to, for messages: "run 'r-1'"
     */
    <T> T read(String what, String subject, Work<T> work);

    /**
     * Runs {@code work} as a write, committed when this returns. SQLite queues it on the file's
     * group commit (every write is a transaction there); PostgreSQL runs it in one transaction
     * when {@code transaction}, else as auto-committed statements (one statement, one round trip
     * less).
     */
    <T> T write(String what, String subject, boolean transaction, Work<T> work);

    /** Fails with a {@link StoreException} saying the store is closed, once it is. */
    void ensureOpen(String what, String subject);

    /** A failure's message for a {@link StoreException}, as this database's errors read best. */
    String describe(Throwable e);

    // ---- where the SQL differs

    /** The column that orders rows inserted in the same millisecond: SQLite's {@code rowid}, PostgreSQL's {@code seq}. */
    String insertionOrder();

    /**
     * Whether rows of a multi-row insert are sent as one JDBC batch (PostgreSQL: one round trip)
     * rather than one statement each (SQLite, in process, where a batch buys nothing).
     */
    boolean batchesInserts();

    /**
     * Whether a transaction that must see a run's approvals settle takes the run's row lock first
     * ({@code SELECT ... FOR UPDATE}, PostgreSQL) and decides with {@code UPDATE ... RETURNING};
     * SQLite's one writer serialises every write already.
     */
    boolean locksRows();

    /** Within a write: tells readers of these runs, in any process, that they changed (PostgreSQL {@code NOTIFY}). */
    void notifyRun(Statements c, String runId) throws SQLException;

    /** {@link #notifyRun} for the runs of {@code events}. */
    void notifyEvents(Statements c, List<RecordedEvent> events) throws SQLException;

    /**
     * The run store's news of runs: SQLite polls {@code marks} of the followed runs, PostgreSQL
     * listens for its notifications.
     */
    StoreNotifier notifier(Function<List<String>, Map<String, String>> marks);

    // ---- writes batched across turns (PostgreSQL, where each statement costs a round trip)

    /**
     * The run writes a journaled turn makes, each one statement, batched across the turns waiting
     * at one moment; null where writes are not batched this way (SQLite commits its writes in
     * groups already, and its stores write the statements one by one in a transaction).
     */
    default @Nullable PostgresRunBatches runBatches() {
        return null;
    }

    /** The session writes a journaled turn makes, as {@link #runBatches()} are; null where they are not batched. */
    default @Nullable PostgresSessionBatches sessionBatches() {
        return null;
    }

    // ---- sessions: positions, timestamps and whose clock judges a lease

    /** Appended to a {@code SELECT} of a lease row in a write: {@code " FOR SHARE"} where rows are locked, so a takeover waits. */
    String shareLock();

    /**
     * Records that the session took the write {@code writeKey}; false if it did before.
     *
     * @param now this machine's clock, for a dialect that stamps rows with it
     */
    boolean addWriteKey(Statements c, String sessionId, String writeKey, long now) throws SQLException;

    /** Appends the items after the session's last, making the session if it is new and setting its update time. */
    void appendItems(Statements c, String sessionId, List<String> json, long now) throws SQLException;

    /** Removes the session's latest item and sets its update time; null if it has none. */
    JdbcSessionStore.@Nullable Stored removeLatest(Statements c, String sessionId, long now) throws SQLException;

    /** Sets the session's active agent, making the session if it is new. */
    void upsertActiveAgent(Statements c, String sessionId, String agentName, long now) throws SQLException;

    /** {@link #upsertActiveAgent} in one statement that writes nothing unless {@code lease} holds the session; whether it wrote. */
    boolean upsertActiveAgentIfHeld(Statements c, SessionLease lease, String agentName, long now) throws SQLException;

    /** Takes the session if nobody holds it or its lease expired, as one atomic step. */
    Optional<SessionLease> tryLease(Statements c, String sessionId, String owner, Duration ttl) throws SQLException;

    /** Extends {@code lease} if it still holds the session and was not released. */
    Optional<SessionLease> renewLease(Statements c, SessionLease lease, Duration ttl) throws SQLException;

    /** Ends {@code lease} at once if it still holds the session; its token stays, so the next holder's is higher. */
    void releaseLease(Statements c, SessionLease lease) throws SQLException;

    /** The lease holding the session now, if any. */
    Optional<SessionLease> lease(Statements c, String sessionId) throws SQLException;

    /** Closes what the dialect holds for its store (connections, the writer's handle). */
    void close();
}
