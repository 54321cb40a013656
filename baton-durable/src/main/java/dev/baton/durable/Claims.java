package dev.baton.durable;

import dev.baton.JournalMismatch;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a run not started here becomes executing here: the run is entered in this process's
 * table of executions first (so no other caller here can take it too), then claimed in the store,
 * then continued. Before a run is taken again, a result a store failure kept out of its journal is
 * written, or a replay would repeat that call. A run executing or being claimed here is never
 * claimed again, and a run claimed but not continued gives its lease up at once.
 */
final class Claims {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);

    private final RunStore store;
    private final String workerId;
    private final Duration lease;
    private final boolean autoResume;
    private final DurableClient client;
    private final Applications applications;
    private final LocalRuns runs;
    private final Leases leases;
    private final Launcher launcher;
    private final Continuations continuations;
    /** Whether the worker is started and not closed. */
    private final BooleanSupplier running;

    Claims(RunStore store, String workerId, Duration lease, boolean autoResume, DurableClient client, Applications applications,
            LocalRuns runs, Leases leases, Launcher launcher, Continuations continuations, BooleanSupplier running) {
        this.store = store;
        this.workerId = workerId;
        this.lease = lease;
        this.autoResume = autoResume;
        this.client = client;
        this.applications = applications;
        this.runs = runs;
        this.leases = leases;
        this.launcher = launcher;
        this.continuations = continuations;
        this.running = running;
    }

    /** A run recorded through the client: taken here at once if this worker serves its application. */
    void submitted(RunRecord run) {
        if (running.getAsBoolean() && applications.serves(run.application())) {
            try {
                claimAndContinue(run.id());
            } catch (RuntimeException e) {
                log.warn("run {}: recorded, not taken here at once (a worker takes it later): {}", run.id(), e.getMessage());
            }
        }
    }

    /** Continues here (by default) a run the store holds as resumable: running, with no owner. */
    void continueIfResumable(String runId) {
        if (autoResume && running.getAsBoolean()) {
            RunRecord now = client.find(runId);
            if (now.status() == RunStatus.RUNNING && now.owner() == null) {
                claimAndContinue(runId);
            }
        }
    }

    /**
     * Claims the run and continues it here; whether it was taken (a run that cannot continue with
     * the agents here counts as taken: its handle reports why).
     */
    boolean claimAndContinue(String runId) {
        if (runs.incompatible.containsKey(runId) || runs.executing.containsKey(runId) || !recordUnrecorded(runId)) {
            return false;
        }
        Execution ex = new Execution(runId);
        if (runs.executing.putIfAbsent(runId, ex) != null) {
            return false;
        }
        boolean launched = false;
        try {
            // A release of an earlier execution that failed is dropped, not retried over this claim.
            boolean releasePending = leases.dropPendingRelease(runId);
            Instant now = DurableClient.now();
            boolean claimed;
            try {
                claimed = client.storeCall(() -> store.claim(runId, workerId, now, now.plus(lease)), "claim run " + runId);
            } catch (RuntimeException e) {
                if (releasePending) {
                    leases.restorePendingRelease(runId); // the claim may or may not have been made: the lease is given up later
                }
                throw e;
            }
            if (!claimed) {
                return false;
            }
            try {
                RunRecord record = client.find(runId);
                if (record.status() != RunStatus.RUNNING || !applications.serves(record.application())) {
                    leases.release(runId);
                    return false;
                }
                if (!continuations.continueRun(ex, record)) {
                    return true; // taken and failed at once: its agent is unknown here
                }
                launched = true;
                return true;
            } catch (JournalMismatch e) {
                runs.incompatible.put(runId, e);
                log.error("run {} left as it was: {}", runId, e.getMessage());
                leases.release(runId);
                return true;
            } catch (RuntimeException e) {
                leases.release(runId); // claimed, not continued: the lease is not kept alive by this worker's heartbeats
                throw e;
            }
        } finally {
            if (!launched) {
                launcher.abandon(ex);
            }
        }
    }

    /**
     * Writes the result a store failure kept out of this run's journal, if there is one, before the
     * run is taken again: a replay without it would do that call once more (a tool's second
     * attempt) for every try while the store still fails. False while the write still fails; a
     * result the journal has moved past (the run went on elsewhere) is dropped.
     */
    private boolean recordUnrecorded(String runId) {
        StoreJournal.Unrecorded lost = runs.unrecorded.get(runId);
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
            runs.unrecorded.remove(runId, lost);
            return true;
        } catch (RuntimeException e) {
            log.debug("run {}: recording effect {} still fails; the run is taken again once it does", runId, effect.key(), e);
            return false;
        }
    }
}
