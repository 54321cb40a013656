package dev.baton.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A span as processors see it: an immutable snapshot. {@link TraceProcessor#onSpanStart} receives
 * it without end time or error, {@link TraceProcessor#onSpanEnd} with its end time, its final data,
 * and its error if it failed.
 *
 * @param traceId the id of the trace it belongs to
 * @param spanId {@code span_} followed by 24 hex digits
 * @param parentId the id of the enclosing span, or null for a span at the top level of the trace
 * @param data what the span is about
 * @param startedAt when it started
 * @param endedAt when it ended, or null while it is open
 * @param error why it failed, or null if it did not (or is still open)
 */
public record Span(
        String traceId,
        String spanId,
        @Nullable String parentId,
        SpanData data,
        Instant startedAt,
        @Nullable Instant endedAt,
        @Nullable SpanError error) {

    public Span {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(spanId, "spanId");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** How long the span took, or null while it is open. */
    public @Nullable Duration duration() {
        return endedAt == null ? null : Duration.between(startedAt, endedAt);
    }
}
