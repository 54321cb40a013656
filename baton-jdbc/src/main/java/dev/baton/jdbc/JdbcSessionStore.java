package dev.baton.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.item.Item;
import dev.baton.model.Usage;
import dev.baton.session.SessionLease;
import dev.baton.session.SessionStore;
import dev.baton.session.TurnUsage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The one session store over JDBC: the operations of {@link SessionStore}, the lease fencing, the
 * items' JSON and the messages, written once for every {@link Dialect}. Its two public faces,
 * {@link SqliteSessionStore} and {@link PostgresSessionStore}, only open a database and pick its
 * dialect, which supplies what really differs: how positions of new items are handed out, whose
 * clock judges a lease (this machine's for a SQLite file, the server's for PostgreSQL), and the
 * timestamps of rows.
 *
 * <p>Each method is one transaction or one statement. A write made under a lease is refused,
 * with a {@link dev.baton.SessionLeaseLost}, unless the lease still holds the session when the
 * write commits; such a write changes nothing.
 */
abstract sealed class JdbcSessionStore implements SessionStore, AutoCloseable permits SqliteSessionStore, PostgresSessionStore {

    /**
     * The items' JSON codec, made when the first item is read or written rather than when the
     * store opens: a command that only lists runs never pays for it.
     */
    private static final class Codec {
        static final ObjectMapper JSON = new ObjectMapper();
        static final ObjectWriter ITEM_WRITER = JSON.writerFor(Item.class);
        static final ObjectReader ITEM_READER = JSON.readerFor(Item.class);
    }

    /** An item as stored: its position in the session and its JSON. */
    record Stored(long position, @Nullable String json) {}

    private static final String LATEST_ITEMS = """
            SELECT position, item FROM (
                SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position DESC LIMIT ?
            ) latest ORDER BY position""";
    private static final String ALL_ITEMS = "SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position";
    private static final String ACTIVE_AGENT = "SELECT active_agent FROM sessions WHERE session_id = ?";
    /** The session row first: writers of the session hold it where rows are locked, so a clear comes before or after a write. */
    private static final List<String> CLEAR = List.of(
            "DELETE FROM sessions WHERE session_id = ?",
            "DELETE FROM session_items WHERE session_id = ?",
            "DELETE FROM session_writes WHERE session_id = ?",
            "DELETE FROM session_usage WHERE session_id = ?");

    final Dialect dialect;
    /** Who holds a session, read in a write under a lease; where rows are locked, a takeover waits for the write. */
    private final String leaseHolder;
    /** {@link UsageRows#UPSERT} taking its row from the lease row, so it writes nothing unless the lease holds. */
    private final String fencedUsage;

    JdbcSessionStore(Dialect dialect) {
        this.dialect = dialect;
        this.leaseHolder = "SELECT owner, token FROM session_leases WHERE session_id = ?" + dialect.shareLock();
        this.fencedUsage = """
                INSERT INTO session_usage (session_id, run_id, usage, recorded_at)
                SELECT session_id, ?, ?, ? FROM session_leases WHERE session_id = ? AND owner = ? AND token = ?"""
                + dialect.shareLock() + """

                ON CONFLICT (session_id, run_id) DO UPDATE SET usage = excluded.usage, recorded_at = excluded.recorded_at""";
    }

    // ---- items

    @Override
    public List<Item> items(String sessionId, int limit) {
        Objects.requireNonNull(sessionId, "sessionId");
        PostgresSessionBatches batches = dialect.sessionBatches();
        if (batches != null && limit <= 0) {
            List<Item> items = new ArrayList<>();
            for (PostgresSessionBatches.Stored stored : batches.items("read the items of", subject(sessionId), sessionId)) {
                items.add(decode(sessionId, stored.position(), stored.json()));
            }
            return items;
        }
        return read("read the items of", sessionId, c -> {
            PreparedStatement ps = c.prepare(limit > 0 ? LATEST_ITEMS : ALL_ITEMS);
            ps.setString(1, sessionId);
            if (limit > 0) {
                ps.setInt(2, limit);
            }
            return Statements.all(ps, rs -> decode(sessionId, rs.getLong(1), rs.getString(2)));
        });
    }

