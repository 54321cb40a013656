package dev.baton.durable;

import dev.baton.RunStoreFailed;
import dev.baton.BatonException;
import dev.baton.RunCancelled;
import dev.baton.SessionStoreFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.run.ApprovalRequest;
import dev.baton.JournalMismatch;
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
 * Executes durable runs: registers agents under application names, takes the runs of those
 * applications from the {@link RunStore} (started here, by a {@link DurableClient} anywhere, or
 * left by a worker that died), holds each by a lease its heartbeats renew, and records every model
 * and tool result in the run's journal so that a run survives the process: after a crash, recorded
 * results are replayed, not requested again.
 *
 * <pre>{@code
 * try (DurableWorker worker = DurableWorker.builder(runner, SqliteRunStore.open(path))
 *         .application("support", triage)
 *         .build()
 *         .start()) {
 *     RunHandle run = worker.startRun(triage, "I was charged twice", RunOptions.session("ticket-42"));
 *     RunRecord done = run.result();
 * }
 * }</pre>
 *
 * <p>Building a worker starts nothing; {@link #start()} starts its heartbeat and its loop that,
 * every {@code pollInterval}, takes runs of its applications that no live worker holds (new ones a
 * client recorded, ones a decision made resumable, ones whose worker died). Several workers may share
 * one store (PostgreSQL): a run is executed by the worker holding its lease. A run continues with
 * the agent it started with, looked up by name in its application; a journal written by a different
 * agent graph is refused with a {@link JournalMismatch} naming what differs.
 */
public final class DurableWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);

    private final Runner runner;
    private final RunStore store;
    private final String workerId;
    private final Duration lease;
    private final Duration pollInterval;
    private final boolean autoResume;
    private final boolean takeOver;
    private final boolean ownsStore;
    private final Function<RunRecord, RunOptions<?>> runOptions;
    /** Per application, its agents by name: those registered, and those they reach by handoffs. */
    private final Map<String, Map<String, Registered>> applications = new ConcurrentHashMap<>();
    private final DurableClient client;
    private final Map<String, Execution> executing = new ConcurrentHashMap<>();
    private final Map<String, JournalMismatch> incompatible = new ConcurrentHashMap<>();
    /** Why this process's latest execution of a run stopped short (the store failed), until it runs here again. */
    private final Map<String, RuntimeException> stopped = new ConcurrentHashMap<>();
    private volatile @Nullable ScheduledExecutorService heartbeat;
    private volatile @Nullable Thread heartbeatThread;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile @Nullable Thread worker;
    /** Runs whose lease release failed; retried by the heartbeat unless this worker claimed the run again meanwhile. */
    private final java.util.Set<String> pendingRelease = ConcurrentHashMap.newKeySet();
    /** Held while a failed release is retried and while a claim drops it, so no late release undoes a newer claim. */
    private final ReentrantLock releaseLock = new ReentrantLock();
    /** Results that runs stopped here by a store failure could not record, written before those runs are taken again. */
    private final Map<String, StoreJournal.Unrecorded> unrecorded = new ConcurrentHashMap<>();
    private volatile long lastRenewal = System.nanoTime();
    /**
     * Runs whose execution here stopped without ending them (a store outage, a lease that lapsed or
     * could not be renewed): taken up again here, at a heartbeat, once they are free, unless
     * another worker holds them by then. So a worker that takes over nothing else
     * ({@code takeOver(false)}) still finishes what it started.
     */
    private final java.util.Set<String> retake = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean retaking = new java.util.concurrent.atomic.AtomicBoolean();

    /** An agent of an application: given to the worker ({@code explicit}), or reached from one by handoffs. */
    private record Registered(Agent<?> agent, Map<String, String> graph, boolean explicit) {}

    private DurableWorker(Builder b) {
        this.runner = b.runner;
        this.store = b.store;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.lease = b.lease;
        this.pollInterval = b.pollInterval;
        this.autoResume = b.autoResume;
        this.takeOver = b.takeOver;
        this.ownsStore = b.closeStore;
        this.runOptions = b.runOptions;
        b.applications.forEach((application, entries) -> entries.forEach(a -> register(application, a)));
        this.client = DurableClient.of(this, store, pollInterval);
    }

    public static Builder builder(Runner runner, RunStore store) {
        return new Builder(runner, store);
    }

    /**
     * Starts the worker: its heartbeat, which renews the leases of the runs executing here, and
     * (unless built with {@code takeOver(false)}) its loop, which every {@code pollInterval} takes
     * the runs of its applications that no live worker holds. Until started, a worker executes
     * nothing. Returns this worker.
     */
    public DurableWorker start() {
        requireOpen();
        synchronized (this) {
            if (started) {
                return this;
            }
            ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "baton-durable-heartbeat-" + workerId);
                t.setDaemon(true);
                heartbeatThread = t;
                return t;
            });
            long every = Math.max(50, lease.toMillis() / 3);
            beats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
            heartbeat = beats;
            if (takeOver) {
                worker = Thread.ofVirtual().name("baton-durable-worker-" + workerId).start(this::takeOverLoop);
            }
            started = true;
        }
        return this;
    }

    /** The client of this worker's store: its handles wait for the runs executing here as they go. */
    public DurableClient client() {
        return client;
    }

    /** The application names this worker executes runs of. */
    public java.util.Set<String> applications() {
        return java.util.Set.copyOf(applications.keySet());
    }

    /** This worker's worker id: the owner name its leases carry. */
    public String workerId() {
        return workerId;
    }

    public RunStore store() {
        return store;
    }

    // ---- starting and attaching

    public <C> RunHandle startRun(Agent<C> agent, String input) {
        return startRun(agent, input, RunOptions.none());
    }

    public <C> RunHandle startRun(Agent<C> agent, String input, RunOptions<C> options) {
        return startRun(agent, List.<Item>of(Message.user(input)), options);
    }

    /**
     * {@link #startRun(String, Agent, List, RunOptions)} in the application the agent is registered
     * in: the only one that has it, or {@value RunRecord#DEFAULT_APPLICATION} when none has it.
     *
     * @throws UserError if several applications of this worker have an agent of this name
     */
    public <C> RunHandle startRun(Agent<C> agent, List<Item> input, RunOptions<C> options) {
        return startRun(applicationOf(agent), agent, input, options);
    }

    /**
     * Records a new run of {@code application} and starts executing it here on a virtual thread;
     * returns once the run is recorded, before its first model call. The agent is registered in the
     * application if it is not yet.
     *
     * @throws RunStoreFailed if the store cannot record the run (then nothing was started)
     * @throws UserError if the worker is not started, the options carry a session of another store,
     *     or a different agent of the same name is registered in the application
     */
    public <C> RunHandle startRun(String application, Agent<C> agent, List<Item> input, RunOptions<C> options) {
        requireStarted();
        Objects.requireNonNull(agent, "agent");
        Registered registered = register(application, agent);
        String sessionId = sessionOf(options);
        Instant now = now();
        String runId = DurableClient.newRunId();
        RunRecord record = new RunRecord(runId, application, agent.name(), agent.name(), sessionId, input, RunStatus.RUNNING, now,
                now, null, null, null, registered.graph(), null, workerId, now.plus(lease));
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
        return new RunHandle(client, runId);
    }

    /**
     * A handle on a run recorded in the store, started by this or any other process.
     *
     * @throws UserError if the store has no run with this id
     */
    public RunHandle attach(String runId) {
        return client.attach(runId);
    }

    /** The application of a run started with this agent and no application named. */
    private String applicationOf(Agent<?> agent) {
        List<String> having = new ArrayList<>();
        applications.forEach((application, agents) -> {
            Registered r = agents.get(agent.name());
            if (r != null) {
                having.add(application);
            }
        });
        if (having.size() > 1) {
            java.util.Collections.sort(having);
            throw new UserError("Agent '" + agent.name() + "' is registered in several applications of this worker " + having
                    + ": name the application the run belongs to");
        }
        return having.isEmpty() ? RunRecord.DEFAULT_APPLICATION : having.get(0);
    }

    // ---- recovery and workers

    /**
     * Takes over every run left running with no live owner (its process died, or the last decision
     * it waited for made it resumable) and continues it here; returns their handles. A run whose journal does not
     * match the agents here is left in the store untouched; its handle reports the
     * {@link JournalMismatch}.
     */
    public List<RunHandle> resumeIncomplete() {
        return takeOver(true);
    }

    /**
     * Claims and continues the free runs of this worker's applications; with {@code heldBefore},
     * also those this worker id held before a restart (a scan of every running run, needed once:
     * the loop does it on its first pass only, as a run this worker stops later is taken up again
     * by the heartbeat).
     */
    private List<RunHandle> takeOver(boolean heldBefore) {
        requireStarted();
        List<RunHandle> taken = new ArrayList<>();
        java.util.Set<String> mine = applications();
        if (mine.isEmpty()) {
            return taken;
        }
        List<String> candidates = storeCall(() -> store.claimable(now(), mine, 1000), "list the runs left running");
        for (String runId : candidates) {
            if (claimAndContinue(runId)) {
                taken.add(new RunHandle(client, runId));
            }
        }
        for (String held : heldBefore ? runningOwnedHere() : List.<String>of()) {
            // Runs this worker id held before a restart: taken back at once, without waiting for the lease.
            if (claimAndContinue(held)) {
                taken.add(new RunHandle(client, held));
            }
        }
        return taken;
    }

    /**
     * Takes this one run, if it is left running with no live owner (its worker died, or a decision
     * made it resumable) and belongs to an application of this worker, and continues it here.
     *
     * @return its handle if it was taken (a run that cannot continue with the agents here is taken
     *     and left as it was; its handle reports the {@link JournalMismatch}); empty if it is not
     *     running, is held by a live worker, or belongs to an application this worker does not serve
     * @throws UserError if the store has no run with this id
     */
    public Optional<RunHandle> resume(String runId) {
        requireStarted();
        client.find(runId);
        return claimAndContinue(runId) ? Optional.of(new RunHandle(client, runId)) : Optional.empty();
    }

    /** The worker's loop: takes the runs of its applications that no live worker holds, every {@code pollInterval}. */
    private void takeOverLoop() {
        boolean first = true;
        while (!closed && !Thread.currentThread().isInterrupted()) {
            try {
                takeOver(first);
                first = false;
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
                    if (workerId.equals(r.owner()) && !executing.containsKey(r.id()) && applications.containsKey(r.application())) {
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

    // ---- what the client's handles ask of this process

    /** How this worker answers its client: executions here, and the client's calls it acts on. */
    DurableClient.Local local() {
        return new DurableClient.Local() {
            @Override
            public DurableClient.@Nullable LocalExecution executing(String runId) {
                return executing.get(runId);
            }

            @Override
            public @Nullable RuntimeException stopped(String runId) {
                return stopped.get(runId);
            }

            @Override
            public @Nullable JournalMismatch incompatible(String runId) {
                return incompatible.get(runId);
            }

            @Override
            public void submitted(RunRecord run) {
                if (started && !closed && applications.containsKey(run.application())) {
                    try {
                        claimAndContinue(run.id());
                    } catch (RuntimeException e) {
                        log.warn("run {}: recorded, not taken here at once (a worker takes it later): {}", run.id(), e.getMessage());
                    }
                }
            }

            @Override
            public void decided(String runId) {
                continueIfResumable(runId);
            }

            @Override
            public void cancelled(String runId) {
                Execution ex = executing.get(runId);
                if (ex != null) {
                    ex.cancelRequested = true;
                    ex.interrupt();
                }
            }
        };
    }

    // ---- execution

    /** Continues here (by default) a run the store holds as resumable: running, with no owner. */
    private void continueIfResumable(String runId) {
        if (autoResume && started && !closed) {
            RunRecord now = client.find(runId);
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
                RunRecord record = client.find(runId);
                if (record.status() != RunStatus.RUNNING || !applications.containsKey(record.application())) {
                    releaseQuietly(runId);
                    return false;
                }
                if (!continueRun(ex, record)) {
                    return true; // taken and failed at once: its agent is unknown here
                }
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
        client.signal(ex.runId);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean continueRun(Execution ex, RunRecord claimed) {
        RunRecord record = claimed;
        Map<String, Registered> agents = applications.getOrDefault(record.application(), Map.of());
        Registered registered = agents.get(record.startAgent());
        if (registered == null && record.graph().isEmpty()) {
            // Started by a client, never executed: nothing to replay, so the run fails with a clear error at once.
            String error = "UserError: application '" + record.application() + "' has no agent named '" + record.startAgent()
                    + "' on worker " + workerId + " (agents: " + new TreeMap<>(agents).keySet() + ")";
            RunRecord failed = record.withOutcome(RunStatus.FAILED, record.currentAgent(), null, error, record.usage(), null, now());
            storeCall(() -> store.finishRun(List.of(), failed), "record the failure of run " + record.id());
            log.warn("run {} failed: {}", record.id(), error);
            return false;
        }
        if (registered == null) {
            throw new JournalMismatch("Run " + record.id() + " started with agent '" + record.startAgent()
                    + "', which application '" + record.application() + "' of this worker does not have (agents: "
                    + new TreeMap<>(agents).keySet() + "): register it with DurableWorker.builder(...).application(...)");
        }
        if (record.graph().isEmpty()) {
            // The first execution of a run a client started: the graph it is journaled with is the one here.
            if (!storeCall(() -> store.recordGraph(claimed.id(), registered.graph(), workerId), "record the agents of run " + claimed.id())) {
                throw new RunCancelled("Run " + claimed.id() + " was taken by another worker before this one recorded its agents");
            }
            record = record.withGraph(registered.graph());
        }
        String diff = differences(record.graph(), registered.graph());
        if (!diff.isEmpty()) {
            throw new JournalMismatch("Run " + record.id() + " was journaled by a different agent graph: " + diff
                    + ". Resume it with the agent definitions it was started with.");
        }
        RunOptions options = runOptions.apply(record);
        if (record.sessionId() != null) {
            options = options.withSession(record.sessionId());
        }
        RunState state = null;
        if (record.pausedState() != null) {
            state = withDecisions(RunState.fromJson(record.pausedState()), storeCall(() -> store.approvals(claimed.id()), "read approvals"));
        }
        launch(ex, record, (Agent) registered.agent(), options, state, true);
        return true;
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
        StoreJournal journal = new StoreJournal(record.id(), store, workerId, record.currentAgent(), () -> client.signal(record.id()), replay,
                () -> leaseLapse(ex));
        // The run holds its session as long as it holds the run: a dead worker's session is free when its runs are.
        RunOptions<C> journaled = options.withEngine(new JournaledEngine(journal)).withSessionLease(lease);
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
            client.signal(runId);
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
            retakeLater(runId);
        } else if (error instanceof JournalMismatch mismatch) {
            journal.discard();
            incompatible.put(runId, mismatch);
            ex.failure = mismatch;
            log.error("run {} left as it was: {}", runId, mismatch.getMessage());
            releaseQuietly(runId);
        } else if (error instanceof RunCancelled && ex.cancelRequested) {
            finish(ex, journal, RunStatus.CANCELLED, null, describe(error), null);
        } else if (error instanceof RunCancelled || ex.stopping) {
            // Stopped from outside (this worker closes, or lost the lease), whatever the interrupt
            // turned into: not the run's outcome, and it stays resumable elsewhere (or here again).
            journal.discard();
            releaseQuietly(runId);
            if (ex.stopping) {
                retakeLater(runId); // not a stop the run's own code asked for (a person who did not answer)
            }
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
                client.signal(runId);
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
    private void retakeLater(String runId) {
        if (!closed) {
            retake.add(runId);
        }
    }

    /**
     * Takes up again, on a virtual thread of its own (a slow store must not delay the renewals),
     * the runs stopped here that are free now; forgets those that ended or that a live worker holds.
     */
    private void retakeStopped() {
        if (retake.isEmpty() || closed || !retaking.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("baton-durable-retake-" + workerId).start(() -> {
            try {
                for (String runId : List.copyOf(retake)) {
                    if (closed || executing.containsKey(runId)) {
                        continue;
                    }
                    Optional<RunRecord> run = store.findRun(runId);
                    boolean heldElsewhere = run.isPresent() && run.get().owner() != null && !workerId.equals(run.get().owner())
                            && run.get().leaseUntil() != null && run.get().leaseUntil().isAfter(now());
                    if (run.isEmpty() || run.get().status() != RunStatus.RUNNING || heldElsewhere) {
                        retake.remove(runId);
                    } else if (claimAndContinue(runId)) {
                        retake.remove(runId);
                    }
                }
            } catch (RuntimeException e) {
                log.debug("worker {}: taking up stopped runs again failed; retried at the next heartbeat: {}", workerId, e.toString());
            } finally {
                retaking.set(false);
            }
        });
    }

    private void beat() {
        retryReleases();
        if (executing.isEmpty() && retake.isEmpty()) {
            lastRenewal = System.nanoTime();
            return;
        }
        try {
            long renewing = System.nanoTime(); // the lease runs from before the call, not from its answer
            store.renewLeases(workerId, now().plus(lease));
            lastRenewal = renewing;
            retakeStopped(); // only while leases can be renewed: a run taken again must be kept

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

    private Registered register(String application, Agent<?> agent) {
        Objects.requireNonNull(application, "application");
        if (application.isBlank()) {
            throw new UserError("An application name must not be blank");
        }
        Map<String, Registered> agents = applications.computeIfAbsent(application, k -> new ConcurrentHashMap<>());
        Registered existing = agents.get(agent.name());
        if (existing != null) {
            if (existing.agent() != agent && !existing.agent().fingerprint().equals(agent.fingerprint())) {
                throw new UserError("Another agent named '" + agent.name() + "' is registered in application '" + application
                        + "' of this worker (definition " + existing.agent().fingerprint() + ", here " + agent.fingerprint() + ")");
            }
            if (existing.explicit()) {
                return existing;
            }
        }
        Registered r = registration(agent, true);
        agents.put(agent.name(), r);
        // The agents it hands off to are the application's too: a client may start a run with any of them.
        agent.reachableAgents().forEach((name, a) -> agents.putIfAbsent(name, registration(a, false)));
        return r;
    }

    private static Registered registration(Agent<?> agent, boolean explicit) {
        Map<String, String> graph = new TreeMap<>();
        agent.reachableAgents().forEach((name, a) -> graph.put(name, a.fingerprint()));
        return new Registered(agent, Map.copyOf(graph), explicit);
    }

    private static @Nullable String sessionOf(RunOptions<?> options) {
        if (options.session() != null) {
            return options.session().id();
        }
        return options.sessionId();
    }

    private <T> T storeCall(Supplier<T> op, String what) {
        return client.storeCall(op, what);
    }

    private void requireOpen() {
        if (closed) {
            throw new UserError("This durable worker is closed");
        }
    }

    private void requireStarted() {
        requireOpen();
        if (!started) {
            throw new UserError("This durable worker is not started: call start() first");
        }
    }

    private static Instant now() {
        return DurableClient.now();
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
        ScheduledExecutorService beats = heartbeat;
        if (beats != null) {
            beats.shutdownNow();
            try {
                beats.awaitTermination(5, TimeUnit.SECONDS);
                Thread beating = heartbeatThread;
                if (beating != null && beating != Thread.currentThread()) {
                    beating.join(Duration.ofSeconds(5)); // gone when close() returns, not a moment later
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
    private static final class Execution implements DurableClient.LocalExecution {
        final String runId;
        /** When this process reserved the run: its claim or creation is at least this recent. */
        final long reservedAt = System.nanoTime();
        /** The run as claimed or started; set when the execution is launched. */
        volatile RunRecord record;
        /** The run's thread; null until launched (the run is being recorded or claimed). */
        volatile @Nullable Thread thread;
        volatile boolean cancelRequested;
        /** Stopped from outside without ending the run: this worker closes, or lost the run's lease. */
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

        @Override
        public @Nullable RuntimeException failure() {
            return failure;
        }

        @Override
        public boolean awaitEnd(long nanos) {
            try {
                return end.await(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunCancelled("Interrupted while waiting for a durable run");
            }
        }
    }

    /** Settings of a {@link DurableWorker}. */
    public static final class Builder {
        private final Runner runner;
        private final RunStore store;
        private final Map<String, List<Agent<?>>> applications = new java.util.LinkedHashMap<>();
        private @Nullable String workerId;
        private Duration lease = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private boolean autoResume = true;
        private boolean takeOver = true;
        private boolean closeStore;
        private Function<RunRecord, RunOptions<?>> runOptions = r -> RunOptions.none();

        private Builder(Runner runner, RunStore store) {
            this.runner = Objects.requireNonNull(runner, "runner");
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * An application (a desk) this worker executes runs of, with its entry agents: runs of the
         * application may start with any of them or any agent they hand off to, found by name. Names
         * are per application, so two applications may each have a {@code triage}.
         */
        public Builder application(String name, Agent<?>... entryAgents) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new UserError("An application name must not be blank");
            }
            this.applications.computeIfAbsent(name, k -> new ArrayList<>()).addAll(List.of(entryAgents));
            return this;
        }

        /** Entry agents of the {@value RunRecord#DEFAULT_APPLICATION} application; see {@link #application}. */
        public Builder agents(Agent<?>... agents) {
            return application(RunRecord.DEFAULT_APPLICATION, agents);
        }

        /**
         * The owner name this worker's leases carry; defaults to the process id and a random suffix.
         * Give a process a stable id (one per process, never shared by two live ones) and, after a
         * restart, {@link DurableWorker#resumeIncomplete()} takes back its runs at once instead of
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

        /**
         * Whether {@link DurableWorker#start()} also starts the loop that takes the runs of this
         * worker's applications that no live worker holds (default true). Without it the worker
         * executes the runs started through it, those decided through its client, and those
         * {@link DurableWorker#resumeIncomplete()} takes: for a process that serves one person (a
         * chat in a terminal) and must not pick up the work of others.
         */
        public Builder takeOver(boolean takeOver) {
            this.takeOver = takeOver;
            return this;
        }

        /** Whether a decision made here continues its run here at once (default true). */
        public Builder autoResume(boolean autoResume) {
            this.autoResume = autoResume;
            return this;
        }

        /**
         * Options (context, listener, ...) for the runs this worker executes but did not start itself:
         * those a client started, and those it resumes or takes over. The record tells the run's
         * application, agent and session.
         */
        public Builder runOptions(Function<RunRecord, RunOptions<?>> runOptions) {
            this.runOptions = Objects.requireNonNull(runOptions, "runOptions");
            return this;
        }

        /** Closes the store when the runner closes. */
        public Builder closeStoreOnClose(boolean closeStore) {
            this.closeStore = closeStore;
            return this;
        }

        /** The worker, not started: see {@link DurableWorker#start()}. */
        public DurableWorker build() {
            return new DurableWorker(this);
        }
    }
}
