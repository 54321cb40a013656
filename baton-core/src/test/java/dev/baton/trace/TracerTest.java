package dev.baton.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tracer")
class TracerTest {

    static SpanData.Agent agent(String name) {
        return new SpanData.Agent(name, List.of("get_invoice"), List.of("transfer_to_billing"), null);
    }

    @Test
    void a_processor_sees_trace_and_span_starts_and_ends_in_order_with_parent_ids() {
        RecordingProcessor rec = new RecordingProcessor();
        Tracer tracer = Tracer.start(List.of(rec), "support_desk", "ticket-42", Map.of("channel", "email"));

        Tracer.ActiveSpan triage = tracer.startSpan(null, agent("support_triage"));
        Tracer.ActiveSpan call = tracer.startSpan(triage, new SpanData.ModelCall("support_triage", "gpt-4o", null, null, null, null));
        call.update(new SpanData.ModelCall("support_triage", "gpt-4o", null, null, Usage.of(120, 8), "resp_1"));
        call.end();
        Tracer.ActiveSpan handoff = tracer.startSpan(triage, new SpanData.Handoff("support_triage", "billing"));
        handoff.end();
        triage.end();
        Tracer.ActiveSpan billing = tracer.startSpan(null, agent("billing"));
        Tracer.ActiveSpan tool = tracer.startSpan(billing, new SpanData.ToolCall("billing", "get_invoice", "call_1", "{}", null, false));
        tool.end();
        billing.end();
        tracer.end();

        assertThat(rec.calls).containsExactly(
                "trace_start support_desk",
                "span_start agent support_triage",
                "span_start model_call support_triage",
                "span_end model_call support_triage",
                "span_start handoff support_triage->billing",
                "span_end handoff support_triage->billing",
                "span_end agent support_triage",
                "span_start agent billing",
                "span_start tool_call get_invoice",
                "span_end tool_call get_invoice",
                "span_end agent billing",
                "trace_end support_desk");

        assertThat(rec.ended).allSatisfy(s -> {
            assertThat(s.traceId()).isEqualTo(tracer.traceId());
            assertThat(s.endedAt()).isNotNull().isAfterOrEqualTo(s.startedAt());
        });
        assertThat(agentSpan(rec, "support_triage").parentId()).isNull();
        assertThat(agentSpan(rec, "billing").parentId()).isNull();
        assertThat(rec.ended.get(0).parentId()).isEqualTo(triage.spanId());   // model call
        assertThat(rec.ended.get(1).parentId()).isEqualTo(triage.spanId());   // handoff
        assertThat(rec.ended.get(3).parentId()).isEqualTo(billing.spanId());  // tool

        Trace start = rec.traces.get(0);
        Trace end = rec.traces.get(1);
        assertThat(start.endedAt()).isNull();
        assertThat(end.endedAt()).isNotNull().isAfterOrEqualTo(start.startedAt());
        assertThat(end.traceId()).isEqualTo(start.traceId()).isEqualTo(tracer.traceId());
        assertThat(end.groupId()).isEqualTo("ticket-42");
        assertThat(end.metadata()).containsEntry("channel", "email");
    }

    private static Span agentSpan(RecordingProcessor rec, String agentName) {
        return rec.ended.stream()
                .filter(s -> s.data() instanceof SpanData.Agent a && a.name().equals(agentName))
                .findFirst().orElseThrow();
    }

    @Test
    void a_span_starts_with_its_first_data_and_ends_with_its_last_data_and_error() {
        RecordingProcessor rec = new RecordingProcessor();
        Tracer tracer = Tracer.start(List.of(rec), "w", null, Map.of());
        List<Item> output = List.of(Message.assistant("Paid."));

        Tracer.ActiveSpan span = tracer.startSpan(null, new SpanData.ModelCall("billing", null, null, null, null, null));
        span.update(new SpanData.ModelCall("billing", "gpt-4o", null, output, Usage.of(10, 2), "resp_9"));
        span.setError("provider returned 500", "ModelCallFailed");
        span.end();

        Span started = rec.started.get(0);
        Span ended = rec.ended.get(0);
        assertThat(started.data()).isEqualTo(new SpanData.ModelCall("billing", null, null, null, null, null));
        assertThat(started.endedAt()).isNull();
        assertThat(started.error()).isNull();
        assertThat(ended.spanId()).isEqualTo(started.spanId());
        assertThat(ended.startedAt()).isEqualTo(started.startedAt());
        assertThat(((SpanData.ModelCall) ended.data()).output()).isEqualTo(output);
        assertThat(ended.error()).isEqualTo(new SpanError("provider returned 500", "ModelCallFailed"));
        assertThat(ended.duration()).isNotNull().isGreaterThanOrEqualTo(java.time.Duration.ZERO);
    }

    @Test
    void ending_a_span_twice_reports_it_once_and_changes_after_the_end_are_ignored() {
        RecordingProcessor rec = new RecordingProcessor();
        Tracer tracer = Tracer.start(List.of(rec), "w", null, Map.of());
        Tracer.ActiveSpan span = tracer.startSpan(null, agent("a"));

        span.end();
        span.update(agent("changed"));
        span.setError("late", null);
        span.end();
        tracer.end();
        tracer.end();

        assertThat(span.isEnded()).isTrue();
        assertThat(span.data()).isEqualTo(agent("a"));
        assertThat(rec.ended).singleElement().satisfies(s -> {
            assertThat(s.data()).isEqualTo(agent("a"));
            assertThat(s.error()).isNull();
        });
        assertThat(rec.calls).filteredOn(c -> c.startsWith("trace_end")).hasSize(1);
    }

