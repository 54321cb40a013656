package dev.baton.jdbc;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import java.nio.file.Path;
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
 * Durable runs in one SQLite file: the runs, the journal of their effects, their events and their
 * approvals, for a single machine that needs no database server.
 *
 * <pre>{@code
 * try (SqliteRunStore runs = SqliteRunStore.open(Path.of("baton.db"));
 *         SqliteSessionStore sessions = SqliteSessionStore.open(Path.of("baton.db"))) {
 *     ...
 * }
 * }</pre>
 *
 * <p>The file is created on first use, in an existing directory, and put in WAL mode. Its schema
 * is migrated by the same Flyway migrations, with the same history table, as
 * {@link SqliteSessionStore}'s, so runs and sessions can share one file, opened by either store
 * first, from one process or several.
 *
 * <p>Writes are committed in groups: each call queues its write and returns once it is committed,
 * while one writer thread commits every write queued meanwhile in one transaction. A durable run
 * makes several synchronous store calls per step, and many runs write at once; grouping them
 * spares a transaction per call. With {@code synchronous=NORMAL} in WAL mode a committed write
 * survives a killed process (not a power loss before the next checkpoint). A write that fails
 * fails alone; the other writes of its group are committed without it. A {@link SqliteSessionStore}
 * (or another run store) this JVM opens on the same file with the same busy timeout and batch size
 * shares the writer thread and its connection, so runs and their sessions are committed together
 * and never wait for each other's lock; the writer closes with the last store using it. Reads use a
 * small pool of read-only connections and never wait for the writer.
 *
 * <p>Instants are kept to the millisecond: finer parts are dropped on write, so what is read back
 * is the instant truncated to milliseconds. Every failure, from opening the file to a row that no
 * longer decodes, is a {@link StoreException} naming the file; a corrupted row also names its
 * table, run and column. Thread-safe; blocking is virtual-thread friendly.
 */
public final class SqliteRunStore implements RunStore {

    /**
     * How the store is opened.
     *
     * @param busyTimeout how long a write waits for another connection's lock on the file before
     *     it fails
     * @param readers how many read connections to keep (1 or more)
     * @param maxBatch at most this many writes in one transaction (1 or more)
     */
    public record Options(Duration busyTimeout, int readers, int maxBatch) {
        public Options {
            Objects.requireNonNull(busyTimeout, "busyTimeout");
            if (readers < 1) {
                throw new IllegalArgumentException("readers must be at least 1, got " + readers);
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
            }
        }

