package dev.baton.session;

import dev.baton.model.Usage;
import java.time.Instant;
import java.util.Objects;

/**
 * What one turn of a conversation cost: the run that answered a user message on the session, and
 * the requests and tokens it spent (agents used as tools included).
 *
 * @param runId the run
 * @param usage what it spent
 * @param recordedAt when it was last recorded (a paused run is recorded again when it finishes)
 */
public record TurnUsage(String runId, Usage usage, Instant recordedAt) {
    public TurnUsage {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
