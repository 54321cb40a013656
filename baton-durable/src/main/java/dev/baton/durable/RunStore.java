package dev.baton.durable;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where durable runs are kept: the runs, the journal of their effects, their events and their
 * approvals. The SPI that the in-memory, SQLite and PostgreSQL stores implement; every
 * implementation must pass {@code RunStoreConformance} (in the test-jar of {@code baton-durable}).
 *
 * <p>Every method is atomic and, once it returns, durable to the degree the store promises (the
 * JDBC stores: survives a killed process). Failures are unchecked exceptions whose message names
 * the store and the run; a row that cannot be read back is reported, never skipped.
 */
public interface RunStore extends AutoCloseable {

    // ---- runs

    /**
     * Records a new run, with the owner and lease it carries.
     *
     * @throws IllegalArgumentException if a run with this id exists
     */
    void createRun(RunRecord run);

    Optional<RunRecord> findRun(String runId);

    /** Runs matching the query, newest first. */
    List<RunRecord> listRuns(RunQuery query);

    /**
     * Writes the run's current agent, status, output, error, usage, paused state and update time
     * (never its id, start agent, session, input, graph, creation time, owner or lease).
     * Refused when the stored run has ended (completed, failed or cancelled) or is leased to an
     * owner other than {@code run.owner()}: a worker that lost its lease cannot overwrite the
     * worker that took over.
     *
     * @return whether the run was written
     */
    boolean updateRun(RunRecord run);

    /**
     * Appends a run's last events and writes its outcome ({@link #updateRun}, with the same
     * refusals), and, when the run is no longer running (paused or ended), gives up its lease. The
     * events are appended only if the run was written. Stores should do it as one atomic write (the
     * default makes several calls): a durable run ends with this call.
     *
     * <p>A run written as paused while it has no pending approval (every call it waits for was
     * decided while the pause was being written) is left running with no owner and no lease
     * instead, as {@link #decide} leaves it: a decision is never lost between "decided" and
     * "paused". Stores do this in the same atomic step, ordered with {@code decide} on the run.
     *
     * @return whether the run was written
     */
    default boolean finishRun(List<RecordedEvent> events, RunRecord run) {
        boolean written = updateRun(run);
        if (written) {
            if (run.status() != RunStatus.RUNNING && run.owner() != null) {
                release(run.id(), run.owner());
            }
            appendEvents(events);
            if (run.status() == RunStatus.PAUSED
                    && approvals(run.id()).stream().noneMatch(a -> a.status() == Approval.Status.PENDING)) {
                markResumable(run.id(), run.updatedAt());
            }
        }
        return written;
    }

    /**
     * Writes the agent that holds a running run now (after a handoff) and the update time, so whoever
     * looks at a run in flight sees who has it. Refused unless the run is running and {@code owner}
     * holds its lease: a worker that lost the lease cannot overwrite the one that took over. The
     * default reads the run and writes it with {@link #updateRun}; stores should do it in one step.
     *
     * @return whether the run was written
     */
    default boolean updateCurrentAgent(String runId, String currentAgent, String owner, Instant at) {
        Optional<RunRecord> run = findRun(runId);
        if (run.isEmpty() || run.get().status() != RunStatus.RUNNING || !owner.equals(run.get().owner())) {
            return false;
        }
        RunRecord r = run.get();
        return updateRun(r.withOutcome(RunStatus.RUNNING, currentAgent, r.finalOutput(), r.error(), r.usage(), r.pausedState(), at));
    }

    /**
     * Marks a run that has not ended as cancelled, with the reason as its error, and rejects its
     * pending approvals with the reason as their message, in one atomic step: a cancelled run
     * waits for no reviewer.
     *
     * @return whether the run changed (false if it is unknown or had already ended)
     */
    boolean cancelRun(String runId, String reason, Instant at);

    /**
     * Moves a paused run back to running with no owner, so a worker can claim it and continue
     * (done once every approval it waits for is decided).
     *
     * @return whether the run changed (false unless it was paused)
     */
    boolean markResumable(String runId, Instant at);

    // ---- leases

    /**
     * Takes the lease of a running run: succeeds when the run is running and has no owner, is
     * already owned by {@code owner}, or its lease expired before {@code now} (a run with an owner
     * and no lease time counts as expired). Never succeeds for a run that is not running.
     */
    boolean claim(String runId, String owner, Instant now, Instant leaseUntil);

