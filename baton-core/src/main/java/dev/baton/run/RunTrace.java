package dev.baton.run;

import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.item.Item;
import dev.baton.model.ModelResponse;
import dev.baton.tool.Tool;
import dev.baton.trace.SpanData;
import dev.baton.trace.Tracer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The trace of one run: a span per agent turn of duty, and under it spans for model calls, tool
 * calls, handoffs and guardrails. When tracing is off (for the runner, for the run, or with
 * no processor in the runner's config) every method is a no-op on a shared instance and nothing is built.
 */
final class RunTrace {
    private static final RunTrace OFF = new RunTrace(null, false, null, false);

    private final @Nullable Tracer tracer;
    private final boolean sensitive;
    /** The span agent spans hang under: null at the top of a trace, a tool call's span for a nested run. */
    private final Tracer.@Nullable ActiveSpan root;
    private final boolean ownsTrace;
    private volatile Tracer.@Nullable ActiveSpan agentSpan;

    private RunTrace(@Nullable Tracer tracer, boolean sensitive, Tracer.@Nullable ActiveSpan root, boolean ownsTrace) {
        this.tracer = tracer;
        this.sensitive = sensitive;
        this.root = root;
        this.ownsTrace = ownsTrace;
    }

    static RunTrace start(RunConfig config, RunOptions<?> options, @Nullable String sessionId) {
        if (options.tracingDisabled()) {
            return OFF;
        }
        RunOptions.TraceParent parent = options.traceParent();
        if (parent != null && parent.trace().tracer != null) {
            // A nested run (an agent used as a tool) is part of its caller's trace, under the tool call.
            return new RunTrace(parent.trace().tracer, parent.trace().sensitive, parent.span(), false);
        }
        if (!config.tracingActive()) {
            return OFF;
        }
        String workflow = options.workflowName() != null ? options.workflowName() : config.workflowName();
        return new RunTrace(Tracer.start(config.traceProcessors(), workflow, sessionId, options.traceMetadata()),
                config.traceIncludeSensitiveData(), null, true);
    }

    static RunTrace off() {
        return OFF;
    }

    boolean on() {
        return tracer != null;
    }

    /** Ends the previous agent's span and opens one for {@code agent}. */
    void agentStarted(Agent<?> agent, List<String> tools, List<String> handoffs) {
        if (tracer == null) {
            return;
        }
        Tracer.ActiveSpan previous = agentSpan;
        if (previous != null) {
            previous.end();
        }
        agentSpan = tracer.startSpan(root, new SpanData.Agent(agent.name(), tools, handoffs,
                agent.outputType() == null ? null : agent.outputType().name()));
    }

    Tracer.@Nullable ActiveSpan modelStarted(String agent, @Nullable String model, List<Item> input) {
        if (tracer == null) {
            return null;
        }
        return tracer.startSpan(agentSpan, new SpanData.ModelCall(agent, model, sensitive ? input : null, null, null, null));
    }

    void modelEnded(Tracer.@Nullable ActiveSpan span, String agent, @Nullable String model, List<Item> input, ModelResponse response) {
        if (span == null) {
            return;
        }
        span.update(new SpanData.ModelCall(agent, model, sensitive ? input : null, sensitive ? response.output() : null,
                response.usage(), response.responseId()));
        span.end();
    }

    Tracer.@Nullable ActiveSpan toolStarted(String agent, Tool<?> tool, String callId, String arguments) {
        if (tracer == null) {
            return null;
        }
        return tracer.startSpan(agentSpan, new SpanData.ToolCall(agent, tool.name(), callId, sensitive ? arguments : null, null, false));
    }

    void toolEnded(Tracer.@Nullable ActiveSpan span, String agent, Tool<?> tool, String callId, String arguments, String output,
            boolean error) {
        if (span == null) {
            return;
        }
        span.update(new SpanData.ToolCall(agent, tool.name(), callId, sensitive ? arguments : null, sensitive ? output : null, error));
        if (error) {
            span.setError(sensitive ? output : "tool call failed", "tool_error");
        }
        span.end();
    }

    void handoff(String from, String to) {
        if (tracer != null) {
            tracer.startSpan(agentSpan, new SpanData.Handoff(from, to)).end();
        }
    }

    void guardrail(GuardrailResult result) {
        if (tracer != null) {
            String kind = result.kind().name().toLowerCase(java.util.Locale.ROOT);
            tracer.startSpan(agentSpan, new SpanData.Guardrail(result.name(), kind, result.tripwireTriggered())).end();
        }
    }

    /** Marks a span as failed (a model call that threw) and ends it. */
    static void failed(Tracer.@Nullable ActiveSpan span, Throwable error) {
        if (span != null) {
            span.setError(Callbacks.message(error), error.getClass().getSimpleName());
            span.end();
        }
    }

    /** Ends the agent's span and the trace, marking the agent's span with the run's error, if any. */
    void end(@Nullable Throwable error) {
        if (tracer == null) {
            return;
        }
        Tracer.ActiveSpan span = agentSpan;
        if (span != null) {
            if (error != null) {
                span.setError(Callbacks.message(error), error.getClass().getSimpleName());
            }
            span.end();
        }
        if (ownsTrace) {
            tracer.end();
        }
    }
}
