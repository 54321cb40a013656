package dev.baton.trace;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every call, in order, as text and as the objects received. */
final class RecordingProcessor implements TraceProcessor {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Trace> traces = new CopyOnWriteArrayList<>();
    final List<Span> started = new CopyOnWriteArrayList<>();
    final List<Span> ended = new CopyOnWriteArrayList<>();
    volatile int flushes;
    volatile int shutdowns;

    @Override
    public void onTraceStart(Trace trace) {
        calls.add("trace_start " + trace.workflowName());
        traces.add(trace);
    }

    @Override
    public void onTraceEnd(Trace trace) {
        calls.add("trace_end " + trace.workflowName());
        traces.add(trace);
    }

    @Override
    public void onSpanStart(Span span) {
        calls.add("span_start " + label(span));
        started.add(span);
    }

    @Override
    public void onSpanEnd(Span span) {
        calls.add("span_end " + label(span));
        ended.add(span);
    }

    @Override
    public void forceFlush() {
        flushes++;
    }

    @Override
    public void shutdown() {
        shutdowns++;
    }

    private static String label(Span span) {
        return switch (span.data()) {
            case SpanData.Agent a -> "agent " + a.name();
            case SpanData.ModelCall m -> "model_call " + m.agent();
            case SpanData.ToolCall t -> "tool_call " + t.tool();
            case SpanData.Handoff h -> "handoff " + h.from() + "->" + h.to();
            case SpanData.Guardrail g -> "guardrail " + g.name();
            case SpanData.Custom c -> "custom " + c.name();
        };
    }
}
