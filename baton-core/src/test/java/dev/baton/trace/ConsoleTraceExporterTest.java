package dev.baton.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.model.Usage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ConsoleTraceExporter")
class ConsoleTraceExporterTest {
    static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    static Instant at(double millis) {
        return T0.plusNanos((long) (millis * 1_000_000));
    }

    static Span span(String id, String parent, SpanData data, double start, double end, SpanError error) {
        return new Span("trace_1", id, parent, data, at(start), at(end), error);
    }

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final ConsoleTraceExporter exporter = new ConsoleTraceExporter(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void prints_a_trace_with_its_spans_in_start_order_indented_by_nesting() {
        Trace trace = new Trace("trace_1", "support_desk", "ticket-42", Map.of(), at(0), at(1804.2));
        List<Span> spans = List.of(   // in end order, as a run reports them
                span("s2", "s1", new SpanData.ModelCall("support_triage", "gpt-4o", null, null, Usage.of(412, 18), "r1"), 1, 603.9, null),
                span("s3", "s1", new SpanData.Handoff("support_triage", "billing_specialist"), 604, 604.1, null),
                span("s1", null, new SpanData.Agent("support_triage", List.of(), List.of(), null), 0.5, 610.9, null),
                span("s5", "s4", new SpanData.ToolCall("billing_specialist", "get_invoice", "c1", null, null, true), 620, 632.3, null),
                span("s6", "s4", new SpanData.Guardrail("priority", "input", true), 633, 637.2, null),
                span("s4", null, new SpanData.Agent("billing_specialist", List.of(), List.of(), null), 611, 1801.3,
                        new SpanError("Max turns (10) exceeded", "MaxTurnsExceeded")));

        exporter.export(List.of(), spans);
        assertThat(printed()).isEmpty();   // held until the trace arrives
        exporter.export(List.of(trace), List.of());

        assertThat(printed()).isEqualTo("""
                [trace_1] trace support_desk 1804.2 ms group=ticket-42
                [trace_1]   agent support_triage 610.4 ms
                [trace_1]     model_call gpt-4o 602.9 ms in=412 out=18
                [trace_1]     handoff support_triage -> billing_specialist 0.1 ms
                [trace_1]   agent billing_specialist 1190.3 ms ERROR [MaxTurnsExceeded]: Max turns (10) exceeded
                [trace_1]     tool_call get_invoice 12.3 ms error
                [trace_1]     guardrail priority (input) 4.2 ms triggered
                """);
    }

    @Test
    void a_span_after_its_trace_is_printed_on_its_own_and_orphans_at_shutdown() {
        exporter.export(List.of(new Trace("trace_1", "w", null, Map.of(), at(0), at(5))), List.of());
        exporter.export(List.of(), List.of(span("late", null, new SpanData.Custom("cleanup", Map.of()), 6, 7, null)));
        exporter.export(List.of(), List.of(new Span("trace_2", "o", null, new SpanData.Custom("orphan", Map.of()), at(0), at(2), null)));

        exporter.shutdown();

        assertThat(printed()).isEqualTo("""
                [trace_1] trace w 5.0 ms
                [trace_1]   custom cleanup 1.0 ms
                [trace_2] custom orphan 2.0 ms
                """);
    }

    @Test
    void works_behind_a_batch_processor() {
        BatchTraceProcessor processor = BatchTraceProcessor.builder(exporter).build();
        Tracer tracer = Tracer.start(List.of(processor), "desk", null, Map.of());
        Tracer.ActiveSpan agent = tracer.startSpan(null, new SpanData.Agent("billing_specialist", List.of(), List.of(), null));
        tracer.startSpan(agent, new SpanData.ToolCall("billing_specialist", "get_invoice", "c1", null, null, false)).end();
        agent.end();
        tracer.end();

        processor.forceFlush();

        assertThat(printed().lines().toList()).satisfiesExactly(
                l -> assertThat(l).matches("\\[trace_[0-9a-f]{32}] trace desk \\d+\\.\\d ms"),
                l -> assertThat(l).matches("\\[trace_[0-9a-f]{32}]   agent billing_specialist \\d+\\.\\d ms"),
                l -> assertThat(l).matches("\\[trace_[0-9a-f]{32}]     tool_call get_invoice \\d+\\.\\d ms"));
        processor.shutdown();
    }
}
