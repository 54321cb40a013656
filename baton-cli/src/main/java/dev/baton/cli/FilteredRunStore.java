package dev.baton.cli;

import dev.baton.durable.Approval;
import dev.baton.durable.Effect;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A run store through which a durable runner sees only some runs when it looks for runs to take
 * over and lists runs: those of one desk (desks may share agent names, so each desk has a runner
 * of its own), or the one run {@code baton runs resume ID} names. Everything else passes through,
 * the SPI's default methods included, so the store's own (atomic, batched) versions are used.
 */
final class FilteredRunStore implements RunStore {
    private final RunStore store;
    private final Predicate<RunRecord> visible;

    FilteredRunStore(RunStore store, Predicate<RunRecord> visible) {
        this.store = store;
        this.visible = visible;
    }

    @Override
    public List<String> claimable(Instant now, int limit) {
        return store.claimable(now, limit).stream().filter(id -> store.findRun(id).filter(visible).isPresent()).toList();
    }

    @Override
    public List<RunRecord> listRuns(RunQuery query) {
        return store.listRuns(query).stream().filter(visible).toList();
    }

    @Override
    public void createRun(RunRecord run) {
        store.createRun(run);
    }

    @Override
    public Optional<RunRecord> findRun(String id) {
        return store.findRun(id);
    }

    @Override
    public boolean updateRun(RunRecord run) {
        return store.updateRun(run);
    }

    @Override
    public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
        return store.finishRun(events, run);
    }

    @Override
    public boolean cancelRun(String id, String reason, Instant at) {
        return store.cancelRun(id, reason, at);
    }

    @Override
    public boolean markResumable(String id, Instant at) {
        return store.markResumable(id, at);
    }

    @Override
    public boolean claim(String id, String owner, Instant now, Instant leaseUntil) {
        return store.claim(id, owner, now, leaseUntil);
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        return store.renewLeases(owner, leaseUntil);
    }

    @Override
    public void release(String id, String owner) {
        store.release(id, owner);
    }

    @Override
    public void recordEffect(Effect effect) {
        store.recordEffect(effect);
    }

    @Override
    public void record(List<RecordedEvent> events, Effect effect) {
        store.record(events, effect);
    }

    @Override
    public List<Effect> effects(String id) {
        return store.effects(id);
    }

    @Override
    public void appendEvents(List<RecordedEvent> events) {
        store.appendEvents(events);
    }

    @Override
    public List<RecordedEvent> events(String id, long fromSeq, int limit) {
        return store.events(id, fromSeq, limit);
    }

    @Override
    public void requestApprovals(List<Approval> approvals) {
        store.requestApprovals(approvals);
    }

    @Override
    public List<Approval> approvals(String id) {
        return store.approvals(id);
    }

    @Override
    public List<Approval> pendingApprovals(int limit) {
        return store.pendingApprovals(limit);
    }

    @Override
    public Optional<Approval> decide(String id, String callId, boolean approved, @Nullable String message, Instant at) {
        return store.decide(id, callId, approved, message, at);
    }

    /** The underlying store belongs to the workbench, which closes it. */
    @Override
    public void close() {}
}
