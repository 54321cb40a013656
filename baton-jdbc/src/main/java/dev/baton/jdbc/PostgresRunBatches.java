package dev.baton.jdbc;

import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.internal.JournalCodec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The run writes every journaled turn makes, batched across the turns waiting at one moment
 * ({@link PostgresBatcher}): a run's start, an effect with its events, and a run's outcome with
 * its last events. Each kind has one statement for a batch, taking its rows as arrays
 * ({@code unnest}), and one for a write alone, which a failed batch falls back to. Fences are the
 * same in both: an outcome is written only by the run's owner, to a run that has not ended.
 *
 * <p>Rows that only a replayed write finds already there (a run's start, its events) are inserted
 * by the batch statements without {@code ON CONFLICT}: such a row fails the batch, which is sent
 * again as a statement that skips what exists. A conflict check costs every row a second index
 * lookup, and replays are rare (a worker that died mid-turn); decision 62.
 */
final class PostgresRunBatches {

    // ---- an effect with its events

    /** Events as six arrays, inserted as they are (a batch's: one recorded before fails the batch). */
    private static final String EVENTS_FROM_ARRAYS = """
            INSERT INTO run_events (run_id, seq, type, agent, at, data)
                SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::text[])
                    AS e(run_id, seq, type, agent, at, data)""";
    /** One write's events; those recorded before are skipped. */
    private static final String EVENTS = EVENTS_FROM_ARRAYS + " ON CONFLICT (run_id, seq) DO NOTHING";
    private static final String NOTIFY = "pg_notify('" + PostgresNotifier.CHANNEL + "', ";
    /** A write alone: its events, its effect, and a notification when there are events. */
    private static final String RECORD_ONE = "WITH events AS (" + EVENTS + "), effect AS (INSERT INTO run_effects ("
            + RunRows.EFFECT_COLUMNS + ") VALUES (" + JdbcRunStore.placeholders(RunRows.EFFECT_COLUMN_COUNT) + ") "
            + RunRows.EFFECT_UPSERT + ") SELECT " + NOTIFY + "?) WHERE ?";
    /** A batch: every write's events, every write's effect (in the order they came), a notification per run with events. */
    private static String recordAll(String events) {
        return "WITH events AS (" + events + "), effects AS (INSERT INTO run_effects (" + RunRows.EFFECT_COLUMNS + """
                ) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                    ?::integer[], ?::bigint[], ?::bigint[], ?::text[])
                """ + RunRows.EFFECT_UPSERT + ") SELECT " + NOTIFY + "r) FROM unnest(?::text[]) AS n(r)";
    }

    private static final String RECORD_ALL = recordAll(EVENTS_FROM_ARRAYS);
    private static final String RECORD_ALL_SKIPPING = recordAll(EVENTS);

    record Record(RunRows rows, List<RecordedEvent> events, Effect effect) {}

    private static final PostgresBatcher.Kind<Record, Void> RECORD = new PostgresBatcher.Kind<>() {
        @Override
        public List<Void> all(Statements c, List<Record> writes) throws SQLException {
            return batch(c, writes, RECORD_ALL);
        }

        @Override
        public List<Void> allSkippingExisting(Statements c, List<Record> writes) throws SQLException {
            return batch(c, writes, RECORD_ALL_SKIPPING);
        }

        private List<Void> batch(Statements c, List<Record> writes, String sql) throws SQLException {
            List<RecordedEvent> events = new ArrayList<>();
            Set<String> told = new LinkedHashSet<>();
            int n = writes.size();
            Object[][] effects = new Object[RunRows.EFFECT_COLUMN_COUNT][n];
            for (int k = 0; k < n; k++) {
                Record w = writes.get(k);
                events.addAll(w.events());
                if (!w.events().isEmpty()) {
                    told.add(w.effect().runId());
                }
                Effect e = w.effect();
                effects[0][k] = e.runId();
                effects[1][k] = e.key();
                effects[2][k] = e.kind().name();
                effects[3][k] = e.status().name();
                effects[4][k] = e.agent();
                effects[5][k] = e.name();
                effects[6][k] = e.request();
                effects[7][k] = e.result();
                effects[8][k] = e.attempts();
                effects[9][k] = RunRows.millis(e.startedAt());
                effects[10][k] = e.finishedAt() == null ? null : RunRows.millis(e.finishedAt());
                effects[11][k] = e.usage() == null ? null : JournalCodec.usage(e.usage());
            }
            PreparedStatement ps = c.prepare(sql);
            int i = bindEvents(ps, 1, events);
            for (int col = 0; col < effects.length; col++) {
                String type = col == 8 ? "integer" : col == 9 || col == 10 ? "bigint" : "text";
                PgArrays.bind(ps, i++, type, effects[col]);
            }
            PgArrays.bind(ps, i, "text", told.toArray());
            ps.executeQuery().close();
            return Collections.nCopies(n, null);
        }

        @Override
        public Void one(Statements c, Record w) throws SQLException {
            PreparedStatement ps = c.prepare(RECORD_ONE);
            int i = bindEvents(ps, 1, w.events());
            i = w.rows().bindEffect(ps, i, w.effect());
            ps.setString(i++, w.effect().runId());
            ps.setBoolean(i, !w.events().isEmpty());
            ps.executeQuery().close();
            return null;
        }

        @Override
        public Object key(Record w) {
            return List.of(w.effect().runId(), w.effect().key());
        }
    };

    /** Binds {@code events} as the six arrays of {@link #EVENTS}, from parameter {@code from} on. */
    static int bindEvents(PreparedStatement ps, int from, List<RecordedEvent> events) throws SQLException {
        int n = events.size();
        Object[][] columns = new Object[6][n];
        for (int k = 0; k < n; k++) {
            RecordedEvent e = events.get(k);
            columns[0][k] = e.runId();
            columns[1][k] = e.seq();
            columns[2][k] = e.type();
            columns[3][k] = e.agent();
            columns[4][k] = e.at() == null ? null : RunRows.millis(e.at());
            columns[5][k] = e.data();
        }
        int i = from;
        for (int col = 0; col < columns.length; col++) {
            PgArrays.bind(ps, i++, col == 1 || col == 4 ? "bigint" : "text", columns[col]);
        }
        return i;
    }

    // ---- a run's start

    private static final String CREATE_ONE = "INSERT INTO runs (" + RunRows.RUN_COLUMNS + ") VALUES ("
            + JdbcRunStore.placeholders(RunRows.RUN_COLUMN_COUNT) + ") ON CONFLICT (id) DO NOTHING";
    /** Rows in the order the writes came, so runs created in one millisecond keep their order; a run that exists fails it. */
    private static final String CREATE_ALL = "INSERT INTO runs (" + RunRows.RUN_COLUMNS + ") SELECT "
            + RunRows.RUN_COLUMNS + " FROM unnest(" + arrays(RunRows.RUN_TYPES) + ") WITH ORDINALITY AS r("
            + RunRows.RUN_COLUMNS + ", ord) ORDER BY ord RETURNING id";
    private static final String CREATE_ALL_SKIPPING = PostgresBatcher.changed(CREATE_ALL, " RETURNING id",
            " ON CONFLICT (id) DO NOTHING RETURNING id");

    record Create(RunRows rows, RunRecord run) {}

    /** Whether the run was new. */
    private static final PostgresBatcher.Kind<Create, Boolean> CREATE = new PostgresBatcher.Kind<>() {
        @Override
        public List<Boolean> all(Statements c, List<Create> writes) throws SQLException {
            return batch(c, writes, CREATE_ALL);
        }

        @Override
        public List<Boolean> allSkippingExisting(Statements c, List<Create> writes) throws SQLException {
            return batch(c, writes, CREATE_ALL_SKIPPING);
        }

        private List<Boolean> batch(Statements c, List<Create> writes, String sql) throws SQLException {
            int n = writes.size();
            Object[][] columns = new Object[RunRows.RUN_COLUMN_COUNT][n];
            for (int k = 0; k < n; k++) {
                Object[] row = RunRows.runValues(writes.get(k).run());
                for (int col = 0; col < row.length; col++) {
                    columns[col][k] = row[col];
                }
            }
            PreparedStatement ps = c.prepare(sql);
            bindColumns(ps, 1, RunRows.RUN_TYPES, columns);
            return PostgresBatcher.named(ps, writes.stream().map(w -> w.run().id()).toList());
        }

        @Override
        public Boolean one(Statements c, Create w) throws SQLException {
            PreparedStatement ps = c.prepare(CREATE_ONE);
            w.rows().bindRun(ps, 1, w.run());
            return ps.executeUpdate() == 1;
        }

        @Override
        public Object key(Create w) {
            return w.run().id();
        }
    };

    // ---- a run's outcome (not a pause, which settles its approvals in a transaction of its own)

    private static final String NOT_ENDED = "status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')";
    /** Fenced by id and owner; the lease is given up when the run stops running. Events only if it wrote. */
    private static final String FINISH_ONE = """
            WITH run AS (
                UPDATE runs SET current_agent = ?, status = ?, final_output = ?, error = ?, usage = ?, paused_state = ?,
                    updated_at = ?, owner = CASE WHEN ? THEN NULL ELSE owner END,
                    lease_until = CASE WHEN ? THEN NULL ELSE lease_until END
                WHERE id = ? AND\s""" + NOT_ENDED + " AND (owner IS NULL OR owner = ?) RETURNING id), events AS ("
            + EVENTS_FROM_ARRAYS + " WHERE EXISTS (SELECT 1 FROM run) ON CONFLICT (run_id, seq) DO NOTHING) SELECT "
            + NOTIFY + "id) FROM run";
    private static final String FINISH_ALL = """
            WITH req AS (
                SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                    ?::boolean[], ?::text[], ?::text[])
                    AS r(current_agent, status, final_output, error, usage, paused_state, updated_at, ends, id, owner)),
            run AS (
                UPDATE runs u SET current_agent = r.current_agent, status = r.status, final_output = r.final_output,
                    error = r.error, usage = r.usage, paused_state = r.paused_state, updated_at = r.updated_at,
                    owner = CASE WHEN r.ends THEN NULL ELSE u.owner END,
                    lease_until = CASE WHEN r.ends THEN NULL ELSE u.lease_until END
                FROM req r WHERE u.id = r.id AND u.id = ANY (?::text[]) AND u.""" + NOT_ENDED + """
                 AND (u.owner IS NULL OR u.owner = r.owner) RETURNING u.id),
            events AS (""" + EVENTS_FROM_ARRAYS + """
                 WHERE run_id IN (SELECT id FROM run))
            SELECT id, """ + NOTIFY + "id) FROM run";
    private static final String FINISH_ALL_SKIPPING = PostgresBatcher.changed(FINISH_ALL, "WHERE run_id IN (SELECT id FROM run))",
            "WHERE run_id IN (SELECT id FROM run) ON CONFLICT (run_id, seq) DO NOTHING)");

    record Finish(RunRecord run, List<RecordedEvent> events) {}

    /** Whether the outcome was written (the fence held). */
    private static final PostgresBatcher.Kind<Finish, Boolean> FINISH = new PostgresBatcher.Kind<>() {
        @Override
        public List<Boolean> all(Statements c, List<Finish> writes) throws SQLException {
            return batch(c, writes, FINISH_ALL);
        }

        @Override
        public List<Boolean> allSkippingExisting(Statements c, List<Finish> writes) throws SQLException {
            return batch(c, writes, FINISH_ALL_SKIPPING);
        }

        private List<Boolean> batch(Statements c, List<Finish> writes, String sql) throws SQLException {
            int n = writes.size();
            Object[][] columns = new Object[10][n];
            List<RecordedEvent> events = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                RunRecord run = writes.get(k).run();
                Object[] outcome = outcome(run);
                for (int col = 0; col < 8; col++) { // the outcome, and whether the run stops running once
                    columns[col][k] = outcome[col];
                }
                columns[8][k] = run.id();
                columns[9][k] = run.owner();
                events.addAll(writes.get(k).events());
            }
            PreparedStatement ps = c.prepare(sql);
            int i = bindColumns(ps, 1, FINISH_TYPES, columns);
            PgArrays.bind(ps, i++, "text", columns[8]); // the ids again, for the lookup by key
            bindEvents(ps, i, events);
            return PostgresBatcher.named(ps, writes.stream().map(w -> w.run().id()).toList());
        }

        @Override
        public Boolean one(Statements c, Finish w) throws SQLException {
            PreparedStatement ps = c.prepare(FINISH_ONE);
            Object[] outcome = outcome(w.run());
            int i = 1;
            for (int col = 0; col < outcome.length; col++) {
                ps.setObject(i++, outcome[col], FINISH_SQL_TYPES[col]);
            }
            ps.setString(i++, w.run().id());
            ps.setString(i++, w.run().owner());
            bindEvents(ps, i, w.events());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }

        @Override
        public Object key(Finish w) {
            return w.run().id();
        }
    };

    /** The outcome columns, then whether the run stops running (twice in {@link #FINISH_ONE}, once in {@link #FINISH_ALL}). */
    private static final String[] FINISH_TYPES = {"text", "text", "text", "text", "text", "text", "bigint", "boolean", "text",
            "text"};
    private static final int[] FINISH_SQL_TYPES = {java.sql.Types.VARCHAR, java.sql.Types.VARCHAR, java.sql.Types.VARCHAR,
            java.sql.Types.VARCHAR, java.sql.Types.VARCHAR, java.sql.Types.VARCHAR, java.sql.Types.BIGINT,
            java.sql.Types.BOOLEAN, java.sql.Types.BOOLEAN};

    /** current_agent, status, final_output, error, usage, paused_state, updated_at, ends (twice for the one-write statement). */
    private static Object[] outcome(RunRecord run) {
        boolean ends = run.status() != RunStatus.RUNNING;
        return new Object[] {run.currentAgent(), run.status().name(), run.finalOutput(), run.error(),
                JournalCodec.usage(run.usage()), run.pausedState(), RunRows.millis(run.updatedAt()), ends, ends};
    }

    /** {@code ?::type[]} for each type, comma-separated. */
    private static String arrays(String[] types) {
        StringBuilder sql = new StringBuilder();
        for (String type : types) {
            sql.append(sql.isEmpty() ? "" : ", ").append("?::").append(type).append("[]");
        }
        return sql.toString();
    }

    /** Binds each column as an array of its type, from parameter {@code from} on. */
    private static int bindColumns(PreparedStatement ps, int from, String[] types, Object[][] columns)
            throws SQLException {
        int i = from;
        for (int col = 0; col < columns.length; col++) {
            PgArrays.bind(ps, i++, types[col], columns[col]);
        }
        return i;
    }

    // ----

    private final PostgresBatcher<Create, Boolean> creates;
    private final PostgresBatcher<Record, Void> records;
    private final PostgresBatcher<Finish, Boolean> finishes;

    PostgresRunBatches(PostgresDatabase database) {
        this.creates = new PostgresBatcher<>(database, "create runs", CREATE);
        this.records = new PostgresBatcher<>(database, "record effects", RECORD);
        this.finishes = new PostgresBatcher<>(database, "finish runs", FINISH);
    }

    /** The most writes one statement carried so far: how tests see that writes were batched. */
    int largestRecordBatch() {
        return records.largestBatch();
    }

    /** How many effect records were sent alone because their batch failed. */
    int recordsSentAlone() {
        return records.sentAlone();
    }

    /** How many batches of effect records were sent again skipping existing rows (a replay among them). */
    int recordBatchesResentSkipping() {
        return records.resentSkipping();
    }

    int largestCreateBatch() {
        return creates.largestBatch();
    }

    int largestFinishBatch() {
        return finishes.largestBatch();
    }

    /** Whether the run was new. */
    boolean create(String what, String subject, Create write) {
        return creates.write(what, subject, write);
    }

    void record(String what, String subject, Record write) {
        records.write(what, subject, write);
    }

    /** Whether the outcome was written. */
    boolean finish(String what, String subject, Finish write) {
        return finishes.write(what, subject, write);
    }
}