    @Override
    public void addItems(String sessionId, List<Item> items) {
        Objects.requireNonNull(sessionId, "sessionId");
        List<String> json = encodeAll(sessionId, items);
        if (json.isEmpty()) {
            return;
        }
        write("add items to", sessionId, true, c -> {
            dialect.appendItems(c, sessionId, json, System.currentTimeMillis());
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
        return write("add items (write '" + writeKey + "') to", sessionId, true, c -> addOnce(c, sessionId, writeKey, json));
    }

    private boolean addOnce(Statements c, String sessionId, String writeKey, List<String> json) throws SQLException {
        long now = System.currentTimeMillis();
        // Where rows are locked, a concurrent transaction adding the same key makes this one wait for it, then see the key.
        if (!dialect.addWriteKey(c, sessionId, writeKey, now)) {
            return false;
        }
        if (!json.isEmpty()) {
            dialect.appendItems(c, sessionId, json, now);
        }
        return true;
    }

    /** The latest item is decoded before the removal commits: a corrupt row is reported, and the rollback keeps it. */
    @Override
    public Optional<Item> popItem(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return write("remove the latest item of", sessionId, true, c -> {
            Stored latest = dialect.removeLatest(c, sessionId, System.currentTimeMillis());
            return latest == null ? Optional.<Item>empty() : Optional.of(decode(sessionId, latest.position(), latest.json()));
        });
    }

    @Override
    public void clear(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        write("clear", sessionId, true, c -> {
            for (String sql : CLEAR) {
                PreparedStatement ps = c.prepare(sql);
                ps.setString(1, sessionId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---- active agent and usage

    @Override
    public Optional<String> activeAgent(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the active agent of", sessionId, c -> {
            PreparedStatement ps = c.prepare(ACTIVE_AGENT);
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
            }
        });
    }

    @Override
    public void setActiveAgent(String sessionId, String agentName) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(agentName, "agentName");
        write("set the active agent of", sessionId, false, c -> {
            dialect.upsertActiveAgent(c, sessionId, agentName, System.currentTimeMillis());
            return null;
        });
    }

    @Override
    public void recordUsage(String sessionId, String runId, Usage usage, Instant at) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(usage, "usage");
        write("record usage on", sessionId, false, c -> {
            UsageRows.record(c.prepare(UsageRows.UPSERT), sessionId, runId, usage, at);
            return null;
        });
    }

    @Override
    public List<TurnUsage> usage(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the usage of", sessionId, c -> UsageRows.read(c.connection(), sessionId,
                why -> new StoreException(dialect.database(), capitalized(dialect.store()) + " has " + why, null)));
    }

    // ---- leases

    @Override
    public Optional<SessionLease> tryLease(String sessionId, String owner, Duration ttl) {
        SessionLeases.requireValid(sessionId, owner, ttl);
        PostgresSessionBatches batches = dialect.sessionBatches();
        if (batches != null) {
            return batches.tryLease("take the lease of", subject(sessionId), new PostgresSessionBatches.Lease(sessionId, owner, ttl));
        }
        return write("take the lease of", sessionId, false, c -> dialect.tryLease(c, sessionId, owner, ttl));
    }

    @Override
    public Optional<SessionLease> renewLease(SessionLease lease, Duration ttl) {
        SessionLeases.requireValid(lease.sessionId(), lease.owner(), ttl);
        return write("renew the lease of", lease.sessionId(), false, c -> dialect.renewLease(c, lease, ttl));
    }

    @Override
    public void releaseLease(SessionLease lease) {
        Objects.requireNonNull(lease, "lease");
        PostgresSessionBatches batches = dialect.sessionBatches();
        if (batches != null) {
            batches.release("release the lease of", subject(lease.sessionId()), lease);
            return;
        }
        write("release the lease of", lease.sessionId(), false, c -> {
            dialect.releaseLease(c, lease);
            return null;
        });
    }

    @Override
    public Optional<SessionLease> lease(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read("read the lease of", sessionId, c -> dialect.lease(c, sessionId));
    }

    @Override
    public void addItems(SessionLease lease, List<Item> items) {
        List<String> json = encodeAll(lease.sessionId(), items);
        fenced("add items to", lease, true, c -> {
            if (!holds(c, lease)) {
                return false;
            }
            if (!json.isEmpty()) {
                dialect.appendItems(c, lease.sessionId(), json, System.currentTimeMillis());
            }
            return true;
        });
    }

