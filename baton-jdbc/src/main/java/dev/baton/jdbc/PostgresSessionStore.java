package dev.baton.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.baton.item.Item;
import dev.baton.session.SessionLease;
import dev.baton.session.SessionStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 */
public final class PostgresSessionStore implements SessionStore, AutoCloseable {

    /** How long a call waits for a connection from the pool (and so for an unreachable server) before it fails. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private static final String KIND = "PostgreSQL session store";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter ITEM_WRITER = JSON.writerFor(Item.class);
    private static final ObjectReader ITEM_READER = JSON.readerFor(Item.class);

    private final PostgresDatabase database;

    private PostgresSessionStore(PostgresDatabase database) {
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

    @Override
    public List<Item> items(String sessionId, int limit) {
        Objects.requireNonNull(sessionId, "sessionId");
        return call("read the items of", sessionId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT position, item FROM (
                        SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position DESC LIMIT ?
                    ) latest ORDER BY position""")) {
                ps.setString(1, sessionId);
                if (limit > 0) {
                    ps.setLong(2, limit);
                } else {
                    ps.setNull(2, Types.BIGINT); // LIMIT NULL: all of them
                }
                List<Item> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(decode(sessionId, rs.getLong(1), rs.getString(2)));
                    }
                }
                return List.copyOf(out);
            }
        });
    }

    @Override
    public void addItems(String sessionId, List<Item> items) {
        Objects.requireNonNull(sessionId, "sessionId");
        List<String> json = encodeAll(sessionId, items);
        if (json.isEmpty()) {
            return;
        }
        call("add items to", sessionId, true, c -> {
            append(c, sessionId, json);
            return null;
        });
    }

    @Override
    public boolean addItemsOnce(String sessionId, String writeKey, List<Item> items) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(writeKey, "writeKey");
        List<String> json = encodeAll(sessionId, items);
        return call("add items (write '" + writeKey + "') to", sessionId, true, c -> addOnce(c, sessionId, writeKey, json));
    }

    private static boolean addOnce(java.sql.Connection c, String sessionId, String writeKey, List<String> json) throws SQLException {
        // A concurrent transaction inserting the same key makes this one wait for it, then see the conflict.
        try (PreparedStatement key = c.prepareStatement(
                "INSERT INTO session_writes (session_id, write_key) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            key.setString(1, sessionId);
            key.setString(2, writeKey);
            if (key.executeUpdate() == 0) {
                return false;
            }
        }
        if (!json.isEmpty()) {
            append(c, sessionId, json);
        }
        return true;
    }

    /** Appends the items after the session's last position: one upsert locks the session and reserves the positions. */
    private static void append(java.sql.Connection c, String sessionId, List<String> json) throws SQLException {
        long last;
        try (PreparedStatement reserve = c.prepareStatement("""
                INSERT INTO sessions AS s (session_id, next_position) VALUES (?, ?)
                ON CONFLICT (session_id) DO UPDATE SET next_position = s.next_position + excluded.next_position, updated_at = now()
                RETURNING next_position""")) {
            reserve.setString(1, sessionId);
            reserve.setLong(2, json.size());
            try (ResultSet rs = reserve.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
            }
        }
        long position = last - json.size();
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO session_items (session_id, position, item) VALUES (?, ?, ?)")) {
            for (String itemJson : json) {
                insert.setString(1, sessionId);
                insert.setLong(2, ++position);
                insert.setString(3, itemJson);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @Override
    public Optional<Item> popItem(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return call("remove the latest item of", sessionId, true, c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT 1 FROM sessions WHERE session_id = ? FOR UPDATE")) {
                lock.setString(1, sessionId);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            long position;
            String json;
            try (PreparedStatement delete = c.prepareStatement("""
                    DELETE FROM session_items WHERE session_id = ? AND position =
                        (SELECT max(position) FROM session_items WHERE session_id = ?)
                    RETURNING position, item""")) {
                delete.setString(1, sessionId);
                delete.setString(2, sessionId);
                try (ResultSet rs = delete.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    position = rs.getLong(1);
                    json = rs.getString(2);
                }
            }
            Item item = decode(sessionId, position, json); // a corrupt row is reported, and the rollback keeps it
            try (PreparedStatement touch = c.prepareStatement("UPDATE sessions SET updated_at = now() WHERE session_id = ?")) {
                touch.setString(1, sessionId);
                touch.executeUpdate();
            }
            return Optional.of(item);
        });
    }

    @Override
    public void recordUsage(String sessionId, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(usage, "usage");
        call("record usage on", sessionId, false, c -> {
            UsageRows.record(c, sessionId, runId, usage, at);
            return null;
        });
    }

    @Override
    public List<dev.baton.session.TurnUsage> usage(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return call("read the usage of", sessionId, false, c -> UsageRows.read(c, sessionId,
                why -> new StoreException(database.url(), PostgresDatabase.capitalized(database.store()) + " has " + why, null)));
    }

    @Override
    public void clear(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        call("clear", sessionId, true, c -> {
            // The session row first: writers of this session hold it, so the clear comes before or after a write.
            for (String sql : List.of("DELETE FROM sessions WHERE session_id = ?",
                    "DELETE FROM session_items WHERE session_id = ?",
                    "DELETE FROM session_writes WHERE session_id = ?",
                    "DELETE FROM session_usage WHERE session_id = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, sessionId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Optional<String> activeAgent(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return call("read the active agent of", sessionId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT active_agent FROM sessions WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public void setActiveAgent(String sessionId, String agentName) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(agentName, "agentName");
        call("set the active agent of", sessionId, false, c -> {
            upsertActiveAgent(c, sessionId, agentName);
            return null;
        });
    }

    private static void upsertActiveAgent(java.sql.Connection c, String sessionId, String agentName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO sessions (session_id, active_agent) VALUES (?, ?)
                ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = now()""")) {
            ps.setString(1, sessionId);
            ps.setString(2, agentName);
            ps.executeUpdate();
        }
    }

    // --- leases ------------------------------------------------------------------------------

    /**
     * Takes the session in table {@code session_leases} with one upsert, which the row's lock
     * makes atomic across connections. Expiry is judged by the database server's clock, so the
     * clocks of the machines sharing it do not matter.
     */
    @Override
    public Optional<SessionLease> tryLease(String sessionId, String owner, Duration ttl) {
        SessionLeases.requireValid(sessionId, owner, ttl);
        return call("take the lease of", sessionId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO session_leases AS l (session_id, owner, token, expires_at)
                    VALUES (?, ?, 1, clock_timestamp() + ? * interval '1 millisecond')
                    ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner, token = l.token + 1,
                        expires_at = excluded.expires_at
                    WHERE l.expires_at <= clock_timestamp()
                    RETURNING token, expires_at""")) {
                ps.setString(1, sessionId);
                ps.setString(2, owner);
                ps.setLong(3, ttl.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new SessionLease(sessionId, owner, rs.getLong(1), instant(rs, 2)))
                            : Optional.<SessionLease>empty();
                }
            }
        });
    }

