package dev.baton.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.baton.item.Item;
import dev.baton.session.SessionLease;
import dev.baton.session.SessionStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * Sessions in one SQLite file: the default durable {@link SessionStore}.
 *
 * <pre>{@code
 * try (SqliteSessionStore store = SqliteSessionStore.open(Path.of("baton.db"))) {
 *     Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(store).build());
 *     runner.run(triage, "I was charged twice", RunOptions.session("ticket-42"));
 * }
 * }</pre>
 *
 * <p>The file is created on first use, in an existing directory, and put in WAL mode; its schema
 * is brought up to date by the Flyway migrations under {@code db/migration/sqlite} (history table
 * {@value #SCHEMA_HISTORY_TABLE}), the same migrations {@link SqliteRunStore} runs, so both stores
 * can share one file. Items are stored as JSON, with the {@code type} discriminator of
 * {@link Item}.
 *
 * <p>Thread-safe. Each method is atomic and durable on return. Writes are committed in groups:
 * each call queues its write and returns once it is committed, while one writer thread commits
 * every write queued meanwhile in one transaction. Every store this JVM opens on the same file
 * with the same busy timeout (a {@link SqliteRunStore} with the default batch size, another
 * session store) shares that writer, so the writes of runs and of their sessions are committed
 * together rather than queueing for SQLite's one write lock. A write that fails fails alone.
 * Other processes on the file wait for SQLite's lock up to the busy timeout. Reads use a small
 * pool of connections of their own and do not wait for writers. Every failure, from opening the
 * file to a row that no longer decodes, is a {@link StoreException} that names the file.
 */
public final class SqliteSessionStore implements SessionStore, AutoCloseable {

    /** How long a write waits for another connection's lock on the file before it fails, unless told otherwise. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

    /** The table in which Flyway records the migrations applied to the file. */
    public static final String SCHEMA_HISTORY_TABLE = SqliteDatabase.SCHEMA_HISTORY_TABLE;

    private static final int READERS = 4;

    /**
     * The items' JSON codec, made when the first item is read or written rather than when the
     * store opens: a command that only lists runs never pays for it.
     */
    private static final class Codec {
        static final ObjectMapper JSON = new ObjectMapper();
        static final ObjectWriter ITEM_WRITER = JSON.writerFor(Item.class);
        static final ObjectReader ITEM_READER = JSON.readerFor(Item.class);
    }

    // Statements of the writes, kept prepared on the shared write connection.
    private static final String INSERT_WRITE_KEY = """
            INSERT INTO session_writes (session_id, write_key, created_at) VALUES (?, ?, ?)
            ON CONFLICT (session_id, write_key) DO NOTHING""";
    private static final String TOUCH_SESSION = """
            INSERT INTO sessions (session_id, active_agent, created_at, updated_at) VALUES (?, NULL, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET updated_at = excluded.updated_at""";
    private static final String LAST_POSITION = "SELECT COALESCE(MAX(position), 0) FROM session_items WHERE session_id = ?";
    private static final String INSERT_ITEM = "INSERT INTO session_items (session_id, position, item, created_at) VALUES (?, ?, ?, ?)";
    private static final String UPSERT_ACTIVE_AGENT = """
            INSERT INTO sessions (session_id, active_agent, created_at, updated_at) VALUES (?, ?, ?, ?)
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

    /** At most this many writes in one transaction: the run store's default, so both share one writer. */
    private static final int MAX_BATCH = SqliteRunStore.Options.defaults().maxBatch();

    private final Path file;
    private final SqliteWriter writer;
    private final BlockingQueue<Connection> readers;
    private volatile boolean closed;

    private SqliteSessionStore(SqliteDatabase.Opened opened, Duration busyTimeout, boolean share) {
        this.file = opened.path();
        // Uninterruptible, as a direct SQLite write is: a run stopped by an interrupt still gives its session back.
        this.writer = SqliteWriter.open(opened, busyTimeout, MAX_BATCH, "SQLite session store " + file, share, false);
        this.readers = new ArrayBlockingQueue<>(opened.readers().size(), false, opened.readers());
    }

    /**
     * Opens the store in {@code file}, creating the file if it does not exist and migrating its
     * schema, with the {@linkplain #DEFAULT_BUSY_TIMEOUT default busy timeout}.
     *
     * @throws StoreException if the directory does not exist, the path is not a writable file, the
     *     file is not a SQLite database, or its schema cannot be migrated
     */
    public static SqliteSessionStore open(Path file) {
        return open(file, DEFAULT_BUSY_TIMEOUT);
    }

    /**
     * Opens the store in {@code file}, as {@link #open(Path)} does.
     *
     * @param busyTimeout how long an operation waits for a lock that another connection holds
     *     on the file before it fails with a {@link StoreException}
     */
    public static SqliteSessionStore open(Path file, Duration busyTimeout) {
        SqliteDatabase.Opened opened = SqliteDatabase.open(file, busyTimeout, READERS, "SQLite session store");
        return new SqliteSessionStore(opened, busyTimeout, true);
    }

    /** Opens the store as {@link #open(Path, Duration)} does, with the driver's settings changed by {@code configure} (tests). */
    static SqliteSessionStore open(Path file, Duration busyTimeout, Consumer<SQLiteConfig> configure) {
        SqliteDatabase.Opened opened = SqliteDatabase.open(file, busyTimeout, READERS, "SQLite session store", configure);
        return new SqliteSessionStore(opened, busyTimeout, false);
    }

    /** The absolute path of the store's file. */
    public Path file() {
        return file;
    }

    @Override
    public List<Item> items(String sessionId, int limit) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the items of", sessionId, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT position, item FROM (
                        SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position DESC LIMIT ?
                    ) ORDER BY position""")) {
                ps.setString(1, sessionId);
                ps.setInt(2, limit > 0 ? limit : -1);
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
        write("add items to", sessionId, c -> {
            append(c, sessionId, json, System.currentTimeMillis());
            return null;
        });
    }

    /**
     * Appends items unless the session took a write with this key before. The key is recorded
     * in table {@code session_writes} in the same transaction as the items, so a crash leaves
     * either both or neither; {@link #clear} forgets the keys with the items.
     */
    @Override
    public boolean addItemsOnce(String sessionId, String writeKey, List<Item> items) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(writeKey, "writeKey");
        List<String> json = encodeAll(sessionId, items);
        return write("add items once to", sessionId, c -> addOnce(c, sessionId, writeKey, json));
    }

    private static boolean addOnce(Statements c, String sessionId, String writeKey, List<String> json) throws SQLException {
        long now = System.currentTimeMillis();
        PreparedStatement key = c.prepare(INSERT_WRITE_KEY);
        key.setString(1, sessionId);
        key.setString(2, writeKey);
        key.setLong(3, now);
        if (key.executeUpdate() == 0) {
            return false;
        }
        if (!json.isEmpty()) {
            append(c, sessionId, json, now);
        }
        return true;
    }

    private List<String> encodeAll(String sessionId, List<Item> items) {
        List<Item> copy = List.copyOf(items); // rejects null items before anything changes
        List<String> json = new ArrayList<>(copy.size());
        for (Item item : copy) {
            json.add(encode(sessionId, item));
        }
        return json;
    }

    private static void append(Statements c, String sessionId, List<String> json, long now) throws SQLException {
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
    public Optional<Item> popItem(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return write("remove the latest item of", sessionId, statements -> {
            Connection c = statements.connection();
            long position;
            String json;
            try (PreparedStatement latest = c.prepareStatement(
                    "SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position DESC LIMIT 1")) {
                latest.setString(1, sessionId);
                try (ResultSet rs = latest.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    position = rs.getLong(1);
                    json = rs.getString(2);
                }
            }
            Item item = decode(sessionId, position, json); // a corrupt row is reported and stays
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM session_items WHERE session_id = ? AND position = ?")) {
                delete.setString(1, sessionId);
                delete.setLong(2, position);
                delete.executeUpdate();
            }
            try (PreparedStatement touch = c.prepareStatement("UPDATE sessions SET updated_at = ? WHERE session_id = ?")) {
                touch.setLong(1, System.currentTimeMillis());
                touch.setString(2, sessionId);
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
        write("record usage on", sessionId, c -> {
            UsageRows.record(c.prepare(UsageRows.UPSERT), sessionId, runId, usage, at);
            return null;
        });
    }

    @Override
    public List<dev.baton.session.TurnUsage> usage(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the usage of", sessionId, c -> UsageRows.read(c, sessionId,
                why -> new StoreException(file.toString(), "The SQLite session store " + file + " has " + why, null)));
    }

    @Override
    public void clear(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        write("clear", sessionId, statements -> {
            Connection c = statements.connection();
            try (PreparedStatement items = c.prepareStatement("DELETE FROM session_items WHERE session_id = ?");
                    PreparedStatement keys = c.prepareStatement("DELETE FROM session_writes WHERE session_id = ?");
                    PreparedStatement usage = c.prepareStatement("DELETE FROM session_usage WHERE session_id = ?");
                    PreparedStatement session = c.prepareStatement("DELETE FROM sessions WHERE session_id = ?")) {
                items.setString(1, sessionId);
                items.executeUpdate();
                keys.setString(1, sessionId);
                keys.executeUpdate();
                usage.setString(1, sessionId);
                usage.executeUpdate();
                session.setString(1, sessionId);
                session.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<String> activeAgent(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the active agent of", sessionId, c -> {
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
        write("set the active agent of", sessionId, c -> {
            upsertActiveAgent(c, sessionId, agentName);
            return null;
        });
    }

    private static void upsertActiveAgent(Statements c, String sessionId, String agentName) throws SQLException {
        long now = System.currentTimeMillis();
        PreparedStatement ps = c.prepare(UPSERT_ACTIVE_AGENT);
        ps.setString(1, sessionId);
        ps.setString(2, agentName);
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.executeUpdate();
    }

    // --- leases ------------------------------------------------------------------------------

    /**
     * Takes the session in table {@code session_leases}, in a write transaction, so processes on
     * the same file see one holder. Expiry is judged by this machine's clock, which every process
     * on the file shares.
     */
    @Override
    public Optional<SessionLease> tryLease(String sessionId, String owner, Duration ttl) {
        SessionLeases.requireValid(sessionId, owner, ttl);
        return write("take the lease of", sessionId, c -> {
            long now = System.currentTimeMillis();
            Optional<Row> current = leaseRow(c.prepare(SELECT_LEASE), sessionId);
            if (current.isPresent() && current.get().expiresAt() > now) {
                return Optional.<SessionLease>empty();
            }
            long token = current.map(r -> r.token() + 1).orElse(1L);
            long expiresAt = now + ttl.toMillis();
            PreparedStatement ps = c.prepare(UPSERT_LEASE);
            ps.setString(1, sessionId);
            ps.setString(2, owner);
            ps.setLong(3, token);
            ps.setLong(4, expiresAt);
            ps.executeUpdate();
            return Optional.of(new SessionLease(sessionId, owner, token, Instant.ofEpochMilli(expiresAt)));
        });
    }

    @Override
    public Optional<SessionLease> renewLease(SessionLease lease, Duration ttl) {
        SessionLeases.requireValid(lease.sessionId(), lease.owner(), ttl);
        return write("renew the lease of", lease.sessionId(), c -> {
            long expiresAt = System.currentTimeMillis() + ttl.toMillis();
            PreparedStatement ps = c.prepare(RENEW_LEASE);
            ps.setLong(1, expiresAt);
            ps.setString(2, lease.sessionId());
            ps.setString(3, lease.owner());
            ps.setLong(4, lease.token());
            return ps.executeUpdate() == 0 ? Optional.<SessionLease>empty()
                    : Optional.of(new SessionLease(lease.sessionId(), lease.owner(), lease.token(), Instant.ofEpochMilli(expiresAt)));
        });
    }

    @Override
    public void releaseLease(SessionLease lease) {
        Objects.requireNonNull(lease, "lease");
        write("release the lease of", lease.sessionId(), c -> {
            PreparedStatement ps = c.prepare(RELEASE_LEASE);
            ps.setString(1, lease.sessionId());
            ps.setString(2, lease.owner());
            ps.setLong(3, lease.token());
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public Optional<SessionLease> lease(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the lease of", sessionId, c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT_LEASE)) {
                return leaseRow(ps, sessionId)
                        .filter(r -> r.expiresAt() > System.currentTimeMillis())
                        .map(r -> new SessionLease(sessionId, r.owner(), r.token(), Instant.ofEpochMilli(r.expiresAt())));
            }
        });
    }

    @Override
    public void addItems(SessionLease lease, List<Item> items) {
        List<String> json = encodeAll(lease.sessionId(), items);
        write("add items to", lease.sessionId(), c -> {
            fence(c, lease, "add items to");
            if (!json.isEmpty()) {
                append(c, lease.sessionId(), json, System.currentTimeMillis());
            }
            return null;
        });
    }

    @Override
    public boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items) {
        Objects.requireNonNull(writeKey, "writeKey");
        List<String> json = encodeAll(lease.sessionId(), items);
        return write("add items once to", lease.sessionId(), c -> {
            fence(c, lease, "add items to");
            return addOnce(c, lease.sessionId(), writeKey, json);
        });
    }

    @Override
    public void setActiveAgent(SessionLease lease, String agentName) {
        Objects.requireNonNull(agentName, "agentName");
        write("set the active agent of", lease.sessionId(), c -> {
            fence(c, lease, "set the active agent of");
            upsertActiveAgent(c, lease.sessionId(), agentName);
            return null;
        });
    }

    @Override
    public void recordUsage(SessionLease lease, String runId, dev.baton.model.Usage usage, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(at, "at");
        write("record usage on", lease.sessionId(), c -> {
            fence(c, lease, "record usage on");
            UsageRows.record(c.prepare(UsageRows.UPSERT), lease.sessionId(), runId, usage, at);
            return null;
        });
    }

    private record Row(String owner, long token, long expiresAt) {}

    private static Optional<Row> leaseRow(PreparedStatement ps, String sessionId) throws SQLException {
        ps.setString(1, sessionId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getLong(2), rs.getLong(3))) : Optional.empty();
        }
    }

    /** Within the write transaction: refuses the write unless {@code lease} still holds the session. */
    private static void fence(Statements c, SessionLease lease, String what) throws SQLException {
        Optional<Row> row = leaseRow(c.prepare(SELECT_LEASE), lease.sessionId());
        if (row.isEmpty() || row.get().token() != lease.token() || !row.get().owner().equals(lease.owner())) {
            throw SessionLeases.lost(lease, what);
        }
    }

    /**
     * Closes the store's connections. Operations under way finish first; later calls fail with a
     * {@link StoreException}. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Throwable> failures = new ArrayList<>();
        writer.close(failures);
        Connection reader;
        while ((reader = readers.poll()) != null) {
            closeQuietly(reader, failures);
        }
        if (!failures.isEmpty()) {
            StoreException e = new StoreException(file.toString(), "Closing the SQLite session store " + file
                    + " failed: " + describe(failures.get(0)), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "SqliteSessionStore[" + file + "]";
    }

    // --- transactions ---------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction of the file's group commit (shared with a
     * {@link SqliteRunStore} this JVM opened on the same file): queued, committed with the writes
     * queued meanwhile, and returned once committed. A write that throws is rolled back alone.
     */
    private <T> T write(String what, String sessionId, Dialect.Work<T> work) {
        ensureOpen(what, sessionId);
        return writer.write(what, "session '" + sessionId + "'", work);
    }

    /** Runs {@code work} on a read connection: one statement, one snapshot. */
    private <T> T read(String what, String sessionId, Work<T> work) {
        Connection c = takeReader(what, sessionId);
        try {
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(what, sessionId, e);
        } finally {
            if (closed) {
                closeQuietly(c, new ArrayList<>());
            } else {
                readers.add(c);
                if (closed) { // close() may have drained the pool before this connection came back
                    Connection late;
                    while ((late = readers.poll()) != null) {
                        closeQuietly(late, new ArrayList<>());
                    }
                }
            }
        }
    }

    private Connection takeReader(String what, String sessionId) {
        try {
            while (true) {
                ensureOpen(what, sessionId);
                Connection c = readers.poll(100, TimeUnit.MILLISECONDS);
                if (c != null) {
                    if (closed) {
                        closeQuietly(c, new ArrayList<>());
                        ensureOpen(what, sessionId);
                    }
                    return c;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(file.toString(), "Interrupted while waiting to " + what + " session '" + sessionId
                    + "' in the SQLite session store " + file, e);
        }
    }

    private void ensureOpen(String what, String sessionId) {
        if (closed) {
            throw new StoreException(file.toString(), "Cannot " + what + " session '" + sessionId
                    + "': the SQLite session store " + file + " is closed", null);
        }
    }

    private StoreException failure(String what, String sessionId, Exception e) {
        return new StoreException(file.toString(), "The SQLite session store " + file + " failed to " + what
                + " session '" + sessionId + "': " + describe(e), e);
    }

    // --- items as JSON ----------------------------------------------------------------------

    private String encode(String sessionId, Item item) {
        try {
            return Codec.ITEM_WRITER.writeValueAsString(item);
        } catch (JsonProcessingException e) {
            throw new StoreException(file.toString(), "Cannot store an item of session '" + sessionId
                    + "' in the SQLite session store " + file + " as JSON: " + describe(e), e);
        }
    }

    private Item decode(String sessionId, long position, @Nullable String json) {
        if (json == null) {
            throw corrupt(sessionId, position, "the item is NULL", null);
        }
        try {
            return Codec.ITEM_READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw corrupt(sessionId, position, describe(e), e);
        }
    }

    private StoreException corrupt(String sessionId, long position, String why, @Nullable Throwable cause) {
        return new StoreException(file.toString(), "The SQLite session store " + file + " has a corrupted item at position "
                + position + " of session '" + sessionId + "': " + why, cause);
    }

    // --- helpers ----------------------------------------------------------------------------

    private static void closeQuietly(Connection c, List<Throwable> failures) {
        try {
            c.close();
        } catch (SQLException e) {
            failures.add(e);
        }
    }

    private static String describe(Throwable e) {
        return SqliteDatabase.describe(e);
    }
}
