package dev.baton.durable;

import dev.baton.JournalMismatch;
import dev.baton.RunStoreFailed;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunState;
import dev.baton.run.Runner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one reserved execution on a virtual thread of its own, with a {@link JournaledEngine} over
 * the run's journal so every model and tool result is recorded (or replayed), and the run's session
 * leased as long as the run is; hands the result or failure to {@link Outcomes} and then takes the
 * execution out of this process's table. The journal asks the lease before each step, so a run
 * whose lease may have lapsed stops rather than do a step another worker may do too.
 */
final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);

    private final Runner runner;
    private final RunStore store;
    private final String workerId;
    private final Duration lease;
    private final DurableClient client;
    private final LocalRuns runs;
    private final Leases leases;
    private final Outcomes outcomes;
    private final BooleanSupplier closed;
    /** Continues a run here if it is resumable: running, with no owner. */
    private final Consumer<String> continueIfResumable;

    Launcher(Runner runner, RunStore store, String workerId, Duration lease, DurableClient client, LocalRuns runs, Leases leases,
            Outcomes outcomes, BooleanSupplier closed, Consumer<String> continueIfResumable) {
        this.runner = runner;
        this.store = store;
        this.workerId = workerId;
        this.lease = lease;
        this.client = client;
        this.runs = runs;
        this.leases = leases;
        this.outcomes = outcomes;
        this.closed = closed;
        this.continueIfResumable = continueIfResumable;
    }

    /**
     * Records a new run that starts executing here with its journal's graph, and launches it;
     * returns its id once the store has it. The run is entered in the table of executions before
     * the store knows it, so no worker loop can claim it meanwhile.
     */
    <C> String startNew(String application, Map<String, String> graph, Agent<C> agent, List<Item> input, RunOptions<C> options) {
        return startNew(DurableClient.newRunId(), application, graph, agent, input, options).runId;
    }

    /** {@link #startNew(String, Map, Agent, List, RunOptions)} under the id the caller chose; returns its execution. */
    <C> Execution startNew(String runId, String application, Map<String, String> graph, Agent<C> agent, List<Item> input,
            RunOptions<C> options) {
        String sessionId = options.session() != null ? options.session().id() : options.sessionId();
        Instant now = DurableClient.now();
        RunRecord record = new RunRecord(runId, application, agent.name(), agent.name(), sessionId, input, RunStatus.RUNNING, now,
                now, null, null, null, graph, null, workerId, now.plus(lease));
        Execution ex = new Execution(runId);
        if (runs.executing.putIfAbsent(runId, ex) != null) {
            throw new IllegalStateException("Run " + runId + " is already executing in this process");
        }
        boolean launched = false;
        try {
            client.storeCall(() -> {
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
        return ex;
    }

    /** Starts executing a run already entered in the table of executions (started here, or claimed). */
    <C> void launch(Execution ex, RunRecord record, Agent<C> agent, RunOptions<C> options, @Nullable RunState state, boolean replay) {
        StoreJournal journal = new StoreJournal(record.id(), store, workerId, record.currentAgent(), () -> client.signal(record.id()), replay,
                () -> leases.lapse(ex));
        // The run holds its session as long as it holds the run: a dead worker's session is free when its runs are.
        RunOptions<C> journaled = options.withEngine(new JournaledEngine(journal)).withSessionLease(lease);
        if (record.sessionId() != null && options.sessionId() == null && options.session() == null) {
            journaled = journaled.withSession(record.sessionId());
        }
        RunOptions<C> opts = journaled;
        ex.record = record;
        runs.stopped.remove(record.id());
        Thread t = Thread.ofVirtual().name("baton-run-" + record.id()).unstarted(() -> execute(ex, journal, agent, opts, state));
        ex.thread = t;
        t.start();
        if (ex.cancelRequested || ex.stopping) {
            t.interrupt(); // cancelled or stopped while it was being claimed
        }
    }

    /** Takes back an execution entered in the table that was never launched. */
    void abandon(Execution ex) {
        runs.executing.remove(ex.runId, ex);
        ex.ended();
        client.signal(ex.runId);
    }

    private <C> void execute(Execution ex, StoreJournal journal, Agent<C> agent, RunOptions<C> options, @Nullable RunState state) {
        String runId = ex.record.id();
        try {
            RunResult result = state == null ? runner.run(agent, ex.record.input(), options) : runner.resume(agent, state, options);
            ex.settling = true;
            outcomes.settle(ex, journal, result);
        } catch (RuntimeException e) {
            // The run thread may carry the interrupt that stopped it: clear it, or recording the
            // outcome or releasing the lease would be interrupted too.
            Thread.interrupted();
            outcomes.stopped(ex, journal, e);
        } catch (Error e) {
            ex.failure = new RunStoreFailed("Run " + runId + " stopped on a JVM error: " + e, e);
            throw e;
        } finally {
            if (ex.failure != null && !(ex.failure instanceof JournalMismatch)) {
                runs.stopped.put(runId, ex.failure);
            }
            runs.executing.remove(runId, ex);
            ex.ended();
            client.signal(runId);
        }
        if (ex.lapsed && !closed.getAsBoolean()) {
            try {
                continueIfResumable.accept(runId);
            } catch (RuntimeException e) {
                log.warn("run {} stopped on a late heartbeat and was not taken up again here: {}", runId, e.getMessage());
            }
        }
    }
}