    @Override
    public boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items) {
        Objects.requireNonNull(writeKey, "writeKey");
        List<String> json = encodeAll(lease.sessionId(), items);
        String what = "add items (write '" + writeKey + "') to";
        PostgresSessionBatches batches = dialect.sessionBatches();
        Boolean added = batches != null
                ? batches.addItemsOnce(what, subject(lease.sessionId()), new PostgresSessionBatches.AddItems(lease, writeKey, json))
                : write(what, lease.sessionId(), true,
                        c -> holds(c, lease) ? addOnce(c, lease.sessionId(), writeKey, json) : null);
        if (added == null) {
            throw SessionLeases.lost(lease, "add items to");
        }
        return added;
    }

    /** One statement: the upsert takes its row from the lease row, so it writes nothing unless {@code lease} holds the session. */
    @Override
    public void setActiveAgent(SessionLease lease, String agentName) {
        Objects.requireNonNull(agentName, "agentName");
        PostgresSessionBatches batches = dialect.sessionBatches();
        if (batches != null) {
            fenced("set the active agent of", lease, batches.setActiveAgent("set the active agent of",
                    subject(lease.sessionId()), new PostgresSessionBatches.ActiveAgent(lease, agentName)));
            return;
        }
        fenced("set the active agent of", lease, false,
                c -> dialect.upsertActiveAgentIfHeld(c, lease, agentName, System.currentTimeMillis()));
    }

    /** One statement, as {@link #setActiveAgent(SessionLease, String)} is. */
    @Override
    public void recordUsage(SessionLease lease, String runId, Usage usage, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(at, "at");
        PostgresSessionBatches batches = dialect.sessionBatches();
        if (batches != null) {
            fenced("record usage on", lease, batches.recordUsage("record usage on", subject(lease.sessionId()),
                    new PostgresSessionBatches.Usage(lease, runId, JournalCodec.usage(usage), at.toEpochMilli())));
            return;
        }
        fenced("record usage on", lease, false, c -> {
            PreparedStatement ps = c.prepare(fencedUsage);
            ps.setString(1, runId);
            ps.setString(2, JournalCodec.usage(usage));
            ps.setLong(3, at.toEpochMilli());
            ps.setString(4, lease.sessionId());
            ps.setString(5, lease.owner());
            ps.setLong(6, lease.token());
            return ps.executeUpdate() > 0;
        });
    }

    /** Runs a write under {@code lease}, which returns whether the lease held; one that did not fails with {@link dev.baton.SessionLeaseLost}. */
    private void fenced(String what, SessionLease lease, boolean transaction, Dialect.Work<Boolean> work) {
        fenced(what, lease, write(what, lease.sessionId(), transaction, work));
    }

    private static void fenced(String what, SessionLease lease, boolean held) {
        if (!held) {
            throw SessionLeases.lost(lease, what);
        }
    }

    /** Within a write: whether {@code lease} still holds the session. */
    private boolean holds(Statements c, SessionLease lease) throws SQLException {
        PreparedStatement ps = c.prepare(leaseHolder);
        ps.setString(1, lease.sessionId());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getLong(2) == lease.token() && lease.owner().equals(rs.getString(1));
        }
    }

    /**
     * Closes the store's connections. Later calls fail with a {@link StoreException}. Closing
     * twice is harmless.
     */
    @Override
    public void close() {
        dialect.close();
    }

    // --- plumbing ---------------------------------------------------------------------------

    private <T> T write(String what, String sessionId, boolean transaction, Dialect.Work<T> work) {
        return dialect.write(what, subject(sessionId), transaction, work);
    }

    private <T> T read(String what, String sessionId, Dialect.Work<T> work) {
        return dialect.read(what, subject(sessionId), work);
    }

    private List<String> encodeAll(String sessionId, List<Item> items) {
        List<Item> copy = List.copyOf(items); // rejects null items before anything changes
        List<String> json = new ArrayList<>(copy.size());
        for (Item item : copy) {
            try {
                json.add(Codec.ITEM_WRITER.writeValueAsString(item));
            } catch (JsonProcessingException e) {
                throw new StoreException(dialect.database(), "Cannot store an item of session '" + sessionId + "' in "
                        + dialect.store() + " as JSON: " + dialect.describe(e), e);
            }
        }
        return json;
    }

    private Item decode(String sessionId, long position, @Nullable String json) {
        if (json == null) {
            throw corrupt(sessionId, position, "the item is NULL", null);
        }
        try {
            Item item = Codec.ITEM_READER.readValue(json);
            if (item == null) {
                throw corrupt(sessionId, position, "the item is JSON null", null);
            }
            return item;
        } catch (JsonProcessingException e) {
            throw corrupt(sessionId, position, "the item does not decode: " + e.getOriginalMessage(), e);
        }
    }

    private StoreException corrupt(String sessionId, long position, String why, @Nullable Throwable cause) {
        return new StoreException(dialect.database(), capitalized(dialect.store())
                + " has a corrupted row in table session_items for session '" + sessionId + "' at position " + position
                + ": " + why, cause);
    }

    static String capitalized(String text) {
        return PostgresDatabase.capitalized(text);
    }

    private static String subject(String sessionId) {
        return "session '" + sessionId + "'";
    }
}
