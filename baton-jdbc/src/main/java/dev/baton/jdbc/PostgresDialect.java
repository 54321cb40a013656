package dev.baton.jdbc;

import dev.baton.durable.RecordedEvent;
import dev.baton.session.SessionLease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's half of the store seam: each call borrows a connection from the pool, as one
 * transaction or as auto-committed statements; writers of one run or session take turns on its
 * row lock, so concurrent processes need no writer of Baton's own. Multi-row inserts go as one
 * batch (one round trip), and news of runs is sent with {@code NOTIFY} in the writing
 * transaction.
 */
final class PostgresDialect implements Dialect {

    private final PostgresDatabase database;
    private final PostgresRunBatches runBatches;
    private final PostgresSessionBatches sessionBatches;

    PostgresDialect(PostgresDatabase database) {
        this.database = database;
        this.runBatches = new PostgresRunBatches(database);
        this.sessionBatches = new PostgresSessionBatches(database);
    }

    @Override
    public String database() {
        return database.url();
    }

    @Override
    public String store() {
        return database.store();
    }

    @Override
    public <T> T read(String what, String subject, Work<T> work) {
        return call(what, subject, false, work);
    }

    @Override
    public <T> T write(String what, String subject, boolean transaction, Work<T> work) {
        return call(what, subject, transaction, work);
    }

    private <T> T call(String what, String subject, boolean transaction, Work<T> work) {
        ensureOpen(what, subject);
        try {
            return transaction ? database.transaction(c -> apply(c, work)) : database.autoCommit(c -> apply(c, work));
        } catch (SQLException e) {
            throw new StoreException(database.url(), PostgresDatabase.capitalized(database.store()) + " failed to " + what
                    + " " + subject + ": " + describe(e), e);
        }
    }

    /** The statements a call prepares live as long as the call: the pool hands its connection to others next. */
    private static <T> T apply(Connection c, Work<T> work) throws SQLException {
        Statements statements = new Statements(c);
        try {
            return work.apply(statements);
        } finally {
            statements.forget();
        }
    }

    @Override
    public void ensureOpen(String what, String subject) {
        if (database.isClosed()) {
            throw new StoreException(database.url(), "Cannot " + what + " " + subject + ": " + database.store()
                    + " is closed", null);
        }
    }

    @Override
    public String describe(Throwable e) {
        return PostgresDatabase.describe(e);
    }

    @Override
    public String insertionOrder() {
        return "seq";
    }

    @Override
    public boolean batchesInserts() {
        return true;
    }

    @Override
    public boolean locksRows() {
        return true;
    }

    @Override
    public void notifyRun(Statements c, String runId) throws SQLException {
        PostgresNotifier.notify(c.connection(), List.of(runId));
    }

    @Override
    public void notifyEvents(Statements c, List<RecordedEvent> events) throws SQLException {
        List<String> runIds = new ArrayList<>(events.size());
        for (RecordedEvent event : events) {
            runIds.add(event.runId());
        }
        PostgresNotifier.notify(c.connection(), runIds);
    }

    @Override
    public StoreNotifier notifier(Function<List<String>, Map<String, String>> marks) {
        return new PostgresNotifier(database);
    }

    // ---- writes batched across turns

    @Override
    public PostgresRunBatches runBatches() {
        return runBatches;
    }

    @Override
    public PostgresSessionBatches sessionBatches() {
        return sessionBatches;
    }

    // ---- sessions: rows stamped by the server, whose clock judges leases, so the machines' clocks do not matter

    private static final String INSERT_WRITE_KEY =
            "INSERT INTO session_writes (session_id, write_key) VALUES (?, ?) ON CONFLICT DO NOTHING";
    /** One upsert locks the session and reserves the positions, so a batch stays together after the items already there. */
    private static final String RESERVE_POSITIONS = """
            INSERT INTO sessions AS s (session_id, next_position) VALUES (?, ?)
            ON CONFLICT (session_id) DO UPDATE SET next_position = s.next_position + excluded.next_position, updated_at = now()
            RETURNING next_position""";
    private static final String INSERT_ITEM = "INSERT INTO session_items (session_id, position, item) VALUES (?, ?, ?)";
    private static final String LOCK_SESSION = "SELECT 1 FROM sessions WHERE session_id = ? FOR UPDATE";
    private static final String DELETE_LATEST = """
            DELETE FROM session_items WHERE session_id = ? AND position =
                (SELECT max(position) FROM session_items WHERE session_id = ?)
            RETURNING position, item""";
    private static final String UPDATED = "UPDATE sessions SET updated_at = now() WHERE session_id = ?";
    private static final String UPSERT_ACTIVE_AGENT = """
            INSERT INTO sessions (session_id, active_agent) VALUES (?, ?)
            ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = now()""";
    private static final String RENEW_LEASE = """
            UPDATE session_leases SET expires_at = clock_timestamp() + ? * interval '1 millisecond'
            WHERE session_id = ? AND owner = ? AND token = ? AND expires_at <> '-infinity'
            RETURNING expires_at""";
    private static final String SELECT_LEASE =
            "SELECT owner, token, expires_at FROM session_leases WHERE session_id = ? AND expires_at > clock_timestamp()";

