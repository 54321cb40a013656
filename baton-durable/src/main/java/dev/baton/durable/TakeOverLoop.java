package dev.baton.durable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the runs of a worker's applications that no live worker holds (new ones a client recorded,
 * ones a decision made resumable, ones whose worker died) and claims them; on the worker's loop
 * thread every poll interval, and once on demand for {@link DurableWorker#resumeIncomplete()}. The
 * first pass also takes back the runs this worker id held before a restart, at once rather than
 * after their leases expire.
 */
final class TakeOverLoop {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);
    private static final int PAGE = 500;

    private final RunStore store;
    private final String workerId;
    private final Duration pollInterval;
    private final DurableClient client;
    private final Applications applications;
    private final Map<String, Execution> executing;
    private final Claims claims;
    private final BooleanSupplier closed;

    TakeOverLoop(RunStore store, String workerId, Duration pollInterval, DurableClient client, Applications applications,
            Map<String, Execution> executing, Claims claims, BooleanSupplier closed) {
        this.store = store;
        this.workerId = workerId;
        this.pollInterval = pollInterval;
        this.client = client;
        this.applications = applications;
        this.executing = executing;
        this.claims = claims;
        this.closed = closed;
    }

    /** The loop: takes the runs of the worker's applications that no live worker holds, every poll interval. */
    void run() {
        boolean first = true;
        while (!closed.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            try {
                if (closed.getAsBoolean()) {
                    return; // closed between two passes: a pass would refuse to start
                }
                takeOver(first);
                first = false;
            } catch (RuntimeException e) {
                if (closed.getAsBoolean()) {
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

    /**
     * Claims and continues the free runs of the worker's applications; with {@code heldBefore},
     * also those this worker id held before a restart (a scan of every running run, needed once:
     * the loop does it on its first pass only, as a run this worker stops later is taken up again
     * by the heartbeat). Returns the runs taken.
     */
    List<String> takeOver(boolean heldBefore) {
        List<String> taken = new ArrayList<>();
        Set<String> mine = applications.names();
        if (mine.isEmpty()) {
            return taken;
        }
        List<String> candidates = client.storeCall(() -> store.claimable(DurableClient.now(), mine, 1000), "list the runs left running");
        for (String runId : candidates) {
            if (claims.claimAndContinue(runId)) {
                taken.add(runId);
            }
        }
        for (String held : heldBefore ? runningOwnedHere() : List.<String>of()) {
            // Runs this worker id held before a restart: taken back at once, without waiting for the lease.
            if (claims.claimAndContinue(held)) {
                taken.add(held);
            }
        }
        return taken;
    }

    /** Running runs whose lease names this worker id, oldest pages included. */
    private List<String> runningOwnedHere() {
        List<String> mine = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Instant before = null;
        while (true) {
            Instant upTo = before;
            List<RunRecord> page = client.storeCall(() -> store.listRuns(RunQuery.all().withStatuses(RunStatus.RUNNING)
                    .between(null, upTo).withLimit(PAGE)), "list the runs left running");
            boolean added = false;
            for (RunRecord r : page) {
                if (seen.add(r.id())) {
                    added = true;
                    if (workerId.equals(r.owner()) && !executing.containsKey(r.id()) && applications.serves(r.application())) {
                        mine.add(r.id());
                    }
                }
            }
            if (page.size() < PAGE || !added) {
                return mine;
            }
            before = page.get(page.size() - 1).createdAt().plusMillis(1);
        }
    }
}
