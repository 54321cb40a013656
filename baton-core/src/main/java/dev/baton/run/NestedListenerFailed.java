package dev.baton.run;

import dev.baton.CallbackFailed;

/**
 * The event listener of run {@code runId} threw on an event of a run nested in it. Thrown through
 * the nested runs (which it stops) up to the tool call of run {@code runId}, which then fails with
 * {@code failure}, as it would for a listener failing on one of its own events.
 */
final class NestedListenerFailed extends RuntimeException {
    private final String runId;
    private final CallbackFailed failure;

    NestedListenerFailed(String runId, CallbackFailed failure) {
        super(failure.getMessage(), failure, false, false);
        this.runId = runId;
        this.failure = failure;
    }

    String runId() {
        return runId;
    }

    CallbackFailed failure() {
        return failure;
    }
}