    @Override
    public String shareLock() {
        return " FOR SHARE";
    }

    @Override
    public boolean addWriteKey(Statements c, String sessionId, String writeKey, long now) throws SQLException {
        PreparedStatement key = c.prepare(INSERT_WRITE_KEY);
        key.setString(1, sessionId);
        key.setString(2, writeKey);
        return key.executeUpdate() > 0;
    }

    @Override
    public void appendItems(Statements c, String sessionId, List<String> json, long now) throws SQLException {
        PreparedStatement reserve = c.prepare(RESERVE_POSITIONS);
        reserve.setString(1, sessionId);
        reserve.setLong(2, json.size());
        long position;
        try (ResultSet rs = reserve.executeQuery()) {
            rs.next();
            position = rs.getLong(1) - json.size();
        }
        PreparedStatement insert = c.prepare(INSERT_ITEM);
        for (String itemJson : json) {
            insert.setString(1, sessionId);
            insert.setLong(2, ++position);
            insert.setString(3, itemJson);
            insert.addBatch();
        }
        insert.executeBatch();
    }

    /** The session's row locked first, as writers of the session take it, then the latest item deleted in one statement. */
    @Override
    public JdbcSessionStore.@Nullable Stored removeLatest(Statements c, String sessionId, long now) throws SQLException {
        PreparedStatement lock = c.prepare(LOCK_SESSION);
        lock.setString(1, sessionId);
        try (ResultSet rs = lock.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
        }
        PreparedStatement delete = c.prepare(DELETE_LATEST);
        delete.setString(1, sessionId);
        delete.setString(2, sessionId);
        JdbcSessionStore.Stored stored;
        try (ResultSet rs = delete.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            stored = new JdbcSessionStore.Stored(rs.getLong(1), rs.getString(2));
        }
        PreparedStatement touch = c.prepare(UPDATED);
        touch.setString(1, sessionId);
        touch.executeUpdate();
        return stored;
    }

    @Override
    public void upsertActiveAgent(Statements c, String sessionId, String agentName, long now) throws SQLException {
        PreparedStatement ps = c.prepare(UPSERT_ACTIVE_AGENT);
        ps.setString(1, sessionId);
        ps.setString(2, agentName);
        ps.executeUpdate();
    }

    @Override
    public boolean upsertActiveAgentIfHeld(Statements c, SessionLease lease, String agentName, long now) throws SQLException {
        return PostgresSessionBatches.ACTIVE_AGENT.one(c, new PostgresSessionBatches.ActiveAgent(lease, agentName));
    }

    @Override
    public Optional<SessionLease> tryLease(Statements c, String sessionId, String owner, Duration ttl) throws SQLException {
        return PostgresSessionBatches.LEASE.one(c, new PostgresSessionBatches.Lease(sessionId, owner, ttl));
    }

    @Override
    public Optional<SessionLease> renewLease(Statements c, SessionLease lease, Duration ttl) throws SQLException {
        PreparedStatement ps = c.prepare(RENEW_LEASE);
        ps.setLong(1, ttl.toMillis());
        ps.setString(2, lease.sessionId());
        ps.setString(3, lease.owner());
        ps.setLong(4, lease.token());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next()
                    ? Optional.of(new SessionLease(lease.sessionId(), lease.owner(), lease.token(), PostgresSessionBatches.instant(rs, 1)))
                    : Optional.empty();
        }
    }

    /** An expiry of {@code -infinity}: ended, and never renewed. */
    @Override
    public void releaseLease(Statements c, SessionLease lease) throws SQLException {
        PostgresSessionBatches.RELEASE.one(c, lease);
    }

    @Override
    public Optional<SessionLease> lease(Statements c, String sessionId) throws SQLException {
        PreparedStatement ps = c.prepare(SELECT_LEASE);
        ps.setString(1, sessionId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next()
                    ? Optional.of(new SessionLease(sessionId, rs.getString(1), rs.getLong(2), PostgresSessionBatches.instant(rs, 3)))
                    : Optional.empty();
        }
    }

    /** Closes the pool the store opened; a data source the caller gave stays open. */
    @Override
    public void close() {
        database.close();
    }
}