        /** A five-second busy timeout, four to sixteen readers (one per processor), groups of up to 1,000 writes. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Math.clamp(Runtime.getRuntime().availableProcessors(), 4, 16), 1000);
        }

        public Options withBusyTimeout(Duration busyTimeout) {
            return new Options(busyTimeout, readers, maxBatch);
        }

        public Options withReaders(int readers) {
            return new Options(busyTimeout, readers, maxBatch);
        }

        public Options withMaxBatch(int maxBatch) {
            return new Options(busyTimeout, readers, maxBatch);
        }
    }

    private static final String STORE = "SQLite run store";
    private static final String TERMINAL = "('COMPLETED', 'FAILED', 'CANCELLED')";

    private static final String INSERT_RUN = "INSERT INTO runs (" + RunRows.RUN_COLUMNS + ") VALUES ("
            + placeholders(RunRows.RUN_COLUMN_COUNT) + ") ON CONFLICT (id) DO NOTHING";
    private static final String SELECT_RUN = "SELECT " + RunRows.RUN_COLUMNS + " FROM runs WHERE id = ?";
    private static final String UPDATE_RUN = """
            UPDATE runs SET current_agent = ?, status = ?, final_output = ?, error = ?, usage = ?, paused_state = ?, updated_at = ?
            WHERE id = ? AND status NOT IN %s AND (owner IS NULL OR owner = ?)""".formatted(TERMINAL);
    /** {@link #UPDATE_RUN} for a run that stops running (paused or ended): its lease is given up too. */
    private static final String FINISH_RUN = """
            UPDATE runs SET current_agent = ?, status = ?, final_output = ?, error = ?, usage = ?, paused_state = ?, updated_at = ?,
                owner = NULL, lease_until = NULL
            WHERE id = ? AND status NOT IN %s AND (owner IS NULL OR owner = ?)""".formatted(TERMINAL);
    private static final String CANCEL_RUN = """
            UPDATE runs SET status = 'CANCELLED', error = ?, updated_at = ? WHERE id = ? AND status NOT IN %s"""
            .formatted(TERMINAL);
    private static final String REJECT_PENDING = """
            UPDATE run_approvals SET status = 'REJECTED', message = ?, decided_at = ? WHERE run_id = ? AND status = 'PENDING'""";
    private static final String MARK_RESUMABLE = """
            UPDATE runs SET status = 'RUNNING', owner = NULL, lease_until = NULL, updated_at = ?
            WHERE id = ? AND status = 'PAUSED'""";
    /** A run with an owner and no lease time counts as expired: {@code lease_until < ?} alone is not true for NULL. */
    private static final String CLAIM = """
            UPDATE runs SET owner = ?, lease_until = ?
            WHERE id = ? AND status = 'RUNNING' AND (owner IS NULL OR owner = ? OR lease_until IS NULL OR lease_until < ?)""";
    private static final String CLAIMABLE = """
            SELECT id FROM runs WHERE status = 'RUNNING' AND (owner IS NULL OR lease_until IS NULL OR lease_until < ?)%s
            ORDER BY created_at, rowid LIMIT ?""";
    private static final String RECORD_GRAPH = """
            UPDATE runs SET graph = ? WHERE id = ? AND status = 'RUNNING' AND owner = ? AND graph = '{}'""";
    private static final String RENEW = "UPDATE runs SET lease_until = ? WHERE owner = ? AND status = 'RUNNING'";
    private static final String RELEASE = "UPDATE runs SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?";
    private static final String RECORD_EFFECT = "INSERT INTO run_effects (" + RunRows.EFFECT_COLUMNS + ") VALUES ("
            + placeholders(RunRows.EFFECT_COLUMN_COUNT) + """
            ) ON CONFLICT (run_id, effect_key) DO UPDATE SET kind = excluded.kind, status = excluded.status,
            agent = excluded.agent, name = excluded.name, request = excluded.request, result = excluded.result,
            attempts = excluded.attempts, started_at = excluded.started_at, finished_at = excluded.finished_at,
            usage = excluded.usage""";
    private static final String SELECT_EFFECTS = "SELECT " + RunRows.EFFECT_COLUMNS
            + " FROM run_effects WHERE run_id = ? ORDER BY seq";
    private static final String APPEND_EVENT = "INSERT INTO run_events (" + RunRows.EVENT_COLUMNS + ") VALUES ("
            + placeholders(RunRows.EVENT_COLUMN_COUNT) + ") ON CONFLICT (run_id, seq) DO NOTHING";
    private static final String SELECT_EVENTS = "SELECT " + RunRows.EVENT_COLUMNS
            + " FROM run_events WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?";
    private static final String REQUEST_APPROVAL = "INSERT INTO run_approvals (" + RunRows.APPROVAL_COLUMNS + ") VALUES ("
            + placeholders(RunRows.APPROVAL_COLUMN_COUNT) + ") ON CONFLICT (run_id, turn, call_id) DO NOTHING";
    private static final String SELECT_APPROVALS = "SELECT " + RunRows.APPROVAL_COLUMNS
            + " FROM run_approvals WHERE run_id = ? ORDER BY seq";
    /** The run's latest approval with a call id (a model may reuse a call id in a later turn). */
    private static final String SELECT_LATEST_APPROVAL = "SELECT " + RunRows.APPROVAL_COLUMNS
            + " FROM run_approvals WHERE run_id = ? AND call_id = ? ORDER BY seq DESC LIMIT 1";
    private static final String SELECT_APPROVAL_BY_SEQ = "SELECT " + RunRows.APPROVAL_COLUMNS
            + " FROM run_approvals WHERE seq = ?";
    /** The run's pending approval with a call id (the latest, should several turns have one pending). */
    private static final String SELECT_PENDING_SEQ = """
            SELECT seq FROM run_approvals WHERE run_id = ? AND call_id = ? AND status = 'PENDING' ORDER BY seq DESC LIMIT 1""";
    private static final String SELECT_PENDING = "SELECT " + RunRows.APPROVAL_COLUMNS
            + " FROM run_approvals WHERE status = 'PENDING' ORDER BY requested_at, seq LIMIT ?";
    private static final String DECIDE = """
            UPDATE run_approvals SET status = ?, message = ?, decided_at = ? WHERE seq = ? AND status = 'PENDING'""";
    /** A paused run that waits for no approval any more becomes running, with no owner, for a worker to claim. */
    private static final String RESUME_IF_DECIDED = """
            UPDATE runs SET status = 'RUNNING', owner = NULL, lease_until = NULL, updated_at = ?
            WHERE id = ? AND status = 'PAUSED'
            AND NOT EXISTS (SELECT 1 FROM run_approvals WHERE run_id = ? AND status = 'PENDING')""";
    /** The agent holding a running run, written only by the owner of its lease. */
    private static final String UPDATE_CURRENT_AGENT = """
            UPDATE runs SET current_agent = ?, updated_at = ? WHERE id = ? AND status = 'RUNNING' AND owner = ?""";

