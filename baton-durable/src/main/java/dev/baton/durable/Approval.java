package dev.baton.durable;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A tool call of a durable run that needs a human decision, pending or decided.
 *
 * @param runId the run
 * @param callId the tool call's id
 * @param agent the agent that asked for the call
 * @param tool the tool's name
 * @param arguments the call's JSON arguments
 * @param status pending, approved or rejected
 * @param message the reviewer's message to the model, for a rejection
 * @param requestedAt when the run asked
 * @param decidedAt when a human decided
 * @param turn the run's turn that made the call: call ids are unique within a response, not
 *     always within a run, so an approval belongs to its turn
 * @param always whether the decision stands for every later call of the same tool in this run
 *     (the run asks no one again for them), not for this call only
 * @param decidedBy who decided, when the decision said
 */
public record Approval(
        String runId,
        String callId,
        String agent,
        String tool,
        String arguments,
        Status status,
        @Nullable String message,
        Instant requestedAt,
        @Nullable Instant decidedAt,
        int turn,
        boolean always,
        @Nullable String decidedBy) {

    public Approval {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    /** An approval of turn 0: for stores and tests that do not track turns. */
    public Approval(String runId, String callId, String agent, String tool, String arguments, Status status,
            @Nullable String message, Instant requestedAt, @Nullable Instant decidedAt) {
        this(runId, callId, agent, tool, arguments, status, message, requestedAt, decidedAt, 0, false, null);
    }

    /** A decision for this call only (not {@link #always()}). */
    public Approval(String runId, String callId, String agent, String tool, String arguments, Status status,
            @Nullable String message, Instant requestedAt, @Nullable Instant decidedAt, int turn) {
        this(runId, callId, agent, tool, arguments, status, message, requestedAt, decidedAt, turn, false, null);
    }

    /** This approval decided, for this call only. */
    public Approval decided(boolean approved, @Nullable String message, Instant at) {
        return decided(new Decision(approved, false, message, null), at);
    }

    /** This approval decided as {@code decision} says. */
    public Approval decided(Decision decision, Instant at) {
        return new Approval(runId, callId, agent, tool, arguments, decision.approved() ? Status.APPROVED : Status.REJECTED,
                decision.message(), requestedAt, at, turn, decision.always(), decision.by());
    }

    public enum Status {
        PENDING,
        APPROVED,
        REJECTED
    }
}
