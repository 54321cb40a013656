package dev.baton.durable;

import dev.baton.RunStoreFailed;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A durable run, started here or in another process: its status, its outcome, its events, and
 * the decisions it waits for. Handles are cheap; every call reads the store, so a handle stays
 * right while the run moves between workers.
 */
public final class RunHandle {
    private final DurableClient runner;
    private final String id;
    /** The execution this handle's call started in this process, if it did. */
    private final @Nullable Execution started;

    RunHandle(DurableClient runner, String id) {
        this(runner, id, null);
    }

    RunHandle(DurableClient runner, String id, @Nullable Execution started) {
        this.runner = runner;
        this.id = id;
        this.started = started;
    }

    public String id() {
        return id;
    }

    /** The run as the store has it now. */
    public RunRecord record() {
        return runner.find(id);
    }

    public RunStatus status() {
        return record().status();
    }

    /**
     * Waits until the run ends or pauses for approval, at most {@code timeout}.
     *
     * @return the run once it ended or paused; empty if it is still going when the time is up
     * @throws RunStoreFailed if this process was executing the run and lost the store (the run stays resumable)
     * @throws dev.baton.JournalMismatch if the run cannot continue with the agents here
     */
    public Optional<RunRecord> await(Duration timeout) {
        return runner.await(id, timeout);
    }

    /**
     * What the runner returned, when the execution this handle started in this process completed
     * the run and recorded it: its new items, conversation and handoff targets, without reading
     * them back from the store. Empty for a run that is still going, paused, failed, was continued
     * by another execution or process, or that this handle did not start.
     */
    public Optional<dev.baton.run.RunResult> localResult() {
        Execution ex = started;
        return ex == null || ex.endRecord() == null ? Optional.empty() : Optional.ofNullable(ex.result);
    }

    /** Waits, however long it takes, until the run ends or pauses for approval; see {@link #await}. */
    public RunRecord result() {
        return runner.await(id, null).orElseThrow();
    }

    /**
     * The run's events from {@code fromSeq} on: those recorded so far, then the new ones as the
     * run goes on, until it ends or pauses. Resumable: a reader that stopped at sequence number
     * {@code n} continues with {@code events(n + 1)}. {@link EventStream#runEvents()} gives them as
     * the typed events the run emitted.
     */
    public EventStream events(long fromSeq) {
        return new EventStream(runner, id, fromSeq);
    }

    /** The run's approvals, pending and decided. */
    public List<Approval> approvals() {
        return history().approvals();
    }

    /** The run with its events, effects and approvals. */
    public RunHistory history() {
        return runner.history(id);
    }

    /**
     * Approves a tool call the run waits for. Once every call it waits for is decided, the run
     * continues (at once by a worker of this process, unless it was built with {@code autoResume(false)}; otherwise by the next worker that looks).
     *
     * @throws dev.baton.UserError if the run has no such approval, or it was already rejected
     */
    public Approval approve(String callId) {
        return runner.decide(id, callId, Decision.approve());
    }

    /**
     * Decides a tool call the run waits for as {@code decision} says: approve or reject, for this
     * call or the tool's later calls too, with who decided. The other methods are its shorthands.
     *
     * @throws dev.baton.UserError if the run has no such approval, or it was already decided otherwise
     */
    public Approval decide(String callId, Decision decision) {
        return runner.decide(id, callId, java.util.Objects.requireNonNull(decision, "decision"));
    }

    /**
     * Approves a tool call the run waits for, and every later call of the same tool in this run:
     * the run asks no one again for that tool.
     *
     * @throws dev.baton.UserError if the run has no such approval, or it was already rejected
     */
    public Approval approveAlways(String callId) {
        return runner.decide(id, callId, Decision.approve().forLaterCalls());
    }

    /**
     * Rejects a tool call the run waits for; the model reads that the call was not approved and did
     * not run, followed by {@code message} when given, instead of the tool's output.
     *
     * @throws dev.baton.UserError if the run has no such approval, or it was already approved
     */
    public Approval reject(String callId, @Nullable String message) {
        return runner.decide(id, callId, Decision.reject(message));
    }

    /**
     * Rejects a tool call the run waits for, and every later call of the same tool in this run,
     * each with {@code message}: the run asks no one again for that tool.
     *
     * @throws dev.baton.UserError if the run has no such approval, or it was already approved
     */
    public Approval rejectAlways(String callId, @Nullable String message) {
        return runner.decide(id, callId, Decision.reject(message).forLaterCalls());
    }

    /**
     * Cancels the run: it is marked cancelled in the store and stopped wherever it executes
     * (at once here, at the next heartbeat in another process).
     *
     * @return whether the run was still going
     */
    public boolean cancel() {
        return runner.cancel(id);
    }

    @Override
    public String toString() {
        return "RunHandle[" + id + "]";
    }
}
