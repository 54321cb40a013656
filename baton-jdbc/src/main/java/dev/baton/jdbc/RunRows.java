package dev.baton.jdbc;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import dev.baton.model.Usage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The rows of the run tables ({@value #RUNS}, {@value #EFFECTS}, {@value #EVENTS},
 * {@value #APPROVALS}) as records, and records as statement parameters. Shared by the JDBC run
 * stores so that every dialect keeps the same columns with the same contents; nothing here is
 * specific to one database.
 *
 * <p>Column contents: instants are epoch milliseconds in 64-bit integer columns (instants are
 * kept to the millisecond: finer parts are dropped on write), the structured columns of a run
 * (input, usage, graph, and its context as the client gave it) and an effect's usage are JSON text as {@link JournalCodec} writes it,
 * enums are their constant names. A row whose column cannot be decoded is reported as a
 * {@link StoreException} naming the database, the table, the run and the column, never skipped.
 *
 * <p>Readers expect the columns in the order of the {@code *_COLUMNS} constants, starting at
 * column 1 (select them with those constants); binders write parameters in the same order,
 * starting at the index given, and return the index after the last one they set.
 */
final class RunRows {

    static final String RUNS = "runs";
    static final String EFFECTS = "run_effects";
    static final String EVENTS = "run_events";
    static final String APPROVALS = "run_approvals";

    /** The columns of {@value #RUNS}, in the order {@link #run} reads and {@link #bindRun} writes them. */
    static final String RUN_COLUMNS = "id, start_agent, current_agent, session_id, input, status, created_at, updated_at, "
            + "final_output, error, usage, graph, paused_state, owner, lease_until, application, context";
    static final int RUN_COLUMN_COUNT = 17;

    /** The columns of {@value #EFFECTS} (not its insertion sequence), in the order {@link #effect} and {@link #bindEffect} use. */
    static final String EFFECT_COLUMNS = "run_id, effect_key, kind, status, agent, name, request, result, attempts, "
            + "started_at, finished_at, usage";
    static final int EFFECT_COLUMN_COUNT = 12;
    /** How an insert of {@link #EFFECT_COLUMNS} replaces an effect recorded before: its row, so its seq, is kept. */
    static final String EFFECT_UPSERT = """
            ON CONFLICT (run_id, effect_key) DO UPDATE SET kind = excluded.kind, status = excluded.status,
            agent = excluded.agent, name = excluded.name, request = excluded.request, result = excluded.result,
            attempts = excluded.attempts, started_at = excluded.started_at, finished_at = excluded.finished_at,
            usage = excluded.usage""";

    /** The columns of {@value #EVENTS}, in the order {@link #event} and {@link #bindEvent} use. */
    static final String EVENT_COLUMNS = "run_id, seq, type, agent, at, data";
    static final int EVENT_COLUMN_COUNT = 6;

    /** The columns of {@value #APPROVALS} (not its insertion sequence), in the order {@link #approval} and {@link #bindApproval} use. */
    static final String APPROVAL_COLUMNS =
            "run_id, call_id, agent, tool, arguments, status, message, requested_at, decided_at, turn, always_decided, decided_by";
    static final int APPROVAL_COLUMN_COUNT = 12;

    private final String database;
    private final String store;

    /**
     * @param database the database as {@link StoreException#database()} reports it (a file, a URL)
     * @param store how messages name the store, for example {@code "the SQLite run store /var/baton.db"}
     */
    RunRows(String database, String store) {
        this.database = Objects.requireNonNull(database, "database");
        this.store = Objects.requireNonNull(store, "store");
    }

    // --- instants ---------------------------------------------------------------------------

    /** The column value of an instant: epoch milliseconds, finer parts dropped. */
    static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    static void setInstant(PreparedStatement ps, int index, @Nullable Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, millis(instant));
        }
    }

    // --- records as parameters --------------------------------------------------------------

    /** The SQL types of {@link #RUN_COLUMNS}, in order: PostgreSQL's names, for arrays of each column. */
    static final String[] RUN_TYPES = {"text", "text", "text", "text", "text", "text", "bigint", "bigint", "text", "text",
            "text", "text", "text", "text", "bigint", "text", "text"};

    /** The values of the {@link #RUN_COLUMNS} of {@code run}: strings, instants as epoch milliseconds, nulls. */
    static Object[] runValues(RunRecord run) {
        return new Object[] {run.id(), run.startAgent(), run.currentAgent(), run.sessionId(), JournalCodec.items(run.input()),
                run.status().name(), millis(run.createdAt()), millis(run.updatedAt()), run.finalOutput(), run.error(),
                JournalCodec.usage(run.usage()), JournalCodec.graph(run.graph()), run.pausedState(), run.owner(),
                run.leaseUntil() == null ? null : millis(run.leaseUntil()), run.application(), run.context()};
    }

    /** Sets the {@link #RUN_COLUMNS} of {@code run} from parameter {@code from} on. */
    int bindRun(PreparedStatement ps, int from, RunRecord run) throws SQLException {
        Object[] values = runValues(run);
        int i = from;
        for (int col = 0; col < values.length; col++) {
            if (RUN_TYPES[col].equals("bigint")) {
                if (values[col] == null) {
                    ps.setNull(i++, Types.BIGINT);
                } else {
                    ps.setLong(i++, (Long) values[col]);
                }
            } else {
                ps.setString(i++, (String) values[col]);
            }
        }
        return i;
    }

    /**
     * Sets the columns {@code updateRun} writes, in this order: current_agent, status,
     * final_output, error, usage, paused_state, updated_at.
     */
    int bindRunOutcome(PreparedStatement ps, int from, RunRecord run) throws SQLException {
        int i = from;
        ps.setString(i++, run.currentAgent());
        ps.setString(i++, run.status().name());
        ps.setString(i++, run.finalOutput());
        ps.setString(i++, run.error());
        ps.setString(i++, JournalCodec.usage(run.usage()));
        ps.setString(i++, run.pausedState());
        setInstant(ps, i++, run.updatedAt());
        return i;
    }

    /** Sets the {@link #EFFECT_COLUMNS} of {@code effect} from parameter {@code from} on. */
    int bindEffect(PreparedStatement ps, int from, Effect effect) throws SQLException {
        int i = from;
        ps.setString(i++, effect.runId());
        ps.setString(i++, effect.key());
        ps.setString(i++, effect.kind().name());
        ps.setString(i++, effect.status().name());
        ps.setString(i++, effect.agent());
        ps.setString(i++, effect.name());
        ps.setString(i++, effect.request());
        ps.setString(i++, effect.result());
        ps.setInt(i++, effect.attempts());
        setInstant(ps, i++, effect.startedAt());
        setInstant(ps, i++, effect.finishedAt());
        ps.setString(i++, effect.usage() == null ? null : JournalCodec.usage(effect.usage()));
        return i;
    }

    /** Sets the {@link #EVENT_COLUMNS} of {@code event} from parameter {@code from} on. */
    int bindEvent(PreparedStatement ps, int from, RecordedEvent event) throws SQLException {
        int i = from;
        ps.setString(i++, event.runId());
        ps.setLong(i++, event.seq());
        ps.setString(i++, event.type());
        ps.setString(i++, event.agent());
        setInstant(ps, i++, event.at());
        ps.setString(i++, event.data());
        return i;
    }

    /** Sets the {@link #APPROVAL_COLUMNS} of {@code approval} from parameter {@code from} on. */
    int bindApproval(PreparedStatement ps, int from, Approval approval) throws SQLException {
        int i = from;
        ps.setString(i++, approval.runId());
        ps.setString(i++, approval.callId());
        ps.setString(i++, approval.agent());
        ps.setString(i++, approval.tool());
        ps.setString(i++, approval.arguments());
        ps.setString(i++, approval.status().name());
        ps.setString(i++, approval.message());
        setInstant(ps, i++, approval.requestedAt());
        setInstant(ps, i++, approval.decidedAt());
        ps.setInt(i++, approval.turn());
        ps.setInt(i++, approval.always() ? 1 : 0);
        ps.setString(i++, approval.decidedBy());
        return i;
    }

    // --- rows as records --------------------------------------------------------------------

    /** The run in the current row, whose columns are {@link #RUN_COLUMNS}. */
    RunRecord run(ResultSet rs) throws SQLException {
        Row row = new Row(RUNS, rs.getString(1), rs);
        String id = row.required(1, "id");
        List<Item> input = row.json(5, "input", JournalCodec::items);
        RunStatus status = row.enumValue(6, "status", RunStatus.class);
        Usage usage = row.json(11, "usage", JournalCodec::usage);
        Map<String, String> graph = row.json(12, "graph", JournalCodec::graph);
        return new RunRecord(id, row.required(16, "application"), row.required(2, "start_agent"), row.required(3, "current_agent"), rs.getString(4), input,
                status, row.requiredInstant(7, "created_at"), row.requiredInstant(8, "updated_at"), rs.getString(9),
                rs.getString(10), usage, graph, rs.getString(13), rs.getString(14), row.instant(15, "lease_until"), rs.getString(17));
    }

    /** The effect in the current row, whose columns are {@link #EFFECT_COLUMNS}. */
    Effect effect(ResultSet rs) throws SQLException {
        Row row = new Row(EFFECTS, rs.getString(1), rs);
        String runId = row.required(1, "run_id");
        String key = row.required(2, "effect_key");
        Effect.Kind kind = row.enumValue(3, "kind", Effect.Kind.class);
        Effect.Status status = row.enumValue(4, "status", Effect.Status.class);
        String usageJson = rs.getString(12);
        Usage usage = usageJson == null ? null : row.json(12, "usage", JournalCodec::usage);
        return new Effect(runId, key, kind, status, row.required(5, "agent"), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getInt(9), row.requiredInstant(10, "started_at"), row.instant(11, "finished_at"), usage);
    }

    /** The event in the current row, whose columns are {@link #EVENT_COLUMNS}. */
    RecordedEvent event(ResultSet rs) throws SQLException {
        Row row = new Row(EVENTS, rs.getString(1), rs);
        return new RecordedEvent(row.required(1, "run_id"), rs.getLong(2), row.required(3, "type"), row.required(4, "agent"),
                row.requiredInstant(5, "at"), row.required(6, "data"));
    }

    /** The approval in the current row, whose columns are {@link #APPROVAL_COLUMNS}. */
    Approval approval(ResultSet rs) throws SQLException {
        Row row = new Row(APPROVALS, rs.getString(1), rs);
        Approval.Status status = row.enumValue(6, "status", Approval.Status.class);
        return new Approval(row.required(1, "run_id"), row.required(2, "call_id"), row.required(3, "agent"),
                row.required(4, "tool"), row.required(5, "arguments"), status, rs.getString(7),
                row.requiredInstant(8, "requested_at"), row.instant(9, "decided_at"), rs.getInt(10), rs.getInt(11) != 0, rs.getString(12));
    }

    /** A row of {@code table} that cannot be read back: names the database, the table, the run and the column. */
    StoreException corrupt(String table, @Nullable String runId, String column, String why, @Nullable Throwable cause) {
        return new StoreException(database, store.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + store.substring(1)
                + " has a corrupted row in table " + table + " for run '" + runId + "': column " + column + " " + why, cause);
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(String json);
    }

    /** One row being decoded, so that every failure names its table and run. */
    private final class Row {
        private final String table;
        private final @Nullable String runId;
        private final ResultSet rs;

        Row(String table, @Nullable String runId, ResultSet rs) {
            this.table = table;
            this.runId = runId;
            this.rs = rs;
        }

        String required(int index, String column) throws SQLException {
            String value = rs.getString(index);
            if (value == null) {
                throw corrupt(table, runId, column, "is NULL", null);
            }
            return value;
        }

        <T> T json(int index, String column, Decoder<T> decoder) throws SQLException {
            String json = required(index, column);
            try {
                return decoder.decode(json);
            } catch (RuntimeException e) {
                throw corrupt(table, runId, column, "does not decode: " + e.getMessage(), e);
            }
        }

        <E extends Enum<E>> E enumValue(int index, String column, Class<E> type) throws SQLException {
            String name = required(index, column);
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                throw corrupt(table, runId, column, "holds '" + name + "', which is not a " + type.getSimpleName(), e);
            }
        }

        @Nullable Instant instant(int index, String column) throws SQLException {
            long millis = rs.getLong(index);
            if (rs.wasNull()) {
                return null;
            }
            return Instant.ofEpochMilli(millis);
        }

        Instant requiredInstant(int index, String column) throws SQLException {
            Instant instant = instant(index, column);
            if (instant == null) {
                throw corrupt(table, runId, column, "is NULL", null);
            }
            return instant;
        }
    }
}
