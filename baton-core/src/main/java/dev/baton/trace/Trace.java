package dev.baton.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A trace: one run, as processors see it. An immutable snapshot: {@link TraceProcessor#onTraceStart}
 * receives it without an end time, {@link TraceProcessor#onTraceEnd} with one.
 *
 * @param traceId {@code trace_} followed by 32 hex digits
 * @param workflowName what the run is, for grouping traces (the runner's or the run's workflow name)
 * @param groupId what ties several traces together, usually the session id; null for a run without one
 * @param metadata values the application attached to the run; no null keys or values
 * @param startedAt when the run started
 * @param endedAt when the run ended, or null while it goes on
 */
public record Trace(
        String traceId,
        String workflowName,
        @Nullable String groupId,
        Map<String, Object> metadata,
        Instant startedAt,
        @Nullable Instant endedAt) {

    public Trace {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(workflowName, "workflowName");
        Objects.requireNonNull(startedAt, "startedAt");
        metadata = Maps.copyWithoutNulls(metadata);
    }

    /** How long the run took, or null while it goes on. */
    public @Nullable Duration duration() {
        return endedAt == null ? null : Duration.between(startedAt, endedAt);
    }

    /** This trace, ended at {@code at}. */
    Trace endedAt(Instant at) {
        return new Trace(traceId, workflowName, groupId, metadata, startedAt, at);
    }
}
