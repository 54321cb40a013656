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
        int turn) {

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
        this(runId, callId, agent, tool, arguments, status, message, requestedAt, decidedAt, 0);
    }

    /** This approval decided. */
    public Approval decided(boolean approved, @Nullable String message, Instant at) {
        return new Approval(runId, callId, agent, tool, arguments, approved ? Status.APPROVED : Status.REJECTED, message,
                requestedAt, at, turn);
    }

    public enum Status {
        PENDING,
        APPROVED,
        REJECTED
    }
}
