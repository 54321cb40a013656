package dev.baton.durable;

import java.time.Instant;
import java.util.Objects;

/**
 * A run event as the journal keeps it: the event's type name (the simple name of the
 * {@link dev.baton.run.RunEvent} record, such as {@code HandoffOccurred}) and its data as JSON.
 *
 * @param runId the run
 * @param seq the event's position in the run, gapless from 0 (text deltas are not journaled, so
 *     they take no position)
 * @param type the event type
 * @param agent the agent active when it happened
 * @param at when it happened
 * @param data the event's fields as a JSON object
 */
public record RecordedEvent(String runId, long seq, String type, String agent, Instant at, String data) {
    public RecordedEvent {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(data, "data");
    }
}
