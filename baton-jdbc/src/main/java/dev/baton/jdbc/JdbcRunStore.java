package dev.baton.jdbc;

import static dev.baton.jdbc.RunRows.APPROVAL_COLUMNS;
import static dev.baton.jdbc.RunRows.EFFECT_COLUMNS;
import static dev.baton.jdbc.RunRows.EVENT_COLUMNS;
import static dev.baton.jdbc.RunRows.RUN_COLUMNS;

import dev.baton.durable.Approval;
import dev.baton.durable.Decision;
import dev.baton.durable.Effect;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunNotifier;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one run store over JDBC: the operations of {@link RunStore}, their fencing and lease rules,
 * the row mapping and the messages, written once for every {@link Dialect}. Its two public faces,
 * {@link SqliteRunStore} and {@link PostgresRunStore}, only open a database and pick its dialect.
 *
 * <p>Each method is one statement or one transaction. Writes that change a run are fenced by the
 * run's status and owner in their {@code WHERE} clause, never by a read before them, so of two
 * writers racing exactly one wins on either database. Lease operations use the instants the
 * caller gives, never the database clock; a run whose owner has no lease time counts as having an
 * expired lease.
 */
abstract sealed class JdbcRunStore implements RunStore permits SqliteRunStore, PostgresRunStore {

    private static final String NOT_ENDED = "status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')";