    @Override
    public Optional<SessionLease> renewLease(SessionLease lease, Duration ttl) {
        SessionLeases.requireValid(lease.sessionId(), lease.owner(), ttl);
        return call("renew the lease of", lease.sessionId(), false, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE session_leases SET expires_at = clock_timestamp() + ? * interval '1 millisecond'
                    WHERE session_id = ? AND owner = ? AND token = ? AND expires_at <> '-infinity'
                    RETURNING expires_at""")) {
                ps.setLong(1, ttl.toMillis());
                ps.setString(2, lease.sessionId());
                ps.setString(3, lease.owner());
                ps.setLong(4, lease.token());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new SessionLease(lease.sessionId(), lease.owner(), lease.token(), instant(rs, 1)))
                            : Optional.<SessionLease>empty();
                }
            }
        });
    }

    @Override
    public void releaseLease(SessionLease lease) {
        Objects.requireNonNull(lease, "lease");
        call("release the lease of", lease.sessionId(), false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE session_leases SET expires_at = '-infinity' WHERE session_id = ? AND owner = ? AND token = ?")) {
                ps.setString(1, lease.sessionId());
                ps.setString(2, lease.owner());
                ps.setLong(3, lease.token());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<SessionLease> lease(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return call("read the lease of", sessionId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT owner, token, expires_at FROM session_leases WHERE session_id = ? AND expires_at > clock_timestamp()")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new SessionLease(sessionId, rs.getString(1), rs.getLong(2), instant(rs, 3)))
                            : Optional.<SessionLease>empty();
                }
            }
        });
    }

    @Override
    public void addItems(SessionLease lease, List<Item> items) {
        List<String> json = encodeAll(lease.sessionId(), items);
        call("add items to", lease.sessionId(), true, c -> {
            fence(c, lease, "add items to");
            if (!json.isEmpty()) {
                append(c, lease.sessionId(), json);
            }
            return null;
        });
    }

    @Override
    public boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items) {
        Objects.requireNonNull(writeKey, "writeKey");
        List<String> json = encodeAll(lease.sessionId(), items);
        return call("add items (write '" + writeKey + "') to", lease.sessionId(), true, c -> {
            fence(c, lease, "add items to");
            return addOnce(c, lease.sessionId(), writeKey, json);
        });
    }

    /**
     * One statement, so one round trip: the upsert takes its row from the lease row, locked
     * {@code FOR SHARE}, so it writes nothing unless {@code lease} still holds the session.
     */
    @Override
    public void setActiveAgent(SessionLease lease, String agentName) {
        Objects.requireNonNull(agentName, "agentName");
        fencedUpdate("set the active agent of", lease, """
                INSERT INTO sessions (session_id, active_agent)
                SELECT session_id, ? FROM session_leases WHERE session_id = ? AND owner = ? AND token = ? FOR SHARE
                ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = now()""",
                1, ps -> ps.setString(1, agentName));
    }

    /** One statement, as {@link #setActiveAgent(SessionLease, String)} is. */
    @Override
    public void recordUsage(SessionLease lease, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(at, "at");
        fencedUpdate("record usage on", lease, """
                INSERT INTO session_usage (session_id, run_id, usage, recorded_at)
                SELECT session_id, ?, ?, ? FROM session_leases WHERE session_id = ? AND owner = ? AND token = ? FOR SHARE
                ON CONFLICT (session_id, run_id) DO UPDATE SET usage = excluded.usage, recorded_at = excluded.recorded_at""",
                3, ps -> {
                    ps.setString(1, runId);
                    ps.setString(2, dev.baton.durable.JournalCodec.usage(usage));
                    ps.setLong(3, at.toEpochMilli());
                });
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs {@code sql}, an upsert whose rows come from the lease row of {@code lease} (its session
     * id, owner and token the three parameters after the {@code valueCount} that {@code values}
     * binds), in one auto-committed statement; no row written means the lease no longer holds the
     * session.
     */
    private void fencedUpdate(String what, SessionLease lease, String sql, int valueCount, Binder values) {
        boolean written = call(what, lease.sessionId(), false, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                values.bind(ps);
                ps.setString(valueCount + 1, lease.sessionId());
                ps.setString(valueCount + 2, lease.owner());
                ps.setLong(valueCount + 3, lease.token());
                return ps.executeUpdate() > 0;
            }
        });
        if (!written) {
            throw SessionLeases.lost(lease, what);
        }
    }

    /**
     * Within the write's transaction: refuses it unless {@code lease} still holds the session.
     * The share lock on the lease row makes a takeover wait for this write to commit, and this
     * write see a takeover that committed first.
     */
    private static void fence(java.sql.Connection c, SessionLease lease, String what) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner, token FROM session_leases WHERE session_id = ? FOR SHARE")) {
            ps.setString(1, lease.sessionId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(2) != lease.token() || !lease.owner().equals(rs.getString(1))) {
                    throw SessionLeases.lost(lease, what);
                }
            }
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        java.time.OffsetDateTime at = rs.getObject(column, java.time.OffsetDateTime.class);
        return at == null ? Instant.EPOCH : at.toInstant();
    }

    /**
     * Closes the pool the store opened (a data source given to {@link #open(DataSource)} stays
     * open). Later calls fail with a {@link StoreException}. Closing twice is harmless.
     */
    @Override
    public void close() {
        database.close();
    }

    @Override
    public String toString() {
        return "PostgresSessionStore[" + database.url() + "]";
    }

    // --- calls ------------------------------------------------------------------------------

    private <T> T call(String what, String sessionId, boolean transaction, PostgresDatabase.Work<T> work) {
        if (database.isClosed()) {
            throw new StoreException(database.url(), "Cannot " + what + " session '" + sessionId + "': "
                    + database.store() + " is closed", null);
        }
        try {
            return transaction ? database.transaction(work) : database.autoCommit(work);
        } catch (SQLException e) {
            throw new StoreException(database.url(), PostgresDatabase.capitalized(database.store()) + " failed to " + what
                    + " session '" + sessionId + "': " + PostgresDatabase.describe(e), e);
        }
    }

    // --- items as JSON ----------------------------------------------------------------------

    private List<String> encodeAll(String sessionId, List<Item> items) {
        List<Item> copy = List.copyOf(items); // rejects null items before anything changes
        List<String> json = new ArrayList<>(copy.size());
        for (Item item : copy) {
            try {
                json.add(ITEM_WRITER.writeValueAsString(item));
            } catch (JsonProcessingException e) {
                throw new StoreException(database.url(), "Cannot store an item of session '" + sessionId + "' in "
                        + database.store() + " as JSON: " + PostgresDatabase.describe(e), e);
            }
        }
        return json;
    }

    private Item decode(String sessionId, long position, @Nullable String json) {
        if (json == null) {
            throw corrupt(sessionId, position, "the item is NULL", null);
        }
        try {
            Item item = ITEM_READER.readValue(json);
            if (item == null) {
                throw corrupt(sessionId, position, "the item is JSON null", null);
            }
            return item;
        } catch (JsonProcessingException e) {
            throw corrupt(sessionId, position, "the item does not decode: " + e.getOriginalMessage(), e);
        }
    }

    private StoreException corrupt(String sessionId, long position, String why, @Nullable Throwable cause) {
        return new StoreException(database.url(), PostgresDatabase.capitalized(database.store())
                + " has a corrupted row in table session_items for session '" + sessionId + "' at position " + position
                + ": " + why, cause);
    }
}
