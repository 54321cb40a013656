package dev.baton.durable;

import dev.baton.RunStoreFailed;
import dev.baton.BatonException;
import dev.baton.UserError;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.JournalMismatch;
import dev.baton.durable.internal.JournalCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable runs as a caller sees them, through the store alone: start a run of an application, list
 * runs, read a run's history and events, wait for its outcome, decide its approvals, cancel it. A
 * client knows no agents and starts no thread; a {@link DurableWorker} with the application's agents,
 * in this process or any other sharing the store, executes what it starts. This is what the
 * {@code baton} command, a web server or another service holds.
 *
 * <pre>{@code
 * try (DurableClient client = DurableClient.builder(PostgresRunStore.open(url)).build()) {
 *     RunHandle run = client.startRun("support", "support_triage", "I was charged twice", "ticket-42");
 *     RunRecord outcome = run.result();
 * }
 * }</pre>
 */
public final class DurableClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableClient.class);

    private final RunStore store;
    private final Duration pollInterval;
    private final boolean ownsStore;
    private final Local local;
    private volatile boolean closed;

    private DurableClient(RunStore store, Duration pollInterval, boolean ownsStore, Local local) {
        this.store = Objects.requireNonNull(store, "store");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        this.ownsStore = ownsStore;
        this.local = local;
    }

    /** A client of this store; see {@link Builder} for its settings. */
    public static Builder builder(RunStore store) {
        return new Builder(store);
    }

    /** The client of a worker: its handles see the runs the worker executes here as they go. */
    static DurableClient of(Local local, RunStore store, Duration pollInterval) {
        return new DurableClient(store, pollInterval, false, local);
    }

    public RunStore store() {
        return store;
    }

    // ---- starting and attaching

    /** {@link #startRun(String, String, List, String)} with one user message and no session. */
    public RunHandle startRun(String application, String agent, String input) {
        return startRun(application, agent, List.of(Message.user(input)), null);
    }

    /** {@link #startRun(String, String, List, String)} with one user message. */
    public RunHandle startRun(String application, String agent, String input, @Nullable String sessionId) {
        return startRun(application, agent, List.of(Message.user(input)), sessionId);
    }

    /**
     * Records a new run of {@code application}, to start with its agent named {@code agent}, and
     * returns its handle: a worker that registered the application executes it (one in this process
     * at once, others at their next look for work). A run whose agent no worker of the application
     * knows fails with an error that says so once a worker takes it.
     *
     * @param sessionId the session the run reads and extends, or null
     * @throws RunStoreFailed if the store cannot record the run (then nothing was started)
     */
    public RunHandle startRun(String application, String agent, List<Item> input, @Nullable String sessionId) {
        return startRun(application, agent, input, sessionId, null);
    }

    /**
     * {@link #startRun(String, String, List, String)} with a context for the run, as JSON text: it is
     * kept in the run's record ({@link RunRecord#context()}), where the worker's
     * {@linkplain DurableWorker.Builder#runOptions run options} read it to build the agents' context.
     *
     * @throws UserError if {@code contextJson} is not JSON
     */
    public RunHandle startRun(String application, String agent, List<Item> input, @Nullable String sessionId,
            @Nullable String contextJson) {
        requireOpen();
        if (contextJson != null) {
            JournalCodec.requireJson(contextJson, "The context of a run");
        }
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(agent, "agent");
        if (application.isBlank() || agent.isBlank()) {
            throw new UserError("A run needs an application and an agent name, got '" + application + "' and '" + agent + "'");
        }
        Instant now = now();
        RunRecord record = new RunRecord(newRunId(), application, agent, agent, sessionId, input, RunStatus.RUNNING, now, now, null,
                null, null, Map.of(), null, null, null, contextJson);
        storeCall(() -> {
            store.createRun(record);
            return null;
        }, "record the new run " + record.id());
        signal(record.id());
        local.submitted(record);
        return new RunHandle(this, record.id());
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
     * The run once it ended or paused (waiting for an execution of this process), empty when the
     * deadline passed while it executes here, null while it goes on elsewhere.
     */
    private @Nullable Optional<RunRecord> settledOrNull(String runId, long deadline) {
        while (true) {
            JournalMismatch mismatch = local.incompatible(runId);
            if (mismatch != null) {
                throw mismatch;
            }
            LocalExecution ex = local.executing(runId);
            if (ex != null) {
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0 || !ex.awaitEnd(left)) {
                    return Optional.empty();
                }
                if (ex.failure() != null) {
                    throw ex.failure();
                }
                RunRecord ended = ex.endRecord();
                if (ended != null) {
                    return Optional.of(ended); // what this process just wrote: no need to read it back
                }
                continue;
            }
            RunRecord record = find(runId);
            if (record.status().isTerminal() || record.status() == RunStatus.PAUSED) {
                return Optional.of(record);
            }
            RuntimeException failure = local.stopped(runId);
            if (failure != null && local.executing(runId) == null) {
                throw failure;
            }
            return null;
        }
    }

    List<RecordedEvent> events(String runId, long fromSeq, int limit) {
        return storeCall(() -> store.events(runId, fromSeq, limit), "read the events of run " + runId);
    }

    boolean isLive(String runId) {
        if (local.executing(runId) != null) {
            return true;
        }
        if (local.stopped(runId) != null) {
            return false; // stopped here on a store failure: nothing more comes until it is resumed
        }
        RunStatus s = find(runId).status();
        return !(s.isTerminal() || s == RunStatus.PAUSED);
    }

    Approval decide(String runId, String callId, Decision decision) {
        RunRecord run = find(runId);
        if (run.status().isTerminal()) {
            throw new UserError("Run " + runId + " has ended (" + run.status() + "); its approvals can no longer be decided");
        }
        Optional<Approval> stored = storeCall(() -> store.decide(runId, callId, decision, now()), "record a decision");
        if (stored.isEmpty()) {
            List<String> pending = storeCall(() -> store.approvals(runId), "read approvals").stream()
                    .filter(a -> a.status() == Approval.Status.PENDING).map(Approval::callId).toList();
            throw new UserError("Run " + runId + " has no approval for call id '" + callId + "'; pending: " + pending);
        }
        Approval a = stored.get();
        Approval.Status wanted = decision.approved() ? Approval.Status.APPROVED : Approval.Status.REJECTED;
        if (a.status() != wanted) {
            throw new UserError("The call " + callId + " of run " + runId + " was already " + a.status().name().toLowerCase(Locale.ROOT)
                    + " at " + a.decidedAt());
        }
        // The store made the run resumable with the last decision (or with the pause, if the decision came
        // while the pause was being written): a worker here continues it at once, others at their next look.
        signal(runId);
        local.decided(runId);
        return a;
    }

    boolean cancel(String runId) {
        find(runId);
        boolean changed = storeCall(() -> store.cancelRun(runId, "cancelled on request", now()), "cancel run " + runId);
        local.cancelled(runId);
        signal(runId);
        return changed;
    }

    /** Wakes the readers of the run: the store has a change they wait for, or it stopped executing here. */
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

    <T> T storeCall(Supplier<T> op, String what) {
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
            throw new UserError("This durable client is closed");
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
        return "run_" + dev.baton.internal.TimeOrderedIds.hex32();
    }

    /** Closes the store if this client was built to own it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsStore) {
            store.close();
        }
    }

    /** A run executing in this process, as a handle waits for it. */
    interface LocalExecution {
        /** Waits at most {@code nanos} for the execution to end; whether it ended. */
        boolean awaitEnd(long nanos);

        /** Why the execution stopped short (the store failed), or null. */
        @Nullable RuntimeException failure();

        /**
         * The run as the store holds it now that the execution wrote its end, or null if it did not
         * (it paused, stopped short, or its outcome was refused): a terminal run does not change again.
         */
        @Nullable RunRecord endRecord();
    }

    /** What a worker in this process tells its client's handles, and what it does with the client's calls. */
    interface Local {
        @Nullable LocalExecution executing(String runId);

        /** Why this process's latest execution of the run stopped short (the store failed), until it runs here again. */
        @Nullable RuntimeException stopped(String runId);

        /** Why the run cannot continue with the agents here, if it cannot. */
        @Nullable JournalMismatch incompatible(String runId);

        /** A run was recorded through the client: a worker here with its application takes it at once. */
        void submitted(RunRecord run);

        /** A decision was recorded: a worker here continues the run if it became resumable. */
        void decided(String runId);

        /** The run was marked cancelled: an execution here stops now. */
        void cancelled(String runId);

        Local NONE = new Local() {
            @Override
            public @Nullable LocalExecution executing(String runId) {
                return null;
            }

            @Override
            public @Nullable RuntimeException stopped(String runId) {
                return null;
            }

            @Override
            public @Nullable JournalMismatch incompatible(String runId) {
                return null;
            }

            @Override
            public void submitted(RunRecord run) {}

            @Override
            public void decided(String runId) {}

            @Override
            public void cancelled(String runId) {}
        };
    }

    /** Settings of a {@link DurableClient}. */
    public static final class Builder {
        private final RunStore store;
        private Duration pollInterval = Duration.ofSeconds(1);
        private boolean closeStore;

        private Builder(RunStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * The longest a handle or an event stream waits between two reads of a run when no news
         * reaches it (default 1 s); the store's {@link RunStore#notifier() notifier} wakes them as
         * soon as the run moves on.
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /** Closes the store when the client closes. */
        public Builder closeStoreOnClose(boolean closeStore) {
            this.closeStore = closeStore;
            return this;
        }

        public DurableClient build() {
            return new DurableClient(store, pollInterval, closeStore, Local.NONE);
        }
    }
}
