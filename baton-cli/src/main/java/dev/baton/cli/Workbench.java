package dev.baton.cli;

import dev.baton.RunCancelled;
import dev.baton.UserError;
import dev.baton.cli.desk.Desk;
import dev.baton.cli.desk.Desks;
import dev.baton.durable.Approval;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.RunStoreFailed;
import dev.baton.human.HumanChannel;
import dev.baton.item.Message;
import dev.baton.run.RunConfig;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a command works with: the desks, the stores, the model, and a durable worker that serves
 * each desk as an application of that name. Runs record their desk, so desks may use the same
 * agent names (two desks start with a {@code support_triage}) and "the runs of the support desk" is
 * a query; any run can be approved, shown or resumed from any process sharing the database. The
 * worker takes no runs by itself ({@code takeOver(false)}): a {@code baton} process executes the
 * runs its person starts, decides or resumes, never the work of another terminal.
 *
 * <p>Runs get a short lease ({@value #LEASE_SECONDS} s): a run left running by a {@code baton}
 * process that was killed can be taken over by {@code baton runs resume} a few seconds later. The
 * worker id is the runner's default (process id and a random suffix), not a stable one per
 * database: two {@code baton} processes often share one database (a chat in one terminal, an
 * approval in another), and two live processes must never share a worker id.
 */
final class Workbench implements AutoCloseable {
    static final int LEASE_SECONDS = 5;
    private static final Duration WAIT_STEP = Duration.ofMillis(200);

    private final Stores stores;
    private final ModelChoice model;
    /** The {@code --db} value hints repeat, or null for the default database. */
    private final @Nullable String dbOption;
    private final Map<String, Desk<?>> desks = new LinkedHashMap<>();
    private final DurableWorker worker;
    private final Predicate<RunRecord> resumable;
    private final Map<String, Throwable> failures = new ConcurrentHashMap<>();
    private volatile Consumer<RunEvent> display = e -> {};
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Closes the runners when the JVM is stopped (Ctrl-C): runs executing here are left resumable at once, leases released. */
    private final Thread shutdownHook = new Thread(this::stopped, "baton-shutdown");
    /** The runs this process started, resumed or attached to: what a Ctrl-C may leave unfinished. */
    private final java.util.Set<String> inHand = ConcurrentHashMap.newKeySet();
    private final Terminal terminal;
    /** What to say on Ctrl-C when no run of this process is left unfinished (a chat: how to continue it); null for nothing. */
    private volatile Supplier<@Nullable String> leaving = () -> null;

    private Workbench(Stores stores, ModelChoice model, HumanChannel operator, Predicate<RunRecord> resumable, Terminal terminal,
            @Nullable String dbOption) {
        this.stores = stores;
        this.terminal = terminal;
        this.dbOption = dbOption;
        this.model = model;
        this.resumable = resumable;
        for (String name : Desks.names()) {
            desks.put(name, Desks.create(name, operator));
        }
        // The desks start nothing until a run needs it (the support desk's help center): a failure below leaves nothing running.
        // The default model, not a per-run override: an agent with a model of its own keeps it (the acme
        // desk's human agent, answered by the operator, would keep it either way).
        RunConfig.Builder config = RunConfig.builder().sessionStore(stores.sessions()).defaultModel(model.model());
        if (model.provider() != null) {
            config.modelProvider(model.provider());
        }
        Runner runner = Runner.create(config.build());
        DurableWorker.Builder builder = DurableWorker.builder(runner, stores.runs())
                .lease(Duration.ofSeconds(LEASE_SECONDS))
                .pollInterval(Duration.ofMillis(200))
                .takeOver(false)
                .runOptions(record -> options(desks.get(record.application())));
        desks.values().forEach(desk -> builder.application(desk.name(), desk.entry()));
        this.worker = builder.build().start();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Opens the database and the model and builds the desks.
     *
     * @throws CliError if the database cannot be opened or the model cannot be chosen
     */
    static Workbench open(Settings settings, HumanChannel operator) {
        return open(settings, operator, r -> true);
    }

    /** As {@link #open(Settings, HumanChannel)}; {@link #resumeIncomplete()} takes over only the runs {@code resumable} accepts. */
    static Workbench open(Settings settings, HumanChannel operator, Predicate<RunRecord> resumable) {
        ModelChoice model = ModelChoice.choose(settings.model(), settings.terminal().env(), settings.offlineUnlessNamed(), settings.verbose());
        Stores stores;
        try {
            stores = openStores(settings);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        try {
            return new Workbench(stores, model, operator, resumable, settings.terminal(), settings.db());
        } catch (RuntimeException e) {
            stores.close();
            model.close();
            throw e;
        }
    }

    /**
     * How a command opens its workbench.
     *
     * @param db the {@code --db} value, or null for the default file
     * @param model the {@code --model} value, or null
     * @param offlineUnlessNamed the offline model even with an API key, unless {@code --model} names one (the demo)
     * @param temporaryDir a directory for a temporary database instead of {@code db} (the demo)
     * @param verbose whether the offline model explains each answer
     * @param createDb whether a SQLite file {@code db} names may be created (the default file always may)
     */
    record Settings(Terminal terminal, @Nullable String db, @Nullable String model, boolean offlineUnlessNamed,
            @Nullable Path temporaryDir, boolean verbose, boolean createDb) {}

    /**
     * Opens the database the settings name, refusing a SQLite file {@code --db} names that does not
     * exist unless {@code --create-db} is given: a mistyped path would otherwise become a new, empty
     * database, and the runs and sessions the user looks for would seem gone.
     *
     * @throws CliError if the file does not exist, or the database cannot be opened
     */
    static Stores openStores(Settings settings) {
        if (settings.temporaryDir() != null) {
            return Stores.temporary(settings.temporaryDir());
        }
        String db = settings.db();
        Optional<Path> file = sqliteFile(settings);
        if (db != null && !settings.createDb() && file.isPresent() && !java.nio.file.Files.exists(file.get())) {
            throw new CliError("database " + db + " does not exist (" + file.get().toAbsolutePath().normalize()
                    + "); check the path, or add --create-db to create it");
        }
        return Stores.open(db, settings.terminal().workDir());
    }

    /**
     * The SQLite file the settings name (the default file without {@code --db}), or empty for
     * PostgreSQL and the demo's temporary database.
     *
     * @throws CliError for an in-memory or unsupported database
     */
    static Optional<Path> sqliteFile(Settings settings) {
        String db = settings.db();
        Path workDir = settings.terminal().workDir();
        if (settings.temporaryDir() != null || db != null && db.startsWith("jdbc:postgresql:")) {
            return Optional.empty();
        }
        if (db == null) {
            return Optional.of(workDir.resolve(Stores.DEFAULT_FILE));
        }
        if (db.startsWith("jdbc:sqlite:")) {
            return Optional.of(workDir.resolve(Stores.sqliteFile(db.substring("jdbc:sqlite:".length()), true, db)));
        }
        if (db.startsWith("jdbc:")) {
            return Optional.empty(); // Stores.open says it is not supported
        }
        return Optional.of(workDir.resolve(Stores.sqliteFile(db, false, db)));
    }

    /** @throws CliError naming the desks if {@code name} is set and names none */
    static void checkDesk(@Nullable String name) {
        if (name != null && !Desks.names().contains(name)) {
            throw new CliError("unknown desk '" + name + "' (desks: " + String.join(", ", Desks.names()) + ")");
        }
    }

    /**
     * A session id a person may choose ({@code --session support-1a2b3c4d} starts that session if
     * the database does not know it yet): letters, digits and {@code - _ . : @}, at most 200.
     *
     * @throws CliError saying what is wrong with it
     */
    static void checkSessionId(@Nullable String session) {
        if (session != null && !session.matches("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}")) {
            throw new CliError("a session id is 1 to 200 letters, digits and - _ . : @ (starting with a letter or digit), got '"
                    + Text.oneLine(session, 80) + "'");
        }
    }

    /**
     * The desk a conversation uses: {@code --desk}, else the desk the session id names, else {@code support}.
     *
     * @throws CliError if the desk is unknown, or the session belongs to another desk
     */
    static String deskFor(@Nullable String desk, @Nullable String session) {
        checkDesk(desk);
        Optional<String> ofSession = session == null ? Optional.empty() : deskOfSession(session);
        if (desk != null && ofSession.isPresent() && !ofSession.get().equals(desk)) {
            throw new CliError("session '" + session + "' is a conversation of desk '" + ofSession.get() + "', not '" + desk
                    + "' (leave out --desk)");
        }
        return desk != null ? desk : ofSession.orElse("support");
    }

    Desk<?> desk(String name) {
        checkDesk(name);
        return desks.get(name);
    }

    /** The desk a run belongs to: the application it recorded. */
    static String deskName(RunRecord run) {
        return run.application();
    }

    String modelLabel() {
        return model.label();
    }

    String storeLabel() {
        return stores.label();
    }

    /** Where the events of the runs this process executes go (the console, or nowhere). */
    void display(Consumer<RunEvent> display) {
        this.display = display;
    }

    /** A new session id for a desk: the desk's name and a random part, so a session names its desk. */
    static String newSessionId(String desk) {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return desk + "-" + HexFormat.of().formatHex(b);
    }

    /** The desk a session id names ({@code support-1a2b3c4d}), if it names one. */
    static Optional<String> deskOfSession(String sessionId) {
        int dash = sessionId.indexOf('-');
        String prefix = dash < 0 ? "" : sessionId.substring(0, dash);
        return Desks.names().contains(prefix) ? Optional.of(prefix) : Optional.empty();
    }

    /**
     * Whether the database knows the session: it has items or an active agent, or a run was
     * started on it (a first message stopped by a guardrail, or still waiting, writes nothing to
     * the session itself).
     */
    boolean sessionExists(String sessionId) {
        return !stores.sessions().items(sessionId, 1).isEmpty() || stores.sessions().activeAgent(sessionId).isPresent()
                || !runs(RunQuery.all().withSession(sessionId).withLimit(1)).isEmpty();
    }

    /** The runs of a session that wait for approval, oldest first. */
    List<RunRecord> pausedRuns(String sessionId) {
        List<RunRecord> paused = new ArrayList<>(runs(RunQuery.all().withSession(sessionId).withStatuses(RunStatus.PAUSED)
                .withLimit(1000)));
        java.util.Collections.reverse(paused);
        return paused;
    }

    /**
     * What the desk of an approval's run adds to its arguments for the person deciding it (an
     * item's name and price), or null.
     */
    @Nullable String explain(Approval approval) {
        try {
            Optional<RunRecord> run = stores.runs().findRun(approval.runId());
            Desk<?> desk = run.map(r -> desks.get(r.application())).orElse(null);
            return desk == null ? null : desk.explain(approval.tool(), approval.arguments());
        } catch (RuntimeException e) {
            return null; // only a courtesy to the person deciding
        }
    }

    /**
     * Waits until the run ends or pauses, like {@link RunHandle#result()}; or, if its execution
     * here stopped without ending it (the operator left the human agent's question unanswered,
     * {@link RunCancelled}), returns it as it is: still {@code RUNNING}, its lease released, for
     * {@code baton runs resume}.
     */
    RunRecord result(RunHandle run) {
        while (true) {
            boolean stopped = failures.get(run.id()) instanceof RunCancelled;
            Optional<RunRecord> done = run.await(WAIT_STEP);
            if (done.isPresent()) {
                return done.get();
            }
            if (stopped) {
                return run.record();
            }
        }
    }

    /** The agent holding a session: the one its next message goes to. */
    Optional<String> activeAgent(String sessionId) {
        return stores.sessions().activeAgent(sessionId);
    }

    /**
     * Starts one turn of a desk's conversation on a session. The same message sent again after its
     * run failed (the user's retry) replaces the failed attempt's copy in the session, so the
     * conversation holds it once: see {@link #dropFailedAttempt}.
     */
    RunHandle start(Desk<?> desk, String sessionId, String message) {
        dropFailedAttempt(sessionId, message);
        return startOn(desk, sessionId, message);
    }

    /**
     * A run saves its input to the session when it starts, so a run that failed (the model could
     * not be reached) leaves the user's message as the session's last item. When the same message is
     * sent again, that copy is removed first: only if the session's latest run failed (not stopped by
     * a guardrail, which saves nothing), that run's input was this message, and the message is still
     * the session's last item (nothing was added after it).
     */
    private void dropFailedAttempt(String sessionId, String message) {
        List<RunRecord> latest = runs(RunQuery.all().withSession(sessionId).withLimit(1));
        if (latest.isEmpty() || latest.get(0).status() != RunStatus.FAILED || Turns.stoppedByGuardrail(latest.get(0), Optional.empty())) {
            return;
        }
        List<dev.baton.item.Item> input = latest.get(0).input();
        if (input.isEmpty() || !(input.get(input.size() - 1) instanceof Message sent) || !sent.text().equals(message)) {
            return;
        }
        List<dev.baton.item.Item> last = stores.sessions().items(sessionId, 1);
        if (!last.isEmpty() && last.get(0) instanceof Message m && m.role() == sent.role() && m.text().equals(message)) {
            stores.sessions().popItem(sessionId);
        }
    }

    private <C> RunHandle startOn(Desk<C> desk, String sessionId, String message) {
        RunOptions<C> options = options(desk).withSession(sessionId);
        RunHandle run = worker.startRun(desk.name(), desk.entry(), List.of(Message.user(message)), options);
        inHand.add(run.id());
        return run;
    }

    /** The calls waiting for a decision in a session's paused runs, oldest first: what keeps it from taking a new message. */
    List<Approval> waitingCalls(String sessionId) {
        List<Approval> waiting = new ArrayList<>();
        for (RunRecord paused : pausedRuns(sessionId)) {
            waiting.addAll(Turns.pending(attach(paused.id())));
        }
        return waiting;
    }

    /**
     * A handle on a recorded run, through the runner of its desk (so deciding its approvals
     * continues it with the right agents).
     *
     * @throws CliError if the store has no run with this id, or no desk here ran it
     */
    RunHandle attach(String runId) {
        RunRecord run = store(() -> stores.runs().findRun(runId), "read run " + runId)
                .orElseThrow(() -> new CliError("unknown run '" + runId + "' (see: " + Hint.command() + " runs list)"));
        if (!desks.containsKey(run.application())) {
            throw new CliError("run " + runId + " belongs to '" + run.application() + "', which is not a desk of this command (desks: "
                    + String.join(", ", Desks.names()) + ")", CliError.FAILED, null);
        }
        try {
            RunHandle handle = worker.attach(runId);
            inHand.add(runId);
            return handle;
        } catch (UserError e) {
            throw new CliError("unknown run '" + runId + "' (see: " + Hint.command() + " runs list)");
        }
    }

    /** Runs matching the query, newest first. */
    List<RunRecord> runs(RunQuery query) {
        return store(() -> stores.runs().listRuns(query), "list runs");
    }

    /** Calls waiting for a decision, across runs, oldest first. */
    List<Approval> pendingApprovals(int limit) {
        return store(() -> stores.runs().pendingApprovals(limit), "list pending approvals");
    }

    /** Takes over every run of the desks left running with no live owner (that this workbench may resume); their handles. */
    List<RunHandle> resumeIncomplete() {
        List<RunHandle> taken = new ArrayList<>();
        Instant now = Instant.now();
        List<String> candidates = store(() -> stores.runs().claimable(now, desks.keySet(), 1000), "list the runs left running");
        for (String runId : candidates) {
            Optional<RunRecord> run = store(() -> stores.runs().findRun(runId), "read run " + runId);
            if (run.isPresent() && resumable.test(run.get())) {
                worker.resume(runId).ifPresent(h -> {
                    inHand.add(h.id());
                    taken.add(h);
                });
            }
        }
        return taken;
    }

    /** The exception a run executed here failed with, if it failed here. */
    Optional<Throwable> failure(String runId) {
        return Optional.ofNullable(failures.get(runId));
    }

    private <C> RunOptions<C> options(@Nullable Desk<C> desk) {
        if (desk == null) {
            return RunOptions.none(); // not a desk here: the worker takes no run of it
        }
        return RunOptions.context(desk.newContext()).withListener(this::onEvent);
    }

    private void onEvent(RunEvent event) {
        if (event instanceof RunEvent.RunFailed f) {
            failures.put(f.runId(), f.error());
        } else {
            failures.remove(event.runId()); // going again (resumed here): an earlier stop is history
        }
        try {
            display.accept(event);
        } catch (RuntimeException e) {
            // The console must not fail a run.
        }
    }

    private static <T> T store(Supplier<T> call, String what) {
        try {
            return call.get();
        } catch (UserError | CliError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RunStoreFailed("The run store failed to " + what + ": " + Text.message(e), e);
        }
    }

    /** What to say on Ctrl-C when no run of this process is left unfinished, or null to say nothing but the newline. */
    void onInterrupt(Supplier<@Nullable String> leaving) {
        this.leaving = leaving;
    }

    /**
     * The JVM is stopping (Ctrl-C, or a kill): the runs executing here stop where they are and stay
     * resumable, their leases released, and one line per run says how to go on; nothing else is
     * printed (the command's threads see their run stop and the store close, which is no news). The
     * JVM exits with 130 after Ctrl-C.
     */
    private void stopped() {
        Gate.shut();
        List<String> lines = new ArrayList<>();
        try {
            worker.close();
            for (String runId : inHand) {
                Optional<RunRecord> run = stores.runs().findRun(runId);
                if (run.isEmpty()) {
                    continue;
                }
                if (run.get().status() == RunStatus.RUNNING) {
                    lines.add("Stopped: run " + runId + " is resumable; continue it with: " + Hint.command() + " runs resume " + runId
                            + Approvals.dbOption(dbOption));
                } else if (run.get().status() == RunStatus.PAUSED) {
                    lines.add("Stopped: run " + runId + " waits for approval; see: " + Hint.command() + " approvals list"
                            + Approvals.dbOption(dbOption));
                }
            }
            if (lines.isEmpty()) {
                String line = leaving.get();
                if (line != null) {
                    lines.add(line);
                }
            }
        } catch (RuntimeException e) {
            lines.add("Stopped: " + Text.message(e));
        }
        terminal.err().println();
        lines.forEach(terminal.err()::println);
        terminal.err().flush();
        close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down; the hook is this call's twin and finds the work done.
            }
        }
        try {
            worker.close();
        } finally {
            try {
                stores.close();
            } finally {
                try {
                    model.close();
                } finally {
                    closeDesks(desks.values());
                }
            }
        }
    }

    /** Closes each desk (ending what it started, such as a tool server's process), even when one fails to. */
    static void closeDesks(Iterable<? extends Desk<?>> desks) {
        for (Desk<?> desk : desks) {
            try {
                desk.close();
            } catch (RuntimeException e) {
                // Closing is best effort: the next desk still gets closed, and a server left behind ends with this process's pipes.
            }
        }
    }
}
