package dev.baton.durable;

import dev.baton.run.RunEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * A run event as the journal keeps it: the event's type name (the simple name of the
 * {@link dev.baton.run.RunEvent} record, such as {@code HandoffOccurred}) and its data as JSON.
 * {@link #toEvent()} reads it back as the typed event, in any process that shares the store.
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

    /**
     * The typed event this record holds, equal to the one the run emitted except where only data
     * was kept: a {@link RunEvent.RunFailed} has its {@link dev.baton.run.RunFailure} and no
     * exception, and a final output or a guardrail's info comes back as plain JSON values
     * ({@code String}, number, {@code Boolean}, {@code List}, {@code Map}).
     *
     * @throws IllegalArgumentException naming the run and sequence number, if the type is not one
     *     this version of Baton knows or the data does not fit it
     */
    public RunEvent toEvent() {
        return EventCodec.event(this);
    }
}
