package dev.baton.run;

import dev.baton.agent.Agent;
import dev.baton.bench.SupportFlow;
import dev.baton.internal.AgentAccess;
import dev.baton.internal.Offered;
import dev.baton.internal.Schemas;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.schema.JsonArguments;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The steps of one support-flow run, each on its own, so a regression in the end-to-end figure
 * shows which step it came from. Lives in {@code dev.baton.run} to reach the loop's package-private
 * phases.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseG1GC")
public class HotPathBenchmark {
    private Runner runner;
    private Agent<Void> triage;
    private Agent<Void> billing;
    private TurnPlans<Void> plans;
    private Offered<Void> triageOffer;
    private Offered<Void> billingOffer;
    private ModelResponse handoffResponse;
    private ModelResponse toolResponse;
    private ModelResponse answerResponse;
    private SupportFlow.Invoice invoice;

    @Setup
    public void setUp() {
        runner = Runner.create(RunConfig.builder().defaultModel(new SupportFlow.ScriptModel(0)).build());
        triage = SupportFlow.triage();
        billing = triage.handoffs().get(0).target().resolve();
        triageOffer = AgentAccess.fixedOffer(triage);
        billingOffer = AgentAccess.fixedOffer(billing);
        // The loop's state as a new run's first turn has it: the context set up, the input read.
        LoopState<Void> state = new LoopState<>("run_bench", triage);
        state.ctx = new RunContext<>(null, state.runId, null, runner, RunOptions.none());
        state.startInput = List.of(Message.user(SupportFlow.INPUT));
        state.inputHistory = state.startInput;
        plans = new TurnPlans<>(runner.config(), RunOptions.none(), state);
        handoffResponse = new ModelResponse(List.of(new ToolCall("call_1", "transfer_to_billing_specialist", "{}")), Usage.of(10, 5));
        toolResponse = new ModelResponse(List.of(new ToolCall("call_2", "get_invoice", "{\"invoice_id\":\"INV-8821\"}")), Usage.of(10, 5));
        answerResponse = new ModelResponse(List.of(Message.assistant("Refund initiated for INV-8821.")), Usage.of(10, 5));
        invoice = new SupportFlow.Invoice("INV-8821", 99, "paid");
    }

    /** Instructions, offered specs, merged settings and the conversation, as sent on a turn. */
    @Benchmark
    public ModelRequest buildModelRequest() {
        return plans.plan().request();
    }

    /** Sorting a response that hands off. */
    @Benchmark
    public Object classifyHandoffResponse() {
        return Classified.classify("support_triage", handoffResponse, triageOffer.tools(), triageOffer.handoffs(),
                RunConfig.UnknownToolPolicy.ERROR_OUTPUT);
    }

    /** Sorting a response that calls a tool. */
    @Benchmark
    public Object classifyToolResponse() {
        return Classified.classify("billing_specialist", toolResponse, billingOffer.tools(), billingOffer.handoffs(),
                RunConfig.UnknownToolPolicy.ERROR_OUTPUT);
    }

    /** Sorting a final answer. */
    @Benchmark
    public Object classifyFinalAnswer() {
        return Classified.classify("billing_specialist", answerResponse, billingOffer.tools(), billingOffer.handoffs(),
                RunConfig.UnknownToolPolicy.ERROR_OUTPUT);
    }

    /** Binding the model's JSON arguments to the tool's record, with the strict checks. */
    @Benchmark
    public Object parseToolArguments() {
        return JsonArguments.bind("{\"invoice_id\":\"INV-8821\"}", SupportFlow.GetInvoice.class);
    }

    /** A schema cache hit (the cached schema is copied so callers cannot change it). */
    @Benchmark
    public Object schemaCacheHit() {
        return Schemas.objectSchema(SupportFlow.GetInvoice.class);
    }

    /** Serialising a tool's result for the model. */
    @Benchmark
    public String toolResultToJson() {
        return ToolOutputs.toText(invoice);
    }

    /** The whole support-flow run: three model calls, a handoff and a tool call. */
    @Benchmark
    public RunResult fullSupportFlowRun() {
        return runner.run(triage, SupportFlow.INPUT);
    }
}
