package dev.baton.cli;

import dev.baton.durable.Effect;
import dev.baton.durable.ForwardingRunStore;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * A run store through which a durable runner sees only some runs when it looks for runs to take
 * over and lists runs: those of one desk (desks may share agent names, so each desk has a runner
 * of its own), or the one run {@code baton runs resume ID} names. Everything else passes through,
 * the batched methods included, so the store's own (atomic) versions are used; closing it leaves
 * the store open (it belongs to the workbench).
 */
final class FilteredRunStore extends ForwardingRunStore {
    private final Predicate<RunRecord> visible;

    FilteredRunStore(RunStore store, Predicate<RunRecord> visible) {
        super(store);
        this.visible = visible;
    }

    @Override
    public List<String> claimable(Instant now, int limit) {
        return delegate.claimable(now, limit).stream().filter(id -> delegate.findRun(id).filter(visible).isPresent()).toList();
    }

    @Override
    public List<RunRecord> listRuns(RunQuery query) {
        return delegate.listRuns(query).stream().filter(visible).toList();
    }

    /** The store's own one-write version: a handoff costs no extra round trip. */
    @Override
    public void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
        delegate.record(events, effect, currentAgent, owner);
    }
}
