package dev.baton.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Usage;
import dev.baton.trace.Span;
import dev.baton.trace.SpanData;
import dev.baton.trace.TraceProcessor;
import dev.baton.trace.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OpenTelemetryTraceProcessor")
class OpenTelemetryTraceProcessorTest {
    static final ObjectMapper JSON = new ObjectMapper();

    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    final OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(provider).build();

    @AfterEach
    void close() {
        otel.close();
    }

    static SpanData.Agent agent(String name) {
        return new SpanData.Agent(name, List.of("get_invoice"), List.of("transfer_to_support_triage"), null);
    }

    io.opentelemetry.sdk.trace.data.SpanData exported(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span named '" + name + "' in "
                        + exporter.getFinishedSpanItems().stream().map(io.opentelemetry.sdk.trace.data.SpanData::getName).toList()));
    }

    static <T> T attr(io.opentelemetry.sdk.trace.data.SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    static String str(io.opentelemetry.sdk.trace.data.SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    /** A support-desk run: triage calls its model and hands off; billing calls a tool and answers. */
    void supportDeskRun(TraceProcessor processor) {
        Tracer tracer = Tracer.start(List.of(processor), "support_desk", "ticket-42", Map.of("channel", "email", "priority", 2));
        Tracer.ActiveSpan triage = tracer.startSpan(null, agent("support_triage"));
        Tracer.ActiveSpan call = tracer.startSpan(triage, new SpanData.ModelCall("support_triage", "gpt-4o",
                List.of(Message.system("Route."), Message.user("I was charged twice")), null, null, null));
        call.update(new SpanData.ModelCall("support_triage", "gpt-4o",
                List.of(Message.system("Route."), Message.user("I was charged twice")),
                List.of(new ToolCall("call_h", "transfer_to_billing_specialist", "{}")),
                new Usage(1, 120, 8, 128, 100, 3), "resp_1"));
        call.end();
        tracer.startSpan(triage, new SpanData.Handoff("support_triage", "billing_specialist")).end();
        triage.end();
        Tracer.ActiveSpan billing = tracer.startSpan(null, agent("billing_specialist"));
        Tracer.ActiveSpan tool = tracer.startSpan(billing,
                new SpanData.ToolCall("billing_specialist", "get_invoice", "call_1", "{\"invoice_id\":\"INV-8821\"}", null, false));
        tool.update(new SpanData.ToolCall("billing_specialist", "get_invoice", "call_1", "{\"invoice_id\":\"INV-8821\"}",
                "{\"id\":\"INV-8821\",\"amount\":99}", false));
        tool.end();
        billing.end();
        tracer.end();
    }

    @Test
    void a_runner_configured_with_the_processor_exports_its_runs_and_another_runner_does_not() {
        dev.baton.model.Model model = request -> new dev.baton.model.ModelResponse(List.of(Message.assistant("Paid.")), Usage.of(10, 2));
        dev.baton.agent.Agent<Void> desk = dev.baton.agent.Agent.<Void>builder("desk").model(model).build();
        dev.baton.run.Runner traced = dev.baton.run.Runner.create(dev.baton.run.RunConfig.builder()
                .workflowName("Support desk").tracingDisabled(false).traceProcessor(new OpenTelemetryTraceProcessor(otel)).build());
        dev.baton.run.Runner untraced = dev.baton.run.Runner.create(dev.baton.run.RunConfig.builder().workflowName("Other desk").build());

        traced.run(desk, "invoice?");
        untraced.run(desk, "invoice?");

        assertThat(exporter.getFinishedSpanItems()).extracting(io.opentelemetry.sdk.trace.data.SpanData::getName)
                .contains("invoke_workflow Support desk", "invoke_agent desk")
                .noneMatch(name -> name.contains("Other desk"));
    }

    @Test
    void a_run_becomes_a_workflow_span_with_agent_chat_and_tool_spans_nested_as_in_baton() {
        supportDeskRun(new OpenTelemetryTraceProcessor(otel));

        assertThat(exporter.getFinishedSpanItems()).extracting(io.opentelemetry.sdk.trace.data.SpanData::getName).containsExactly(
                "chat gpt-4o",
                "handoff support_triage -> billing_specialist",
                "invoke_agent support_triage",
                "execute_tool get_invoice",
                "invoke_agent billing_specialist",
                "invoke_workflow support_desk");
        var workflow = exported("invoke_workflow support_desk");
        var triage = exported("invoke_agent support_triage");
        var billing = exported("invoke_agent billing_specialist");
        var chat = exported("chat gpt-4o");
        var tool = exported("execute_tool get_invoice");
        var handoff = exported("handoff support_triage -> billing_specialist");

        assertThat(exporter.getFinishedSpanItems()).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(workflow.getTraceId()));
        assertThat(workflow.getParentSpanContext().isValid()).isFalse();
        assertThat(triage.getParentSpanId()).isEqualTo(workflow.getSpanId());
        assertThat(billing.getParentSpanId()).isEqualTo(workflow.getSpanId());
        assertThat(chat.getParentSpanId()).isEqualTo(triage.getSpanId());
        assertThat(handoff.getParentSpanId()).isEqualTo(triage.getSpanId());
        assertThat(tool.getParentSpanId()).isEqualTo(billing.getSpanId());

        assertThat(workflow.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(str(workflow, "gen_ai.operation.name")).isEqualTo("invoke_workflow");
        assertThat(str(workflow, "gen_ai.workflow.name")).isEqualTo("support_desk");
        assertThat(str(workflow, "gen_ai.conversation.id")).isEqualTo("ticket-42");
        assertThat(str(workflow, "baton.trace_id")).matches("trace_[0-9a-f]{32}");
        assertThat(str(workflow, "baton.metadata.channel")).isEqualTo("email");
        assertThat(attr(workflow, AttributeKey.longKey("baton.metadata.priority"))).isEqualTo(2L);

        assertThat(triage.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(str(triage, "gen_ai.operation.name")).isEqualTo("invoke_agent");
        assertThat(str(triage, "gen_ai.agent.name")).isEqualTo("support_triage");
        assertThat(str(triage, "gen_ai.conversation.id")).isEqualTo("ticket-42");
        assertThat(str(triage, "gen_ai.provider.name")).isNull();
        assertThat(attr(triage, AttributeKey.stringArrayKey("baton.agent.tools"))).containsExactly("get_invoice");
        assertThat(attr(triage, AttributeKey.stringArrayKey("baton.agent.handoffs"))).containsExactly("transfer_to_support_triage");

        assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(str(chat, "gen_ai.operation.name")).isEqualTo("chat");
        assertThat(str(chat, "gen_ai.request.model")).isEqualTo("gpt-4o");
        assertThat(str(chat, "gen_ai.response.id")).isEqualTo("resp_1");
        assertThat(str(chat, "gen_ai.agent.name")).isEqualTo("support_triage");
        assertThat(attr(chat, AttributeKey.longKey("gen_ai.usage.input_tokens"))).isEqualTo(120L);
        assertThat(attr(chat, AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(8L);
        assertThat(attr(chat, AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens"))).isEqualTo(100L);
        assertThat(attr(chat, AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens"))).isEqualTo(3L);

        assertThat(tool.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(str(tool, "gen_ai.operation.name")).isEqualTo("execute_tool");
        assertThat(str(tool, "gen_ai.tool.name")).isEqualTo("get_invoice");
        assertThat(str(tool, "gen_ai.tool.call.id")).isEqualTo("call_1");
        assertThat(str(tool, "gen_ai.tool.type")).isEqualTo("function");
        assertThat(attr(tool, AttributeKey.booleanKey("baton.tool.error"))).isFalse();

        assertThat(str(handoff, "baton.span.type")).isEqualTo("handoff");
        assertThat(str(handoff, "baton.handoff.from")).isEqualTo("support_triage");
        assertThat(str(handoff, "baton.handoff.to")).isEqualTo("billing_specialist");

        assertThat(exporter.getFinishedSpanItems()).allSatisfy(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
    }

    @Test
    void conversation_content_is_left_out_unless_sensitive_data_is_included() {
        supportDeskRun(new OpenTelemetryTraceProcessor(otel));

        assertThat(exporter.getFinishedSpanItems()).allSatisfy(s -> assertThat(s.getAttributes().asMap().keySet())
                .extracting(AttributeKey::getKey)
                .doesNotContain("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result"));
    }

    @Test
    void with_sensitive_data_included_messages_and_tool_content_follow_the_conventions_json() throws Exception {
        supportDeskRun(OpenTelemetryTraceProcessor.builder(otel).includeSensitiveData(true).build());

        var chat = exported("chat gpt-4o");
        JsonNode input = JSON.readTree(str(chat, "gen_ai.input.messages"));
        assertThat(input).hasSize(2);
        assertThat(input.get(0).get("role").asText()).isEqualTo("system");
        assertThat(input.get(1).get("role").asText()).isEqualTo("user");
        assertThat(input.get(1).get("parts").get(0).get("type").asText()).isEqualTo("text");
        assertThat(input.get(1).get("parts").get(0).get("content").asText()).isEqualTo("I was charged twice");
        JsonNode output = JSON.readTree(str(chat, "gen_ai.output.messages"));
        assertThat(output).hasSize(1);
        assertThat(output.get(0).get("role").asText()).isEqualTo("assistant");
        assertThat(output.get(0).get("finish_reason").asText()).isEqualTo("tool_call");
        JsonNode call = output.get(0).get("parts").get(0);
        assertThat(call.get("type").asText()).isEqualTo("tool_call");
        assertThat(call.get("id").asText()).isEqualTo("call_h");
        assertThat(call.get("name").asText()).isEqualTo("transfer_to_billing_specialist");
        assertThat(call.get("arguments").isObject()).isTrue();

        var tool = exported("execute_tool get_invoice");
        assertThat(str(tool, "gen_ai.tool.call.arguments")).isEqualTo("{\"invoice_id\":\"INV-8821\"}");
        assertThat(str(tool, "gen_ai.tool.call.result")).isEqualTo("{\"id\":\"INV-8821\",\"amount\":99}");
    }

    @Test
    void a_conversation_with_tool_rounds_becomes_one_message_per_speaker_turn() throws Exception {
        String json = Messages.input(List.of(
                Message.user("Refund INV-1"),
                new Reasoning("rs_1", "Need the invoice first.", null),
                Message.assistant("Checking."),
                new ToolCall("c1", "get_invoice", "{\"invoice_id\":\"INV-1\"}"),
                new ToolCall("c2", "get_account", "not json"),
                new ToolOutput("c1", "{\"amount\":99}"),
                new ToolOutput("c2", "Error: tool 'get_account' failed: down"),
                Message.assistant("Refunded."),
                Message.user("Thanks")));

        JsonNode messages = JSON.readTree(json);
        assertThat(messages).extracting(m -> m.get("role").asText()).containsExactly("user", "assistant", "tool", "assistant", "user");
        assertThat(messages.get(1).get("parts")).extracting(p -> p.get("type").asText())
                .containsExactly("reasoning", "text", "tool_call", "tool_call");
        assertThat(messages.get(1).get("parts").get(2).get("arguments").get("invoice_id").asText()).isEqualTo("INV-1");
        assertThat(messages.get(1).get("parts").get(3).get("arguments").asText()).isEqualTo("not json");
        assertThat(messages.get(2).get("parts")).extracting(p -> p.get("type").asText() + ":" + p.get("id").asText())
                .containsExactly("tool_call_response:c1", "tool_call_response:c2");
        assertThat(messages.get(2).get("parts").get(0).get("response").asText()).isEqualTo("{\"amount\":99}");
        assertThat(JSON.readTree(Messages.output(List.of(Message.assistant("Done.")))).get(0).get("finish_reason").asText())
                .isEqualTo("stop");
    }

    @Test
    void a_refusal_is_a_part_of_its_own_never_empty_text() throws Exception {
        JsonNode only = JSON.readTree(Messages.output(List.of(Message.assistantRefusal("I can't help with that."))));
        JsonNode both = JSON.readTree(Messages.output(List.of(
                new Message(Message.Role.ASSISTANT, "Here is part.", null, "I can't share the rest."))));

        assertThat(only.get(0).get("parts")).extracting(p -> p.get("type").asText() + ":" + p.get("content").asText())
                .containsExactly("refusal:I can't help with that.");
        assertThat(both.get(0).get("parts")).extracting(p -> p.get("type").asText())
                .containsExactly("text", "refusal");
    }

    @Test
    void failures_set_status_error_and_an_error_type() {
        Tracer tracer = Tracer.start(List.of(new OpenTelemetryTraceProcessor(otel)), "desk", null, Map.of());
        Tracer.ActiveSpan agent = tracer.startSpan(null, agent("billing_specialist"));
        Tracer.ActiveSpan call = tracer.startSpan(agent, new SpanData.ModelCall("billing_specialist", "gpt-4o", null, null, null, null));
        call.setError("provider answered 503", "ModelCallFailed");
        call.end();
        tracer.startSpan(agent, new SpanData.ToolCall("billing_specialist", "get_invoice", "c1", null, null, true)).end();
        Tracer.ActiveSpan timedOut = tracer.startSpan(agent, new SpanData.ToolCall("billing_specialist", "refund", "c2", null, null, true));
        timedOut.setError("no result within 5 s", "TIMED_OUT");
        timedOut.end();
        agent.setError("Max turns (10) exceeded", null);
        agent.end();
        tracer.end();

        var chat = exported("chat gpt-4o");
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(chat.getStatus().getDescription()).isEqualTo("provider answered 503");
        assertThat(str(chat, "error.type")).isEqualTo("ModelCallFailed");
        var failedTool = exported("execute_tool get_invoice");
        assertThat(failedTool.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(str(failedTool, "error.type")).isEqualTo("tool_error");
        assertThat(attr(failedTool, AttributeKey.booleanKey("baton.tool.error"))).isTrue();
        assertThat(str(exported("execute_tool refund"), "error.type")).isEqualTo("TIMED_OUT");
        var agentSpan = exported("invoke_agent billing_specialist");
        assertThat(agentSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(str(agentSpan, "error.type")).isEqualTo("_OTHER");
        assertThat(exported("invoke_workflow desk").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void guardrail_and_custom_spans_carry_baton_attributes_and_agents_their_output_type() {
        Tracer tracer = Tracer.start(List.of(new OpenTelemetryTraceProcessor(otel)), "rma", null, Map.of());
        Tracer.ActiveSpan agent = tracer.startSpan(null, new SpanData.Agent("rma_specialist", List.of(), List.of(), "TicketInfo"));
        tracer.startSpan(agent, new SpanData.Guardrail("priority", "input", true)).end();
        tracer.startSpan(agent, new SpanData.Custom("lookup_crm", Map.of("customer", "C-1001", "hits", 3, "cached", true, "tags", List.of("a", "b"))))
                .end();
        agent.end();
        tracer.end();

        var agentSpan = exported("invoke_agent rma_specialist");
        assertThat(str(agentSpan, "baton.agent.output_type")).isEqualTo("TicketInfo");
        assertThat(str(agentSpan, "gen_ai.output.type")).isEqualTo("json");
        var guardrail = exported("guardrail priority");
        assertThat(guardrail.getParentSpanId()).isEqualTo(agentSpan.getSpanId());
        assertThat(str(guardrail, "baton.guardrail.name")).isEqualTo("priority");
        assertThat(str(guardrail, "baton.guardrail.kind")).isEqualTo("input");
        assertThat(attr(guardrail, AttributeKey.booleanKey("baton.guardrail.triggered"))).isTrue();
        var custom = exported("lookup_crm");
        assertThat(str(custom, "baton.custom.customer")).isEqualTo("C-1001");
        assertThat(attr(custom, AttributeKey.longKey("baton.custom.hits"))).isEqualTo(3L);
        assertThat(attr(custom, AttributeKey.booleanKey("baton.custom.cached"))).isTrue();
        assertThat(attr(custom, AttributeKey.stringArrayKey("baton.custom.tags"))).containsExactly("a", "b");
    }

    @Test
    void spans_keep_baton_timestamps_and_the_model_name_learned_at_the_end() {
        OpenTelemetryTraceProcessor processor = OpenTelemetryTraceProcessor.builder(otel).providerName("openai").build();
        dev.baton.trace.Trace trace = new dev.baton.trace.Trace("trace_t", "w", null, Map.of(),
                Instant.parse("2025-01-01T10:00:00Z"), Instant.parse("2025-01-01T10:00:02Z"));
        Span start = new Span("trace_t", "span_m", null, new SpanData.ModelCall("a", null, null, null, null, null),
                Instant.parse("2025-01-01T10:00:00.250Z"), null, null);
        Span end = new Span("trace_t", "span_m", null, new SpanData.ModelCall("a", "gpt-4o-mini", null, null, Usage.of(5, 1), null),
                start.startedAt(), Instant.parse("2025-01-01T10:00:01.500Z"), null);

        processor.onTraceStart(trace);
        processor.onSpanStart(start);
        processor.onSpanEnd(end);
        processor.onTraceEnd(trace);

        var chat = exported("chat gpt-4o-mini");
        assertThat(chat.getStartEpochNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(start.startedAt().toEpochMilli()));
        assertThat(chat.getEndEpochNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(end.endedAt().toEpochMilli()));
        assertThat(str(chat, "gen_ai.request.model")).isEqualTo("gpt-4o-mini");
        assertThat(str(chat, "gen_ai.provider.name")).isEqualTo("openai");
        var workflow = exported("invoke_workflow w");
        assertThat(workflow.getStartEpochNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(trace.startedAt().toEpochMilli()));
        assertThat(workflow.getEndEpochNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(trace.endedAt().toEpochMilli()));
    }

    @Test
    void spans_left_open_end_with_their_trace_and_a_span_whose_start_was_missed_is_still_reported() {
        OpenTelemetryTraceProcessor processor = new OpenTelemetryTraceProcessor(otel);
        Tracer tracer = Tracer.start(List.of(processor), "w", null, Map.of());
        Tracer.ActiveSpan agent = tracer.startSpan(null, agent("forgotten"));
        tracer.end();
        assertThat(exporter.getFinishedSpanItems()).extracting(io.opentelemetry.sdk.trace.data.SpanData::getName)
                .containsExactly("invoke_agent forgotten", "invoke_workflow w");
        agent.end();   // the runner's own end, after the trace: already reported, not again
        assertThat(exporter.getFinishedSpanItems()).hasSize(2);

        exporter.reset();
        Instant t = Instant.now();
        processor.onSpanEnd(new Span("trace_x", "span_x", null, new SpanData.Custom("late", Map.of()), t, t.plusMillis(3), null));
        assertThat(exporter.getFinishedSpanItems()).extracting(io.opentelemetry.sdk.trace.data.SpanData::getName).containsExactly("late");
    }

    @Test
    void the_run_span_joins_the_current_opentelemetry_context() {
        var request = otel.getTracer("app").spanBuilder("POST /tickets").startSpan();
        Scope scope = request.makeCurrent();
        try {
            Tracer tracer = Tracer.start(List.of(new OpenTelemetryTraceProcessor(otel)), "desk", null, Map.of());
            tracer.startSpan(null, agent("support_triage")).end();
            tracer.end();
        } finally {
            scope.close();
            request.end();
        }

        var workflow = exported("invoke_workflow desk");
        assertThat(workflow.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(exported("invoke_agent support_triage").getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
    }

    @Test
    void shutdown_ends_what_is_still_open() {
        OpenTelemetryTraceProcessor processor = new OpenTelemetryTraceProcessor(otel);
        Tracer tracer = Tracer.start(List.of(processor), "w", null, Map.of());
        tracer.startSpan(null, agent("a"));

        processor.shutdown();

        assertThat(exporter.getFinishedSpanItems()).extracting(io.opentelemetry.sdk.trace.data.SpanData::getName)
                .containsExactlyInAnyOrder("invoke_agent a", "invoke_workflow w");
    }
}
