package dev.baton.jdbc;

import dev.baton.session.SessionLease;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The session writes every journaled turn makes, batched across the turns waiting at one moment
 * ({@link PostgresBatcher}): taking the session's lease, reading its items, adding items under a
 * write key, and the end of the turn (active agent, usage, lease given back). Each kind has one
 * statement for a batch, taking its rows as arrays ({@code unnest}), and one for a write alone,
 * which a failed batch falls back to. Fences are the same in both: a write is made only while its
 * lease holds the session.
 */
final class PostgresSessionBatches {

    // ---- a session's items under a write key, fenced by its lease

    /**
     * A write alone. The lease row is locked {@code FOR SHARE} (a takeover waits), the key inserted
     * only under the lease, the positions reserved and the items inserted only for a new key.
     */
    private static final String ADD_ITEMS_ONE = """
            WITH lease AS (
                SELECT 1 FROM session_leases WHERE session_id = ? AND owner = ? AND token = ? FOR SHARE),
            write AS (
                INSERT INTO session_writes (session_id, write_key) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM lease)
                ON CONFLICT DO NOTHING RETURNING 1),
            reserved AS (
                INSERT INTO sessions AS s (session_id, next_position) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM write) AND ? > 0
                ON CONFLICT (session_id) DO UPDATE SET next_position = s.next_position + excluded.next_position, updated_at = now()
                RETURNING next_position),
            items AS (
                INSERT INTO session_items (session_id, position, item)
                SELECT ?, r.next_position - ? + i.n, i.item FROM reserved r, unnest(?::text[]) WITH ORDINALITY AS i(item, n))
            SELECT (SELECT count(*) FROM lease), (SELECT count(*) FROM write)""";
    /**
     * A batch of writes to different sessions: the same steps, each joined on its session (joins, not
     * a subquery per row, which would scan the lease and write results once for every write). A key
     * written before (a replayed turn) fails the batch, which is sent again as
     * {@link #ADD_ITEMS_ALL_SKIPPING}: checking every key for a conflict first costs an index
     * lookup that only replays need (decision 62).
     */
    private static final String ADD_ITEMS_ALL = """
            WITH req AS (
                SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[])
                    WITH ORDINALITY AS r(session_id, owner, token, write_key, n, ord)),
            lease AS (
                SELECT r.session_id FROM req r JOIN session_leases l
                    ON l.session_id = r.session_id AND l.owner = r.owner AND l.token = r.token
                WHERE l.session_id = ANY (?::text[]) FOR SHARE OF l),
            write AS (
                INSERT INTO session_writes (session_id, write_key)
                SELECT r.session_id, r.write_key FROM req r JOIN lease USING (session_id)
                RETURNING session_id),
            reserved AS (
                INSERT INTO sessions AS s (session_id, next_position)
                SELECT r.session_id, r.n FROM req r JOIN write USING (session_id) WHERE r.n > 0
                ON CONFLICT (session_id) DO UPDATE SET next_position = s.next_position + excluded.next_position, updated_at = now()
                RETURNING session_id, next_position),
            items AS (
                INSERT INTO session_items (session_id, position, item)
                SELECT i.session_id, v.next_position - r.n + i.k, i.item
                FROM unnest(?::text[], ?::bigint[], ?::text[]) AS i(session_id, k, item)
                JOIN reserved v USING (session_id) JOIN req r USING (session_id))
            SELECT r.ord, l.session_id IS NOT NULL, w.session_id IS NOT NULL
            FROM req r LEFT JOIN lease l USING (session_id) LEFT JOIN write w USING (session_id) ORDER BY r.ord""";
    private static final String ADD_ITEMS_ALL_SKIPPING = PostgresBatcher.changed(ADD_ITEMS_ALL, "RETURNING session_id),",
            "ON CONFLICT DO NOTHING RETURNING session_id),");

    record AddItems(SessionLease lease, String writeKey, List<String> json) {}