    private static final String INSERT_RUN = "INSERT INTO runs (" + RUN_COLUMNS + ") VALUES ("
            + placeholders(RunRows.RUN_COLUMN_COUNT) + ") ON CONFLICT (id) DO NOTHING";
    private static final String SELECT_RUN = "SELECT " + RUN_COLUMNS + " FROM runs WHERE id = ?";
    private static final String OUTCOME = "UPDATE runs SET current_agent = ?, status = ?, final_output = ?, error = ?, "
            + "usage = ?, paused_state = ?, updated_at = ?";
    private static final String FENCE = " WHERE id = ? AND " + NOT_ENDED + " AND (owner IS NULL OR owner = ?)";
    private static final String UPDATE_RUN = OUTCOME + FENCE;
    /** {@link #UPDATE_RUN} for a run that stops running (paused or ended): its lease is given up too. */
    private static final String FINISH_RUN = OUTCOME + ", owner = NULL, lease_until = NULL" + FENCE;
    private static final String CANCEL_RUN =
            "UPDATE runs SET status = 'CANCELLED', error = ?, updated_at = ? WHERE id = ? AND " + NOT_ENDED;
    private static final String REJECT_PENDING = """
            UPDATE run_approvals SET status = 'REJECTED', message = ?, decided_at = ? WHERE run_id = ? AND status = 'PENDING'""";
    private static final String MARK_RESUMABLE = """
            UPDATE runs SET status = 'RUNNING', owner = NULL, lease_until = NULL, updated_at = ?
            WHERE id = ? AND status = 'PAUSED'""";
    /** Free to take for {@code ?} (now): no owner, an owner with no lease time ({@code lease_until < ?} is not true for NULL), or a lease that ended. */
    private static final String UNLEASED = "(owner IS NULL OR lease_until IS NULL OR lease_until < ?)";
    /** One statement: a concurrent claimer waits for the row, then finds it taken. Only a running run, even for its owner. */
    private static final String CLAIM = "UPDATE runs SET owner = ?, lease_until = ? WHERE id = ? AND status = 'RUNNING' "
            + "AND (owner = ? OR " + UNLEASED + ")";
    private static final String RECORD_GRAPH = """
            UPDATE runs SET graph = ? WHERE id = ? AND status = 'RUNNING' AND owner = ? AND graph = '{}'""";
    private static final String RENEW = "UPDATE runs SET lease_until = ? WHERE owner = ? AND status = 'RUNNING'";
    private static final String RELEASE = "UPDATE runs SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?";
    /** A replaced effect keeps its row, so its seq: its place in the order of first recording. */
    private static final String RECORD_EFFECT = "INSERT INTO run_effects (" + EFFECT_COLUMNS + ") VALUES ("
            + placeholders(RunRows.EFFECT_COLUMN_COUNT) + ") " + RunRows.EFFECT_UPSERT;
    private static final String SELECT_EFFECTS = "SELECT " + EFFECT_COLUMNS + " FROM run_effects WHERE run_id = ? ORDER BY seq";
    private static final String APPEND_EVENT = "INSERT INTO run_events (" + EVENT_COLUMNS + ") VALUES ("
            + placeholders(RunRows.EVENT_COLUMN_COUNT) + ") ON CONFLICT (run_id, seq) DO NOTHING";
    private static final String SELECT_EVENTS = "SELECT " + EVENT_COLUMNS
            + " FROM run_events WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?";
    private static final String REQUEST_APPROVAL = "INSERT INTO run_approvals (" + APPROVAL_COLUMNS + ") VALUES ("
            + placeholders(RunRows.APPROVAL_COLUMN_COUNT) + ") ON CONFLICT (run_id, turn, call_id) DO NOTHING";
    private static final String SELECT_APPROVALS = "SELECT " + APPROVAL_COLUMNS + " FROM run_approvals WHERE run_id = ? ORDER BY seq";
    /** The run's latest approval with a call id (a model may reuse a call id in a later turn). */
    private static final String SELECT_LATEST_APPROVAL = "SELECT " + APPROVAL_COLUMNS
            + " FROM run_approvals WHERE run_id = ? AND call_id = ? ORDER BY seq DESC LIMIT 1";
    private static final String SELECT_APPROVAL_BY_SEQ = "SELECT " + APPROVAL_COLUMNS
            + " FROM run_approvals WHERE run_id = ? AND seq = ?";
    /** The run's pending approval with a call id (the latest, should several turns have one pending). */
    private static final String PENDING_SEQ = """
            SELECT seq FROM run_approvals WHERE run_id = ? AND call_id = ? AND status = 'PENDING' ORDER BY seq DESC LIMIT 1""";
    private static final String SELECT_PENDING = "SELECT " + APPROVAL_COLUMNS
            + " FROM run_approvals WHERE status = 'PENDING' ORDER BY requested_at, seq LIMIT ?";
    private static final String DECIDE = """
            UPDATE run_approvals SET status = ?, message = ?, decided_at = ?, always_decided = ?, decided_by = ?
            WHERE run_id = ? AND seq = ? AND status = 'PENDING'""";
    /** {@link #PENDING_SEQ} and {@link #DECIDE} in one statement, one round trip, for a dialect that locks rows. */
    private static final String DECIDE_RETURNING = "UPDATE run_approvals SET status = ?, message = ?, decided_at = ?, always_decided = ?, decided_by = ? "
            + "WHERE run_id = ? AND status = 'PENDING' AND seq = (" + PENDING_SEQ + ") RETURNING seq";
    private static final String LOCK_RUN = "SELECT 1 FROM runs WHERE id = ? FOR UPDATE";
    /** A paused run that waits for no approval any more becomes running, with no owner, for a worker to claim. */
    private static final String RESUME_IF_DECIDED = """
            UPDATE runs SET status = 'RUNNING', owner = NULL, lease_until = NULL, updated_at = ?
            WHERE id = ? AND status = 'PAUSED'
            AND NOT EXISTS (SELECT 1 FROM run_approvals WHERE run_id = ? AND status = 'PENDING')""";
    /** The agent holding a running run, written only by the owner of its lease. */
    private static final String UPDATE_CURRENT_AGENT = """
            UPDATE runs SET current_agent = ?, updated_at = ? WHERE id = ? AND status = 'RUNNING' AND owner = ?""";

    final Dialect dialect;
    private final RunRows rows;
    private final StoreNotifier notifier;
    private final boolean batches;
    private final String listOrder;
    private final String claimableOrder;

    JdbcRunStore(Dialect dialect) {
        this.dialect = dialect;
        this.rows = new RunRows(dialect.database(), dialect.store());
        this.notifier = dialect.notifier(this::marks);
        this.batches = dialect.batchesInserts();
        this.listOrder = " ORDER BY created_at DESC, " + dialect.insertionOrder() + " DESC LIMIT ?";
        this.claimableOrder = " ORDER BY created_at, " + dialect.insertionOrder() + " LIMIT ?";
    }

    // ---- runs

