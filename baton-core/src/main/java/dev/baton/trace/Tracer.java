package dev.baton.trace;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The tracing of one run: creates the trace's and spans' ids and reports their starts and ends to
 * the run's processors. The runner creates one per traced run, from its config's trace processors.
 *
 * <p>A tracer reports to the processors it was started with, a copy of the list it was given, so a processor never sees the end of a trace whose start it missed. A processor
 * that throws is logged and skipped; the others still see every call. A tracer without processors
 * does nothing beyond creating its trace id: its spans are one shared, inert handle.
 *
 * <p>Thread-safe: tool calls that run concurrently start and end their spans from their own threads.
 */
public final class Tracer {
    private static final TraceProcessor[] NONE = new TraceProcessor[0];
    private static final String ZERO_SPAN_ID = "span_000000000000000000000000";
    private static final Tracer NOOP = new Tracer(NONE,
            new Trace("trace_00000000000000000000000000000000", "noop", null, Map.of(), Instant.EPOCH, null));

    private final TraceProcessor[] processors;
    private final ActiveSpan inert;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Trace trace;

    private Tracer(TraceProcessor[] processors, Trace trace) {
        this.processors = processors;
        this.trace = trace;
        this.inert = new ActiveSpan(this, ZERO_SPAN_ID, null, new SpanData.Custom("noop", Map.of()), trace.startedAt());
    }

    /**
     * Starts a trace and reports it to {@code processors}. With no processors, every later call is a
     * cheap no-op.
     *
     * @param processors where to report; copied, so later changes to the list do not matter
     * @param workflowName what the run is, for grouping traces
     * @param groupId what ties traces together, usually the session id; null for none
     * @param metadata values to attach to the trace; null keys and values are dropped
     */
    public static Tracer start(
            List<TraceProcessor> processors, String workflowName, @Nullable String groupId, Map<String, Object> metadata) {
        Objects.requireNonNull(workflowName, "workflowName");
        TraceProcessor[] array = processors.isEmpty() ? NONE : List.copyOf(processors).toArray(NONE);
        Trace trace = new Trace(Ids.traceId(), workflowName, groupId, metadata, Instant.now(), null);
        Tracer tracer = new Tracer(array, trace);
        if (array.length > 0) {
            Processors.traceStart(array, trace);
        }
        return tracer;
    }

    /**
     * A tracer that reports nowhere, for code that wants a tracer whether or not tracing is on. Its
     * trace id is all zeros, and so are its spans' ids.
     */
    public static Tracer noop() {
        return NOOP;
    }

    /** The trace's id: {@code trace_} and 32 hex digits. */
    public String traceId() {
        return trace.traceId();
    }

    /** The trace as processors last saw it: without an end time until {@link #end()}. */
    public Trace trace() {
        return trace;
    }

    /**
     * Whether anyone listens. When false, spans are inert and callers may skip building costly span
     * data (copies of the conversation, say).
     */
    public boolean isRecording() {
        return processors.length > 0;
    }

    /**
     * Starts a span and reports it.
     *
     * @param parent the enclosing span, or null for a span at the top level of the trace
     * @param data what the span is about; change it later with {@link ActiveSpan#update}
     * @return the handle to update and end the span with
     */
    public ActiveSpan startSpan(@Nullable ActiveSpan parent, SpanData data) {
        Objects.requireNonNull(data, "data");
        if (processors.length == 0) {
            return inert;
        }
        ActiveSpan span = new ActiveSpan(this, Ids.spanId(), parent == null ? null : parent.spanId, data, Instant.now());
        Processors.spanStart(processors, span.snapshot(null));
        return span;
    }

    /** Ends the trace and reports it. Later calls are ignored. */
    public void end() {
        if (!ended.compareAndSet(false, true) || processors.length == 0) {
            return;
        }
        Trace ended = trace.endedAt(Instant.now());
        trace = ended;
        Processors.traceEnd(processors, ended);
    }

    /**
     * A started span, for the code that does the work: change its data as results come in, mark it
     * failed, and end it. Ending is idempotent, and changes after the end are ignored, so it is safe
     * to end a span in a {@code finally} block whatever happened before. Thread-safe.
     */
    public static final class ActiveSpan {
        private final Tracer tracer;
        private final String spanId;
        private final @Nullable String parentId;
        private final Instant startedAt;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile SpanData data;
        private volatile @Nullable SpanError error;

        private ActiveSpan(Tracer tracer, String spanId, @Nullable String parentId, SpanData data, Instant startedAt) {
            this.tracer = tracer;
            this.spanId = spanId;
            this.parentId = parentId;
            this.data = data;
            this.startedAt = startedAt;
        }

        /** The span's id: {@code span_} and 24 hex digits (all zeros when nothing is recorded). */
        public String spanId() {
            return spanId;
        }

        /** The id of the trace it belongs to. */
        public String traceId() {
            return tracer.traceId();
        }

        /** The enclosing span's id, or null at the top level. */
        public @Nullable String parentId() {
            return parentId;
        }

        /** What the span is about, as last updated. */
        public SpanData data() {
            return data;
        }

        /** Whether {@link #end()} has been called. */
        public boolean isEnded() {
            return ended.get();
        }

        /** Replaces the span's data, typically with a copy that has results filled in. Ignored after the end. */
        public void update(SpanData data) {
            Objects.requireNonNull(data, "data");
            if (isLive()) {
                this.data = data;
            }
        }

        /** Marks the span failed; the last call before the end wins. Ignored after the end. */
        public void setError(String message, @Nullable String type) {
            Objects.requireNonNull(message, "message");
            if (isLive()) {
                this.error = new SpanError(message, type);
            }
        }

        /** Ends the span and reports it with its final data. Later calls are ignored. */
        public void end() {
            if (!isLive() || !ended.compareAndSet(false, true)) {
                return;
            }
            Processors.spanEnd(tracer.processors, snapshot(Instant.now()));
        }

        private boolean isLive() {
            return tracer.processors.length > 0 && !ended.get();
        }

        Span snapshot(@Nullable Instant endedAt) {
            return new Span(tracer.traceId(), spanId, parentId, data, startedAt, endedAt, endedAt == null ? null : error);
        }

        @Override
        public String toString() {
            return "ActiveSpan[" + spanId + " " + data.type() + (ended.get() ? ", ended]" : "]");
        }
    }
}
