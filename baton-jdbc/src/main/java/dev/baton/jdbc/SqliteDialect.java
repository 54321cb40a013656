package dev.baton.jdbc;

import dev.baton.durable.RecordedEvent;
import dev.baton.session.SessionLease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * SQLite's half of the store seam: every write goes through the file's group commit
 * ({@link SqliteWriter}, shared by the stores this JVM opened on the file), reads take a
 * connection of the store's own read pool, whose statements stay prepared, and never wait for the
 * writer. One writer serialises every write, so no row is ever locked; nothing tells another
 * process of a commit, so news of runs is polled.
 */
final class SqliteDialect implements Dialect {

    private final String database;
    private final String store;
    /** {@link #store} capitalised: {@code "SQLite run store /var/baton.db"}. */
    private final String label;
    private final SqliteWriter writer;
    private final BlockingQueue<Statements> readers;

    /**
     * The dialect of a store that just opened {@code opened}.
     *
     * @param kind how messages name the kind of store: {@code "SQLite run store"}
     * @param share whether the file's group commit may be shared with the other stores of this JVM
     * @param interruptible whether a caller interrupted while it waits for its commit stops waiting
     */
    SqliteDialect(SqliteDatabase.Opened opened, String kind, Duration busyTimeout, int maxBatch, boolean share,
            boolean interruptible) {
        this.database = opened.path().toString();
        this.label = kind + " " + database;
        this.store = "the " + label;
        this.writer = SqliteWriter.open(opened, busyTimeout, maxBatch, label, share, interruptible);
        List<Statements> pool = new ArrayList<>(opened.readers().size());
        for (Connection c : opened.readers()) {
            pool.add(new Statements(c));
        }
        this.readers = new ArrayBlockingQueue<>(pool.size(), false, pool);
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public String store() {
        return store;
    }

    @Override
    public <T> T read(String what, String subject, Work<T> work) {
        Statements c = takeReader(what, subject);
        try {
            return work.apply(c);
        } catch (SQLException e) {
            c.forget(); // a statement whose step failed is finalized by the driver
            throw new StoreException(database, "The " + label + " failed to " + what + " " + subject + ": "
                    + describe(e), e);
        } finally {
            giveBack(c);
        }
    }

    /** Every write is one transaction of the group commit, committed with the writes queued meanwhile. */
    @Override
    public <T> T write(String what, String subject, boolean transaction, Work<T> work) {
        return writer.write(what, subject, work);
    }

    /**
     * Runs {@code sql} on the write connection, in turn with the writes and inside a group's
     * transaction (tests change the connection's limits with it).
     */
    void executeOnWriter(String sql) {
        writer.write("execute '" + sql + "' on", "its write connection", c -> {
            SqliteDatabase.execute(c.connection(), sql);
            return null;
        });
    }

    @Override
    public void ensureOpen(String what, String subject) {
        writer.ensureOpen(what, subject);
    }

    boolean isClosed() {
        return writer.isClosed();
    }

    @Override
    public String describe(Throwable e) {
        return SqliteDatabase.describe(e);
    }

    @Override
    public String insertionOrder() {
        return "rowid";
    }

    @Override
    public boolean batchesInserts() {
        return false;
    }

    @Override
    public boolean locksRows() {
        return false;
    }

    /** Nothing to send: other processes poll (see {@link SqliteNotifier}). */
    @Override
    public void notifyRun(Statements c, String runId) {}

    @Override
    public void notifyEvents(Statements c, List<RecordedEvent> events) {}

    @Override
    public StoreNotifier notifier(Function<List<String>, Map<String, String>> marks) {
        return new SqliteNotifier(label, marks);
    }

    // ---- sessions: rows stamped with this machine's clock in epoch milliseconds, which judges leases too

    private static final String INSERT_WRITE_KEY = """
            INSERT INTO session_writes (session_id, write_key, created_at) VALUES (?, ?, ?)
            ON CONFLICT (session_id, write_key) DO NOTHING""";
    private static final String TOUCH_SESSION = """
            INSERT INTO sessions (session_id, active_agent, created_at, updated_at) VALUES (?, NULL, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET updated_at = excluded.updated_at""";
    private static final String LAST_POSITION = "SELECT COALESCE(MAX(position), 0) FROM session_items WHERE session_id = ?";
    private static final String INSERT_ITEM = "INSERT INTO session_items (session_id, position, item, created_at) VALUES (?, ?, ?, ?)";
    private static final String LATEST_ITEM =
            "SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position DESC LIMIT 1";
    private static final String DELETE_ITEM = "DELETE FROM session_items WHERE session_id = ? AND position = ?";
    private static final String UPDATED = "UPDATE sessions SET updated_at = ? WHERE session_id = ?";
    private static final String UPSERT_ACTIVE_AGENT = """
            INSERT INTO sessions (session_id, active_agent, created_at, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = excluded.updated_at""";
    private static final String UPSERT_ACTIVE_AGENT_IF_HELD = """
            INSERT INTO sessions (session_id, active_agent, created_at, updated_at)
            SELECT session_id, ?, ?, ? FROM session_leases WHERE session_id = ? AND owner = ? AND token = ?
            ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = excluded.updated_at""";
    private static final String SELECT_LEASE = "SELECT owner, token, expires_at FROM session_leases WHERE session_id = ?";
    private static final String UPSERT_LEASE = """
            INSERT INTO session_leases (session_id, owner, token, expires_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner, token = excluded.token,
                expires_at = excluded.expires_at""";
    private static final String RENEW_LEASE = """
            UPDATE session_leases SET expires_at = ?
            WHERE session_id = ? AND owner = ? AND token = ? AND expires_at > 0""";
    private static final String RELEASE_LEASE = "UPDATE session_leases SET expires_at = 0 WHERE session_id = ? AND owner = ? AND token = ?";

    /** Nothing to lock: the one writer on the file serialises every write. */
    @Override
    public String shareLock() {
        return "";
    }

    @Override
    public boolean addWriteKey(Statements c, String sessionId, String writeKey, long now) throws SQLException {
        PreparedStatement key = c.prepare(INSERT_WRITE_KEY);
        key.setString(1, sessionId);
        key.setString(2, writeKey);
        key.setLong(3, now);
        return key.executeUpdate() > 0;
    }

    /** The next positions follow the session's highest: the one writer makes reading it and inserting after it one step. */
    @Override
    public void appendItems(Statements c, String sessionId, List<String> json, long now) throws SQLException {
        PreparedStatement touch = c.prepare(TOUCH_SESSION);
        touch.setString(1, sessionId);
        touch.setLong(2, now);
        touch.setLong(3, now);
        touch.executeUpdate();
        long last;
        PreparedStatement max = c.prepare(LAST_POSITION);
        max.setString(1, sessionId);
        try (ResultSet rs = max.executeQuery()) {
            rs.next();
            last = rs.getLong(1);
        }
        PreparedStatement insert = c.prepare(INSERT_ITEM);
        for (String itemJson : json) {
            insert.setString(1, sessionId);
            insert.setLong(2, ++last);
            insert.setString(3, itemJson);
            insert.setLong(4, now);
            insert.addBatch();
        }
        insert.executeBatch();
    }

    @Override
    public JdbcSessionStore.@Nullable Stored removeLatest(Statements c, String sessionId, long now) throws SQLException {
        PreparedStatement latest = c.prepare(LATEST_ITEM);
        latest.setString(1, sessionId);
        JdbcSessionStore.Stored stored;
        try (ResultSet rs = latest.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            stored = new JdbcSessionStore.Stored(rs.getLong(1), rs.getString(2));
        }
        PreparedStatement delete = c.prepare(DELETE_ITEM);
        delete.setString(1, sessionId);
        delete.setLong(2, stored.position());
        delete.executeUpdate();
        PreparedStatement touch = c.prepare(UPDATED);
        touch.setLong(1, now);
        touch.setString(2, sessionId);
        touch.executeUpdate();
        return stored;
    }

    @Override
    public void upsertActiveAgent(Statements c, String sessionId, String agentName, long now) throws SQLException {
        PreparedStatement ps = c.prepare(UPSERT_ACTIVE_AGENT);
        ps.setString(1, sessionId);
        ps.setString(2, agentName);
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.executeUpdate();
    }

    @Override
    public boolean upsertActiveAgentIfHeld(Statements c, SessionLease lease, String agentName, long now) throws SQLException {
        PreparedStatement ps = c.prepare(UPSERT_ACTIVE_AGENT_IF_HELD);
        ps.setString(1, agentName);
        ps.setLong(2, now);
        ps.setLong(3, now);
        ps.setString(4, lease.sessionId());
        ps.setString(5, lease.owner());
        ps.setLong(6, lease.token());
        return ps.executeUpdate() > 0;
    }

    /**
     * Read and taken in the write transaction, so processes on the file see one holder. Expiry is
     * judged by this machine's clock, which every process on the file shares.
     */
    @Override
    public Optional<SessionLease> tryLease(Statements c, String sessionId, String owner, Duration ttl) throws SQLException {
        long now = System.currentTimeMillis();
        PreparedStatement select = c.prepare(SELECT_LEASE);
        select.setString(1, sessionId);
        long token = 1;
        try (ResultSet rs = select.executeQuery()) {
            if (rs.next()) {
                if (rs.getLong(3) > now) {
                    return Optional.empty();
                }
                token = rs.getLong(2) + 1;
            }
        }
        long expiresAt = now + ttl.toMillis();
        PreparedStatement ps = c.prepare(UPSERT_LEASE);
        ps.setString(1, sessionId);
        ps.setString(2, owner);
        ps.setLong(3, token);
        ps.setLong(4, expiresAt);
        ps.executeUpdate();
        return Optional.of(new SessionLease(sessionId, owner, token, Instant.ofEpochMilli(expiresAt)));
    }

    @Override
    public Optional<SessionLease> renewLease(Statements c, SessionLease lease, Duration ttl) throws SQLException {
        long expiresAt = System.currentTimeMillis() + ttl.toMillis();
        PreparedStatement ps = c.prepare(RENEW_LEASE);
        ps.setLong(1, expiresAt);
        ps.setString(2, lease.sessionId());
        ps.setString(3, lease.owner());
        ps.setLong(4, lease.token());
        return ps.executeUpdate() == 0 ? Optional.empty()
                : Optional.of(new SessionLease(lease.sessionId(), lease.owner(), lease.token(), Instant.ofEpochMilli(expiresAt)));
    }

    /** An expiry of 0, the epoch: ended, and never renewed. */
    @Override
    public void releaseLease(Statements c, SessionLease lease) throws SQLException {
        PreparedStatement ps = c.prepare(RELEASE_LEASE);
        ps.setString(1, lease.sessionId());
        ps.setString(2, lease.owner());
        ps.setLong(3, lease.token());
        ps.executeUpdate();
    }

    @Override
    public Optional<SessionLease> lease(Statements c, String sessionId) throws SQLException {
        PreparedStatement ps = c.prepare(SELECT_LEASE);
        ps.setString(1, sessionId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getLong(3) <= System.currentTimeMillis()) {
                return Optional.empty();
            }
            return Optional.of(new SessionLease(sessionId, rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3))));
        }
    }

    /**
     * Closes the store's handle on the writer (the last store on the file closes the writer: the
     * group being committed is finished, writes still queued fail) and its read connections.
     */
    @Override
    public void close() {
        if (writer.isClosed()) {
            return;
        }
        List<Throwable> failures = new ArrayList<>();
        writer.close(failures);
        Statements reader;
        while ((reader = readers.poll()) != null) {
            reader.close(failures);
        }
        if (!failures.isEmpty()) {
            StoreException e = new StoreException(database, "Closing " + store + " failed: " + describe(failures.get(0)),
                    failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    private Statements takeReader(String what, String subject) {
        try {
            while (true) {
                writer.ensureOpen(what, subject);
                Statements c = readers.poll(100, TimeUnit.MILLISECONDS);
                if (c != null) {
                    if (writer.isClosed()) {
                        giveBack(c);
                        writer.ensureOpen(what, subject);
                    }
                    return c;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(database, "Interrupted while waiting to " + what + " " + subject + " in " + store, e);
        }
    }

    private void giveBack(Statements c) {
        if (writer.isClosed()) {
            c.close(new ArrayList<>());
            return;
        }
        readers.add(c);
        if (writer.isClosed()) { // close() may have drained the pool before this connection came back
            Statements late;
            while ((late = readers.poll()) != null) {
                late.close(new ArrayList<>());
            }
        }
    }
}