    /** Null when the lease lost the session, else whether the key was new. */
    private static final PostgresBatcher.Kind<AddItems, @Nullable Boolean> ADD_ITEMS = new PostgresBatcher.Kind<>() {
        @Override
        public List<@Nullable Boolean> all(Statements c, List<AddItems> writes) throws SQLException {
            return batch(c, writes, ADD_ITEMS_ALL);
        }

        @Override
        public List<@Nullable Boolean> allSkippingExisting(Statements c, List<AddItems> writes) throws SQLException {
            return batch(c, writes, ADD_ITEMS_ALL_SKIPPING);
        }

        private List<@Nullable Boolean> batch(Statements c, List<AddItems> writes, String sql) throws SQLException {
            int n = writes.size();
            Object[][] req = new Object[5][n];
            List<Object> itemSessions = new ArrayList<>();
            List<Object> itemPlaces = new ArrayList<>();
            List<Object> items = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                AddItems w = writes.get(k);
                String session = w.lease().sessionId();
                req[0][k] = session;
                req[1][k] = w.lease().owner();
                req[2][k] = w.lease().token();
                req[3][k] = w.writeKey();
                req[4][k] = (long) w.json().size();
                for (int j = 0; j < w.json().size(); j++) {
                    itemSessions.add(session);
                    itemPlaces.add((long) j + 1);
                    items.add(w.json().get(j));
                }
            }
            PreparedStatement ps = c.prepare(sql);
            PgArrays.bind(ps, 1, "text", req[0]);
            PgArrays.bind(ps, 2, "text", req[1]);
            PgArrays.bind(ps, 3, "bigint", req[2]);
            PgArrays.bind(ps, 4, "text", req[3]);
            PgArrays.bind(ps, 5, "bigint", req[4]);
            PgArrays.bind(ps, 6, "text", req[0]);
            PgArrays.bind(ps, 7, "text", itemSessions.toArray());
            PgArrays.bind(ps, 8, "bigint", itemPlaces.toArray());
            PgArrays.bind(ps, 9, "text", items.toArray());
            List<@Nullable Boolean> out = new ArrayList<>(n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBoolean(2) ? Boolean.valueOf(rs.getBoolean(3)) : null);
                }
            }
            return out;
        }

        @Override
        public @Nullable Boolean one(Statements c, AddItems w) throws SQLException {
            PreparedStatement ps = c.prepare(ADD_ITEMS_ONE);
            SessionLease lease = w.lease();
            String session = lease.sessionId();
            int size = w.json().size();
            ps.setString(1, session);
            ps.setString(2, lease.owner());
            ps.setLong(3, lease.token());
            ps.setString(4, session);
            ps.setString(5, w.writeKey());
            ps.setString(6, session);
            ps.setLong(7, size);
            ps.setLong(8, size);
            ps.setString(9, session);
            ps.setLong(10, size);
            PgArrays.bind(ps, 11, "text", w.json().toArray());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0 ? null : rs.getLong(2) > 0;
            }
        }

        @Override
        public Object key(AddItems w) {
            return w.lease().sessionId();
        }
    };

    // ---- the end of a turn on a session: each fenced by the lease, so a lost lease writes nothing

    /** The upsert takes its row from the lease row, locked {@code FOR SHARE}. */
    private static final String ACTIVE_AGENT_ONE = """
            INSERT INTO sessions (session_id, active_agent)
            SELECT session_id, ? FROM session_leases WHERE session_id = ? AND owner = ? AND token = ? FOR SHARE
            ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = now()""";
    private static final String ACTIVE_AGENT_ALL = """
            INSERT INTO sessions (session_id, active_agent)
            SELECT l.session_id, r.agent FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[]) AS r(session_id, owner, token, agent)
                JOIN session_leases l ON l.session_id = r.session_id AND l.owner = r.owner AND l.token = r.token
            WHERE l.session_id = ANY (?::text[])
            FOR SHARE OF l
            ON CONFLICT (session_id) DO UPDATE SET active_agent = excluded.active_agent, updated_at = now()
            RETURNING session_id""";

    record ActiveAgent(SessionLease lease, String agent) {}

    /** Whether the lease held (and so the agent was written). */
    static final PostgresBatcher.Kind<ActiveAgent, Boolean> ACTIVE_AGENT = new PostgresBatcher.Kind<>() {
        @Override
        public List<Boolean> all(Statements c, List<ActiveAgent> writes) throws SQLException {
            PreparedStatement ps = c.prepare(ACTIVE_AGENT_ALL);
            int i = bindLeases(ps, 1, writes.stream().map(ActiveAgent::lease).toList());
            PgArrays.bind(ps, i++, "text", writes.stream().map(ActiveAgent::agent).toArray());
            PgArrays.bind(ps, i, "text", sessions(writes.stream().map(ActiveAgent::lease).toList()));
            return PostgresBatcher.named(ps, writes.stream().map(w -> w.lease().sessionId()).toList());
        }

        @Override
        public Boolean one(Statements c, ActiveAgent w) throws SQLException {
            PreparedStatement ps = c.prepare(ACTIVE_AGENT_ONE);
            ps.setString(1, w.agent());
            ps.setString(2, w.lease().sessionId());
            ps.setString(3, w.lease().owner());
            ps.setLong(4, w.lease().token());
            return ps.executeUpdate() > 0;
        }

        @Override
        public Object key(ActiveAgent w) {
            return w.lease().sessionId();
        }
    };

    private static final String USAGE_ONE = """
            INSERT INTO session_usage (session_id, run_id, usage, recorded_at)
            SELECT session_id, ?, ?, ? FROM session_leases WHERE session_id = ? AND owner = ? AND token = ? FOR SHARE
            ON CONFLICT (session_id, run_id) DO UPDATE SET usage = excluded.usage, recorded_at = excluded.recorded_at""";
    /** Rows in the order the writes came, so the session's usage reads back in that order. */
    private static final String USAGE_ALL = """
            INSERT INTO session_usage (session_id, run_id, usage, recorded_at)
            SELECT l.session_id, r.run_id, r.usage, r.at
            FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[]) WITH ORDINALITY
                AS r(session_id, owner, token, run_id, usage, at, ord)
                JOIN session_leases l ON l.session_id = r.session_id AND l.owner = r.owner AND l.token = r.token
            WHERE l.session_id = ANY (?::text[])
            ORDER BY r.ord
            FOR SHARE OF l
            ON CONFLICT (session_id, run_id) DO UPDATE SET usage = excluded.usage, recorded_at = excluded.recorded_at
            RETURNING session_id""";

    record Usage(SessionLease lease, String runId, String usage, long at) {}

    private static final PostgresBatcher.Kind<Usage, Boolean> USAGE = new PostgresBatcher.Kind<>() {
        @Override
        public List<Boolean> all(Statements c, List<Usage> writes) throws SQLException {
            PreparedStatement ps = c.prepare(USAGE_ALL);
            int i = bindLeases(ps, 1, writes.stream().map(Usage::lease).toList());
            PgArrays.bind(ps, i++, "text", writes.stream().map(Usage::runId).toArray());
            PgArrays.bind(ps, i++, "text", writes.stream().map(Usage::usage).toArray());
            PgArrays.bind(ps, i++, "bigint", writes.stream().map(Usage::at).toArray());
            PgArrays.bind(ps, i, "text", sessions(writes.stream().map(Usage::lease).toList()));
            return PostgresBatcher.named(ps, writes.stream().map(w -> w.lease().sessionId()).toList());
        }

        @Override
        public Boolean one(Statements c, Usage w) throws SQLException {
            PreparedStatement ps = c.prepare(USAGE_ONE);
            ps.setString(1, w.runId());
            ps.setString(2, w.usage());
            ps.setLong(3, w.at());
            ps.setString(4, w.lease().sessionId());
            ps.setString(5, w.lease().owner());
            ps.setLong(6, w.lease().token());
            return ps.executeUpdate() > 0;
        }

        @Override
        public Object key(Usage w) {
            return w.lease().sessionId();
        }
    };

    /** An expiry of {@code -infinity}: ended, and never renewed. */
    private static final String RELEASE_ONE =
            "UPDATE session_leases SET expires_at = '-infinity' WHERE session_id = ? AND owner = ? AND token = ?";
    private static final String RELEASE_ALL = """
            UPDATE session_leases l SET expires_at = '-infinity'
            FROM unnest(?::text[], ?::text[], ?::bigint[]) AS r(session_id, owner, token)
            WHERE l.session_id = r.session_id AND l.owner = r.owner AND l.token = r.token
                AND l.session_id = ANY (?::text[])""";

    static final PostgresBatcher.Kind<SessionLease, Void> RELEASE = new PostgresBatcher.Kind<>() {
        @Override
        public List<Void> all(Statements c, List<SessionLease> leases) throws SQLException {
            PreparedStatement ps = c.prepare(RELEASE_ALL);
            int i = bindLeases(ps, 1, leases);
            PgArrays.bind(ps, i, "text", sessions(leases));
            ps.executeUpdate();
            return Collections.nCopies(leases.size(), null);
        }

        @Override
        public Void one(Statements c, SessionLease lease) throws SQLException {
            PreparedStatement ps = c.prepare(RELEASE_ONE);
            ps.setString(1, lease.sessionId());
            ps.setString(2, lease.owner());
            ps.setLong(3, lease.token());
            ps.executeUpdate();
            return null;
        }

        @Override
        public Object key(SessionLease lease) {
            return lease.sessionId();
        }
    };

    /**
     * The sessions of {@code leases} as one array, for a {@code session_id = ANY (?)} condition on a table the batch joins:
     * with it the plan looks the batch's rows up by key, whatever it guesses of the arrays' length. Without it, a plan
     * cached while the table was small joined by scanning the whole table on every batch.
     */
    private static Object[] sessions(List<SessionLease> leases) {
        return leases.stream().map(SessionLease::sessionId).toArray();
    }

    /** Binds the leases as three arrays (session, owner, token) from {@code from} on. */
    private static int bindLeases(PreparedStatement ps, int from, List<SessionLease> leases) throws SQLException {
        PgArrays.bind(ps, from, "text", leases.stream().map(SessionLease::sessionId).toArray());
        PgArrays.bind(ps, from + 1, "text", leases.stream().map(SessionLease::owner).toArray());
        PgArrays.bind(ps, from + 2, "bigint", leases.stream().map(SessionLease::token).toArray());
        return from + 3;
    }

    // ---- taking a session's lease, and reading its items at the start of a turn

    /** One upsert, which the row's lock makes atomic across connections: taken if free or expired. */
    private static final String LEASE_ONE = """
            INSERT INTO session_leases AS l (session_id, owner, token, expires_at)
            VALUES (?, ?, 1, clock_timestamp() + ? * interval '1 millisecond')
            ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner, token = l.token + 1,
                expires_at = excluded.expires_at
            WHERE l.expires_at <= clock_timestamp()
            RETURNING token, expires_at""";
    private static final String LEASE_ALL = """
            INSERT INTO session_leases AS l (session_id, owner, token, expires_at)
            SELECT r.session_id, r.owner, 1, clock_timestamp() + r.ttl * interval '1 millisecond'
                FROM unnest(?::text[], ?::text[], ?::bigint[]) AS r(session_id, owner, ttl)
            ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner, token = l.token + 1,
                expires_at = excluded.expires_at
            WHERE l.expires_at <= clock_timestamp()
            RETURNING session_id, token, expires_at""";

    record Lease(String sessionId, String owner, Duration ttl) {}

    static final PostgresBatcher.Kind<Lease, Optional<SessionLease>> LEASE = new PostgresBatcher.Kind<>() {
        @Override
        public List<Optional<SessionLease>> all(Statements c, List<Lease> writes) throws SQLException {
            PreparedStatement ps = c.prepare(LEASE_ALL);
            PgArrays.bind(ps, 1, "text", writes.stream().map(Lease::sessionId).toArray());
            PgArrays.bind(ps, 2, "text", writes.stream().map(Lease::owner).toArray());
            PgArrays.bind(ps, 3, "bigint", writes.stream().map(w -> w.ttl().toMillis()).toArray());
            Map<String, SessionLease> taken = new HashMap<>();
            Map<String, String> owners = new HashMap<>();
            for (Lease w : writes) {
                owners.put(w.sessionId(), w.owner());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String session = rs.getString(1);
                    taken.put(session, new SessionLease(session, owners.get(session), rs.getLong(2), instant(rs, 3)));
                }
            }
            List<Optional<SessionLease>> out = new ArrayList<>(writes.size());
            for (Lease w : writes) {
                out.add(Optional.ofNullable(taken.get(w.sessionId())));
            }
            return out;
        }

        @Override
        public Optional<SessionLease> one(Statements c, Lease w) throws SQLException {
            PreparedStatement ps = c.prepare(LEASE_ONE);
            ps.setString(1, w.sessionId());
            ps.setString(2, w.owner());
            ps.setLong(3, w.ttl().toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new SessionLease(w.sessionId(), w.owner(), rs.getLong(1), instant(rs, 2)))
                        : Optional.empty();
            }
        }

        @Override
        public Object key(Lease w) {
            return w.sessionId();
        }
    };

    /** A timestamp column as an instant; a missing one as the epoch. */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? Instant.EPOCH : at.toInstant();
    }

    /** A session's stored item: its position and its JSON. */
    record Stored(long position, @Nullable String json) {}

    private static final String ITEMS_ONE = "SELECT position, item FROM session_items WHERE session_id = ? ORDER BY position";
    private static final String ITEMS_ALL = """
            SELECT session_id, position, item FROM session_items WHERE session_id = ANY (?::text[])
            ORDER BY session_id, position""";

    /** All the items of each session asked for, in order. */
    private static final PostgresBatcher.Kind<String, List<Stored>> ITEMS = new PostgresBatcher.Kind<>() {
        @Override
        public List<List<Stored>> all(Statements c, List<String> sessions) throws SQLException {
            PreparedStatement ps = c.prepare(ITEMS_ALL);
            PgArrays.bind(ps, 1, "text", sessions.toArray());
            Map<String, List<Stored>> found = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.computeIfAbsent(rs.getString(1), s -> new ArrayList<>()).add(new Stored(rs.getLong(2), rs.getString(3)));
                }
            }
            List<List<Stored>> out = new ArrayList<>(sessions.size());
            for (String session : sessions) {
                out.add(found.getOrDefault(session, List.of()));
            }
            return out;
        }

        @Override
        public List<Stored> one(Statements c, String session) throws SQLException {
            PreparedStatement ps = c.prepare(ITEMS_ONE);
            ps.setString(1, session);
            return Statements.all(ps, rs -> new Stored(rs.getLong(1), rs.getString(2)));
        }

        @Override
        public Object key(String session) {
            return session;
        }
    };

    // ----

    private final PostgresBatcher<Lease, Optional<SessionLease>> leases;
    private final PostgresBatcher<String, List<Stored>> items;
    private final PostgresBatcher<AddItems, @Nullable Boolean> addItems;
    private final PostgresBatcher<ActiveAgent, Boolean> activeAgents;
    private final PostgresBatcher<Usage, Boolean> usage;
    private final PostgresBatcher<SessionLease, Void> releases;

    PostgresSessionBatches(PostgresDatabase database) {
        this.leases = new PostgresBatcher<>(database, "take session leases", LEASE);
        this.items = new PostgresBatcher<>(database, "read session items", ITEMS);
        this.addItems = new PostgresBatcher<>(database, "add session items", ADD_ITEMS);
        this.activeAgents = new PostgresBatcher<>(database, "set active agents", ACTIVE_AGENT);
        this.usage = new PostgresBatcher<>(database, "record usage", USAGE);
        this.releases = new PostgresBatcher<>(database, "release leases", RELEASE);
    }

    /** The most writes one statement carried so far: how tests see that writes were batched. */
    int largestAddItemsBatch() {
        return addItems.largestBatch();
    }

    int largestLeaseBatch() {
        return leases.largestBatch();
    }

    Optional<SessionLease> tryLease(String what, String subject, Lease write) {
        return leases.write(what, subject, write);
    }

    /** Every item of the session, in order, as stored. */
    List<Stored> items(String what, String subject, String sessionId) {
        return items.write(what, subject, sessionId);
    }

    @Nullable Boolean addItemsOnce(String what, String subject, AddItems write) {
        return addItems.write(what, subject, write);
    }

    boolean setActiveAgent(String what, String subject, ActiveAgent write) {
        return activeAgents.write(what, subject, write);
    }

    boolean recordUsage(String what, String subject, Usage write) {
        return usage.write(what, subject, write);
    }

    void release(String what, String subject, SessionLease lease) {
        releases.write(what, subject, lease);
    }
}