    @Override
    public void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        PostgresRunBatches batches = dialect.runBatches();
        boolean created = batches != null
                ? batches.create("create", "run '" + run.id() + "'", new PostgresRunBatches.Create(rows, run))
                : write("create", run.id(), false, c -> {
                    PreparedStatement ps = c.prepare(INSERT_RUN);
                    rows.bindRun(ps, 1, run);
                    return ps.executeUpdate() == 1;
                });
        if (!created) {
            throw new IllegalArgumentException("Run '" + run.id() + "' already exists in " + dialect.store());
        }
    }

    @Override
    public Optional<RunRecord> findRun(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read("read", runId, c -> {
            PreparedStatement ps = c.prepare(SELECT_RUN);
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rows.run(rs)) : Optional.<RunRecord>empty();
            }
        });
    }

    @Override
    public List<RunRecord> listRuns(RunQuery query) {
        Objects.requireNonNull(query, "query");
        RunFilter filter = RunFilter.of(query);
        String sql = "SELECT " + RUN_COLUMNS + " FROM runs WHERE " + filter.where(dialect.insertionOrder()) + listOrder;
        return dialect.read("list", "runs", c -> {
            PreparedStatement ps = c.prepare(sql);
            int i = filter.bind(ps, 1);
            ps.setInt(i, query.limit());
            return Statements.all(ps, rows::run);
        });
    }

    @Override
    public boolean updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        return write("update", run.id(), false, c -> {
            if (!updateOutcome(c, UPDATE_RUN, run)) {
                return false;
            }
            dialect.notifyRun(c, run.id());
            return true;
        });
    }

    /** The outcome first (fenced as {@link #updateRun}); then, only if it was written, the last events; one transaction. */
    @Override
    public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
        Objects.requireNonNull(run, "run");
        List<RecordedEvent> copy = List.copyOf(events);
        PostgresRunBatches batches = dialect.runBatches();
        if (batches != null && run.status() != RunStatus.PAUSED) {
            return batches.finish("finish", "run '" + run.id() + "'", new PostgresRunBatches.Finish(run, copy));
        }
        String update = run.status() != RunStatus.RUNNING ? FINISH_RUN : UPDATE_RUN;
        return write("finish", run.id(), true, c -> {
            if (!updateOutcome(c, update, run)) {
                return false;
            }
            insertEvents(c, copy); // notifies the run's readers when there are events
            if (copy.isEmpty()) {
                dialect.notifyRun(c, run.id());
            }
            if (run.status() == RunStatus.PAUSED) {
                // Every approval decided while the pause was written: resumable at once, as decide leaves it. The update
                // above holds the run's row, which decide locks first, so a decision commits wholly before or after it.
                resumeIfDecided(c, run.id(), run.updatedAt());
            }
            return true;
        });
    }

    private boolean updateOutcome(Statements c, String sql, RunRecord run) throws SQLException {
        PreparedStatement ps = c.prepare(sql);
        int i = rows.bindRunOutcome(ps, 1, run);
        ps.setString(i++, run.id());
        ps.setString(i, run.owner());
        return ps.executeUpdate() == 1;
    }

    @Override
    public boolean updateCurrentAgent(String runId, String currentAgent, String owner, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(at, "at");
        return write("update the current agent of", runId, false, c -> setCurrentAgent(c, runId, currentAgent, owner, at));
    }

    private static boolean setCurrentAgent(Statements c, String runId, String currentAgent, @Nullable String owner, Instant at)
            throws SQLException {
        PreparedStatement ps = c.prepare(UPDATE_CURRENT_AGENT);
        ps.setString(1, currentAgent);
        RunRows.setInstant(ps, 2, at);
        ps.setString(3, runId);
        ps.setString(4, owner);
        return ps.executeUpdate() == 1;
    }

    @Override
    public boolean cancelRun(String runId, String reason, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        // One transaction, the run's row taken first (as decide does): a cancelled run waits for no reviewer.
        return write("cancel", runId, true, c -> {
            PreparedStatement ps = c.prepare(CANCEL_RUN);
            ps.setString(1, reason);
            RunRows.setInstant(ps, 2, at);
            ps.setString(3, runId);
            if (ps.executeUpdate() != 1) {
                return false;
            }
            PreparedStatement reject = c.prepare(REJECT_PENDING);
            reject.setString(1, reason);
            RunRows.setInstant(reject, 2, at);
            reject.setString(3, runId);
            reject.executeUpdate();
            dialect.notifyRun(c, runId);
            return true;
        });
    }

    @Override
    public boolean markResumable(String runId, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        return write("mark resumable", runId, false, c -> {
            PreparedStatement ps = c.prepare(MARK_RESUMABLE);
            RunRows.setInstant(ps, 1, at);
            ps.setString(2, runId);
            return ps.executeUpdate() == 1;
        });
    }

    // ---- leases

    @Override
    public boolean claim(String runId, String owner, Instant now, Instant leaseUntil) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return write("claim", runId, false, c -> {
            PreparedStatement ps = c.prepare(CLAIM);
            ps.setString(1, owner);
            RunRows.setInstant(ps, 2, leaseUntil);
            ps.setString(3, runId);
            ps.setString(4, owner);
            RunRows.setInstant(ps, 5, now);
            return ps.executeUpdate() == 1;
        });
    }

    /** Only lists candidates; {@link #claim} decides. */
    @Override
    public List<String> claimable(Instant now, Set<String> applications, int limit) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(applications, "applications");
        dialect.ensureOpen("list claimable", "runs");
        if (limit < 1) {
            return List.of();
        }
        List<String> apps = applications.stream().sorted().toList();
        String sql = "SELECT id FROM runs WHERE status = 'RUNNING' AND " + UNLEASED
                + (apps.isEmpty() ? "" : " AND application IN (" + placeholders(apps.size()) + ")") + claimableOrder;
        return dialect.read("list claimable", "runs", c -> {
            PreparedStatement ps = c.prepare(sql);
            int i = 1;
            RunRows.setInstant(ps, i++, now);
            for (String app : apps) {
                ps.setString(i++, app);
            }
            ps.setInt(i, limit);
            return Statements.all(ps, rs -> rs.getString(1));
        });
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return dialect.write("renew the leases of", "owner '" + owner + "'", false, c -> {
            PreparedStatement ps = c.prepare(RENEW);
            RunRows.setInstant(ps, 1, leaseUntil);
            ps.setString(2, owner);
            return ps.executeUpdate();
        });
    }

    @Override
    public boolean recordGraph(String runId, Map<String, String> graph, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(owner, "owner");
        return write("record the graph of", runId, false, c -> {
            PreparedStatement ps = c.prepare(RECORD_GRAPH);
            ps.setString(1, JournalCodec.graph(graph));
            ps.setString(2, runId);
            ps.setString(3, owner);
            return ps.executeUpdate() == 1;
        });
    }

    @Override
    public void release(String runId, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        write("release", runId, false, c -> {
            PreparedStatement ps = c.prepare(RELEASE);
            ps.setString(1, runId);
            ps.setString(2, owner);
            ps.executeUpdate();
            return null;
        });
    }

    // ---- journal

    @Override
    public void recordEffect(Effect effect) {
        Objects.requireNonNull(effect, "effect");
        write("record effect '" + effect.key() + "' of", effect.runId(), false, c -> {
            upsertEffect(c, effect);
            return null;
        });
    }

    /** The events and the effect in one transaction. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect) {
        writeRecord(events, effect, null, null);
    }

    /** The events, the effect and the current agent (fenced by owner) in one transaction. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        writeRecord(events, effect, currentAgent, owner);
    }

    /** Both records: the current agent is written only when given. */
    private void writeRecord(List<RecordedEvent> events, Effect effect, @Nullable String currentAgent, @Nullable String owner) {
        Objects.requireNonNull(effect, "effect");
        List<RecordedEvent> copy = List.copyOf(events);
        PostgresRunBatches batches = dialect.runBatches();
        if (currentAgent == null && batches != null) {
            batches.record("record effect '" + effect.key() + "' of", "run '" + effect.runId() + "'",
                    new PostgresRunBatches.Record(rows, copy, effect));
            return;
        }
        write("record effect '" + effect.key() + "' of", effect.runId(), true, c -> {
            insertEvents(c, copy);
            upsertEffect(c, effect);
            if (currentAgent != null) {
                setCurrentAgent(c, effect.runId(), currentAgent, owner,
                        effect.finishedAt() != null ? effect.finishedAt() : effect.startedAt());
            }
            return null;
        });
    }

    private void upsertEffect(Statements c, Effect effect) throws SQLException {
        PreparedStatement ps = c.prepare(RECORD_EFFECT);
        rows.bindEffect(ps, 1, effect);
        ps.executeUpdate();
    }

    @Override
    public List<Effect> effects(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read("read the effects of", runId, c -> {
            PreparedStatement ps = c.prepare(SELECT_EFFECTS);
            ps.setString(1, runId);
            return Statements.all(ps, rows::effect);
        });
    }

    @Override
    public void appendEvents(List<RecordedEvent> events) {
        List<RecordedEvent> copy = List.copyOf(events);
        dialect.ensureOpen("append events to", "runs");
        if (copy.isEmpty()) {
            return;
        }
        write("append events to", copy.get(0).runId(), true, c -> {
            insertEvents(c, copy);
            return null;
        });
    }

    /** Inserts the events, skipping those recorded before; readers of their runs are told when the write commits. */
    private void insertEvents(Statements c, List<RecordedEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        dialect.notifyEvents(c, events);
        PreparedStatement ps = c.prepare(APPEND_EVENT);
        for (RecordedEvent event : events) {
            rows.bindEvent(ps, 1, event);
            Statements.addOrRun(ps, batches);
        }
        Statements.finish(ps, batches);
    }

    @Override
    public List<RecordedEvent> events(String runId, long fromSeq, int limit) {
        Objects.requireNonNull(runId, "runId");
        dialect.ensureOpen("read the events of", "run '" + runId + "'");
        if (limit < 1) {
            return List.of();
        }
        return read("read the events of", runId, c -> {
            PreparedStatement ps = c.prepare(SELECT_EVENTS);
            ps.setString(1, runId);
            ps.setLong(2, fromSeq);
            ps.setInt(3, limit);
            return Statements.all(ps, rows::event);
        });
    }

    // ---- approvals

    @Override
    public void requestApprovals(List<Approval> approvals) {
        List<Approval> copy = List.copyOf(approvals);
        dialect.ensureOpen("request approvals for", "runs");
        if (copy.isEmpty()) {
            return;
        }
        write("request approvals for", copy.get(0).runId(), true, c -> {
            PreparedStatement ps = c.prepare(REQUEST_APPROVAL);
            for (Approval approval : copy) {
                rows.bindApproval(ps, 1, approval);
                Statements.addOrRun(ps, batches);
            }
            Statements.finish(ps, batches);
            return null;
        });
    }

    @Override
    public List<Approval> approvals(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read("read the approvals of", runId, c -> {
            PreparedStatement ps = c.prepare(SELECT_APPROVALS);
            ps.setString(1, runId);
            return approvalList(ps);
        });
    }

    @Override
    public List<Approval> pendingApprovals(int limit) {
        dialect.ensureOpen("list pending approvals of", "runs");
        if (limit < 1) {
            return List.of();
        }
        return dialect.read("list pending approvals of", "runs", c -> {
            PreparedStatement ps = c.prepare(SELECT_PENDING);
            ps.setInt(1, limit);
            return approvalList(ps);
        });
    }

    /**
     * One transaction: the decision and the run's resumption are committed together or not at
     * all. Where rows are locked, the run's row is locked first, so decisions of one run take
     * turns: of two approvals decided at once, the second sees the first committed and resumes
     * the run. {@link #cancelRun} takes the same row first, so the two never deadlock.
     */
    @Override
    public Optional<Approval> decide(String runId, String callId, Decision decision, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(at, "at");
        String status = (decision.approved() ? Approval.Status.APPROVED : Approval.Status.REJECTED).name();
        return write("decide approval '" + callId + "' of", runId, true, c -> {
            Long seq = dialect.locksRows() ? decideReturning(c, runId, callId, status, decision, at)
                    : decideInPlace(c, runId, callId, status, decision, at);
            if (seq == null) {
                // Nothing pending: the latest approval with this call id, as it is.
                PreparedStatement latest = c.prepare(SELECT_LATEST_APPROVAL);
                latest.setString(1, runId);
                latest.setString(2, callId);
                return singleApproval(latest);
            }
            resumeIfDecided(c, runId, at);
            PreparedStatement select = c.prepare(SELECT_APPROVAL_BY_SEQ);
            select.setString(1, runId);
            select.setLong(2, seq);
            return singleApproval(select);
        });
    }

    /** The pending approval found, then decided: the one writer on the file makes the two one step. */
    private static @Nullable Long decideInPlace(Statements c, String runId, String callId, String status, Decision decision,
            Instant at) throws SQLException {
        PreparedStatement pending = c.prepare(PENDING_SEQ);
        pending.setString(1, runId);
        pending.setString(2, callId);
        long seq;
        try (ResultSet rs = pending.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            seq = rs.getLong(1);
        }
        PreparedStatement update = c.prepare(DECIDE);
        update.setString(1, status);
        update.setString(2, decision.message());
        RunRows.setInstant(update, 3, at);
        update.setInt(4, decision.always() ? 1 : 0);
        update.setString(5, decision.by());
        update.setString(6, runId);
        update.setLong(7, seq);
        update.executeUpdate();
        return seq;
    }

    /** The run's row locked, then the pending approval decided in one statement (read committed sees decisions before it). */
    private static @Nullable Long decideReturning(Statements c, String runId, String callId, String status, Decision decision,
            Instant at) throws SQLException {
        PreparedStatement lock = c.prepare(LOCK_RUN);
        lock.setString(1, runId);
        lock.executeQuery().close();
        PreparedStatement update = c.prepare(DECIDE_RETURNING);
        update.setString(1, status);
        update.setString(2, decision.message());
        RunRows.setInstant(update, 3, at);
        update.setInt(4, decision.always() ? 1 : 0);
        update.setString(5, decision.by());
        update.setString(6, runId);
        update.setString(7, runId);
        update.setString(8, callId);
        try (ResultSet rs = update.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private static void resumeIfDecided(Statements c, String runId, Instant at) throws SQLException {
        PreparedStatement resume = c.prepare(RESUME_IF_DECIDED);
        RunRows.setInstant(resume, 1, at);
        resume.setString(2, runId);
        resume.setString(3, runId);
        resume.executeUpdate();
    }

    /**
     * Closes the store: later calls fail with a {@link StoreException} saying it is closed.
     * Closing twice is harmless.
     */
    @Override
    public void close() {
        notifier.close();
        dialect.close();
    }

    @Override
    public RunNotifier notifier() {
        return notifier;
    }

    /** A mark per run that changes whenever the run's status, update time or last event does (for a notifier that polls). */
    private Map<String, String> marks(List<String> runIds) {
        Map<String, String> out = new HashMap<>();
        for (int from = 0; from < runIds.size(); from += 500) {
            List<String> ids = runIds.subList(from, Math.min(runIds.size(), from + 500));
            String sql = "SELECT id, status, updated_at, (SELECT max(seq) FROM run_events WHERE run_id = runs.id) FROM runs"
                    + " WHERE id IN (" + placeholders(ids.size()) + ")";
            dialect.read("read the marks of", "runs", c -> {
                // Not kept prepared: the number of ids varies.
                try (PreparedStatement ps = c.connection().prepareStatement(sql)) {
                    for (int i = 0; i < ids.size(); i++) {
                        ps.setString(i + 1, ids.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
                        }
                    }
                }
                return null;
            });
        }
        return out;
    }

    // --- plumbing ---------------------------------------------------------------------------

    private Optional<Approval> singleApproval(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rows.approval(rs)) : Optional.empty();
        }
    }

    private List<Approval> approvalList(PreparedStatement ps) throws SQLException {
        return Statements.all(ps, rows::approval);
    }

    private <T> T write(String what, String runId, boolean transaction, Dialect.Work<T> work) {
        return dialect.write(what, "run '" + runId + "'", transaction, work);
    }

    private <T> T read(String what, String runId, Dialect.Work<T> work) {
        return dialect.read(what, "run '" + runId + "'", work);
    }

    static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }
}
