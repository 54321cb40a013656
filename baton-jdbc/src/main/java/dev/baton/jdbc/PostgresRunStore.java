package dev.baton.jdbc;

import static dev.baton.jdbc.RunRows.APPROVALS;
import static dev.baton.jdbc.RunRows.APPROVAL_COLUMNS;
import static dev.baton.jdbc.RunRows.EFFECTS;
import static dev.baton.jdbc.RunRows.EFFECT_COLUMNS;
import static dev.baton.jdbc.RunRows.EVENTS;
import static dev.baton.jdbc.RunRows.EVENT_COLUMNS;
import static dev.baton.jdbc.RunRows.RUNS;
import static dev.baton.jdbc.RunRows.RUN_COLUMNS;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 */
public final class PostgresRunStore implements RunStore {

    /** How long a call waits for a connection from the pool (and so for an unreachable server) before it fails. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = PostgresSessionStore.DEFAULT_CONNECTION_TIMEOUT;

    private static final String KIND = "PostgreSQL run store";
    private static final String NOT_ENDED = "status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')";
    /** Free to take for {@code ?} (now): no owner, an owner with no lease time, or a lease that ended before now. */
    private static final String UNLEASED = "(owner IS NULL OR lease_until IS NULL OR lease_until < ?)";
    /** Running, and free to take for {@code ?} (now). */
    private static final String FREE = "status = 'RUNNING' AND " + UNLEASED;

    private final PostgresDatabase database;
    private final RunRows rows;
    private final PostgresNotifier notifier;

