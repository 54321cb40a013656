package dev.baton.runtime.handoff;

import dev.baton.runtime.MessageType;
import org.jspecify.annotations.Nullable;

/**
 * A person's decision on one call of an {@link ApprovalRequired}, published on the waiting agent's
 * topic of the same session.
 *
 * @param runId the paused run
 * @param callId the call decided
 * @param approved whether the call may run
 * @param always whether the decision also holds for the tool's later calls in the run
 * @param message what the model reads for a rejection, or {@code null} for the default
 * @param by who decided, for the record
 */
@MessageType("baton.ApprovalDecision")
public record ApprovalDecision(String runId, String callId, boolean approved, boolean always, @Nullable String message,
        @Nullable String by) {

    /** Approves {@code callId} once. */
    public static ApprovalDecision approve(String runId, String callId) {
        return new ApprovalDecision(runId, callId, true, false, null, null);
    }

    /** Rejects {@code callId} once; {@code message} is what the model reads. */
    public static ApprovalDecision reject(String runId, String callId, @Nullable String message) {
        return new ApprovalDecision(runId, callId, false, false, message, null);
    }
}