    private final Path file;
    private final String name;
    private final RunRows rows;
    private final SqliteWriter writer;
    private final BlockingQueue<Statements> readers;
    private final SqliteNotifier notifier;

    private SqliteRunStore(SqliteDatabase.Opened opened, Options options, boolean share) {
        this.file = opened.path();
        this.name = file.toString();
        this.rows = new RunRows(name, "the " + STORE + " " + name);
        this.writer = SqliteWriter.open(opened, options.busyTimeout(), options.maxBatch(), STORE + " " + name, share, true);
        List<Statements> pool = new ArrayList<>();
        for (var c : opened.readers()) {
            pool.add(new Statements(c));
        }
        this.readers = new ArrayBlockingQueue<>(pool.size(), false, pool);
        this.notifier = new SqliteNotifier(STORE + " " + name, this::marks);
    }

    /**
     * Opens the store in {@code file}, creating the file if it does not exist and migrating its
     * schema, with {@linkplain Options#defaults() default options}.
     *
     * @throws StoreException if the directory does not exist, the path is not a writable file, the
     *     file is not a SQLite database, or its schema cannot be migrated
     */
    public static SqliteRunStore open(Path file) {
        return open(file, Options.defaults());
    }

    /** Opens the store in {@code file}, as {@link #open(Path)} does, with these options. */
    public static SqliteRunStore open(Path file, Options options) {
        Objects.requireNonNull(options, "options");
        return new SqliteRunStore(SqliteDatabase.open(file, options.busyTimeout(), options.readers(), STORE), options, true);
    }

    /**
     * Opens the store in an existing {@code file} only to read it (listing runs, showing a run's
     * history, listing pending approvals): the file is opened read-only, so one SQLite may not
     * write can be read, and nothing is created or migrated. Every write fails with a
     * {@link StoreException}.
     *
     * @throws StoreException if the file does not exist, is not a SQLite database, or its schema
     *     is not the current one
     */
    public static SqliteRunStore openReadOnly(Path file) {
        Options options = Options.defaults().withReaders(1);
        return new SqliteRunStore(SqliteDatabase.openReadOnly(file, options.busyTimeout(), options.readers(), STORE), options, false);
    }

    /** Opens the store as {@link #open(Path, Options)} does, with the driver's settings changed by {@code configure} (tests). */
    static SqliteRunStore open(Path file, Options options, Consumer<SQLiteConfig> configure) {
        Objects.requireNonNull(options, "options");
        return new SqliteRunStore(SqliteDatabase.open(file, options.busyTimeout(), options.readers(), STORE, configure), options,
                false);
    }

    /**
     * Runs {@code sql} on the write connection, in turn with the writes and inside a group's
     * transaction: how tests change the connection's limits, as {@code PRAGMA max_page_count}
     * does to fill the disk and free it again.
     */
    void executeOnWriter(String sql) {
        writer.write("execute '" + sql + "' on", "its write connection", c -> {
            SqliteDatabase.execute(c.connection(), sql);
            return null;
        });
    }

    /** The absolute path of the store's file. */
    public Path file() {
        return file;
    }

    // ---- runs

