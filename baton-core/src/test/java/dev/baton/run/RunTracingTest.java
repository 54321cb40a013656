package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.tool.Tool;
import dev.baton.trace.Span;
import dev.baton.trace.SpanData;
import dev.baton.trace.Trace;
import dev.baton.trace.TraceProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

// Isolated: one test sets the baton.tracing.disabled system property, which every builder reads.
@Isolated
@DisplayName("Tracing of runs")
class RunTracingTest {

    record InvoiceRef(String invoiceId) {}

    static final class Recorder implements TraceProcessor {
        final List<Trace> traces = new CopyOnWriteArrayList<>();
        final List<Span> ended = new CopyOnWriteArrayList<>();

        @Override
        public void onTraceStart(Trace trace) {}

        @Override
        public void onTraceEnd(Trace trace) {
            traces.add(trace);
        }

        @Override
        public void onSpanStart(Span span) {}

        @Override
        public void onSpanEnd(Span span) {
            ended.add(span);
        }

        List<Span> of(Class<? extends SpanData> type) {
            return ended.stream().filter(s -> type.isInstance(s.data())).toList();
        }
    }

    final Recorder recorder = new Recorder();

    /** A runner config that reports to {@link #recorder}. */
    RunConfig.Builder traced() {
        return RunConfig.builder().traceProcessor(recorder);
    }

    static Agent<Void> desk(Tool<Void> tool) {
        Agent<Void> billing = Agent.<Void>builder("billing").tools(tool).build();
        return Agent.<Void>builder("triage").handoffs(billing).build();
    }

    static final Tool<Void> GET_INVOICE = Tool.of("get_invoice", "", InvoiceRef.class, (ctx, a) -> "{\"amount\":99}");

    @Test
    void a_run_is_one_trace_with_agent_spans_and_their_model_tool_and_handoff_spans() {
        Script model = new Script(handoff("billing"), call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), reply("Paid."));

        Runner.create(traced().workflowName("Support desk").build()).run(desk(GET_INVOICE), "invoice?",
                RunOptions.<Void>session("ticket-9").withModel(model).withTraceMetadata(Map.of("channel", "chat")));

