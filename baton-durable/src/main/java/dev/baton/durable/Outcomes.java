package dev.baton.durable;

import dev.baton.JournalMismatch;
import dev.baton.RunCancelled;
import dev.baton.RunStoreFailed;
import dev.baton.SessionStoreFailed;
import dev.baton.ToolProviderFailed;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how an execution here ended: a pause with the approvals it waits for, a final output, a
 * failure or a cancellation, each written with the run's last events in one fenced store call; or
 * no outcome at all when the run only stopped (a store outage, a mismatched journal, this worker
 * closing or losing the lease), so the run stays resumable. Kept apart from the run thread because
 * which of these applies is the part of a durable run most easily got wrong.
 */
final class Outcomes {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);

    private final RunStore store;
    private final DurableClient client;
    private final LocalRuns runs;
    private final Leases leases;
    /** Continues a run here if it is resumable: running, with no owner. */
    private final Consumer<String> continueIfResumable;

    Outcomes(RunStore store, DurableClient client, LocalRuns runs, Leases leases, Consumer<String> continueIfResumable) {
        this.store = store;
        this.client = client;
        this.runs = runs;
        this.leases = leases;
        this.continueIfResumable = continueIfResumable;
    }

    /** Records the outcome of a run that returned: paused for approvals, or completed. */
    void settle(Execution ex, StoreJournal journal, RunResult result) {
        String runId = ex.record.id();
        if (result.isPaused()) {
            Instant now = DurableClient.now();
            List<Approval> requested = new ArrayList<>();
            for (ApprovalRequest r : result.interruptions()) {
                requested.add(new Approval(runId, r.callId(), r.agent(), r.toolName(), r.arguments(), Approval.Status.PENDING, null,
                        now, null, result.turns()));
            }
            client.storeCall(() -> {
                store.requestApprovals(requested);
                return null;
            }, "record the approvals run " + runId + " waits for");
            RunRecord paused = ex.record.withOutcome(RunStatus.PAUSED, result.lastAgent(), null, null, result.usage(),
                    result.toState().toJson(), now);
            List<RecordedEvent> last = journal.takeBuffered();
            if (client.storeCall(() -> store.finishRun(last, paused), "record the pause of run " + runId)) {
                // A decision that came in while the pause was written left the run resumable (the store does
                // that with the pause): it continues like one decided after.
                runs.executing.remove(runId, ex);
                client.signal(runId);
                try {
                    continueIfResumable.accept(runId);
                } catch (RuntimeException e) {
                    log.warn("run {}: paused and decided meanwhile, left for a worker to continue: {}", runId, e.getMessage());
                }
            }
            return;
        }
        // A run that handed off to its caller has no output (RunOptions.withHandoffsToCaller).
        finish(ex, journal, RunStatus.COMPLETED, result.finalOutput() == null ? null : JournalCodec.write(result.finalOutput()),
                null, result);
    }

    /** Records how a run that did not settle ended, or leaves it resumable if it only stopped. */
    void stopped(Execution ex, StoreJournal journal, RuntimeException error) {
        String runId = ex.record.id();
        if (error instanceof RunStoreFailed || error instanceof SessionStoreFailed || error instanceof ToolProviderFailed) {
            // An outage (a store, a tool source such as an MCP server) stops the run, it does not end it: the journal
            // replays it once what was down is back.
            journal.discard();
            StoreJournal.Unrecorded lost = journal.unrecorded();
            if (lost != null) {
                runs.unrecorded.put(runId, lost);
            }
            ex.failure = error;
            log.warn("run {} stopped: {}", runId, error.getMessage());
            leases.release(runId);
            leases.retakeLater(runId);
        } else if (error instanceof JournalMismatch mismatch) {
            journal.discard();
            runs.incompatible.put(runId, mismatch);
            ex.failure = mismatch;
            log.error("run {} left as it was: {}", runId, mismatch.getMessage());
            leases.release(runId);
        } else if (error instanceof RunCancelled && ex.cancelRequested) {
            finish(ex, journal, RunStatus.CANCELLED, null, describe(error), null);
        } else if (error instanceof RunCancelled || ex.stopping) {
            // Stopped from outside (this worker closes, or lost the lease), whatever the interrupt
            // turned into: not the run's outcome, and it stays resumable elsewhere (or here again).
            journal.discard();
            leases.release(runId);
            if (ex.stopping) {
                leases.retakeLater(runId); // not a stop the run's own code asked for (a person who did not answer)
            }
        } else {
            finish(ex, journal, RunStatus.FAILED, null, describe(error), null);
        }
    }

    /** Writes the run's last events and outcome, and gives up its lease, in one store call. */
    private void finish(Execution ex, StoreJournal journal, RunStatus status, @Nullable String output, @Nullable String error,
            @Nullable RunResult result) {
        String runId = ex.record.id();
        RunRecord current = ex.record;
        RunRecord done = current.withOutcome(status, result == null ? journal.currentAgent() : result.lastAgent(), output, error,
                result == null ? current.usage() : result.usage(), current.pausedState(), DurableClient.now());
        try {
            if (store.finishRun(journal.takeBuffered(), done)) {
                ex.result = result;
                ex.endRecord = done.withLease(null, null); // finishing a run gives up its lease
            } else {
                log.info("run {}: outcome {} not recorded, the run was cancelled or taken over meanwhile", runId, status);
                leases.release(runId);
            }
        } catch (RuntimeException e) {
            ex.failure = new RunStoreFailed("The run store failed to record the outcome of run " + runId + " (" + status + "): "
                    + StoreJournal.message(e) + ". The run stays resumable and its journal replays it.", e);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