    private PostgresRunStore(PostgresDatabase database) {
        this.database = database;
        this.rows = new RunRows(database.url(), database.store());
        this.notifier = new PostgresNotifier(database);
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

    // ---- runs

    @Override
    public void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        boolean created = call("create", run.id(), false, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + RUNS + " (" + RUN_COLUMNS + ") VALUES ("
                    + placeholders(RunRows.RUN_COLUMN_COUNT) + ") ON CONFLICT (id) DO NOTHING")) {
                rows.bindRun(ps, 1, run);
                return ps.executeUpdate() == 1;
            }
        });
        if (!created) {
            throw new IllegalArgumentException("Run '" + run.id() + "' already exists in " + database.store());
        }
    }

    @Override
    public Optional<RunRecord> findRun(String runId) {
        Objects.requireNonNull(runId, "runId");
        return call("read", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM " + RUNS + " WHERE id = ?")) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rows.run(rs)) : Optional.<RunRecord>empty();
                }
            }
        });
    }

    @Override
    public List<RunRecord> listRuns(RunQuery query) {
        Objects.requireNonNull(query, "query");
        return callFor("list the runs (" + query + ")", false, c -> {
            RunFilter filter = RunFilter.of(query);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM " + RUNS + " WHERE "
                    + filter.where() + " ORDER BY created_at DESC, seq DESC LIMIT ?")) {
                int next = filter.bind(ps, 1);
                ps.setInt(next, query.limit());
                return readAll(ps, rows::run);
            }
        });
    }

    @Override
    public boolean updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        return call("update", run.id(), false, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS + " SET current_agent = ?, status = ?, "
                    + "final_output = ?, error = ?, usage = ?, paused_state = ?, updated_at = ? "
                    + "WHERE id = ? AND " + NOT_ENDED + " AND (owner IS NULL OR owner = ?)")) {
                int i = rows.bindRunOutcome(ps, 1, run);
                ps.setString(i++, run.id());
                ps.setString(i, run.owner());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            PostgresNotifier.notify(c, List.of(run.id()));
            return true;
        });
    }

    /** The outcome first (fenced as {@link #updateRun}); then, only if it was written, the last events; one transaction. */
    @Override
    public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
        Objects.requireNonNull(run, "run");
        List<RecordedEvent> copy = List.copyOf(events);
        boolean release = run.status() != dev.baton.durable.RunStatus.RUNNING;
        return call("finish", run.id(), true, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS + " SET current_agent = ?, status = ?, "
                    + "final_output = ?, error = ?, usage = ?, paused_state = ?, updated_at = ?"
                    + (release ? ", owner = NULL, lease_until = NULL" : "")
                    + " WHERE id = ? AND " + NOT_ENDED + " AND (owner IS NULL OR owner = ?)")) {
                int i = rows.bindRunOutcome(ps, 1, run);
                ps.setString(i++, run.id());
                ps.setString(i, run.owner());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            insertEvents(c, copy); // notifies the run's readers when there are events
            if (copy.isEmpty()) {
                PostgresNotifier.notify(c, List.of(run.id()));
            }
            if (run.status() == dev.baton.durable.RunStatus.PAUSED) {
                // Every approval decided while the pause was written: resumable at once, as decide leaves it. The update
                // above holds the run's row, which decide locks first, so a decision commits wholly before or after it.
                try (PreparedStatement resume = c.prepareStatement(RESUME_IF_DECIDED)) {
                    RunRows.setInstant(resume, 1, run.updatedAt());
                    resume.setString(2, run.id());
                    resume.setString(3, run.id());
                    resume.executeUpdate();
                }
            }
            return true;
        });
    }

    private static final String RESUME_IF_DECIDED = "UPDATE " + RUNS + " SET status = 'RUNNING', owner = NULL, "
            + "lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'PAUSED' AND NOT EXISTS (SELECT 1 FROM "
            + APPROVALS + " WHERE run_id = ? AND status = 'PENDING')";

    @Override
    public boolean updateCurrentAgent(String runId, String currentAgent, String owner, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(at, "at");
        return call("update the current agent of", runId, false, c -> setCurrentAgent(c, runId, currentAgent, owner, at));
    }

    /** The agent holding a running run, written only by the owner of its lease. */
    private static boolean setCurrentAgent(java.sql.Connection c, String runId, String currentAgent, String owner, Instant at)
            throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS + " SET current_agent = ?, updated_at = ? "
                + "WHERE id = ? AND status = 'RUNNING' AND owner = ?")) {
            ps.setString(1, currentAgent);
            RunRows.setInstant(ps, 2, at);
            ps.setString(3, runId);
            ps.setString(4, owner);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public boolean cancelRun(String runId, String reason, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        // One transaction, the run's row locked first (as decide does): a cancelled run waits for no reviewer.
        return call("cancel", runId, true, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS
                    + " SET status = 'CANCELLED', error = ?, updated_at = ? WHERE id = ? AND " + NOT_ENDED)) {
                ps.setString(1, reason);
                RunRows.setInstant(ps, 2, at);
                ps.setString(3, runId);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + APPROVALS
                    + " SET status = 'REJECTED', message = ?, decided_at = ? WHERE run_id = ? AND status = 'PENDING'")) {
                ps.setString(1, reason);
                RunRows.setInstant(ps, 2, at);
                ps.setString(3, runId);
                ps.executeUpdate();
            }
            PostgresNotifier.notify(c, List.of(runId));
            return true;
        });
    }

    @Override
    public boolean markResumable(String runId, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        return call("mark resumable", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS + " SET status = 'RUNNING', owner = NULL, "
                    + "lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'PAUSED'")) {
                RunRows.setInstant(ps, 1, at);
                ps.setString(2, runId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    // ---- leases

    @Override
    public boolean claim(String runId, String owner, Instant now, Instant leaseUntil) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return call("claim", runId, false, c -> {
            // One statement: a concurrent claimer waits for this row lock, then re-checks the condition and finds it taken.
            // Only a running run, even for its owner.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS + " SET owner = ?, lease_until = ? "
                    + "WHERE id = ? AND status = 'RUNNING' AND (owner = ? OR " + UNLEASED + ")")) {
                ps.setString(1, owner);
                RunRows.setInstant(ps, 2, leaseUntil);
                ps.setString(3, runId);
                ps.setString(4, owner);
                RunRows.setInstant(ps, 5, now);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<String> claimable(Instant now, java.util.Set<String> applications, int limit) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(applications, "applications");
        List<String> apps = applications.stream().sorted().toList();
        return callFor("list the claimable runs", false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + RUNS + " WHERE " + FREE
                    + (apps.isEmpty() ? "" : " AND application IN (" + placeholders(apps.size()) + ")")
                    + " ORDER BY created_at, seq LIMIT ?")) {
                int i = 1;
                RunRows.setInstant(ps, i++, now);
                for (String app : apps) {
                    ps.setString(i++, app);
                }
                ps.setInt(i, Math.max(0, limit));
                return readAll(ps, rs -> rs.getString(1));
            }
        });
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return callFor("renew the leases of owner '" + owner + "'", false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE " + RUNS + " SET lease_until = ? WHERE owner = ? AND status = 'RUNNING'")) {
                RunRows.setInstant(ps, 1, leaseUntil);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean recordGraph(String runId, java.util.Map<String, String> graph, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(owner, "owner");
        return call("record the graph of", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + RUNS
                    + " SET graph = ? WHERE id = ? AND status = 'RUNNING' AND owner = ? AND graph = '{}'")) {
                ps.setString(1, dev.baton.durable.JournalCodec.graph(graph));
                ps.setString(2, runId);
                ps.setString(3, owner);
                return ps.executeUpdate();
            }
        }) == 1;
    }

    @Override
    public void release(String runId, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        call("release", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE " + RUNS + " SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?")) {
                ps.setString(1, runId);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    // ---- journal

    @Override
    public void recordEffect(Effect effect) {
        Objects.requireNonNull(effect, "effect");
        call("record effect '" + effect.key() + "' of", effect.runId(), false, c -> upsertEffect(c, effect));
    }

    /** The events and the effect in one transaction. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect) {
        Objects.requireNonNull(effect, "effect");
        List<RecordedEvent> copy = List.copyOf(events);
        call("record effect '" + effect.key() + "' of", effect.runId(), true, c -> {
            insertEvents(c, copy);
            return upsertEffect(c, effect);
        });
    }

    /** The events, the effect and the current agent in one transaction. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        List<RecordedEvent> copy = List.copyOf(events);
        call("record effect '" + effect.key() + "' of", effect.runId(), true, c -> {
            insertEvents(c, copy);
            upsertEffect(c, effect);
            return setCurrentAgent(c, effect.runId(), currentAgent, owner,
                    effect.finishedAt() != null ? effect.finishedAt() : effect.startedAt());
        });
    }

    private int upsertEffect(java.sql.Connection c, Effect effect) throws java.sql.SQLException {
        // A replaced effect keeps its row, so its seq: its place in the order of first recording.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + EFFECTS + " (" + EFFECT_COLUMNS + ") VALUES ("
                + placeholders(RunRows.EFFECT_COLUMN_COUNT) + ") ON CONFLICT (run_id, effect_key) DO UPDATE SET "
                + "kind = excluded.kind, status = excluded.status, agent = excluded.agent, name = excluded.name, "
                + "request = excluded.request, result = excluded.result, attempts = excluded.attempts, "
                + "started_at = excluded.started_at, finished_at = excluded.finished_at, usage = excluded.usage")) {
            rows.bindEffect(ps, 1, effect);
            return ps.executeUpdate();
        }
    }

    @Override
    public List<Effect> effects(String runId) {
        Objects.requireNonNull(runId, "runId");
        return call("read the effects of", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + EFFECT_COLUMNS + " FROM " + EFFECTS + " WHERE run_id = ? ORDER BY seq")) {
                ps.setString(1, runId);
                return readAll(ps, rows::effect);
            }
        });
    }

    @Override
    public void appendEvents(List<RecordedEvent> events) {
        List<RecordedEvent> copy = List.copyOf(events);
        if (copy.isEmpty()) {
            return;
        }
        callFor("append " + copy.size() + " events to " + runs(copy.stream().map(RecordedEvent::runId).toList()), true, c -> {
            insertEvents(c, copy);
            return null;
        });
    }

    private void insertEvents(java.sql.Connection c, List<RecordedEvent> events) throws java.sql.SQLException {
        if (events.isEmpty()) {
            return;
        }
        // Sent at commit, and only if the events are: readers of these runs are woken by the write itself.
        PostgresNotifier.notify(c, events.stream().map(RecordedEvent::runId).toList());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + EVENTS + " (" + EVENT_COLUMNS + ") VALUES ("
                + placeholders(RunRows.EVENT_COLUMN_COUNT) + ") ON CONFLICT (run_id, seq) DO NOTHING")) {
            for (RecordedEvent event : events) {
                rows.bindEvent(ps, 1, event);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<RecordedEvent> events(String runId, long fromSeq, int limit) {
        Objects.requireNonNull(runId, "runId");
        return call("read the events of", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + EVENT_COLUMNS + " FROM " + EVENTS
                    + " WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?")) {
                ps.setString(1, runId);
                ps.setLong(2, fromSeq);
                ps.setInt(3, Math.max(0, limit));
                return readAll(ps, rows::event);
            }
        });
    }

    // ---- approvals

    @Override
    public void requestApprovals(List<Approval> approvals) {
        List<Approval> copy = List.copyOf(approvals);
        if (copy.isEmpty()) {
            return;
        }
        callFor("request " + copy.size() + " approvals of " + runs(copy.stream().map(Approval::runId).toList()), true, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + APPROVALS + " (" + APPROVAL_COLUMNS + ") VALUES ("
                    + placeholders(RunRows.APPROVAL_COLUMN_COUNT) + ") ON CONFLICT (run_id, turn, call_id) DO NOTHING")) {
                for (Approval approval : copy) {
                    rows.bindApproval(ps, 1, approval);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<Approval> approvals(String runId) {
        Objects.requireNonNull(runId, "runId");
        return call("read the approvals of", runId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + APPROVAL_COLUMNS + " FROM " + APPROVALS + " WHERE run_id = ? ORDER BY seq")) {
                ps.setString(1, runId);
                return readAll(ps, rows::approval);
            }
        });
    }

    @Override
    public List<Approval> pendingApprovals(int limit) {
        return callFor("list the pending approvals", false, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + APPROVAL_COLUMNS + " FROM " + APPROVALS
                    + " WHERE status = 'PENDING' ORDER BY requested_at, seq LIMIT ?")) {
                ps.setInt(1, Math.max(0, limit));
                return readAll(ps, rows::approval);
            }
        });
    }

    @Override
    public Optional<Approval> decide(String runId, String callId, boolean approved, @Nullable String message, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(at, "at");
        return call("decide approval '" + callId + "' of", runId, true, c -> {
            // The run's row is locked first, so decisions of one run take turns: of two approvals decided at once, the
            // second decision sees the first committed and resumes the run (read committed: each statement sees what
            // was committed before it began). cancelRun takes the same lock first, so the two never deadlock.
            try (PreparedStatement lock = c.prepareStatement("SELECT 1 FROM " + RUNS + " WHERE id = ? FOR UPDATE")) {
                lock.setString(1, runId);
                lock.executeQuery().close();
            }
            Long seq = null;
            try (PreparedStatement update = c.prepareStatement("UPDATE " + APPROVALS + " SET status = ?, message = ?, "
                    + "decided_at = ? WHERE run_id = ? AND status = 'PENDING' AND seq = (SELECT seq FROM " + APPROVALS
                    + " WHERE run_id = ? AND call_id = ? AND status = 'PENDING' ORDER BY seq DESC LIMIT 1) RETURNING seq")) {
                update.setString(1, (approved ? Approval.Status.APPROVED : Approval.Status.REJECTED).name());
                update.setString(2, message);
                RunRows.setInstant(update, 3, at);
                update.setString(4, runId);
                update.setString(5, runId);
                update.setString(6, callId);
                try (ResultSet rs = update.executeQuery()) {
                    if (rs.next()) {
                        seq = rs.getLong(1);
                    }
                }
            }
            if (seq == null) {
                // Nothing pending: the latest approval with this call id, as it is.
                try (PreparedStatement read = c.prepareStatement("SELECT " + APPROVAL_COLUMNS + " FROM " + APPROVALS
                        + " WHERE run_id = ? AND call_id = ? ORDER BY seq DESC LIMIT 1")) {
                    read.setString(1, runId);
                    read.setString(2, callId);
                    return single(read);
                }
            }
            // In the same transaction: a paused run that waits for no approval any more is free for a worker to claim.
            try (PreparedStatement resume = c.prepareStatement("UPDATE " + RUNS + " SET status = 'RUNNING', owner = NULL, "
                    + "lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'PAUSED' AND NOT EXISTS (SELECT 1 FROM "
                    + APPROVALS + " WHERE run_id = ? AND status = 'PENDING')")) {
                RunRows.setInstant(resume, 1, at);
                resume.setString(2, runId);
                resume.setString(3, runId);
                resume.executeUpdate();
            }
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT " + APPROVAL_COLUMNS + " FROM " + APPROVALS + " WHERE run_id = ? AND seq = ?")) {
                read.setString(1, runId);
                read.setLong(2, seq);
                return single(read);
            }
        });
    }

    /**
     * Closes the pool the store opened (a data source given to {@link #open(DataSource)} stays
     * open). Later calls fail with a {@link StoreException}. Closing twice is harmless.
     */
    @Override
    public void close() {
        notifier.close();
        database.close();
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
    public dev.baton.durable.RunNotifier notifier() {
        return notifier;
    }

    @Override
    public String toString() {
        return "PostgresRunStore[" + database.url() + "]";
    }

    // --- calls ------------------------------------------------------------------------------

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private Optional<Approval> single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rows.approval(rs)) : Optional.<Approval>empty();
        }
    }

    private static <T> List<T> readAll(PreparedStatement ps, RowReader<T> reader) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(reader.read(rs));
            }
        }
        return List.copyOf(out);
    }

    /** Runs {@code work} for one run, as one transaction or as auto-committed statements. */
    private <T> T call(String what, String runId, boolean transaction, PostgresDatabase.Work<T> work) {
        return run(what + " run '" + runId + "'", transaction, work);
    }

    private <T> T callFor(String what, boolean transaction, PostgresDatabase.Work<T> work) {
        return run(what, transaction, work);
    }

    private <T> T run(String what, boolean transaction, PostgresDatabase.Work<T> work) {
        if (database.isClosed()) {
            throw new StoreException(database.url(), "Cannot " + what + ": " + database.store() + " is closed", null);
        }
        try {
            return transaction ? database.transaction(work) : database.autoCommit(work);
        } catch (SQLException e) {
            throw new StoreException(database.url(), PostgresDatabase.capitalized(database.store()) + " failed to " + what
                    + ": " + PostgresDatabase.describe(e), e);
        }
    }

    /** Names the runs for a message: {@code run 'a'}, {@code runs 'a', 'b'}, {@code runs 'a', 'b', 'c' and 2 more}. */
    private static String runs(List<String> ids) {
        List<String> distinct = ids.stream().distinct().toList();
        String named = "'" + String.join("', '", distinct.subList(0, Math.min(3, distinct.size()))) + "'";
        return (distinct.size() == 1 ? "run " : "runs ") + named
                + (distinct.size() > 3 ? " and " + (distinct.size() - 3) + " more" : "");
    }

    private static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }
}