    @Test
    void a_throwing_processor_is_ignored_and_the_others_see_every_call() {
        TraceProcessor broken = new TraceProcessor() {
            @Override public void onTraceStart(Trace trace) { throw new IllegalStateException("boom"); }
            @Override public void onTraceEnd(Trace trace) { throw new IllegalStateException("boom"); }
            @Override public void onSpanStart(Span span) { throw new IllegalStateException("boom"); }
            @Override public void onSpanEnd(Span span) { throw new IllegalStateException("boom"); }
        };
        RecordingProcessor rec = new RecordingProcessor();

        Tracer tracer = Tracer.start(List.of(broken, rec), "w", null, Map.of());
        tracer.startSpan(null, agent("a")).end();
        tracer.end();

        assertThat(rec.calls).containsExactly("trace_start w", "span_start agent a", "span_end agent a", "trace_end w");
    }

    @Test
    void ids_have_a_prefix_and_fixed_length_hex_and_differ() {
        RecordingProcessor rec = new RecordingProcessor();
        List<String> traceIds = new ArrayList<>();
        List<String> spanIds = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Tracer tracer = Tracer.start(List.of(rec), "w", null, Map.of());
            traceIds.add(tracer.traceId());
            spanIds.add(tracer.startSpan(null, agent("a")).spanId());
        }

        assertThat(traceIds).allMatch(id -> id.matches("trace_[0-9a-f]{32}")).doesNotHaveDuplicates();
        assertThat(spanIds).allMatch(id -> id.matches("span_[0-9a-f]{24}")).doesNotHaveDuplicates();
    }

    @Test
    void without_processors_a_tracer_hands_out_one_inert_span_and_reports_nothing() {
        Tracer tracer = Tracer.start(List.of(), "w", null, Map.of());

        Tracer.ActiveSpan a = tracer.startSpan(null, agent("a"));
        Tracer.ActiveSpan b = tracer.startSpan(a, agent("b"));
        a.update(agent("c"));
        a.setError("x", null);
        a.end();
        tracer.end();

        assertThat(tracer.isRecording()).isFalse();
        assertThat(tracer.traceId()).matches("trace_[0-9a-f]{32}");
        assertThat(b).isSameAs(a);
        assertThat(a.spanId()).isEqualTo("span_000000000000000000000000");
        assertThat(Tracer.noop().isRecording()).isFalse();
        assertThat(Tracer.noop().startSpan(null, agent("a")).traceId()).isEqualTo(Tracer.noop().traceId());
    }

    @Test
    void a_tracer_keeps_the_processors_it_started_with() {
        RecordingProcessor first = new RecordingProcessor();
        List<TraceProcessor> processors = new ArrayList<>(List.of(first));
        Tracer tracer = Tracer.start(processors, "w", null, Map.of());
        RecordingProcessor late = new RecordingProcessor();
        processors.add(late);

        tracer.startSpan(null, agent("a")).end();
        tracer.end();

        assertThat(first.calls).hasSize(4);
        assertThat(late.calls).isEmpty();
    }

    @Test
    void spans_of_concurrent_tool_calls_can_start_and_end_on_their_own_threads() throws Exception {
        RecordingProcessor rec = new RecordingProcessor();
        Tracer tracer = Tracer.start(List.of(rec), "w", null, Map.of());
        Tracer.ActiveSpan agentSpan = tracer.startSpan(null, agent("a"));
        int calls = 50;
        CountDownLatch done = new CountDownLatch(calls);

        for (int i = 0; i < calls; i++) {
            String callId = "call_" + i;
            Thread.ofVirtual().start(() -> {
                Tracer.ActiveSpan s = tracer.startSpan(agentSpan, new SpanData.ToolCall("a", "t", callId, "{}", null, false));
                s.update(new SpanData.ToolCall("a", "t", callId, "{}", "ok", false));
                s.end();
                s.end();
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        agentSpan.end();

        assertThat(rec.ended).hasSize(calls + 1);
        assertThat(rec.ended.subList(0, calls)).allSatisfy(s -> {
            assertThat(s.parentId()).isEqualTo(agentSpan.spanId());
            assertThat(((SpanData.ToolCall) s.data()).output()).isEqualTo("ok");
        });
    }

    @Test
    void span_data_copies_its_lists_and_drops_null_attributes() {
        List<String> tools = new ArrayList<>(List.of("a"));
        SpanData.Agent data = new SpanData.Agent("x", tools, List.of(), null);
        tools.add("b");
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("kept", 1);
        attrs.put("dropped", null);

        assertThat(data.tools()).containsExactly("a");
        assertThat(new SpanData.Custom("c", attrs).attributes()).containsOnlyKeys("kept");
        assertThat(new Trace("trace_x", "w", null, attrs, java.time.Instant.now(), null).metadata()).containsOnlyKeys("kept");
    }
}
