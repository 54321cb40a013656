package dev.baton.durable;

import dev.baton.BatonException;
import dev.baton.RunCancelled;
import dev.baton.SessionStoreFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.JournalMismatch;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunState;
import dev.baton.run.Runner;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs agents durably: each run is recorded in a {@link RunStore} with the journal of its effects,
 * so it survives the process. {@link #start} returns at once with a {@link RunHandle}; any process
 * sharing the store can {@link #attach} to the run, follow its events, approve its tool calls or
 * cancel it. After a crash, {@link #resumeIncomplete()} (or a {@link #startWorker worker}) takes
 * over runs left running: recorded model and tool results are replayed, not requested again.
 *
 * <pre>{@code
 * try (DurableRunner durable = DurableRunner.builder(runner, SqliteRunStore.open(path)).agents(triage).build()) {
 *     RunHandle run = durable.start(triage, "I was charged twice", RunOptions.session("ticket-42"));
 *     RunRecord done = run.result();
 * }
 * }</pre>
 *
 * <p>Several processes may share one store (PostgreSQL): a run is executed by the worker holding
 * its lease, which heartbeats renew; a dead worker's runs are taken over once their lease expires.
 * Runs are resumed with the agent they started with, looked up by name among the agents given to
 * the builder (and those started here); a journal written by a different agent graph is refused
 * with a {@link JournalMismatch} naming what differs.
 */
public final class DurableRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableRunner.class);

    private final Runner runner;
    private final RunStore store;
    private final String workerId;
    private final Duration lease;
    private final Duration pollInterval;
    private final boolean autoResume;
    private final boolean ownsStore;
    private final Function<RunRecord, RunOptions<?>> resumeOptions;
    private final Map<String, Registered> agents = new ConcurrentHashMap<>();
    private final Map<String, Execution> executing = new ConcurrentHashMap<>();
    private final Map<String, JournalMismatch> incompatible = new ConcurrentHashMap<>();
    /** Why this process's latest execution of a run stopped short (the store failed), until it runs here again. */
    private final Map<String, RuntimeException> stopped = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeat;
    private volatile boolean closed;
    private volatile @Nullable Thread worker;
    /** Runs whose lease release failed; retried by the heartbeat unless this worker claimed the run again meanwhile. */
    private final java.util.Set<String> pendingRelease = ConcurrentHashMap.newKeySet();
    /** Held while a failed release is retried and while a claim drops it, so no late release undoes a newer claim. */
    private final ReentrantLock releaseLock = new ReentrantLock();
    /** Results that runs stopped here by a store failure could not record, written before those runs are taken again. */
    private final Map<String, StoreJournal.Unrecorded> unrecorded = new ConcurrentHashMap<>();
    private volatile long lastRenewal = System.nanoTime();

    private record Registered(Agent<?> agent, Map<String, String> graph) {}

    private DurableRunner(Builder b) {
        this.runner = b.runner;
        this.store = b.store;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.lease = b.lease;
        this.pollInterval = b.pollInterval;
        this.autoResume = b.autoResume;
        this.ownsStore = b.closeStore;
        this.resumeOptions = b.resumeOptions;
        for (Agent<?> a : b.agents) {
            register(a);
        }
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-durable-heartbeat-" + workerId);
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    public static Builder builder(Runner runner, RunStore store) {
        return new Builder(runner, store);
    }

    /** This runner's worker id: the owner name its leases carry. */
    public String workerId() {
        return workerId;
    }

    public RunStore store() {
        return store;
    }

    // ---- starting and attaching

    public <C> RunHandle start(Agent<C> agent, String input) {
        return start(agent, input, RunOptions.none());
    }

    public <C> RunHandle start(Agent<C> agent, String input, RunOptions<C> options) {
        return start(agent, List.<Item>of(Message.user(input)), options);
    }

    /**
     * Records a new run and starts executing it on a virtual thread; returns once the run is
     * recorded, before its first model call.
     *
     * @throws RunStoreFailed if the store cannot record the run (then nothing was started)
     * @throws UserError if the options carry a session of another store, or a different agent of the same name is registered
     */
    public <C> RunHandle start(Agent<C> agent, List<Item> input, RunOptions<C> options) {
        requireOpen();
        Objects.requireNonNull(agent, "agent");
        Registered registered = register(agent);
        String sessionId = sessionOf(options);
        Instant now = now();
        String runId = newRunId();
        RunRecord record = new RunRecord(runId, agent.name(), agent.name(), sessionId, input, RunStatus.RUNNING, now, now,
                null, null, null, registered.graph(), null, workerId, now.plus(lease));
        // Executing here from before the store knows the run: no worker loop can claim it meanwhile.
        Execution ex = new Execution(runId);
        executing.put(runId, ex);
        boolean launched = false;
        try {
            storeCall(() -> {
                store.createRun(record);
                return null;
            }, "record the new run " + runId);
            launch(ex, record, agent, options, null, false);
            launched = true;
        } finally {
            if (!launched) {
                abandon(ex);
            }
        }
        return new RunHandle(this, runId);
    }

    /**
     * A handle on a run recorded in the store, started by this or any other process.
     *
     * @throws UserError if the store has no run with this id
     */
    public RunHandle attach(String runId) {
        find(runId);
        return new RunHandle(this, runId);
    }

    // ---- recovery and workers

    /**
     * Takes over every run left running with no live owner (its process died, or the last decision
     * it waited for made it resumable) and continues it here; returns their handles. A run whose journal does not
     * match the agents here is left in the store untouched; its handle reports the
     * {@link JournalMismatch}.
     */
    public List<RunHandle> resumeIncomplete() {
        requireOpen();
        List<RunHandle> taken = new ArrayList<>();
        List<String> candidates = storeCall(() -> store.claimable(now(), 1000), "list the runs left running");
        for (String runId : candidates) {
            if (claimAndContinue(runId)) {
                taken.add(new RunHandle(this, runId));
            }
        }
        for (String mine : runningOwnedHere()) {
            // Runs this worker id held before a restart: taken back at once, without waiting for the lease.
            if (claimAndContinue(mine)) {
                taken.add(new RunHandle(this, mine));
            }
        }
        return taken;
    }

    /**
     * Starts worker mode: a background loop that, every {@code pollInterval}, takes over runs left
     * running by dead workers and runs made resumable by decisions taken elsewhere. Close the returned handle (or
     * this runner) to stop it.
     */
    public AutoCloseable startWorker() {
        requireOpen();
        Thread t = Thread.ofVirtual().name("baton-durable-worker-" + workerId).start(() -> {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                try {
                    resumeIncomplete();
                } catch (RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    log.warn("worker {}: taking over runs failed: {}", workerId, e.getMessage());
                }
                try {
                    Thread.sleep(pollInterval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        worker = t;
        return () -> {
            t.interrupt();
            t.join(Duration.ofSeconds(5));
        };
    }

    /** Running runs whose lease names this worker id, oldest pages included. */
    private List<String> runningOwnedHere() {
        List<String> mine = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Instant before = null;
        while (true) {
            Instant upTo = before;
            List<RunRecord> page = storeCall(() -> store.listRuns(RunQuery.all().withStatuses(RunStatus.RUNNING)
                    .between(null, upTo).withLimit(500)), "list the runs left running");
            boolean added = false;
            for (RunRecord r : page) {
                if (seen.add(r.id())) {
                    added = true;
                    if (workerId.equals(r.owner()) && !executing.containsKey(r.id())) {
                        mine.add(r.id());
                    }
                }
            }
            if (page.size() < 500 || !added) {
                return mine;
            }
            before = page.get(page.size() - 1).createdAt().plusMillis(1);
        }
    }

    // ---- history

    /** Runs matching the query, newest first. */
    public List<RunRecord> runs(RunQuery query) {
        return storeCall(() -> store.listRuns(query), "list runs");
    }

    /** One run with its events, effects (per-step timings and tokens) and approvals. */
    public RunHistory history(String runId) {
        RunRecord run = find(runId);
        return storeCall(() -> new RunHistory(run, allEvents(runId), store.effects(runId), store.approvals(runId)),
                "read the history of run " + runId);
    }

    /** Approvals waiting for a decision, across runs, oldest first. */
    public List<Approval> pendingApprovals(int limit) {
        return storeCall(() -> store.pendingApprovals(limit), "list pending approvals");
    }

    private List<RecordedEvent> allEvents(String runId) {
        List<RecordedEvent> all = new ArrayList<>();
        while (true) {
            List<RecordedEvent> batch = store.events(runId, all.size(), 1000);
            all.addAll(batch);
            if (batch.size() < 1000) {
                return all;
            }
        }
    }

    // ---- what handles call

    RunRecord find(String runId) {
        return storeCall(() -> store.findRun(runId), "read run " + runId)
                .orElseThrow(() -> new UserError("No run with id '" + runId + "' in the store"));
    }

    /** Waits until the run ends or pauses, or the timeout passes. */
    Optional<RunRecord> await(String runId, @Nullable Duration timeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        RunWatch watch = null;
        try {
            while (true) {
                long seen = watch == null ? 0 : watch.version();
                Optional<RunRecord> settled = settledOrNull(runId, deadline);
                if (settled != null) {
                    return settled;
                }
                if (watch == null) {
                    // Subscribed after the read: read once more before waiting, so no change between the two is missed.
                    watch = watch(runId);
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                watch.await(seen, Math.min(left, pollInterval.toNanos()));
            }
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }

    /**
     * The run once it ended or paused (waiting here for an execution of this process), empty when
     * the deadline passed while it executes here, null while it goes on elsewhere.
     */
    private @Nullable Optional<RunRecord> settledOrNull(String runId, long deadline) {
        while (true) {
            JournalMismatch mismatch = incompatible.get(runId);
            if (mismatch != null) {
                throw mismatch;
            }
            Execution ex = executing.get(runId);
            if (ex != null) {
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0 || !ex.awaitEnd(left)) {
                    return Optional.empty();
                }
                if (ex.failure != null) {
                    throw ex.failure;
                }
                continue;
            }
            RunRecord record = find(runId);
            if (record.status().isTerminal() || record.status() == RunStatus.PAUSED) {
                return Optional.of(record);
            }
            RuntimeException failure = stopped.get(runId);
            if (failure != null && !executing.containsKey(runId)) {
                throw failure;
            }
            return null;
        }
    }

    List<RecordedEvent> events(String runId, long fromSeq, int limit) {
        return storeCall(() -> store.events(runId, fromSeq, limit), "read the events of run " + runId);
    }

    boolean isLive(String runId) {
        if (executing.containsKey(runId)) {
            return true;
        }
        if (stopped.containsKey(runId)) {
            return false; // stopped here on a store failure: nothing more comes until it is resumed
        }
        RunStatus s = find(runId).status();
        return !(s.isTerminal() || s == RunStatus.PAUSED);
    }

    Approval decide(String runId, String callId, boolean approved, @Nullable String message) {
        RunRecord run = find(runId);
        if (run.status().isTerminal()) {
            throw new UserError("Run " + runId + " has ended (" + run.status() + "); its approvals can no longer be decided");
        }
        Optional<Approval> stored = storeCall(() -> store.decide(runId, callId, approved, message, now()), "record a decision");
        if (stored.isEmpty()) {
            List<String> pending = storeCall(() -> store.approvals(runId), "read approvals").stream()
                    .filter(a -> a.status() == Approval.Status.PENDING).map(Approval::callId).toList();
            throw new UserError("Run " + runId + " has no approval for call id '" + callId + "'; pending: " + pending);
        }
        Approval a = stored.get();
        Approval.Status wanted = approved ? Approval.Status.APPROVED : Approval.Status.REJECTED;
        if (a.status() != wanted) {
            throw new UserError("The call " + callId + " of run " + runId + " was already " + a.status().name().toLowerCase(java.util.Locale.ROOT)
                    + " at " + a.decidedAt());
        }
        // The store made the run resumable with the last decision (or with the pause, if the decision came
        // while the pause was being written); continue it here unless told otherwise.
        signal(runId);
        continueIfResumable(runId);
        return a;
    }

    boolean cancel(String runId) {
        find(runId);
        boolean changed = storeCall(() -> store.cancelRun(runId, "cancelled on request", now()), "cancel run " + runId);
        Execution ex = executing.get(runId);
        if (ex != null) {
            ex.cancelRequested = true;
            ex.interrupt();
        }
        signal(runId);
        return changed;
    }

    // ---- execution

    /** Continues here (by default) a run the store holds as resumable: running, with no owner. */
    private void continueIfResumable(String runId) {
        if (autoResume && !closed) {
            RunRecord now = find(runId);
            if (now.status() == RunStatus.RUNNING && now.owner() == null) {
                claimAndContinue(runId);
            }
        }
    }

    /**
     * The one way a run not started here becomes executing here: the run is entered in
     * {@link #executing} first (so no other caller in this process can take it too), then claimed in
     * the store, then launched. A run executing or being claimed here is never claimed again.
     */
    private boolean claimAndContinue(String runId) {
        if (incompatible.containsKey(runId) || executing.containsKey(runId) || !recordUnrecorded(runId)) {
            return false;
        }
        Execution ex = new Execution(runId);
        if (executing.putIfAbsent(runId, ex) != null) {
            return false;
        }
        boolean launched = false;
        try {
            // A release of an earlier execution that failed is dropped, not retried over this claim.
            boolean releasePending;
            releaseLock.lock();
            try {
                releasePending = pendingRelease.remove(runId);
            } finally {
                releaseLock.unlock();
            }
            Instant now = now();
            boolean claimed;
            try {
                claimed = storeCall(() -> store.claim(runId, workerId, now, now.plus(lease)), "claim run " + runId);
            } catch (RuntimeException e) {
                if (releasePending) {
                    pendingRelease.add(runId); // the claim may or may not have been made: the lease is given up later
                }
                throw e;
            }
            if (!claimed) {
                return false;
            }
            try {
                RunRecord record = find(runId);
                if (record.status() != RunStatus.RUNNING) {
                    releaseQuietly(runId);
                    return false;
                }
                continueRun(ex, record);
                launched = true;
                return true;
            } catch (JournalMismatch e) {
                incompatible.put(runId, e);
                log.error("run {} left as it was: {}", runId, e.getMessage());
                releaseQuietly(runId);
                return true;
            } catch (RuntimeException e) {
                releaseQuietly(runId); // claimed, not continued: the lease is not kept alive by this worker's heartbeats
                throw e;
            }
        } finally {
            if (!launched) {
                abandon(ex);
            }
        }
    }

    /** Takes back an execution entered in {@link #executing} that was never launched. */
    private void abandon(Execution ex) {
        executing.remove(ex.runId, ex);
        ex.ended();
        signal(ex.runId);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void continueRun(Execution ex, RunRecord record) {
        Registered registered = agents.get(record.startAgent());
        if (registered == null) {
            throw new JournalMismatch("Run " + record.id() + " started with agent '" + record.startAgent()
                    + "', which this runner does not know (agents: " + new TreeMap<>(agents).keySet()
                    + "): give it to DurableRunner.builder(...).agents(...)");
        }
        String diff = differences(record.graph(), registered.graph());
        if (!diff.isEmpty()) {
            throw new JournalMismatch("Run " + record.id() + " was journaled by a different agent graph: " + diff
                    + ". Resume it with the agent definitions it was started with.");
        }
        RunOptions options = resumeOptions.apply(record);
        if (record.sessionId() != null) {
            options = options.withSession(record.sessionId());
        }
        RunState state = null;
        if (record.pausedState() != null) {
            state = withDecisions(RunState.fromJson(record.pausedState()), storeCall(() -> store.approvals(record.id()), "read approvals"));
        }
        launch(ex, record, (Agent) registered.agent(), options, state, true);
    }

    private static RunState withDecisions(RunState state, List<Approval> approvals) {
        java.util.Set<String> pending = new java.util.HashSet<>();
        for (ApprovalRequest r : state.pendingApprovals()) {
            pending.add(r.callId());
        }
        for (Approval a : approvals) {
            if (pending.contains(a.callId())) {
                if (a.status() == Approval.Status.APPROVED) {
                    state = state.approve(a.callId());
                } else if (a.status() == Approval.Status.REJECTED) {
                    state = state.reject(a.callId(), a.message());
                }
            }
        }
        return state;
    }

    /** What differs between the graph a run was journaled with and the one here; empty if nothing. */
    static String differences(Map<String, String> journaled, Map<String, String> here) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(journaled).entrySet()) {
            String now = here.get(e.getKey());
            if (now == null) {
                out.add("agent '" + e.getKey() + "' is missing (renamed or removed)");
            } else if (!now.equals(e.getValue())) {
                out.add("agent '" + e.getKey() + "' has a different definition (" + e.getValue() + " then, " + now + " now)");
            }
        }
        return String.join("; ", out);
    }

    /**
     * Why the run's lease may have lapsed, or null while it surely holds: a heartbeat that came late
     * (a busy machine, many runs to check) may let the lease expire while this worker is alive, and
     * another worker may then claim the run. Before each step the journal asks, and the run stops
     * (resumably) rather than perform a step that the other worker may perform too.
     */
    private @Nullable String leaseLapse(Execution ex) {
        long renewed = Math.max(lastRenewal, ex.reservedAt);
        long age = System.nanoTime() - renewed;
        if (age <= lease.toNanos() * 2 / 3) {
            return null;
        }
        ex.stopping = true; // stopped from outside, as when the lease is lost: the run stays resumable
        ex.lapsed = true;
        return "worker " + workerId + " last renewed its lease " + TimeUnit.NANOSECONDS.toMillis(age) + " ms ago, past two thirds of the "
                + lease.toMillis() + " ms lease, so another worker may hold the run now";
    }

    /** Starts executing a run already entered in {@link #executing} (by {@link #start} or {@link #claimAndContinue}). */
    private <C> void launch(Execution ex, RunRecord record, Agent<C> agent, RunOptions<C> options, @Nullable RunState state,
            boolean replay) {
        StoreJournal journal = new StoreJournal(record.id(), store, workerId, record.currentAgent(), () -> signal(record.id()), replay,
                () -> leaseLapse(ex));
        // The run holds its session as long as it holds the run: a dead worker's session is free when its runs are.
        RunOptions<C> journaled = options.withJournal(journal).withSessionLease(lease);
        if (record.sessionId() != null && options.sessionId() == null && options.session() == null) {
            journaled = journaled.withSession(record.sessionId());
        }
        RunOptions<C> opts = journaled;
        ex.record = record;
        stopped.remove(record.id());
        Thread t = Thread.ofVirtual().name("baton-run-" + record.id()).unstarted(() -> execute(ex, journal, agent, opts, state));
        ex.thread = t;
        t.start();
        if (ex.cancelRequested || ex.stopping) {
            t.interrupt(); // cancelled or stopped while it was being claimed
        }
    }

    private <C> void execute(Execution ex, StoreJournal journal, Agent<C> agent, RunOptions<C> options, @Nullable RunState state) {
        String runId = ex.record.id();
        try {
            RunResult result = state == null ? runner.run(agent, ex.record.input(), options) : runner.resume(agent, state, options);
            ex.settling = true;
            settle(ex, journal, result);
        } catch (RuntimeException e) {
            // The run thread may carry the interrupt that stopped it: clear it, or recording the
            // outcome or releasing the lease would be interrupted too.
            Thread.interrupted();
            stopped(ex, journal, e);
        } catch (Error e) {
            ex.failure = new RunStoreFailed("Run " + runId + " stopped on a JVM error: " + e, e);
            throw e;
        } finally {
            if (ex.failure != null && !(ex.failure instanceof JournalMismatch)) {
                stopped.put(runId, ex.failure);
            }
            executing.remove(runId, ex);
            ex.ended();
            signal(runId);
        }
        if (ex.lapsed && !closed) {
            try {
                continueIfResumable(runId);
            } catch (RuntimeException e) {
                log.warn("run {} stopped on a late heartbeat and was not taken up again here: {}", runId, e.getMessage());
            }
        }
    }

    /** Records how a run that did not settle ended, or leaves it resumable if it only stopped. */
    private void stopped(Execution ex, StoreJournal journal, RuntimeException error) {
        String runId = ex.record.id();
        if (error instanceof RunStoreFailed || error instanceof SessionStoreFailed) {
            // A store outage stops the run, it does not end it: the journal replays it once the store is back.
            journal.discard();
            StoreJournal.Unrecorded lost = journal.unrecorded();
            if (lost != null) {
                unrecorded.put(runId, lost);
            }
            ex.failure = error;
            log.warn("run {} stopped: {}", runId, error.getMessage());
            releaseQuietly(runId);
        } else if (error instanceof JournalMismatch mismatch) {
            journal.discard();
            incompatible.put(runId, mismatch);
            ex.failure = mismatch;
            log.error("run {} left as it was: {}", runId, mismatch.getMessage());
            releaseQuietly(runId);
        } else if (error instanceof RunCancelled && ex.cancelRequested) {
            finish(ex, journal, RunStatus.CANCELLED, null, describe(error), null);
        } else if (error instanceof RunCancelled || ex.stopping) {
            // Stopped from outside (this runner closes, or lost the lease), whatever the interrupt
            // turned into: not the run's outcome, and it stays resumable elsewhere.
            journal.discard();
            releaseQuietly(runId);
        } else {
            finish(ex, journal, RunStatus.FAILED, null, describe(error), null);
        }
    }

    private void settle(Execution ex, StoreJournal journal, RunResult result) {
        String runId = ex.record.id();
        if (result.isPaused()) {
            Instant now = now();
            List<Approval> requested = new ArrayList<>();
            for (ApprovalRequest r : result.interruptions()) {
                requested.add(new Approval(runId, r.callId(), r.agent(), r.toolName(), r.arguments(), Approval.Status.PENDING, null,
                        now, null, result.turns()));
            }
            storeCall(() -> {
                store.requestApprovals(requested);
                return null;
            }, "record the approvals run " + runId + " waits for");
            RunRecord paused = ex.record.withOutcome(RunStatus.PAUSED, result.lastAgent(), null, null, result.usage(),
                    result.toState().toJson(), now);
            List<RecordedEvent> last = journal.takeBuffered();
            if (storeCall(() -> store.finishRun(last, paused), "record the pause of run " + runId)) {
                // A decision that came in while the pause was written left the run resumable (the store does
                // that with the pause): it continues like one decided after.
                executing.remove(runId, ex);
                signal(runId);
                try {
                    continueIfResumable(runId);
                } catch (RuntimeException e) {
                    log.warn("run {}: paused and decided meanwhile, left for a worker to continue: {}", runId, e.getMessage());
                }
            }
            return;
        }
        finish(ex, journal, RunStatus.COMPLETED, JournalCodec.write(result.finalOutput()), null, result);
    }

    /** Writes the run's last events and outcome, and gives up its lease, in one store call. */
    private void finish(Execution ex, StoreJournal journal, RunStatus status, @Nullable String output, @Nullable String error,
            @Nullable RunResult result) {
        String runId = ex.record.id();
        RunRecord current = ex.record;
        RunRecord done = current.withOutcome(status, result == null ? journal.currentAgent() : result.lastAgent(), output, error,
                result == null ? current.usage() : result.usage(), current.pausedState(), now());
        try {
            if (!store.finishRun(journal.takeBuffered(), done)) {
                log.info("run {}: outcome {} not recorded, the run was cancelled or taken over meanwhile", runId, status);
                releaseQuietly(runId);
            }
        } catch (RuntimeException e) {
            ex.failure = new RunStoreFailed("The run store failed to record the outcome of run " + runId + " (" + status + "): "
                    + StoreJournal.message(e) + ". The run stays resumable and its journal replays it.", e);
        }
    }

    /**
     * Writes the result a store failure kept out of this run's journal, if there is one, before the
     * run is taken again: a replay without it would do that call once more (a tool's second
     * attempt) for every try while the store still fails. False while the write still fails; a
     * result the journal has moved past (the run went on elsewhere) is dropped.
     */
    private boolean recordUnrecorded(String runId) {
        StoreJournal.Unrecorded lost = unrecorded.get(runId);
        if (lost == null) {
            return true;
        }
        Effect effect = lost.effect();
        try {
            boolean current = store.effects(runId).stream().noneMatch(e -> e.key().equals(effect.key())
                    && (e.status() == Effect.Status.DONE || e.attempts() > effect.attempts()));
            if (current) {
                store.record(lost.events(), effect);
            }
            unrecorded.remove(runId, lost);
            return true;
        } catch (RuntimeException e) {
            log.debug("run {}: recording effect {} still fails; the run is taken again once it does", runId, effect.key(), e);
            return false;
        }
    }

    private void releaseQuietly(String runId) {
        try {
            store.release(runId, workerId);
        } catch (RuntimeException e) {
            // Retried by the heartbeat before it renews leases, so a run this worker stopped is not kept alive by
            // it; dropped if this worker claims the run again first (the run is still executing here, so no claim
            // can come before this line).
            pendingRelease.add(runId);
            log.debug("releasing run {} failed; retried at the next heartbeat", runId, e);
        }
    }

    /** Retries the releases that failed, except those of runs claimed here again since. */
    private void retryReleases() {
        for (String runId : List.copyOf(pendingRelease)) {
            releaseLock.lock();
            try {
                if (!pendingRelease.contains(runId)) {
                    continue;
                }
                store.release(runId, workerId);
                pendingRelease.remove(runId);
            } catch (RuntimeException e) {
                log.warn("worker {}: releasing run {} failed: {}", workerId, runId, e.getMessage());
                return;
            } finally {
                releaseLock.unlock();
            }
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    /**
     * Renews the leases of the runs executing here; stops those cancelled from elsewhere and those
     * whose lease this worker lost (taken over by another worker, or not renewed for two thirds of
     * a lease because the store was unreachable), so two workers never go on with one run. An
     * execution still being claimed, or one that has finished and is writing its outcome (which the
     * store fences by owner), is left alone: the lease it would act on is not its own.
     */
    private void beat() {
        retryReleases();
        if (executing.isEmpty()) {
            lastRenewal = System.nanoTime();
            return;
        }
        try {
            long renewing = System.nanoTime(); // the lease runs from before the call, not from its answer
            store.renewLeases(workerId, now().plus(lease));
            lastRenewal = renewing;
            for (Execution ex : executing.values()) {
                if (ex.thread == null || ex.settling) {
                    continue;
                }
                Optional<RunRecord> r = store.findRun(ex.runId);
                if (r.isEmpty()) {
                    continue;
                }
                if (r.get().status() == RunStatus.CANCELLED && !ex.cancelRequested) {
                    ex.cancelRequested = true;
                    ex.interrupt();
                } else if (r.get().status() == RunStatus.RUNNING && !workerId.equals(r.get().owner())) {
                    log.warn("worker {}: run {} is now held by {}; stopping it here", workerId, ex.runId, r.get().owner());
                    ex.stop();
                }
            }
        } catch (RuntimeException e) {
            log.warn("worker {}: renewing leases failed: {}", workerId, e.getMessage());
            if (System.nanoTime() - lastRenewal > lease.toNanos() * 2 / 3) {
                for (Execution ex : executing.values()) {
                    log.warn("worker {}: stopping run {}: its lease could not be renewed", workerId, ex.runId);
                    ex.stop();
                }
            }
        }
    }

    private Registered register(Agent<?> agent) {
        Registered existing = agents.get(agent.name());
        if (existing != null) {
            if (existing.agent() != agent && !existing.agent().fingerprint().equals(agent.fingerprint())) {
                throw new UserError("Another agent named '" + agent.name() + "' is registered with this durable runner (definition "
                        + existing.agent().fingerprint() + ", here " + agent.fingerprint() + ")");
            }
            return existing;
        }
        Map<String, String> graph = new TreeMap<>();
        agent.reachableAgents().forEach((name, a) -> graph.put(name, a.fingerprint()));
        Registered r = new Registered(agent, Map.copyOf(graph));
        Registered raced = agents.putIfAbsent(agent.name(), r);
        return raced != null ? raced : r;
    }

    private static @Nullable String sessionOf(RunOptions<?> options) {
        if (options.session() != null) {
            return options.session().id();
        }
        return options.sessionId();
    }

    /** Wakes this process's readers of the run: the store has a change they wait for, or it stopped executing here. */
    void signal(String runId) {
        try {
            store.notifier().publish(runId);
        } catch (RuntimeException e) {
            log.debug("run {}: waking its readers failed; they see the change at their next poll", runId, e);
        }
    }

    /** A wait for news of the run, subscribed to the store's notifier; the caller reads after this, then waits. */
    RunWatch watch(String runId) {
        return new RunWatch(store.notifier(), runId);
    }

    Duration pollInterval() {
        return pollInterval;
    }

    private <T> T storeCall(Supplier<T> op, String what) {
        try {
            return op.get();
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RunStoreFailed("The run store failed to " + what + ": " + StoreJournal.message(e), e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new UserError("This durable runner is closed");
        }
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * A time-ordered id: 48 bits of milliseconds, then 80 random bits, in fixed-width hex. Runs,
     * their effects and events are keyed by run id, so ids that grow with time keep a store's
     * writes on the last pages of its indexes instead of scattering them (three times the
     * journaled runs per second on SQLite, measured).
     */
    static String newRunId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        java.util.HexFormat hex = java.util.HexFormat.of();
        return "run_" + hex.toHexDigits(System.currentTimeMillis()).substring(4) + hex.toHexDigits(random.nextLong())
                + hex.toHexDigits((short) random.nextInt());
    }

    private static String defaultWorkerId() {
        return ProcessHandle.current().pid() + "@" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /**
     * Stops the worker and the heartbeat, and stops the runs executing here without ending them:
     * they stay running in the store, their leases released, for another worker to continue.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread w = worker;
        if (w != null) {
            w.interrupt();
        }
        heartbeat.shutdownNow();
        for (Execution ex : executing.values()) {
            ex.stop();
        }
        for (Execution ex : executing.values()) {
            ex.awaitEnd(TimeUnit.SECONDS.toNanos(10));
        }
        for (String runId : List.copyOf(pendingRelease)) {
            releaseLock.lock();
            try {
                if (pendingRelease.remove(runId)) {
                    store.release(runId, workerId);
                }
            } catch (RuntimeException e) {
                log.warn("worker {}: releasing run {} failed; its lease will expire: {}", workerId, runId, e.getMessage());
            } finally {
                releaseLock.unlock();
            }
        }
        if (ownsStore) {
            store.close();
        }
    }

    /** A run executing in this process. */
    private static final class Execution {
        final String runId;
        /** When this process reserved the run: its claim or creation is at least this recent. */
        final long reservedAt = System.nanoTime();
        /** The run as claimed or started; set when the execution is launched. */
        volatile RunRecord record;
        /** The run's thread; null until launched (the run is being recorded or claimed). */
        volatile @Nullable Thread thread;
        volatile boolean cancelRequested;
        /** Stopped from outside without ending the run: this runner closes, or lost the run's lease. */
        volatile boolean stopping;
        /** Stopped before a step because its lease may have lapsed: taken up again here unless another worker holds it. */
        volatile boolean lapsed;
        /** The run returned or paused: its outcome is being written, with or without its lease. */
        volatile boolean settling;
        volatile @Nullable RuntimeException failure;
        private final java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);

        Execution(String runId) {
            this.runId = runId;
        }

        void ended() {
            end.countDown();
        }

        void interrupt() {
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }

        void stop() {
            stopping = true;
            interrupt();
        }

        boolean awaitEnd(long nanos) {
            try {
                return end.await(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunCancelled("Interrupted while waiting for a durable run");
            }
        }
    }

    /** Settings of a {@link DurableRunner}. */
    public static final class Builder {
        private final Runner runner;
        private final RunStore store;
        private final List<Agent<?>> agents = new ArrayList<>();
        private @Nullable String workerId;
        private Duration lease = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private boolean autoResume = true;
        private boolean closeStore;
        private Function<RunRecord, RunOptions<?>> resumeOptions = r -> RunOptions.none();

        private Builder(Runner runner, RunStore store) {
            this.runner = Objects.requireNonNull(runner, "runner");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The agents runs may have started with, so a resumed run finds its agent by name. */
        public Builder agents(Agent<?>... agents) {
            this.agents.addAll(List.of(agents));
            return this;
        }

        /**
         * The owner name this runner's leases carry; defaults to the process id and a random suffix.
         * Give a process a stable id (one per process, never shared by two live ones) and, after a
         * restart, {@link DurableRunner#resumeIncomplete()} takes back its runs at once instead of
         * waiting for their leases to expire.
         */
        public Builder workerId(String workerId) {
            this.workerId = Objects.requireNonNull(workerId, "workerId");
            return this;
        }

        /**
         * How long a claim lasts without a heartbeat (default 30 s); heartbeats renew it every third
         * of it. A dead worker's runs are taken over this long after its last heartbeat.
         */
        public Builder lease(Duration lease) {
            if (lease.toMillis() < 150) {
                throw new UserError("A lease must last at least 150 ms, got " + lease);
            }
            this.lease = lease;
            return this;
        }

        /**
         * How often a worker looks for runs to take over (default 1 s); also the longest a handle or
         * an event stream waits between two reads of a run when no news reaches it (the store's
         * {@link RunStore#notifier() notifier} wakes them as soon as the run moves on).
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /** Whether a decision made here continues its run here at once (default true). */
        public Builder autoResume(boolean autoResume) {
            this.autoResume = autoResume;
            return this;
        }

        /** Options (context, listener, ...) for runs this runner resumes rather than starts. */
        public Builder resumeOptions(Function<RunRecord, RunOptions<?>> resumeOptions) {
            this.resumeOptions = Objects.requireNonNull(resumeOptions, "resumeOptions");
            return this;
        }

        /** Closes the store when the runner closes. */
        public Builder closeStoreOnClose(boolean closeStore) {
            this.closeStore = closeStore;
            return this;
        }

        public DurableRunner build() {
            return new DurableRunner(this);
        }
    }
}