    /**
     * Running runs with no owner or an expired lease (or an owner and no lease time), oldest first:
     * the ones a worker may claim; only runs of these applications (any application when the set
     * is empty), so a worker lists only runs it has the agents for.
     */
    List<String> claimable(Instant now, java.util.Set<String> applications, int limit);

    /**
     * Extends the lease of every running run owned by {@code owner}.
     *
     * @return how many runs it extended
     */
    int renewLeases(String owner, Instant leaseUntil);

    /** Gives up the lease of a run if {@code owner} holds it. */
    void release(String runId, String owner);

    /**
     * Writes the agent graph of a run recorded without one (a {@link DurableClient} started it,
     * knowing no agents) while {@code owner} holds its lease: the first worker to execute the run
     * fixes the definitions its journal is replayed with. Refused when the run has a graph already,
     * is not running, or is leased to another owner.
     *
     * @return whether the graph was written
     */
    boolean recordGraph(String runId, java.util.Map<String, String> graph, String owner);

    // ---- journal

    /** Records an effect, replacing the one with the same run and key (a start followed by its result). */
    void recordEffect(Effect effect);

    /**
     * Appends events and records an effect as one write, where the store can (a journaled run
     * writes its buffered events together with each effect). The default does one after the other.
     */
    default void record(List<RecordedEvent> events, Effect effect) {
        if (!events.isEmpty()) {
            appendEvents(events);
        }
        recordEffect(effect);
    }

    /**
     * {@link #record(List, Effect)} and {@link #updateCurrentAgent} (at the effect's latest time) as
     * one write, where the store can: a journaled run names the agent it handed off to with the next
     * effect it records, at no extra round trip. The events and the effect are recorded even when the
     * agent is refused. The default does one after the other.
     */
    default void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
        record(events, effect);
        updateCurrentAgent(effect.runId(), currentAgent, owner, effect.finishedAt() != null ? effect.finishedAt() : effect.startedAt());
    }

    /** The run's effects in the order their keys were first recorded. */
    List<Effect> effects(String runId);

    /** Appends events; an event whose run and sequence number are already stored is ignored (a replay). */
    void appendEvents(List<RecordedEvent> events);

    /** The run's events from {@code fromSeq} on, in order, at most {@code limit} of them. */
    List<RecordedEvent> events(String runId, long fromSeq, int limit);

    // ---- approvals

    /** Records pending approvals; one whose run, turn and call id is already stored is left as it is. */
    void requestApprovals(List<Approval> approvals);

    /** The run's approvals, pending and decided, in the order they were requested. */
    List<Approval> approvals(String runId);

    /** Pending approvals of every run, oldest first (by request time), at most {@code limit}. */
    List<Approval> pendingApprovals(int limit);

    /**
     * Decides the run's pending approval with this call id as {@code decision} says (with
     * {@link Decision#always()}, for the tool's later calls in the run too). An approval already decided keeps its
     * first decision. When the decision leaves a paused run with no pending approval, the run
     * becomes running with no owner and no lease, in the same atomic step, so a worker can claim it
     * and continue: no decision can be lost between "decided" and "resumable".
     *
     * @return the approval as stored afterwards (when none is pending, the latest one with this call
     *     id, unchanged); empty if the run has no approval with this call id
     */
    Optional<Approval> decide(String runId, String callId, Decision decision, Instant at);

    /** {@link #decide(String, String, Decision, Instant)} for this call only, by someone unnamed. */
    default Optional<Approval> decide(String runId, String callId, boolean approved, @Nullable String message, Instant at) {
        return decide(runId, callId, new Decision(approved, false, message, null), at);
    }

    // ---- news

    /**
     * The notifier that wakes readers of this store's runs when a run moves on. A store shared by
     * several processes gives one that carries its writes to the others (PostgreSQL:
     * {@code LISTEN}/{@code NOTIFY}; SQLite: a short poll); closing the store closes it. The default
     * wakes readers in this process only, shared by every store without a notifier of its own: a
     * reader in another process then sees a change at its next poll.
     */
    default RunNotifier notifier() {
        return InProcessRunNotifier.SHARED;
    }

    /** Releases the store's connections and threads. */
    @Override
    void close();
}
