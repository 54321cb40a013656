package dev.baton.durable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Durable runs kept in this JVM's memory: for tests, demos and single-process apps. It keeps
 * runs, effects, events and approvals for as long as the store is reachable, so a run paused for
 * approval can be resumed and an interrupted run continued within the same process; nothing
 * survives the process. Use a JDBC store where runs must outlive it.
 *
 * <p>Thread-safe: every method is one atomic step under a single lock, so it meets the
 * {@link RunStore} contract with any number of workers in the process (exactly one of several
 * concurrent claims of a run wins). Records are immutable, so what a method returns is a
 * snapshot unaffected by later writes. {@link #close()} releases nothing and changes nothing;
 * the store stays usable.
 */
public final class InMemoryRunStore implements RunStore {

    /** A run and the order it was created in, which breaks ties between equal creation times. */
    private record StoredRun(long order, RunRecord run) {}

    /** An approval and the order it was requested in, which breaks ties between equal request times. */
    private record StoredApproval(long order, Approval approval) {}

    private static final Comparator<StoredRun> OLDEST_FIRST =
            Comparator.comparing((StoredRun s) -> s.run().createdAt()).thenComparingLong(StoredRun::order);

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, StoredRun> runs = new HashMap<>();
    /** Per run, effects by key; a {@link LinkedHashMap} keeps a replaced key in its first place. */
    private final Map<String, LinkedHashMap<String, Effect>> effects = new HashMap<>();
    private final Map<String, TreeMap<Long, RecordedEvent>> events = new HashMap<>();
    private final Map<String, LinkedHashMap<String, StoredApproval>> approvals = new HashMap<>();
    private long order;

    public InMemoryRunStore() {}

    // ---- runs

    @Override
    public void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        locked(() -> {
            if (runs.containsKey(run.id())) {
                throw new IllegalArgumentException("in-memory run store: run " + run.id() + " exists");
            }
            runs.put(run.id(), new StoredRun(order++, run));
            return null;
        });
    }

    @Override
    public Optional<RunRecord> findRun(String runId) {
        Objects.requireNonNull(runId, "runId");
        return locked(() -> Optional.ofNullable(runs.get(runId)).map(StoredRun::run));
    }

    @Override
    public List<RunRecord> listRuns(RunQuery query) {
        Objects.requireNonNull(query, "query");
        return locked(() -> {
            StoredRun cursor = query.afterRun() == null ? null : runs.get(query.afterRun());
            if (query.afterRun() != null && cursor == null) {
                return List.of(); // nothing comes after a run not stored
            }
            return runs.values().stream()
                .filter(s -> query.matches(s.run()))
                .filter(s -> cursor == null || OLDEST_FIRST.compare(s, cursor) < 0)
                .sorted(OLDEST_FIRST.reversed())
                .limit(query.limit())
                .map(StoredRun::run)
                .toList();
        });
    }

    @Override
    public boolean updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        return locked(() -> {
            StoredRun stored = runs.get(run.id());
            if (stored == null || stored.run().status().isTerminal()) {
                return false;
            }
            RunRecord current = stored.run();
            if (current.owner() != null && !current.owner().equals(run.owner())) {
                return false;
            }
            replace(stored, current.withOutcome(run.status(), run.currentAgent(), run.finalOutput(), run.error(),
                    run.usage(), run.pausedState(), run.updatedAt()));
            return true;
        });
    }

    /** The outcome, the lease and the events in one step under the store's lock. */
    @Override
    public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
        List<RecordedEvent> copy = List.copyOf(events);
        return locked(() -> {
            if (!updateRun(run)) {
                return false;
            }
            if (run.status() != RunStatus.RUNNING && run.owner() != null) {
                release(run.id(), run.owner());
            }
            appendEvents(copy);
            if (run.status() == RunStatus.PAUSED && !waitsForDecision(run.id())) {
                // Decided while the pause was being written: resumable at once, as decide leaves it.
                StoredRun stored = runs.get(run.id());
                replace(stored, stored.run().withStatus(RunStatus.RUNNING, run.updatedAt()).withLease(null, null));
            }
            return true;
        });
    }

    private boolean waitsForDecision(String runId) {
        LinkedHashMap<String, StoredApproval> ofRun = approvals.get(runId);
        return ofRun != null && ofRun.values().stream().anyMatch(a -> a.approval().status() == Approval.Status.PENDING);
    }

    @Override
    public boolean updateCurrentAgent(String runId, String currentAgent, String owner, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(currentAgent, "currentAgent");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(at, "at");
        return locked(() -> {
            StoredRun stored = runs.get(runId);
            if (!runningAndHeldBy(stored, owner)) {
                return false;
            }
            RunRecord run = stored.run();
            replace(stored, run.withOutcome(RunStatus.RUNNING, currentAgent, run.finalOutput(), run.error(), run.usage(),
                    run.pausedState(), at));
            return true;
        });
    }

    @Override
    public boolean cancelRun(String runId, String reason, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        return locked(() -> {
            StoredRun stored = runs.get(runId);
            if (stored == null || stored.run().status().isTerminal()) {
                return false;
            }
            RunRecord run = stored.run();
            replace(stored, run.withOutcome(RunStatus.CANCELLED, run.currentAgent(), run.finalOutput(), reason, run.usage(),
                    run.pausedState(), at));
            LinkedHashMap<String, StoredApproval> ofRun = approvals.get(runId);
            if (ofRun != null) {
                ofRun.replaceAll((key, a) -> a.approval().status() == Approval.Status.PENDING
                        ? new StoredApproval(a.order(), a.approval().decided(false, reason, at)) : a);
            }
            return true;
        });
    }

    @Override
    public boolean markResumable(String runId, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        return locked(() -> {
            StoredRun stored = runs.get(runId);
            if (stored == null || stored.run().status() != RunStatus.PAUSED) {
                return false;
            }
            replace(stored, stored.run().withStatus(RunStatus.RUNNING, at).withLease(null, null));
            return true;
        });
    }

    // ---- leases

    @Override
    public boolean claim(String runId, String owner, Instant now, Instant leaseUntil) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return locked(() -> {
            StoredRun stored = runs.get(runId);
            if (stored == null || stored.run().status() != RunStatus.RUNNING) {
                return false;
            }
            RunRecord run = stored.run();
            if (!claimable(run, now) && !owner.equals(run.owner())) {
                return false;
            }
            replace(stored, run.withLease(owner, leaseUntil));
            return true;
        });
    }

    /** Whether the run exists, is running, and {@code owner} holds its lease: the condition of every write fenced by owner. */
    private static boolean runningAndHeldBy(@Nullable StoredRun stored, String owner) {
        return stored != null && stored.run().status() == RunStatus.RUNNING && owner.equals(stored.run().owner());
    }

    /** Whether a running run is free to take: no owner, or a lease that expired before {@code now}. */
    private static boolean claimable(RunRecord run, Instant now) {
        return run.owner() == null || run.leaseUntil() == null || run.leaseUntil().isBefore(now);
    }

    @Override
    public List<String> claimable(Instant now, java.util.Set<String> applications, int limit) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(applications, "applications");
        return locked(() -> runs.values().stream()
                .filter(s -> s.run().status() == RunStatus.RUNNING && claimable(s.run(), now)
                        && (applications.isEmpty() || applications.contains(s.run().application())))
                .sorted(OLDEST_FIRST)
                .limit(Math.max(0, limit))
                .map(s -> s.run().id())
                .toList());
    }

    @Override
    public boolean recordGraph(String runId, Map<String, String> graph, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(owner, "owner");
        return locked(() -> {
            StoredRun stored = runs.get(runId);
            if (!runningAndHeldBy(stored, owner) || !stored.run().graph().isEmpty()) {
                return false;
            }
            replace(stored, stored.run().withGraph(graph));
            return true;
        });
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        return locked(() -> {
            List<StoredRun> owned = runs.values().stream()
                    .filter(s -> s.run().status() == RunStatus.RUNNING && owner.equals(s.run().owner()))
                    .toList();
            for (StoredRun stored : owned) {
                replace(stored, stored.run().withLease(owner, leaseUntil));
            }
            return owned.size();
        });
    }

    @Override
    public void release(String runId, String owner) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        locked(() -> {
            StoredRun stored = runs.get(runId);
            if (stored != null && owner.equals(stored.run().owner())) {
                replace(stored, stored.run().withLease(null, null));
            }
            return null;
        });
    }

    // ---- journal

    @Override
    public void recordEffect(Effect effect) {
        Objects.requireNonNull(effect, "effect");
        locked(() -> effects.computeIfAbsent(effect.runId(), id -> new LinkedHashMap<>()).put(effect.key(), effect));
    }

    /** The events, the effect and the current agent in one step under the store's lock. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
        Objects.requireNonNull(effect, "effect");
        List<RecordedEvent> copy = List.copyOf(events);
        locked(() -> {
            appendEvents(copy);
            recordEffect(effect);
            updateCurrentAgent(effect.runId(), currentAgent, owner, effect.finishedAt() != null ? effect.finishedAt() : effect.startedAt());
            return null;
        });
    }

    @Override
    public List<Effect> effects(String runId) {
        Objects.requireNonNull(runId, "runId");
        return locked(() -> {
            LinkedHashMap<String, Effect> ofRun = effects.get(runId);
            return ofRun == null ? List.of() : List.copyOf(ofRun.values());
        });
    }

    @Override
    public void appendEvents(List<RecordedEvent> events) {
        List<RecordedEvent> copy = List.copyOf(events);
        locked(() -> {
            for (RecordedEvent event : copy) {
                this.events.computeIfAbsent(event.runId(), id -> new TreeMap<>()).putIfAbsent(event.seq(), event);
            }
            return null;
        });
    }

    @Override
    public List<RecordedEvent> events(String runId, long fromSeq, int limit) {
        Objects.requireNonNull(runId, "runId");
        return locked(() -> {
            TreeMap<Long, RecordedEvent> ofRun = events.get(runId);
            if (ofRun == null || limit < 1) {
                return List.of();
            }
            NavigableMap<Long, RecordedEvent> from = ofRun.tailMap(fromSeq, true);
            return from.values().stream().limit(limit).toList();
        });
    }

    // ---- approvals

    @Override
    public void requestApprovals(List<Approval> approvals) {
        List<Approval> copy = List.copyOf(approvals);
        locked(() -> {
            for (Approval approval : copy) {
                LinkedHashMap<String, StoredApproval> ofRun =
                        this.approvals.computeIfAbsent(approval.runId(), id -> new LinkedHashMap<>());
                ofRun.putIfAbsent(key(approval.turn(), approval.callId()), new StoredApproval(order++, approval));
            }
            return null;
        });
    }

    @Override
    public List<Approval> approvals(String runId) {
        Objects.requireNonNull(runId, "runId");
        return locked(() -> {
            LinkedHashMap<String, StoredApproval> ofRun = approvals.get(runId);
            return ofRun == null ? List.of() : ofRun.values().stream().map(StoredApproval::approval).toList();
        });
    }

    @Override
    public List<Approval> pendingApprovals(int limit) {
        return locked(() -> approvals.values().stream()
                .flatMap(ofRun -> ofRun.values().stream())
                .filter(s -> s.approval().status() == Approval.Status.PENDING)
                .sorted(Comparator.comparing((StoredApproval s) -> s.approval().requestedAt())
                        .thenComparingLong(StoredApproval::order))
                .limit(Math.max(0, limit))
                .map(StoredApproval::approval)
                .toList());
    }

    @Override
    public Optional<Approval> decide(String runId, String callId, Decision decision, Instant at) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(at, "at");
        return locked(() -> {
            LinkedHashMap<String, StoredApproval> ofRun = approvals.get(runId);
            if (ofRun == null) {
                return Optional.empty();
            }
            String pendingKey = null;
            StoredApproval latest = null;
            for (Map.Entry<String, StoredApproval> e : ofRun.entrySet()) {
                if (e.getValue().approval().callId().equals(callId)) {
                    latest = e.getValue();
                    if (latest.approval().status() == Approval.Status.PENDING) {
                        pendingKey = e.getKey();
                    }
                }
            }
            if (pendingKey == null) {
                return Optional.ofNullable(latest).map(StoredApproval::approval);
            }
            StoredApproval stored = ofRun.get(pendingKey);
            Approval decided = stored.approval().decided(decision, at);
            ofRun.put(pendingKey, new StoredApproval(stored.order(), decided));
            boolean waiting = ofRun.values().stream().anyMatch(a -> a.approval().status() == Approval.Status.PENDING);
            StoredRun storedRun = runs.get(runId);
            if (!waiting && storedRun != null && storedRun.run().status() == RunStatus.PAUSED) {
                replace(storedRun, storedRun.run().withStatus(RunStatus.RUNNING, at).withLease(null, null));
            }
            return Optional.of(decided);
        });
    }

    private static String key(int turn, String callId) {
        return turn + "/" + callId;
    }

    /** Nothing to release: the store keeps its runs and stays usable. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "InMemoryRunStore";
    }

    private void replace(StoredRun stored, RunRecord run) {
        runs.put(run.id(), new StoredRun(stored.order(), run));
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
