package dev.baton.durable;

import dev.baton.JournalMismatch;
import dev.baton.RunStoreFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

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
    // Each job of a worker lives in its own package-private class, so each reads in one sitting:
    // Applications (agents by name), TakeOverLoop (finds free runs), Claims (makes a run executing
    // here), Continuations (graph check, resumed state), Launcher (the run thread), Outcomes (what
    // is recorded when it ends), Leases (heartbeat, lapse, retake) and LocalRuns (what the client
    // sees). This class wires them and holds the public API and the worker's life (started, closed).
    private final RunStore store;
    private final String workerId;
    private final Duration lease;
    private final boolean takeOver;
    private final boolean ownsStore;
    private final Applications applications = new Applications();
    private final LocalRuns runs;
    private final DurableClient client;
    private final Leases leases;
    private final Launcher launcher;
    private final Claims claims;
    private final TakeOverLoop loop;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile @Nullable Thread worker;

    private DurableWorker(Builder b) {
        this.store = b.store;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.lease = b.lease;
        this.takeOver = b.takeOver;
        this.ownsStore = b.closeStore;
        b.applications.forEach((application, entries) -> entries.forEach(a -> applications.register(application, a)));
        this.runs = new LocalRuns(this::submitted, this::continueIfResumable);
        this.client = DurableClient.of(runs, store, b.pollInterval);
        this.leases = new Leases(store, workerId, lease, runs.executing, () -> closed, this::claimAndContinue);
        Outcomes outcomes = new Outcomes(store, client, runs, leases, this::continueIfResumable);
        this.launcher = new Launcher(b.runner, store, workerId, lease, client, runs, leases, outcomes, () -> closed,
                this::continueIfResumable);
        Continuations continuations = new Continuations(applications, store, workerId, client, b.runOptions, launcher);
        this.claims = new Claims(store, workerId, lease, b.autoResume, client, applications, runs, leases, launcher, continuations,
                () -> started && !closed);
        this.loop = new TakeOverLoop(store, workerId, b.pollInterval, client, applications, runs.executing, claims, () -> closed);
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
            leases.start();
            if (takeOver) {
                worker = Thread.ofVirtual().name("baton-durable-worker-" + workerId).start(loop::run);
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
    public Set<String> applications() {
        return applications.names();
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
        return startRun(applications.applicationOf(agent), agent, input, options);
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
        Applications.Registered registered = applications.register(application, agent);
        return new RunHandle(client, launcher.startNew(application, registered.graph(), agent, input, options));
    }

    /**
     * The run {@code runId}, started here unless the store already has it: for a caller that
     * starts a run per message it handles, with the run id made from the message id, so a message
     * delivered again (after a crash, or twice) gets the run its first delivery started instead of
     * a second one. A recorded run that is left running with no live owner is taken and continued
     * here, replaying its journal; one that ended or paused is only attached.
     *
     * @throws RunStoreFailed if the store cannot record or read the run
     * @throws UserError if the worker is not started, or the id is blank
     */
    public <C> RunHandle startRunOnce(String runId, String application, Agent<C> agent, List<Item> input, RunOptions<C> options) {
        requireStarted();
        Objects.requireNonNull(agent, "agent");
        if (runId == null || runId.isBlank()) {
            throw new UserError("A run id must not be blank");
        }
        Applications.Registered registered = applications.register(application, agent);
        // Most runs are new: record it at once, and look for the recorded one only when that fails
        // (the store refuses a second run of an id), rather than read the store before every start.
        if (!runs.executing.containsKey(runId)) {
            try {
                return new RunHandle(client, runId, launcher.startNew(runId, application, registered.graph(), agent, input, options));
            } catch (RuntimeException e) {
                // Recorded before (an earlier call, another process); anything else is the caller's to see.
                if (client.storeCall(() -> store.findRun(runId), "find run " + runId).isEmpty()) {
                    throw e;
                }
            }
        }
        claims.claimAndContinue(runId);
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

    // ---- recovery

    /**
     * Takes over every run left running with no live owner (its process died, or the last decision
     * it waited for made it resumable) and continues it here; returns their handles. A run whose journal does not
     * match the agents here is left in the store untouched; its handle reports the
     * {@link JournalMismatch}.
     */
    public List<RunHandle> resumeIncomplete() {
        requireStarted();
        return loop.takeOver(true).stream().map(runId -> new RunHandle(client, runId)).collect(Collectors.toCollection(ArrayList::new));
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
        return claims.claimAndContinue(runId) ? Optional.of(new RunHandle(client, runId)) : Optional.empty();
    }

    // ---- what the client's calls and the worker's parts ask of each other, once all are built

    private void submitted(RunRecord run) {
        claims.submitted(run);
    }

    private void continueIfResumable(String runId) {
        claims.continueIfResumable(runId);
    }

    private boolean claimAndContinue(String runId) {
        return claims.claimAndContinue(runId);
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
        leases.stopHeartbeat();
        for (Execution ex : runs.executing.values()) {
            ex.stop();
        }
        for (Execution ex : runs.executing.values()) {
            ex.awaitEnd(TimeUnit.SECONDS.toNanos(10));
        }
        leases.releasePending();
        if (ownsStore) {
            store.close();
        }
    }

    /** Settings of a {@link DurableWorker}. */
    public static final class Builder {
        private final Runner runner;
        private final RunStore store;
        private final Map<String, List<Agent<?>>> applications = new LinkedHashMap<>();
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
