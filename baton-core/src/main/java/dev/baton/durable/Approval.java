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
        @Nullable Instant decidedAt) {

    public Approval {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    public enum Status {
        PENDING,
        APPROVED,
        REJECTED
    }
}