        assertThat(recorder.traces).singleElement().satisfies(t -> {
            assertThat(t.workflowName()).isEqualTo("Support desk");
            assertThat(t.groupId()).isEqualTo("ticket-9");
            assertThat(t.metadata()).containsEntry("channel", "chat");
        });
        List<Span> agents = recorder.of(SpanData.Agent.class);
        assertThat(agents).extracting(s -> ((SpanData.Agent) s.data()).name()).containsExactly("triage", "billing");
        assertThat(agents).allSatisfy(s -> assertThat(s.parentId()).isNull());
        String triageSpan = agents.get(0).spanId();
        String billingSpan = agents.get(1).spanId();
        assertThat(recorder.of(SpanData.ModelCall.class)).extracting(Span::parentId)
                .containsExactly(triageSpan, billingSpan, billingSpan);
        assertThat(recorder.of(SpanData.ModelCall.class)).allSatisfy(s ->
                assertThat(((SpanData.ModelCall) s.data()).usage().totalTokens()).isEqualTo(15));
        assertThat(recorder.of(SpanData.Handoff.class)).singleElement().satisfies(s -> {
            assertThat(s.parentId()).isEqualTo(triageSpan);
            assertThat(s.data()).isEqualTo(new SpanData.Handoff("triage", "billing"));
        });
        assertThat(recorder.of(SpanData.ToolCall.class)).singleElement().satisfies(s -> {
            assertThat(s.parentId()).isEqualTo(billingSpan);
            SpanData.ToolCall data = (SpanData.ToolCall) s.data();
            assertThat(data.arguments()).contains("INV-1");
            assertThat(data.output()).isEqualTo("{\"amount\":99}");
        });
        assertThat(recorder.ended).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(recorder.traces.get(0).traceId()));
    }

    @Test
    void sensitive_data_is_left_out_when_configured() {
        Script model = new Script(handoff("billing"), call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), reply("Paid."));

        Runner.create(traced().traceIncludeSensitiveData(false).build())
                .run(desk(GET_INVOICE), "my card is 4111", RunOptions.<Void>none().withModel(model));

        assertThat(recorder.of(SpanData.ModelCall.class)).allSatisfy(s -> {
            assertThat(((SpanData.ModelCall) s.data()).input()).isNull();
            assertThat(((SpanData.ModelCall) s.data()).output()).isNull();
        });
        assertThat(recorder.of(SpanData.ToolCall.class)).allSatisfy(s -> {
            assertThat(((SpanData.ToolCall) s.data()).arguments()).isNull();
            assertThat(((SpanData.ToolCall) s.data()).output()).isNull();
        });
    }

    @Test
    void tracing_can_be_disabled_for_one_run_or_for_a_runner() {
        Runner.create(traced().build()).run(desk(GET_INVOICE), "x",
                RunOptions.<Void>none().withModel(new Script(reply("hi"))).withTracingDisabled(true));
        Runner.create(traced().tracingDisabled(true).build())
                .run(desk(GET_INVOICE), "x", RunOptions.<Void>none().withModel(new Script(reply("hi"))));

        assertThat(recorder.traces).isEmpty();
        assertThat(recorder.ended).isEmpty();
    }

    @Test
    void a_runner_config_lists_its_processors_in_order_and_traces_only_with_one() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();

        RunConfig config = RunConfig.builder().traceProcessor(a).traceProcessor(b).tracingDisabled(false).build();

        assertThat(config.traceProcessors()).containsExactly(a, b);
        assertThatThrownBy(() -> config.traceProcessors().add(a)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(config.tracingActive()).isTrue();
        assertThat(config.toBuilder().traceProcessors(List.of(b)).build().traceProcessors()).containsExactly(b);
        assertThat(config.toBuilder().tracingDisabled(true).build().tracingActive()).isFalse();
        assertThat(config.toBuilder().traceProcessors(List.of()).build().tracingActive()).isFalse();
    }

    @Test
    void two_runners_in_one_jvm_each_report_only_to_their_own_processors() {
        Recorder other = new Recorder();
        Runner support = Runner.create(traced().workflowName("Support desk").build());
        Runner sales = Runner.create(RunConfig.builder().traceProcessor(other).workflowName("Sales desk").build());

        support.run(desk(GET_INVOICE), "invoice?", RunOptions.<Void>none().withModel(new Script(reply("Paid."))));
        sales.run(desk(GET_INVOICE), "quote?", RunOptions.<Void>none().withModel(new Script(reply("Quoted."))));
        sales.run(desk(GET_INVOICE), "quote?", RunOptions.<Void>none().withModel(new Script(reply("Quoted."))));

        assertThat(recorder.traces).extracting(Trace::workflowName).containsExactly("Support desk");
        assertThat(other.traces).extracting(Trace::workflowName).containsExactly("Sales desk", "Sales desk");
        assertThat(recorder.ended).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(recorder.traces.get(0).traceId()));
        assertThat(other.ended).noneSatisfy(s -> assertThat(s.traceId()).isEqualTo(recorder.traces.get(0).traceId()));
    }

    @Test
    void a_runner_without_processors_traces_nothing_and_a_nested_run_reports_to_its_callers_trace() {
        Agent<Void> billing = Agent.<Void>builder("billing").build();
        Agent<Void> desk = Agent.<Void>builder("desk").tools(billing.asTool("billing_agent", "Billing specialist")).build();
        Script model = new Script(call("billing_agent", "{\"input\":\"refund A\"}"), reply("refunded"), reply("done"));

        Runner.create().run(desk, "refund A", RunOptions.<Void>none().withModel(new Script(reply("hi"))));
        assertThat(recorder.traces).isEmpty();

        Runner.create(traced().build()).run(desk, "refund A", RunOptions.<Void>none().withModel(model));

        assertThat(recorder.traces).hasSize(1);
        assertThat(recorder.of(SpanData.Agent.class)).extracting(s -> ((SpanData.Agent) s.data()).name())
                .containsExactlyInAnyOrder("desk", "billing");
        assertThat(recorder.ended).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(recorder.traces.get(0).traceId()));
    }

    @Test
    void the_system_property_switch_turns_tracing_off_for_runners_built_while_it_is_set() {
        String old = System.getProperty("baton.tracing.disabled");
        System.setProperty("baton.tracing.disabled", "true");
        RunConfig switchedOff;
        try {
            switchedOff = traced().build();
        } finally {
            if (old == null) {
                System.clearProperty("baton.tracing.disabled");
            } else {
                System.setProperty("baton.tracing.disabled", old);
            }
        }

        assertThat(switchedOff.tracingDisabled()).isTrue();
        Runner.create(switchedOff).run(desk(GET_INVOICE), "x", RunOptions.<Void>none().withModel(new Script(reply("hi"))));
        assertThat(recorder.traces).isEmpty();
        assertThat(recorder.ended).isEmpty();
        assertThat(switchedOff.toBuilder().tracingDisabled(false).build().tracingActive())
                .as("code can still turn tracing back on for a runner").isTrue();
    }

    @Test
    void failures_and_guardrails_are_on_the_spans() {
        Tool<Void> broken = Tool.of("get_invoice", "", InvoiceRef.class, (ctx, a) -> {
            throw new IllegalStateException("billing API down");
        });
        InputGuardrail<Void> check = InputGuardrail.of("topic", (ctx, agent, input) -> GuardrailOutput.pass());
        Agent<Void> billing = Agent.<Void>builder("billing").tools(broken).inputGuardrails(check).build();
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), call("nope", "{}"));

        assertThatThrownBy(() -> Runner.create(traced().build()).run(billing, "x", RunOptions.<Void>none().withModel(model).withMaxTurns(2)))
                .isInstanceOf(dev.baton.MaxTurnsExceeded.class);

        assertThat(recorder.of(SpanData.ToolCall.class)).first().satisfies(s -> {
            assertThat(((SpanData.ToolCall) s.data()).error()).isTrue();
            assertThat(s.error()).isNotNull();
        });
        assertThat(recorder.of(SpanData.Guardrail.class)).singleElement()
                .satisfies(s -> assertThat(s.data()).isEqualTo(new SpanData.Guardrail("topic", "input", false)));
        assertThat(recorder.of(SpanData.Agent.class)).singleElement()
                .satisfies(s -> assertThat(s.error().type()).isEqualTo("MaxTurnsExceeded"));
        assertThat(recorder.traces).hasSize(1);
    }
}