    @Override
    public void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        boolean created = write("create", run.id(), c -> {
            PreparedStatement ps = c.prepare(INSERT_RUN);
            rows.bindRun(ps, 1, run);
            return ps.executeUpdate() == 1;
        });
        if (!created) {
            throw new IllegalArgumentException("The " + STORE + " " + name + " already has a run with id '" + run.id() + "'");
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
        String sql = "SELECT " + RunRows.RUN_COLUMNS + " FROM runs WHERE " + filter.where()
                + " ORDER BY created_at DESC, rowid DESC LIMIT ?";
        return read("list", "runs", c -> {
            PreparedStatement ps = c.prepare(sql);
            int i = filter.bind(ps, 1);
            ps.setInt(i, query.limit());
            List<RunRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rows.run(rs));
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public boolean updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        return write("update", run.id(), c -> {
            PreparedStatement ps = c.prepare(UPDATE_RUN);
            int i = rows.bindRunOutcome(ps, 1, run);
            ps.setString(i++, run.id());
            ps.setString(i, run.owner());
            return ps.executeUpdate() == 1;
        });
    }

    /** The outcome first (fenced as {@link #updateRun}); then, only if it was written, the last events; one transaction. */
    @Override
    public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
        Objects.requireNonNull(run, "run");
        List<RecordedEvent> copy = List.copyOf(events);
        boolean release = run.status() != RunStatus.RUNNING;
        return write("finish", run.id(), c -> {
            PreparedStatement ps = c.prepare(release ? FINISH_RUN : UPDATE_RUN);
            int i = rows.bindRunOutcome(ps, 1, run);
            ps.setString(i++, run.id());
            ps.setString(i, run.owner());
            if (ps.executeUpdate() != 1) {
                return false;
            }
            if (!copy.isEmpty()) {
                PreparedStatement append = c.prepare(APPEND_EVENT);
                for (RecordedEvent event : copy) {
                    rows.bindEvent(append, 1, event);
                    append.executeUpdate();
                }
            }
            if (run.status() == RunStatus.PAUSED) {
                // Every approval decided while the pause was written: resumable at once, as decide leaves it.
                PreparedStatement resume = c.prepare(RESUME_IF_DECIDED);
                RunRows.setInstant(resume, 1, run.updatedAt());
                resume.setString(2, run.id());
                resume.setString(3, run.id());
                resume.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean updateCurrentAgent(String runId, String currentAgent, String owner, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(at, "at");
        return write("update the current agent of", runId, c -> setCurrentAgent(c, runId, currentAgent, owner, at));
    }

    private static boolean setCurrentAgent(Statements c, String runId, String currentAgent, String owner, Instant at)
            throws java.sql.SQLException {
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
        return write("cancel", runId, c -> {
            PreparedStatement ps = c.prepare(CANCEL_RUN);
            ps.setString(1, reason);
            RunRows.setInstant(ps, 2, at);
            ps.setString(3, runId);
            if (ps.executeUpdate() != 1) {
                return false;
            }
            // In the same transaction: a cancelled run waits for no reviewer.
            PreparedStatement reject = c.prepare(REJECT_PENDING);
            reject.setString(1, reason);
            RunRows.setInstant(reject, 2, at);
            reject.setString(3, runId);
            reject.executeUpdate();
            return true;
        });
    }

    @Override
    public boolean markResumable(String runId, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        return write("mark resumable", runId, c -> {
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
        return write("claim", runId, c -> {
            PreparedStatement ps = c.prepare(CLAIM);
            ps.setString(1, owner);
            RunRows.setInstant(ps, 2, leaseUntil);
            ps.setString(3, runId);
            ps.setString(4, owner);
            RunRows.setInstant(ps, 5, now);
            return ps.executeUpdate() == 1;
        });
    }

    @Override
    public List<String> claimable(Instant now, java.util.Set<String> applications, int limit) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(applications, "applications");
        writer.ensureOpen("list claimable", "runs");
        if (limit < 1) {
            return List.of();
        }
        List<String> apps = applications.stream().sorted().toList();
        String sql = CLAIMABLE.formatted(apps.isEmpty() ? "" : " AND application IN (" + placeholders(apps.size()) + ")");
        return read("list claimable", "runs", c -> {
            PreparedStatement ps = c.prepare(sql);
            int i = 1;
            RunRows.setInstant(ps, i++, now);
            for (String app : apps) {
                ps.setString(i++, app);
            }
            ps.setInt(i, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return write("renew the leases of", "owner '" + owner + "'", c -> {
            PreparedStatement ps = c.prepare(RENEW);
            RunRows.setInstant(ps, 1, leaseUntil);
            ps.setString(2, owner);
            return ps.executeUpdate();
        });
    }

    @Override
    public boolean recordGraph(String runId, java.util.Map<String, String> graph, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(owner, "owner");
        return write("record the graph of", runId, c -> {
            PreparedStatement ps = c.prepare(RECORD_GRAPH);
            ps.setString(1, dev.baton.durable.JournalCodec.graph(graph));
            ps.setString(2, runId);
            ps.setString(3, owner);
            return ps.executeUpdate() == 1;
        });
    }

    @Override
    public void release(String runId, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        write("release", runId, c -> {
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
        write("record effect '" + effect.key() + "' of", effect.runId(), c -> {
            PreparedStatement ps = c.prepare(RECORD_EFFECT);
            rows.bindEffect(ps, 1, effect);
            ps.executeUpdate();
            return null;
        });
    }

    /** The events and the effect in one transaction of the group commit. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect) {
        writeRecord(events, effect, null, null);
    }

    /** The events, the effect and the current agent in one transaction of the group commit. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        writeRecord(events, effect, currentAgent, owner);
    }

    /** Both records: the current agent is written (fenced by owner) only when given. */
    private void writeRecord(List<RecordedEvent> events, Effect effect, @Nullable String currentAgent, @Nullable String owner) {
        Objects.requireNonNull(effect, "effect");
        List<RecordedEvent> copy = List.copyOf(events);
        write("record effect '" + effect.key() + "' of", effect.runId(), c -> {
            if (!copy.isEmpty()) {
                PreparedStatement append = c.prepare(APPEND_EVENT);
                for (RecordedEvent event : copy) {
                    rows.bindEvent(append, 1, event);
                    append.executeUpdate();
                }
            }
            PreparedStatement ps = c.prepare(RECORD_EFFECT);
            rows.bindEffect(ps, 1, effect);
            ps.executeUpdate();
            if (currentAgent != null) {
                setCurrentAgent(c, effect.runId(), currentAgent, owner,
                        effect.finishedAt() != null ? effect.finishedAt() : effect.startedAt());
            }
            return null;
        });
    }

    @Override
    public List<Effect> effects(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read("read the effects of", runId, c -> {
            PreparedStatement ps = c.prepare(SELECT_EFFECTS);
            ps.setString(1, runId);
            List<Effect> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rows.effect(rs));
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public void appendEvents(List<RecordedEvent> events) {
        List<RecordedEvent> copy = List.copyOf(events);
        writer.ensureOpen("append events to", "runs");
        if (copy.isEmpty()) {
            return;
        }
        write("append events to", copy.get(0).runId(), c -> {
            PreparedStatement ps = c.prepare(APPEND_EVENT);
            for (RecordedEvent event : copy) {
                rows.bindEvent(ps, 1, event);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<RecordedEvent> events(String runId, long fromSeq, int limit) {
        Objects.requireNonNull(runId, "runId");
        writer.ensureOpen("read the events of", "run '" + runId + "'");
        if (limit < 1) {
            return List.of();
        }
        return read("read the events of", runId, c -> {
            PreparedStatement ps = c.prepare(SELECT_EVENTS);
            ps.setString(1, runId);
            ps.setLong(2, fromSeq);
            ps.setInt(3, limit);
            List<RecordedEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rows.event(rs));
                }
            }
            return List.copyOf(out);
        });
    }

    // ---- approvals

    @Override
    public void requestApprovals(List<Approval> approvals) {
        List<Approval> copy = List.copyOf(approvals);
        writer.ensureOpen("request approvals for", "runs");
        if (copy.isEmpty()) {
            return;
        }
        write("request approvals for", copy.get(0).runId(), c -> {
            PreparedStatement ps = c.prepare(REQUEST_APPROVAL);
            for (Approval approval : copy) {
                rows.bindApproval(ps, 1, approval);
                ps.executeUpdate();
            }
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
        writer.ensureOpen("list pending approvals of", "runs");
        if (limit < 1) {
            return List.of();
        }
        return read("list pending approvals of", "runs", c -> {
            PreparedStatement ps = c.prepare(SELECT_PENDING);
            ps.setInt(1, limit);
            return approvalList(ps);
        });
    }

    @Override
    public Optional<Approval> decide(String runId, String callId, boolean approved, @Nullable String message, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(at, "at");
        // One write transaction (the writer is alone on the file): the decision and the run's resumption
        // are committed together or not at all.
        return write("decide approval '" + callId + "' of", runId, c -> {
            PreparedStatement pending = c.prepare(SELECT_PENDING_SEQ);
            pending.setString(1, runId);
            pending.setString(2, callId);
            Long seq;
            try (ResultSet rs = pending.executeQuery()) {
                seq = rs.next() ? rs.getLong(1) : null;
            }
            if (seq == null) {
                PreparedStatement latest = c.prepare(SELECT_LATEST_APPROVAL);
                latest.setString(1, runId);
                latest.setString(2, callId);
                return singleApproval(latest);
            }
            PreparedStatement update = c.prepare(DECIDE);
            update.setString(1, (approved ? Approval.Status.APPROVED : Approval.Status.REJECTED).name());
            update.setString(2, message);
            RunRows.setInstant(update, 3, at);
            update.setLong(4, seq);
            update.executeUpdate();
            PreparedStatement resume = c.prepare(RESUME_IF_DECIDED);
            RunRows.setInstant(resume, 1, at);
            resume.setString(2, runId);
            resume.setString(3, runId);
            resume.executeUpdate();
            PreparedStatement select = c.prepare(SELECT_APPROVAL_BY_SEQ);
            select.setLong(1, seq);
            return singleApproval(select);
        });
    }

    /**
     * Closes the store: the writer thread finishes the group it is committing, writes still queued
     * fail with a {@link StoreException}, then the connections are closed. Later calls fail with a
     * {@link StoreException} saying the store is closed. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (writer.isClosed()) {
            return;
        }
        notifier.close();
        List<Throwable> failures = new ArrayList<>();
        writer.close(failures);
        Statements reader;
        while ((reader = readers.poll()) != null) {
            reader.close(failures);
        }
        if (!failures.isEmpty()) {
            StoreException e = new StoreException(name, "Closing the " + STORE + " " + name + " failed: "
                    + SqliteDatabase.describe(failures.get(0)), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /**
     * News of runs: writes through this store wake its readers at once; writes by another process
     * (or another store on the file) are noticed by a thread that reads, every 100 ms while someone
     * here follows a run, a mark of each followed run (status, update time, last event), by primary
     * key. So a reader in another process learns of a change within about 100 ms, at the cost of
     * one small read per 100 ms per store, and none while nobody follows a run.
     */
    @Override
    public dev.baton.durable.RunNotifier notifier() {
        return notifier;
    }

    /** A mark per run that changes whenever the run's status, update time or last event does. */
    private java.util.Map<String, String> marks(List<String> runIds) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (int from = 0; from < runIds.size(); from += 500) {
            List<String> ids = runIds.subList(from, Math.min(runIds.size(), from + 500));
            String sql = "SELECT id, status, updated_at, (SELECT max(seq) FROM run_events WHERE run_id = runs.id) FROM runs"
                    + " WHERE id IN (" + placeholders(ids.size()) + ")";
            read("read the marks of", "runs", c -> {
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

    @Override
    public String toString() {
        return "SqliteRunStore[" + file + "]";
    }

    // --- plumbing ---------------------------------------------------------------------------

    private Optional<Approval> singleApproval(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rows.approval(rs)) : Optional.empty();
        }
    }

    private List<Approval> approvalList(PreparedStatement ps) throws SQLException {
        List<Approval> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rows.approval(rs));
            }
        }
        return List.copyOf(out);
    }

    private <T> T write(String what, String runId, SqliteGroupCommit.Work<T> work) {
        return writer.write(what, "run '" + runId + "'", work);
    }

    /** Runs {@code work} on a pooled read connection: each statement reads one snapshot. */
    private <T> T read(String what, String runId, SqliteGroupCommit.Work<T> work) {
        String subject = "runs".equals(runId) ? "runs" : "run '" + runId + "'";
        Statements c = takeReader(what, subject);
        try {
            return work.apply(c);
        } catch (SQLException e) {
            c.forget(); // a statement whose step failed is finalized by the driver
            throw new StoreException(name, "The " + STORE + " " + name + " failed to " + what + " " + subject + ": "
                    + SqliteDatabase.describe(e), e);
        } finally {
            giveBack(c);
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
            throw new StoreException(name, "Interrupted while waiting to " + what + " " + subject + " in the " + STORE + " "
                    + name, e);
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

    private static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }
}
