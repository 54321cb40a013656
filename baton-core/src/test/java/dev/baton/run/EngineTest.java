package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.hook.RunHooks;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.tool.Tool;
import dev.baton.trace.SpanData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The engine performs every step of a run")
class EngineTest {
    record InvoiceRef(String invoiceId) {}

    static final Instant NOON = Instant.parse("2026-01-02T12:00:00Z");

    final AtomicInteger toolRuns = new AtomicInteger();
    final Tool<Void> getInvoice = Tool.of("get_invoice", "", InvoiceRef.class, (ctx, a) -> {
        toolRuns.incrementAndGet();
        return "{\"amount\":99}";
    });
    final Agent<Void> billing = Agent.<Void>builder("billing").tools(getInvoice).build();
    final Agent<Void> triage = Agent.<Void>builder("triage").handoffs(billing).build();

    final RunTracingTest.Recorder spans = new RunTracingTest.Recorder();
    final Runner runner = Runner.create(RunConfig.builder().traceProcessor(spans).build());

    /**
     * An engine that performs like the in-memory one but with a fixed clock and id, remembers the
     * steps it was asked for, and replays the responses and outcomes it is given instead of
     * performing those steps.
     */
    static class TestEngine implements Engine {
        final Map<Integer, ModelResponse> recordedModelCalls = new ConcurrentHashMap<>();
        final Map<String, ToolOutcome> recordedToolCalls = new ConcurrentHashMap<>();
        final Map<String, RunState.Decision> decisions = new ConcurrentHashMap<>();
        final List<ModelStep> modelSteps = new CopyOnWriteArrayList<>();
        final List<ToolBatch> batches = new CopyOnWriteArrayList<>();
        @Nullable Start recordedStart;

        @Override
        public Instant now() {
            return NOON;
        }

        @Override
        public String runId() {
            return "run_fixed";
        }

        @Override
        public Start start(Start live) {
            return recordedStart != null ? recordedStart : live;
        }

        @Override
        public ModelResponse model(ModelStep step, Supplier<ModelResponse> perform) {
            modelSteps.add(step);
            ModelResponse recorded = recordedModelCalls.get(step.n());
            return recorded != null ? recorded : perform.get();
        }

        @Override
        public List<ToolOutcome> tools(ToolBatch batch, Function<ToolStep, ToolOutcome> perform) {
            batches.add(batch);
            List<ToolOutcome> out = new ArrayList<>();
            for (ToolStep step : batch.calls()) {
                ToolOutcome recorded = recordedToolCalls.get(step.callId());
                out.add(recorded != null ? recorded : perform.apply(step));
            }
            return out;
        }

        @Override
        public RunState.@Nullable Decision decision(int turn, String callId) {
            return decisions.get(turn + "/" + callId);
        }

        @Override
        public void event(RunEvent event) {}

        @Override
        public boolean journaled() {
            return false;
        }
    }

    /** Counts the hook calls of a run by kind. */
    static final class CountingHooks implements RunHooks<Void> {
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        int count(String what) {
            AtomicInteger n = counts.get(what);
            return n == null ? 0 : n.get();
        }

        private void inc(String what) {
            counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void onModelStart(RunContext<Void> c, Agent<Void> a, ModelRequest r) {
            inc("modelStart");
        }

        @Override
        public void onModelEnd(RunContext<Void> c, Agent<Void> a, ModelResponse r) {
            inc("modelEnd");
        }

        @Override
        public void onToolStart(RunContext<Void> c, Agent<Void> a, Tool<Void> t, String id, String args) {
            inc("toolStart");
        }

        @Override
        public void onToolEnd(RunContext<Void> c, Agent<Void> a, Tool<Void> t, String id, String result) {
            inc("toolEnd");
        }
    }

    @Test
    void every_event_is_stamped_by_the_engines_clock_and_the_run_takes_its_id_from_the_engine() {
        TestEngine engine = new TestEngine();
        Script model = new Script(handoff("billing"), call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), reply("Paid."));
        List<RunEvent> events = new CopyOnWriteArrayList<>();

