package dev.baton.trace;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Prints finished traces to a stream, one line per span, indented by nesting, for development:
 *
 * <pre>
 * [trace_5c1e…] trace support_desk 1804.2 ms group=ticket-42
 * [trace_5c1e…]   agent support_triage 610.4 ms
 * [trace_5c1e…]     model_call gpt-4o 602.9 ms in=412 out=18
 * [trace_5c1e…]     handoff support_triage -> billing_specialist 0.1 ms
 * [trace_5c1e…]   agent billing_specialist 1190.3 ms
 * [trace_5c1e…]     tool_call get_invoice 12.3 ms
 * </pre>
 *
 * <p>Spans end before their trace, so they are held until the trace arrives and then printed in
 * the order they started, under a line for the trace. Spans that arrive after their trace was printed
 * are printed on their own; spans whose trace never comes are printed at shutdown (or when too many
 * are waiting). Each trace is printed with one write, so concurrent runs do not interleave.
 */
public final class ConsoleTraceExporter implements TraceExporter {
    private static final int MAX_WAITING_SPANS = 10_000;
    private static final int REMEMBERED_TRACES = 1024;

    private final PrintStream out;
    private final Object lock = new Object();
    private final Map<String, List<Span>> waiting = new LinkedHashMap<>(); // by trace id, oldest first
    private int waitingCount;
    private final Map<String, Boolean> printed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_TRACES;
        }
    };

    /** Prints to {@code System.out}. */
    public ConsoleTraceExporter() {
        this(System.out);
    }

    /** Prints to {@code out}. */
    public ConsoleTraceExporter(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public void export(List<Trace> traces, List<Span> spans) {
        StringBuilder text = new StringBuilder();
        synchronized (lock) {
            for (Span span : spans) {
                if (printed.containsKey(span.traceId())) {
                    appendSpan(text, span, 1);
                } else {
                    waiting.computeIfAbsent(span.traceId(), k -> new ArrayList<>()).add(span);
                    waitingCount++;
                }
            }
            for (Trace trace : traces) {
                List<Span> mine = waiting.remove(trace.traceId());
                if (mine != null) {
                    waitingCount -= mine.size();
                }
                appendTrace(text, trace, mine == null ? List.of() : mine);
                printed.put(trace.traceId(), Boolean.TRUE);
            }
            Iterator<Map.Entry<String, List<Span>>> oldest = waiting.entrySet().iterator();
            while (waitingCount > MAX_WAITING_SPANS && oldest.hasNext()) {
                List<Span> orphans = oldest.next().getValue();
                oldest.remove();
                waitingCount -= orphans.size();
                appendTree(text, orphans, 0);
            }
            write(text);
        }
    }

    /** Prints spans still waiting for their trace. */
    @Override
    public void shutdown() {
        StringBuilder text = new StringBuilder();
        synchronized (lock) {
            for (List<Span> orphans : waiting.values()) {
                appendTree(text, orphans, 0);
            }
            waiting.clear();
            waitingCount = 0;
            write(text);
        }
    }

    private void write(StringBuilder text) {
        if (!text.isEmpty()) {
            out.print(text);
            out.flush();
        }
    }

    private static void appendTrace(StringBuilder text, Trace trace, List<Span> spans) {
        text.append('[').append(trace.traceId()).append("] trace ").append(trace.workflowName())
                .append(' ').append(millis(trace.duration()));
        if (trace.groupId() != null) {
            text.append(" group=").append(trace.groupId());
        }
        text.append('\n');
        appendTree(text, spans, 1);
    }

    /** Prints spans in start order, each indented by its depth among these spans. */
    private static void appendTree(StringBuilder text, List<Span> spans, int baseDepth) {
        Map<String, Span> byId = new HashMap<>();
        for (Span s : spans) {
            byId.put(s.spanId(), s);
        }
        List<Span> ordered = new ArrayList<>(spans);
        ordered.sort(Comparator.comparing(Span::startedAt));
        for (Span s : ordered) {
            appendSpan(text, s, baseDepth + depth(s, byId));
        }
    }

    private static int depth(Span span, Map<String, Span> byId) {
        int depth = 0;
        Span current = span;
        while (current.parentId() != null && depth < 64) {
            Span parent = byId.get(current.parentId());
            if (parent == null) {
                break;
            }
            depth++;
            current = parent;
        }
        return depth;
    }

    static void appendSpan(StringBuilder text, Span span, int depth) {
        text.append('[').append(span.traceId()).append("] ");
        text.append("  ".repeat(depth));
        text.append(span.data().type()).append(' ');
        String duration = millis(span.duration());
        switch (span.data()) {
            case SpanData.Agent a -> text.append(a.name()).append(' ').append(duration);
            case SpanData.ModelCall m -> {
                text.append(m.model() == null ? m.agent() : m.model()).append(' ').append(duration);
                if (m.usage() != null) {
                    text.append(" in=").append(m.usage().inputTokens()).append(" out=").append(m.usage().outputTokens());
                }
            }
            case SpanData.ToolCall t -> {
                text.append(t.tool()).append(' ').append(duration);
                if (t.error() && span.error() == null) {
                    text.append(" error");
                }
            }
            case SpanData.Handoff h -> text.append(h.from()).append(" -> ").append(h.to() == null ? "?" : h.to())
                    .append(' ').append(duration);
            case SpanData.Guardrail g -> {
                text.append(g.name()).append(" (").append(g.kind()).append(") ").append(duration);
                if (g.triggered()) {
                    text.append(" triggered");
                }
            }
            case SpanData.Custom c -> text.append(c.name()).append(' ').append(duration);
        }
        SpanError error = span.error();
        if (error != null) {
            text.append(" ERROR");
            if (error.type() != null) {
                text.append(" [").append(error.type()).append(']');
            }
            text.append(": ").append(error.message().replace('\n', ' '));
        }
        text.append('\n');
    }

    static String millis(@Nullable Duration duration) {
        if (duration == null) {
            return "open";
        }
        return String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1_000_000.0);
    }
}
