package dev.baton.durable;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A run store that passes every call to another. Extend it and override the calls to change: in
 * tests, to break them (a store that is down, a write that fails after the n-th effect) or observe
 * them; in applications, to add to them (a log of every write):
 *
 * <pre>{@code
 * RunStore flaky = new ForwardingRunStore(store) {
 *     public void recordEffect(Effect effect) {
 *         throw new IllegalStateException("connection refused");
 *     }
 * };
 * }</pre>
 *
 * <p>Every method of {@link RunStore} is forwarded, the batched ones ({@code record},
 * {@code finishRun}) included, so the delegate's atomic versions are the ones used; except
 * {@link #record(List, Effect, String, String)}, which stays the interface's default (this store's
 * {@code record} then {@code updateCurrentAgent}), so a subclass that overrides {@code record} to
 * break or observe it sees every effect, those written with a handoff included. {@link #close()}
 * does not close the delegate.
 */
public class ForwardingRunStore implements RunStore {
    /** The store the calls go to. */
    protected final RunStore delegate;

    public ForwardingRunStore(RunStore delegate) {
        this.delegate = delegate;
    }

    @Override public void createRun(RunRecord run) { delegate.createRun(run); }
    @Override public Optional<RunRecord> findRun(String runId) { return delegate.findRun(runId); }
    @Override public List<RunRecord> listRuns(RunQuery query) { return delegate.listRuns(query); }
    @Override public boolean updateRun(RunRecord run) { return delegate.updateRun(run); }
    @Override public boolean finishRun(List<RecordedEvent> events, RunRecord run) { return delegate.finishRun(events, run); }
    @Override public boolean cancelRun(String runId, String reason, Instant at) { return delegate.cancelRun(runId, reason, at); }
    @Override public boolean markResumable(String runId, Instant at) { return delegate.markResumable(runId, at); }
    @Override public boolean claim(String runId, String owner, Instant now, Instant leaseUntil) { return delegate.claim(runId, owner, now, leaseUntil); }
    @Override public List<String> claimable(Instant now, java.util.Set<String> applications, int limit) { return delegate.claimable(now, applications, limit); }
    @Override public boolean recordGraph(String runId, java.util.Map<String, String> graph, String owner) { return delegate.recordGraph(runId, graph, owner); }
    @Override public int renewLeases(String owner, Instant leaseUntil) { return delegate.renewLeases(owner, leaseUntil); }
    @Override public void release(String runId, String owner) { delegate.release(runId, owner); }
    @Override public void recordEffect(Effect effect) { delegate.recordEffect(effect); }
    @Override public void record(List<RecordedEvent> events, Effect effect) { delegate.record(events, effect); }
    @Override public boolean updateCurrentAgent(String runId, String currentAgent, String owner, Instant at) { return delegate.updateCurrentAgent(runId, currentAgent, owner, at); }
    @Override public List<Effect> effects(String runId) { return delegate.effects(runId); }
    @Override public void appendEvents(List<RecordedEvent> events) { delegate.appendEvents(events); }
    @Override public List<RecordedEvent> events(String runId, long fromSeq, int limit) { return delegate.events(runId, fromSeq, limit); }
    @Override public void requestApprovals(List<Approval> approvals) { delegate.requestApprovals(approvals); }
    @Override public List<Approval> approvals(String runId) { return delegate.approvals(runId); }
    @Override public List<Approval> pendingApprovals(int limit) { return delegate.pendingApprovals(limit); }
    @Override public Optional<Approval> decide(String runId, String callId, Decision decision, Instant at) { return delegate.decide(runId, callId, decision, at); }
    @Override public RunNotifier notifier() { return delegate.notifier(); }
    @Override public void close() { }
}
