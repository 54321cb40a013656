package dev.baton.durable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's hold on its runs: a heartbeat every third of a lease renews the leases of the runs
 * executing here and stops those cancelled elsewhere or held by another worker now; a run whose
 * lease may have lapsed stops before its next step; a lease whose release failed is given up at a
 * later heartbeat; and a run stopped here without ending is taken up again once it is free (the
 * retake rule), so a worker that takes over nothing else still finishes what it started. All of
 * this exists so that two workers never go on with one run.
 */
final class Leases {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);

    private final RunStore store;
    private final String workerId;
    private final Duration lease;
    private final Map<String, Execution> executing;
    private final BooleanSupplier closed;
    /** Claims a free run and continues it here; whether it was taken. */
    private final Predicate<String> claim;
    private volatile @Nullable ScheduledExecutorService heartbeat;
    private volatile @Nullable Thread heartbeatThread;
    /** Runs whose lease release failed; retried by the heartbeat unless this worker claimed the run again meanwhile. */
    private final Set<String> pendingRelease = ConcurrentHashMap.newKeySet();
    /** Held while a failed release is retried and while a claim drops it, so no late release undoes a newer claim. */
    private final ReentrantLock releaseLock = new ReentrantLock();
    private volatile long lastRenewal = System.nanoTime();
    /**
     * Runs whose execution here stopped without ending them (a store outage, a lease that lapsed or
     * could not be renewed): taken up again here, at a heartbeat, once they are free, unless
     * another worker holds them by then.
     */
    private final Set<String> retake = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean retaking = new AtomicBoolean();

    Leases(RunStore store, String workerId, Duration lease, Map<String, Execution> executing, BooleanSupplier closed,
            Predicate<String> claim) {
        this.store = store;
        this.workerId = workerId;
        this.lease = lease;
        this.executing = executing;
        this.closed = closed;
        this.claim = claim;
    }

    /** Starts the heartbeat. */
    void start() {
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-durable-heartbeat-" + workerId);
            t.setDaemon(true);
            heartbeatThread = t;
            return t;
        });
        long every = Math.max(50, lease.toMillis() / 3);
        beats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        heartbeat = beats;
    }

    /** Stops the heartbeat and waits for its thread: gone when this returns, not a moment later. */
    void stopHeartbeat() {
        ScheduledExecutorService beats = heartbeat;
        if (beats != null) {
            beats.shutdownNow();
            try {
                beats.awaitTermination(5, TimeUnit.SECONDS);
                Thread beating = heartbeatThread;
                if (beating != null && beating != Thread.currentThread()) {
                    beating.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Why the run's lease may have lapsed, or null while it surely holds: a heartbeat that came late
     * (a busy machine, many runs to check) may let the lease expire while this worker is alive, and
     * another worker may then claim the run. Before each step the journal asks, and the run stops
     * (resumably) rather than perform a step that the other worker may perform too.
     */
    @Nullable String lapse(Execution ex) {
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

    /** Gives up the run's lease; a release that fails is retried at the next heartbeat. */
    void release(String runId) {
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

    /** Drops a failed release of the run before it is claimed again here; whether there was one. */
    boolean dropPendingRelease(String runId) {
        releaseLock.lock();
        try {
            return pendingRelease.remove(runId);
        } finally {
            releaseLock.unlock();
        }
    }

    /** Puts back a release dropped for a claim that may or may not have been made: the lease is given up later. */
    void restorePendingRelease(String runId) {
        pendingRelease.add(runId);
    }

    /** Gives up, once more, every lease whose release failed; on close, so the runs are free before their leases expire. */
    void releasePending() {
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
    }

    /** Takes the run up again here at a heartbeat once it is free (not a stop the run's own code asked for). */
    void retakeLater(String runId) {
        if (!closed.getAsBoolean()) {
            retake.add(runId);
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

    /**
     * Takes up again, on a virtual thread of its own (a slow store must not delay the renewals),
     * the runs stopped here that are free now; forgets those that ended or that a live worker holds.
     */
    private void retakeStopped() {
        if (retake.isEmpty() || closed.getAsBoolean() || !retaking.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("baton-durable-retake-" + workerId).start(() -> {
            try {
                for (String runId : List.copyOf(retake)) {
                    if (closed.getAsBoolean() || executing.containsKey(runId)) {
                        continue;
                    }
                    Optional<RunRecord> run = store.findRun(runId);
                    boolean heldElsewhere = run.isPresent() && run.get().owner() != null && !workerId.equals(run.get().owner())
                            && run.get().leaseUntil() != null && run.get().leaseUntil().isAfter(DurableClient.now());
                    if (run.isEmpty() || run.get().status() != RunStatus.RUNNING || heldElsewhere) {
                        retake.remove(runId);
                    } else if (claim.test(runId)) {
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

    /**
     * Renews the leases of the runs executing here; stops those cancelled from elsewhere and those
     * whose lease this worker lost (taken over by another worker, or not renewed for two thirds of
     * a lease because the store was unreachable), so two workers never go on with one run. An
     * execution still being claimed, or one that has finished and is writing its outcome (which the
     * store fences by owner), is left alone: the lease it would act on is not its own.
     */
    private void beat() {
        retryReleases();
        if (executing.isEmpty() && retake.isEmpty()) {
            lastRenewal = System.nanoTime();
            return;
        }
        try {
            long renewing = System.nanoTime(); // the lease runs from before the call, not from its answer
            store.renewLeases(workerId, DurableClient.now().plus(lease));
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
}
