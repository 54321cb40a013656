package dev.baton.bench;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.jdbc.SqliteSessionStore;
import dev.baton.run.RunConfig;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.trace.TraceProcessor;
import dev.baton.session.InMemorySessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The {@code durable} scenario: the support flow of {@link SupportFlow}, run (a) durably, with
 * {@link DurableWorker#start} and {@link RunHandle#result()} over a {@link SqliteRunStore} in a fresh
 * SQLite file (journal of effects and events, no session), (b) durably the same way, each run with a
 * session of its own in a {@link SqliteSessionStore} on the same file (so each run also takes and
 * gives back its session's lease and writes its items there), and (c) in memory with
 * {@link Runner#run}, in the same JVM, with the same agents, model, run options, concurrency and
 * warm-up.
 *
 * <p>Protocol: {@code w} in-memory warm-up runs, {@code w} durable warm-up runs without and
 * {@code w} with sessions (each in a file of their own, deleted afterwards), then {@code n} measured
 * in-memory runs, {@code n} measured durable runs without sessions in a fresh file, and {@code n}
 * measured durable runs with sessions in another fresh file. Each pass runs {@code c} virtual threads
 * pulling from a shared counter, each with one run in flight at a time. A durable run counts from
 * {@code start} until {@code result()} returns, that is until its outcome is committed.
 *
 * <p>Correctness, so that a broken journal cannot look fast: every run must end {@code COMPLETED}
 * with {@code billing_specialist} as its current agent and the refund answer as its output; after
 * the measured runs the file is read again over plain JDBC and every run must have exactly the
 * effects of the flow (one start, three model calls, one tool call, all done) and as many events,
 * gapless from 0 and ending with a completion, as the same flow emits in memory. Every run that
 * falls short counts as a failure. With sessions, each run must also name its own session, which
 * must hold exactly the items the same flow leaves in an in-memory session, once each (positions
 * gapless from 1), with {@code billing_specialist} active and its lease released.
 */
final class Durable {
    /** The effects of one support-flow run: the start, three model calls, one tool call. */
    static final Map<String, Integer> EFFECTS_PER_RUN = Map.of("START", 1, "MODEL", 3, "TOOL", 1);

    private final Runner runner;
    private final SupportFlow.ScriptModel model = new SupportFlow.ScriptModel(0);
    private final Agent<Void> triage = SupportFlow.triage();
    private final RunOptions<Void> options;
    private final List<TraceProcessor> traceProcessors;
    private final AtomicReference<String> firstError;

    Durable(RunOptions<Void> options, List<TraceProcessor> traceProcessors, AtomicReference<String> firstError) {
        this.traceProcessors = List.copyOf(traceProcessors);
        this.runner = Runner.create(config().build());
        this.options = options;
        this.firstError = firstError;
    }

    /** The runners' config: the flow's model and the tracing setup under measurement. */
    private RunConfig.Builder config() {
        return RunConfig.builder().defaultModel(model).traceProcessors(traceProcessors);
    }

    /** The figures of one measurement pass. */
    record Pass(int runs, double seconds, long failures, double cpuSeconds) {
        Pass(int runs, double seconds, long failures) {
            this(runs, seconds, failures, Double.NaN);
        }

        double runsPerSecond() {
            return runs / seconds;
        }
    }

    /** What the journal holds after the measured durable runs. */
    record JournalCheck(long completedRuns, long effects, long events, long badRuns, int expectedEvents, long fileBytes) {}

    /** What the sessions hold after the measured durable runs with sessions. */
    record SessionCheck(long sessions, long items, long releasedLeases, long badSessions, int expectedItems) {}

    /**
     * Measures all three and returns three JSON objects: the durable measurement without sessions,
     * the one with a session per run, then the in-memory one.
     */
    List<Map<String, Object>> measure(int n, int w, int c, Map<String, Object> durableHeader,
            Map<String, Object> sessionHeader, Map<String, Object> memoryHeader) throws Exception {
        Path dir = Files.createTempDirectory("baton-bench-durable-");
        try {
            // Warm-up: the same number of unmeasured runs for each, the durable ones in files of their own.
            inMemory(w, c);
            if (w > 0) {
                Path warmFile = dir.resolve("warmup.db");
                durable(warmFile, w, c, false);
                deleteDatabase(warmFile);
                Path warmSessions = dir.resolve("warmup-sessions.db");
                durable(warmSessions, w, c, true);
                deleteDatabase(warmSessions);
            }
            System.gc();

            Pass memory = inMemory(n, c);
            Path file = dir.resolve("runs.db");
            Pass durable = durable(file, n, c, false);
            JournalCheck journal = checkJournal(file, n);
            Path sessionFile = dir.resolve("runs-sessions.db");
            Pass withSessions = durable(sessionFile, n, c, true);
            JournalCheck sessionJournal = checkJournal(sessionFile, n);
            SessionCheck sessions = checkSessions(sessionFile, n);

            Map<String, Object> d = durableFigures(durableHeader, w, n, durable, memory, journal, false);
            Map<String, Object> s = durableFigures(sessionHeader, w, n, withSessions, memory, sessionJournal, true);
            s.put("vs_no_session", withSessions.runsPerSecond() / durable.runsPerSecond());
            s.put("sessions", sessions.sessions());
            s.put("session_items", sessions.items());
            s.put("session_items_per_run", sessions.items() / (double) n);
            s.put("expected_session_items_per_run", sessions.expectedItems());
            s.put("released_session_leases", sessions.releasedLeases());
            s.put("bad_sessions", sessions.badSessions());
            s.put("failures", ((Number) s.get("failures")).longValue() + sessions.badSessions());

            Map<String, Object> m = new LinkedHashMap<>(memoryHeader);
            m.put("warmup", w);
            m.put("seconds", memory.seconds());
            m.put("runs_per_s", memory.runsPerSecond());
            m.put("us_per_run", memory.seconds() * 1e6 / n);
            m.put("failures", memory.failures());
            return List.of(d, s, m);
        } finally {
            deleteTree(dir);
        }
    }

    private static Map<String, Object> durableFigures(Map<String, Object> header, int w, int n, Pass durable, Pass memory,
            JournalCheck journal, boolean session) {
        Map<String, Object> d = new LinkedHashMap<>(header);
        d.put("warmup", w);
        d.put("seconds", durable.seconds());
        d.put("runs_per_s", durable.runsPerSecond());
        d.put("us_per_run", durable.seconds() * 1e6 / n);
        d.put("cpu_us_per_run", durable.cpuSeconds() * 1e6 / n);
        d.put("in_memory_runs_per_s", memory.runsPerSecond());
        d.put("vs_in_memory", durable.runsPerSecond() / memory.runsPerSecond());
        d.put("store", "sqlite");
        d.put("session", session);
        d.put("completed_runs", journal.completedRuns());
        d.put("effects", journal.effects());
        d.put("effects_per_run", journal.effects() / (double) n);
        d.put("events", journal.events());
        d.put("events_per_run", journal.events() / (double) n);
        d.put("expected_events_per_run", journal.expectedEvents());
        d.put("db_bytes", journal.fileBytes());
        d.put("bad_journal_runs", journal.badRuns());
        d.put("failures", durable.failures() + journal.badRuns() + (n - journal.completedRuns()));
        return d;
    }

    /** {@code n} in-memory runs with {@link Runner#run}, {@code c} in flight. */
    Pass inMemory(int n, int c) throws InterruptedException {
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        pool(n, c, () -> {
        RunResult r = runner.run(triage, SupportFlow.INPUT, options);
        if (!SupportFlow.check(r)) {
            fail(failures, "in memory: unexpected result: lastAgent=" + r.lastAgent() + " output=" + r.finalOutputText());
        }
        }, failures);
        return new Pass(n, (System.nanoTime() - start) / 1e9, failures.get());
    }

    /**
     * {@code n} durable runs in {@code file} (created), {@code c} in flight; with {@code sessions},
     * run {@code k} has session {@code bench-k} in a session store on the same file. The stores are
     * closed afterwards.
     */
    Pass durable(Path file, int n, int c, boolean sessions) throws InterruptedException {
        AtomicLong failures = new AtomicLong();
        AtomicInteger sessionIds = new AtomicInteger();
        long start;
        double seconds;
        double cpuStart;
        double cpuSeconds;
        SqliteSessionStore sessionStore = sessions ? SqliteSessionStore.open(file) : null;
        Runner durableRunner = sessions
                ? Runner.create(config().sessionStore(sessionStore).build())
                : runner;
        try (sessionStore;
                DurableWorker durable = DurableWorker.builder(durableRunner, SqliteRunStore.open(file))
                .agents(triage)
                .closeStoreOnClose(true)
                .build().start()) {
            cpuStart = processCpuSeconds();
            start = System.nanoTime();
            pool(n, c, () -> {
                RunOptions<Void> runOptions = sessions ? options.withSession("bench-" + sessionIds.getAndIncrement()) : options;
                RunHandle handle = durable.startRun(triage, SupportFlow.INPUT, runOptions);
                RunRecord r = handle.result();
                if (!completedAsExpected(r)) {
                    fail(failures, "durable: run " + r.id() + " ended " + r.status() + " with agent " + r.currentAgent()
                            + ", output " + r.finalOutput() + ", error " + r.error());
                }
            }, failures);
            seconds = (System.nanoTime() - start) / 1e9;
            cpuSeconds = processCpuSeconds() - cpuStart;
        }
        return new Pass(n, seconds, failures.get(), cpuSeconds);
    }

    /**
     * The CPU time this process has used so far, all threads together (the database writer's
     * included). Per run it shows the work a run costs, which on a shared machine moves much less
     * than the wall time does.
     */
    static double processCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** Completed by the billing specialist with the refund answer (the output is JSON text: a JSON string). */
    static boolean completedAsExpected(RunRecord r) {
        return r.status() == RunStatus.COMPLETED
                && "billing_specialist".equals(r.currentAgent())
                && ("\"" + SupportFlow.ANSWER + "\"").equals(r.finalOutput());
    }

    /**
     * Reads the file over plain JDBC: the runs completed, and per run the effects of the flow and
     * the events the same flow emits in memory (gapless, ending with the completion).
     */
    JournalCheck checkJournal(Path file, int n) throws SQLException, IOException {
        int expectedEvents = eventsPerRunInMemory();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement s = db.createStatement()) {
            long completed = count(s, "SELECT count(*) FROM runs WHERE status = 'COMPLETED' AND current_agent = 'billing_specialist'");
            long effects = count(s, "SELECT count(*) FROM run_effects");
            long events = count(s, "SELECT count(*) FROM run_events");
            long runs = count(s, "SELECT count(*) FROM runs");
            // Runs whose effects are not exactly one start, three model calls and one tool call, all done,
            // or whose events are not the expected number, gapless from 0, ending with the completion.
            String badRuns = """
                    SELECT count(*) FROM runs r WHERE
                      (SELECT count(*) FROM run_effects e WHERE e.run_id = r.id AND e.status = 'DONE' AND e.kind = 'START') != %d
                      OR (SELECT count(*) FROM run_effects e WHERE e.run_id = r.id AND e.status = 'DONE' AND e.kind = 'MODEL') != %d
                      OR (SELECT count(*) FROM run_effects e WHERE e.run_id = r.id AND e.status = 'DONE' AND e.kind = 'TOOL') != %d
                      OR (SELECT count(*) FROM run_effects e WHERE e.run_id = r.id) != %d
                      OR (SELECT count(*) FROM run_events v WHERE v.run_id = r.id) != %d
                      OR (SELECT max(seq) FROM run_events v WHERE v.run_id = r.id) IS NOT %d
                      OR (SELECT type FROM run_events v WHERE v.run_id = r.id ORDER BY seq DESC LIMIT 1) IS NOT 'RunCompleted'
                    """.formatted(EFFECTS_PER_RUN.get("START"), EFFECTS_PER_RUN.get("MODEL"), EFFECTS_PER_RUN.get("TOOL"),
                    EFFECTS_PER_RUN.values().stream().mapToInt(Integer::intValue).sum(), expectedEvents, expectedEvents - 1);
            long bad = count(s, badRuns) + Math.abs(runs - n);
            return new JournalCheck(completed, effects, events, bad, expectedEvents, databaseBytes(file));
        }
    }

    /**
     * Reads the sessions of the file over plain JDBC: each run named a session of its own, which
     * holds exactly the items the same flow leaves in an in-memory session (positions gapless from
     * 1, so none written twice), has {@code billing_specialist} active, and its lease released.
     */
    SessionCheck checkSessions(Path file, int n) throws SQLException {
        int expectedItems = sessionItemsPerRunInMemory();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement s = db.createStatement()) {
            long sessions = count(s, "SELECT count(DISTINCT session_id) FROM runs WHERE session_id IS NOT NULL");
            long items = count(s, "SELECT count(*) FROM session_items");
            long released = count(s, "SELECT count(*) FROM session_leases WHERE expires_at = 0");
            String badRuns = """
                    SELECT count(*) FROM runs r WHERE r.session_id IS NULL
                      OR (SELECT count(*) FROM session_items i WHERE i.session_id = r.session_id) != %d
                      OR (SELECT min(position) FROM session_items i WHERE i.session_id = r.session_id) IS NOT 1
                      OR (SELECT max(position) FROM session_items i WHERE i.session_id = r.session_id) IS NOT %d
                      OR (SELECT active_agent FROM sessions x WHERE x.session_id = r.session_id) IS NOT 'billing_specialist'
                      OR (SELECT expires_at FROM session_leases l WHERE l.session_id = r.session_id) IS NOT 0
                    """.formatted(expectedItems, expectedItems);
            long bad = count(s, badRuns) + (n - sessions);
            return new SessionCheck(sessions, items, released, bad, expectedItems);
        }
    }

    /** How many items one support-flow run leaves in a fresh session, in memory. */
    private int sessionItemsPerRunInMemory() {
        InMemorySessionStore store = new InMemorySessionStore();
        Runner reference = Runner.create(config().sessionStore(store).build());
        RunResult r = reference.run(triage, SupportFlow.INPUT, options.withSession("reference"));
        if (!SupportFlow.check(r)) {
            throw new IllegalStateException("the reference run with a session failed its check");
        }
        return store.items("reference", 0).size();
    }

    /** How many events (text deltas aside, as the journal keeps them) one support-flow run emits in memory. */
    private int eventsPerRunInMemory() {
        AtomicInteger events = new AtomicInteger();
        RunResult r = runner.run(triage, SupportFlow.INPUT, options.withListener(e -> {
            if (!(e instanceof RunEvent.TextDelta)) {
                events.incrementAndGet();
            }
        }));
        if (!SupportFlow.check(r)) {
            throw new IllegalStateException("the reference run failed its check");
        }
        return events.get();
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private interface Task {
        void run() throws Exception;
    }

    /** Runs {@code n} tasks on {@code c} virtual threads pulling from a shared counter. */
    private void pool(int n, int c, Task task, AtomicLong failures) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            while (next.getAndIncrement() < n) {
                try {
                    task.run();
                } catch (Exception e) {
                    fail(failures, e + (e.getCause() != null ? " caused by " + e.getCause() : ""));
                }
            }
        };
        List<Thread> threads = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            threads.add(Thread.ofVirtual().start(worker));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void fail(AtomicLong failures, String what) {
        failures.incrementAndGet();
        firstError.compareAndSet(null, what);
    }

    private static long databaseBytes(Path file) throws IOException {
        long bytes = 0;
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path p = Path.of(file + suffix);
            if (Files.exists(p)) {
                bytes += Files.size(p);
            }
        }
        return bytes;
    }

    private static void deleteDatabase(Path file) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("baton-bench: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
