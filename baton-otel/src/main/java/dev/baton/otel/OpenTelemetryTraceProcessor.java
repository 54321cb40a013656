package dev.baton.otel;

import static dev.baton.otel.GenAi.*;

import dev.baton.model.Usage;
import dev.baton.trace.SpanData;
import dev.baton.trace.SpanError;
import dev.baton.trace.Trace;
import dev.baton.trace.TraceProcessor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Reports Baton traces and spans as OpenTelemetry spans that follow the GenAI semantic conventions.
 * Give it to a runner like any processor:
 *
 * <pre>{@code
 * Runner runner = Runner.create(RunConfig.builder()
 *         .traceProcessor(new OpenTelemetryTraceProcessor(openTelemetry))
 *         .build());
 * }</pre>
 *
 * <table>
 *   <caption>How Baton spans map</caption>
 *   <tr><th>Baton</th><th>OpenTelemetry span</th><th>kind</th></tr>
 *   <tr><td>trace (a run)</td><td>{@code invoke_workflow {workflow name}}</td><td>INTERNAL</td></tr>
 *   <tr><td>agent</td><td>{@code invoke_agent {agent}}</td><td>INTERNAL</td></tr>
 *   <tr><td>model call</td><td>{@code chat {model}}</td><td>CLIENT</td></tr>
 *   <tr><td>tool call</td><td>{@code execute_tool {tool}}</td><td>INTERNAL</td></tr>
 *   <tr><td>handoff</td><td>{@code handoff {from} -> {to}}</td><td>INTERNAL</td></tr>
 *   <tr><td>guardrail</td><td>{@code guardrail {name}}</td><td>INTERNAL</td></tr>
 *   <tr><td>custom</td><td>its name</td><td>INTERNAL</td></tr>
 * </table>
 *
 * <p>Spans keep Baton's nesting and timestamps. The run's span is a child of the OpenTelemetry
 * context current when the run starts (an incoming request's span, say), so a run shows up inside
 * the request that caused it. A failed span gets status ERROR and {@code error.type}: the failure's
 * type as the runner named it, {@code tool_error} for a tool whose output reports a failure, or
 * {@code _OTHER}.
 *
 * <p>Conversation content ({@code gen_ai.input.messages}, {@code gen_ai.output.messages}, {@code
 * gen_ai.tool.call.arguments}, {@code gen_ai.tool.call.result}) is recorded only with {@link
 * Builder#includeSensitiveData(boolean) includeSensitiveData(true)}, as the conventions make it
 * opt-in; and only when the run put it in its spans in the first place.
 *
 * <p>{@link #forceFlush()} does nothing: flushing and exporting are the OpenTelemetry SDK's job, so
 * flush its tracer provider. {@link #shutdown()} ends spans still open. Thread-safe.
 */
public final class OpenTelemetryTraceProcessor implements TraceProcessor {
    private static final String SCOPE = "dev.baton";

    private final Tracer tracer;
    private final boolean includeSensitiveData;
    private final @Nullable String providerName;
    private final Map<String, OpenTrace> traces = new ConcurrentHashMap<>();
    private final Map<String, OpenSpan> spans = new ConcurrentHashMap<>();
    // Spans ended early because their trace ended; their own late end must not report them twice.
    private final Set<String> endedWithTrace = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<String, Boolean>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 4096;
                }
            }));

    private record OpenTrace(Span span, Context context, @Nullable String groupId) {}

    private record OpenSpan(Span span, String traceId) {}

    /** Reports to {@code openTelemetry}'s tracer, without conversation content. */
    public OpenTelemetryTraceProcessor(OpenTelemetry openTelemetry) {
        this(builder(openTelemetry));
    }

    /** Reports to {@code openTelemetry}'s tracer, with conversation content if {@code includeSensitiveData}. */
    public OpenTelemetryTraceProcessor(OpenTelemetry openTelemetry, boolean includeSensitiveData) {
        this(builder(openTelemetry).includeSensitiveData(includeSensitiveData));
    }

    private OpenTelemetryTraceProcessor(Builder b) {
        this.tracer = b.openTelemetry.getTracer(SCOPE);
        this.includeSensitiveData = b.includeSensitiveData;
        this.providerName = b.providerName;
    }

    /** A builder, for the less common settings. */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    @Override
    public void onTraceStart(Trace trace) {
        AttributesBuilder attrs = Attributes.builder()
                .put(OPERATION_NAME, OP_INVOKE_WORKFLOW)
                .put(WORKFLOW_NAME, trace.workflowName())
                .put(BATON_TRACE_ID, trace.traceId());
        if (trace.groupId() != null) {
            attrs.put(CONVERSATION_ID, trace.groupId());
        }
        trace.metadata().forEach((k, v) -> putValue(attrs, BATON_METADATA_PREFIX + k, v));
        Span span = tracer.spanBuilder(OP_INVOKE_WORKFLOW + " " + trace.workflowName())
                .setParent(Context.current())
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(trace.startedAt())
                .setAllAttributes(attrs.build())
                .startSpan();
        traces.put(trace.traceId(), new OpenTrace(span, Context.root().with(span), trace.groupId()));
    }

    @Override
    public void onTraceEnd(Trace trace) {
        Instant end = trace.endedAt() == null ? Instant.now() : trace.endedAt();
        // Spans the runner left open would otherwise never be exported.
        spans.entrySet().removeIf(e -> {
            if (e.getValue().traceId().equals(trace.traceId())) {
                e.getValue().span().end(end);
                endedWithTrace.add(e.getKey());
                return true;
            }
            return false;
        });
        OpenTrace open = traces.remove(trace.traceId());
        if (open != null) {
            open.span().end(end);
        }
    }

    @Override
    public void onSpanStart(dev.baton.trace.Span span) {
        spans.put(span.spanId(), new OpenSpan(start(span), span.traceId()));
    }

    @Override
    public void onSpanEnd(dev.baton.trace.Span span) {
        OpenSpan open = spans.remove(span.spanId());
        if (open == null && endedWithTrace.remove(span.spanId())) {
            return;
        }
        // A span whose start this processor missed is still reported, from its final snapshot.
        Span otel = open != null ? open.span() : start(span);
        SpanData data = span.data();
        otel.updateName(spanName(data));
        otel.setAllAttributes(attributes(data, groupIdOf(span.traceId()), true));
        SpanError error = span.error();
        if (error != null) {
            otel.setStatus(StatusCode.ERROR, error.message());
            otel.setAttribute(ERROR_TYPE, error.type() == null ? ERROR_OTHER : error.type());
        } else if (data instanceof SpanData.ToolCall t && t.error()) {
            otel.setStatus(StatusCode.ERROR);
            otel.setAttribute(ERROR_TYPE, ERROR_TOOL);
        }
        otel.end(span.endedAt() == null ? Instant.now() : span.endedAt());
    }

    /** Does nothing: flush the OpenTelemetry SDK's tracer provider instead. */
    @Override
    public void forceFlush() {}

    /** Ends the spans still open, so they are not lost. */
    @Override
    public void shutdown() {
        Instant now = Instant.now();
        spans.values().removeIf(open -> {
            open.span().end(now);
            return true;
        });
        traces.values().removeIf(open -> {
            open.span().end(now);
            return true;
        });
    }

    private Span start(dev.baton.trace.Span span) {
        SpanData data = span.data();
        return tracer.spanBuilder(spanName(data))
                .setParent(parentContext(span))
                .setSpanKind(data instanceof SpanData.ModelCall ? SpanKind.CLIENT : SpanKind.INTERNAL)
                .setStartTimestamp(span.startedAt())
                .setAllAttributes(attributes(data, groupIdOf(span.traceId()), false))
                .startSpan();
    }

    private Context parentContext(dev.baton.trace.Span span) {
        if (span.parentId() != null) {
            OpenSpan parent = spans.get(span.parentId());
            if (parent != null) {
                return Context.root().with(parent.span());
            }
        }
        OpenTrace trace = traces.get(span.traceId());
        return trace != null ? trace.context() : Context.current();
    }

    private @Nullable String groupIdOf(String traceId) {
        OpenTrace trace = traces.get(traceId);
        return trace == null ? null : trace.groupId();
    }

    static String spanName(SpanData data) {
        return switch (data) {
            case SpanData.Agent a -> OP_INVOKE_AGENT + " " + a.name();
            case SpanData.ModelCall m -> m.model() == null ? OP_CHAT : OP_CHAT + " " + m.model();
            case SpanData.ToolCall t -> OP_EXECUTE_TOOL + " " + t.tool();
            case SpanData.Handoff h -> h.to() == null ? "handoff " + h.from() : "handoff " + h.from() + " -> " + h.to();
            case SpanData.Guardrail g -> "guardrail " + g.name();
            case SpanData.Custom c -> c.name();
        };
    }

    /**
     * The span's attributes. At the start, those that sampling may look at; at the end, all of them
     * from the final data, content included where allowed.
     */
    private Attributes attributes(SpanData data, @Nullable String groupId, boolean end) {
        AttributesBuilder a = Attributes.builder().put(BATON_SPAN_TYPE, data.type());
        switch (data) {
            case SpanData.Agent agent -> {
                a.put(OPERATION_NAME, OP_INVOKE_AGENT).put(AGENT_NAME, agent.name());
                putProvider(a);
                putIfNotNull(a, CONVERSATION_ID, groupId);
                a.put(AttributeKey.stringArrayKey(BATON_AGENT_TOOLS), agent.tools());
                a.put(AttributeKey.stringArrayKey(BATON_AGENT_HANDOFFS), agent.handoffs());
                if (agent.outputType() != null) {
                    a.put(BATON_AGENT_OUTPUT_TYPE, agent.outputType());
                    a.put(OUTPUT_TYPE, "json");
                }
            }
            case SpanData.ModelCall call -> {
                a.put(OPERATION_NAME, OP_CHAT).put(AGENT_NAME, call.agent());
                putProvider(a);
                putIfNotNull(a, REQUEST_MODEL, call.model());
                putIfNotNull(a, CONVERSATION_ID, groupId);
                if (end) {
                    putIfNotNull(a, RESPONSE_ID, call.responseId());
                    Usage usage = call.usage();
                    if (usage != null) {
                        a.put(USAGE_INPUT_TOKENS, usage.inputTokens()).put(USAGE_OUTPUT_TOKENS, usage.outputTokens());
                        if (usage.cachedInputTokens() > 0) {
                            a.put(USAGE_CACHE_READ_INPUT_TOKENS, usage.cachedInputTokens());
                        }
                        if (usage.reasoningTokens() > 0) {
                            a.put(USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens());
                        }
                    }
                    if (includeSensitiveData && call.input() != null) {
                        a.put(INPUT_MESSAGES, Messages.input(call.input()));
                    }
                    if (includeSensitiveData && call.output() != null) {
                        a.put(OUTPUT_MESSAGES, Messages.output(call.output()));
                    }
                }
            }
            case SpanData.ToolCall tool -> {
                a.put(OPERATION_NAME, OP_EXECUTE_TOOL)
                        .put(TOOL_NAME, tool.tool())
                        .put(TOOL_CALL_ID, tool.callId())
                        .put(TOOL_TYPE, "function")
                        .put(AGENT_NAME, tool.agent());
                if (end) {
                    a.put(BATON_TOOL_ERROR, tool.error());
                    if (includeSensitiveData) {
                        putIfNotNull(a, TOOL_CALL_ARGUMENTS, tool.arguments());
                        // The conventions record a result only for a call that succeeded.
                        if (!tool.error()) {
                            putIfNotNull(a, TOOL_CALL_RESULT, tool.output());
                        }
                    }
                }
            }
            case SpanData.Handoff handoff -> {
                a.put(BATON_HANDOFF_FROM, handoff.from());
                putIfNotNull(a, BATON_HANDOFF_TO, handoff.to());
            }
            case SpanData.Guardrail guardrail -> a.put(BATON_GUARDRAIL_NAME, guardrail.name())
                    .put(BATON_GUARDRAIL_KIND, guardrail.kind())
                    .put(BATON_GUARDRAIL_TRIGGERED, guardrail.triggered());
            case SpanData.Custom custom -> {
                a.put(BATON_CUSTOM_NAME, custom.name());
                custom.attributes().forEach((k, v) -> putValue(a, BATON_CUSTOM_PREFIX + k, v));
            }
        }
        return a.build();
    }

    private void putProvider(AttributesBuilder a) {
        putIfNotNull(a, PROVIDER_NAME, providerName);
    }

    private static void putIfNotNull(AttributesBuilder a, String key, @Nullable String value) {
        if (value != null) {
            a.put(key, value);
        }
    }

    /** An application value as the closest attribute type; anything else as its text. */
    static void putValue(AttributesBuilder a, String key, Object value) {
        switch (value) {
            case String s -> a.put(key, s);
            case Boolean b -> a.put(key, b);
            case Long l -> a.put(key, l);
            case Integer i -> a.put(key, i.longValue());
            case Short s -> a.put(key, s.longValue());
            case Byte b -> a.put(key, b.longValue());
            case Double d -> a.put(key, d);
            case Float f -> a.put(key, f.doubleValue());
            case Collection<?> c when c.stream().allMatch(String.class::isInstance) ->
                    a.put(AttributeKey.stringArrayKey(key), c.stream().map(String.class::cast).toList());
            default -> a.put(key, String.valueOf(value));
        }
    }

    /** Settings of an {@link OpenTelemetryTraceProcessor}. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean includeSensitiveData;
        private @Nullable String providerName;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        }

        /**
         * Whether to record conversation content: model input and output messages, tool arguments and
         * results. Off by default; the content may hold personal data.
         */
        public Builder includeSensitiveData(boolean value) {
            this.includeSensitiveData = value;
            return this;
        }

        /**
         * The value of {@code gen_ai.provider.name} on agent and model call spans, such as {@code
         * openai} or {@code anthropic}. Left out by default, since a Baton model can be anything.
         */
        public Builder providerName(@Nullable String value) {
            this.providerName = value;
            return this;
        }

        public OpenTelemetryTraceProcessor build() {
            return new OpenTelemetryTraceProcessor(this);
        }
    }
}