        RunResult result = runner.run(triage, "invoice?",
                RunOptions.<Void>none().withModel(model).withEngine(engine).withListener(events::add));

        assertThat(result.runId()).isEqualTo("run_fixed");
        assertThat(events).hasSizeGreaterThan(8);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.at()).isEqualTo(NOON);
            assertThat(e.runId()).isEqualTo("run_fixed");
        });
    }

    @Test
    void each_model_call_is_a_step_numbered_in_the_run_with_its_agent_and_request() {
        TestEngine engine = new TestEngine();
        Script model = new Script(handoff("billing"), call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), reply("Paid."));

        runner.run(triage, "invoice?", RunOptions.<Void>none().withModel(model).withEngine(engine));

        assertThat(engine.modelSteps).extracting(Engine.ModelStep::n).containsExactly(1, 2, 3);
        assertThat(engine.modelSteps).extracting(Engine.ModelStep::agent).containsExactly("triage", "billing", "billing");
        assertThat(engine.modelSteps).extracting(Engine.ModelStep::request).containsExactlyElementsOf(model.requests);
    }

    @Test
    void the_tool_calls_of_a_turn_are_one_step_and_their_outputs_keep_the_calls_order() {
        TestEngine engine = new TestEngine();
        ToolCall first = toolCall("get_invoice", "{\"invoice_id\":\"INV-1\"}");
        ToolCall second = toolCall("get_invoice", "{\"invoice_id\":\"INV-2\"}");
        ToolCall unknown = toolCall("no_such_tool", "{}");
        Script model = new Script(items(first, unknown, second), reply("Both paid."));

        RunResult result = runner.run(billing, "invoices?", RunOptions.<Void>none().withModel(model).withEngine(engine));

        assertThat(engine.batches).singleElement().satisfies(b -> {
            assertThat(b.turn()).isEqualTo(1);
            assertThat(b.agent()).isEqualTo("billing");
            assertThat(b.runId()).isEqualTo("run_fixed");
            assertThat(b.calls()).as("a call of a tool the agent does not offer is answered without a step")
                    .extracting(Engine.ToolStep::callId).containsExactly(first.callId(), second.callId());
            assertThat(b.calls()).extracting(Engine.ToolStep::arguments).containsExactly(first.arguments(), second.arguments());
        });
        assertThat(toolRuns).hasValue(2);
        assertThat(model.requests.get(1).input()).filteredOn(i -> i instanceof dev.baton.item.ToolOutput)
                .extracting(i -> ((dev.baton.item.ToolOutput) i).callId())
                .containsExactly(first.callId(), unknown.callId(), second.callId());
        assertThat(result.finalOutput()).isEqualTo("Both paid.");
    }

    @Test
    void a_replayed_model_call_and_tool_call_fire_no_hooks_and_no_spans() {
        TestEngine engine = new TestEngine();
        ToolCall recordedCall = new ToolCall("call_rec", "get_invoice", "{\"invoice_id\":\"INV-1\"}");
        engine.recordedModelCalls.put(1, new ModelResponse(List.of(recordedCall), Usage.of(10, 5)));
        engine.recordedToolCalls.put("call_rec", new Engine.ToolOutcome("{\"amount\":42}", false));
        Script model = new Script(reply("It was 42."));
        CountingHooks hooks = new CountingHooks();

        RunResult result = runner.run(billing, "invoice?",
                RunOptions.<Void>none().withModel(model).withEngine(engine).withHooks(hooks));

        assertThat(result.finalOutput()).isEqualTo("It was 42.");
        assertThat(toolRuns).as("the recorded tool call is not run again").hasValue(0);
        assertThat(model.calls()).as("only the model call that was not recorded").isEqualTo(1);
        assertThat(model.requests.get(0).input()).anySatisfy(i ->
                assertThat(i).isEqualTo(new dev.baton.item.ToolOutput("call_rec", "{\"amount\":42}")));
        assertThat(hooks.count("modelStart")).isEqualTo(1);
        assertThat(hooks.count("modelEnd")).isEqualTo(1);
        assertThat(hooks.count("toolStart")).isZero();
        assertThat(hooks.count("toolEnd")).isZero();
        assertThat(spans.of(SpanData.ModelCall.class)).hasSize(1);
        assertThat(spans.of(SpanData.ToolCall.class)).isEmpty();
    }

    @Test
    void a_performed_step_fires_its_hooks_and_span_once() {
        TestEngine engine = new TestEngine();
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), reply("Paid."));
        CountingHooks hooks = new CountingHooks();

        runner.run(billing, "invoice?", RunOptions.<Void>none().withModel(model).withEngine(engine).withHooks(hooks));

        assertThat(hooks.count("modelStart")).isEqualTo(2);
        assertThat(hooks.count("modelEnd")).isEqualTo(2);
        assertThat(hooks.count("toolStart")).isEqualTo(1);
        assertThat(hooks.count("toolEnd")).isEqualTo(1);
        assertThat(spans.of(SpanData.ModelCall.class)).hasSize(2);
        assertThat(spans.of(SpanData.ToolCall.class)).hasSize(1);
    }

    @Test
    void a_decision_the_engine_holds_lets_a_call_run_without_pausing() {
        TestEngine engine = new TestEngine();
        Agent<Void> guarded = Agent.<Void>builder("billing").tools(getInvoice.requiringApproval()).build();
        ToolCall refund = new ToolCall("call_a", "get_invoice", "{\"invoice_id\":\"INV-1\"}");
        engine.decisions.put("1/call_a", new RunState.Decision(true, null));
        Script model = new Script(items(refund), reply("Paid."));

        RunResult result = runner.run(guarded, "invoice?", RunOptions.<Void>none().withModel(model).withEngine(engine));

        assertThat(result.interruptions()).isEmpty();
        assertThat(result.finalOutput()).isEqualTo("Paid.");
        assertThat(toolRuns).hasValue(1);
    }

    @Test
    void with_no_decision_from_the_engine_the_turn_pauses_for_one() {
        TestEngine engine = new TestEngine();
        Agent<Void> guarded = Agent.<Void>builder("billing").tools(getInvoice.requiringApproval()).build();
        Script model = new Script(items(new ToolCall("call_a", "get_invoice", "{\"invoice_id\":\"INV-1\"}")));

        RunResult result = runner.run(guarded, "invoice?", RunOptions.<Void>none().withModel(model).withEngine(engine));

        assertThat(result.interruptions()).extracting(ApprovalRequest::callId).containsExactly("call_a");
        assertThat(toolRuns).hasValue(0);
    }

    @Test
    void the_run_starts_where_the_engine_says_it_started() {
        TestEngine engine = new TestEngine();
        engine.recordedStart = new Engine.Start("billing", 0);
        Script model = new Script(reply("Billing here."));

        RunResult result = runner.run(triage, "hello", RunOptions.<Void>none().withModel(model).withEngine(engine));

        assertThat(model.requests).extracting(ModelRequest::agent).containsExactly("billing");
        assertThat(result.lastAgent()).isEqualTo("billing");
    }

    @Test
    void the_in_memory_engine_is_the_default_and_performs_each_step_directly() {
        Script model = new Script(call("get_invoice", "{\"invoice_id\":\"INV-1\"}"), reply("Paid."));

        RunResult result = runner.run(billing, "invoice?", RunOptions.<Void>none().withModel(model));

        assertThat(RunOptions.none().engine()).isNull();
        assertThat(Engine.inMemory().journaled()).isFalse();
        assertThat(result.runId()).startsWith("run_").isNotEqualTo(Engine.inMemory().runId());
        assertThat(toolRuns).hasValue(1);
        assertThat(result.finalOutput()).isEqualTo("Paid.");
    }
}
