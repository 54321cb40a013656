package dev.baton.robustness;

import static dev.baton.robustness.StepModel.call;
import static dev.baton.robustness.StepModel.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.trace.Span;
import dev.baton.trace.Trace;
import dev.baton.trace.TraceProcessor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TracingReviewTest {
    final List<Trace> traces = new CopyOnWriteArrayList<>();
    final List<Span> spans = new CopyOnWriteArrayList<>();
    final TraceProcessor processor = new TraceProcessor() {
        public void onTraceStart(Trace trace) {
            traces.add(trace);
        }

        public void onTraceEnd(Trace trace) {}

        public void onSpanStart(Span span) {}

        public void onSpanEnd(Span span) {
            spans.add(span);
        }
    };
    final Runner runner = Runner.create(RunConfig.builder().traceProcessor(processor).build());

    Agent<Void> desk() {
        Agent<Void> billing = Agent.<Void>builder("billing").model(new StepModel(reply("refunded"))).build();
        return Agent.<Void>builder("desk").model(new StepModel(call("billing_agent", "{\"input\":\"refund A\"}"), reply("done")))
                .tools(billing.asTool("billing_agent", "Billing specialist")).build();
    }

    @Test
    void a_run_with_tracing_disabled_still_traces_its_agent_tool_runs() {
        runner.run(desk(), "refund A", RunOptions.<Void>none().withTracingDisabled(true));

        assertThat(traces).as("traces of a run with tracing disabled (sensitive data may leak)").isEmpty();
    }

    @Test
    void an_agent_tool_run_is_a_separate_trace_not_nested_under_its_tool_span() {
        runner.run(desk(), "refund A");

        assertThat(traces).as("one trace per run, the nested agent's spans under the tool span").hasSize(1);
    }
}
