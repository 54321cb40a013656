package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.hook.RunHooks;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.RunContext;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import dev.baton.trace.Span;
import dev.baton.trace.SpanData;
import dev.baton.trace.Trace;
import dev.baton.trace.TraceProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A durable run is the ordinary loop over a journaled engine: after a crash, the steps the journal
 * holds come back from it without running again, so their hooks and spans fire once per step,
 * and journals written before the engine seam existed replay unchanged.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(30)
class EngineReplayDurableTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final InMemorySessionStore sessions = new InMemorySessionStore();
    private final List<DurableWorker> workers = new ArrayList<>();
    private final SpanCounter spans = new SpanCounter();
    @AfterEach
    void close() {
        workers.forEach(DurableWorker::close);
    }

    /** Counts the ended spans of model and tool calls. */
    static final class SpanCounter implements TraceProcessor {
        final List<Span> ended = new CopyOnWriteArrayList<>();

        @Override public void onTraceStart(Trace trace) {}
        @Override public void onTraceEnd(Trace trace) {}
        @Override public void onSpanStart(Span span) {}
        @Override public void onSpanEnd(Span span) {
            ended.add(span);
        }

        long count(Class<? extends SpanData> kind) {
            return ended.stream().filter(s -> kind.isInstance(s.data())).count();
        }
    }

    /** Counts the model and tool hooks of one worker's runs. */
    static final class Hooks implements RunHooks<Void> {
        final AtomicInteger modelStarts = new AtomicInteger();
        final AtomicInteger modelEnds = new AtomicInteger();
        final AtomicInteger toolStarts = new AtomicInteger();
        final AtomicInteger toolEnds = new AtomicInteger();
        final List<String> agentStarts = new CopyOnWriteArrayList<>();
        final List<String> handoffs = new CopyOnWriteArrayList<>();

        @Override public void onAgentStart(RunContext<Void> c, Agent<Void> a) {
            agentStarts.add(a.name());
        }
        @Override public void onHandoff(RunContext<Void> c, Agent<Void> from, Agent<Void> to) {
            handoffs.add(from.name() + " -> " + to.name());
        }

        @Override public void onModelStart(RunContext<Void> c, Agent<Void> a, ModelRequest r) {
            modelStarts.incrementAndGet();
        }
        @Override public void onModelEnd(RunContext<Void> c, Agent<Void> a, ModelResponse r) {
            modelEnds.incrementAndGet();
        }
        @Override public void onToolStart(RunContext<Void> c, Agent<Void> a, Tool<Void> t, String id, String args) {
            toolStarts.incrementAndGet();
        }
        @Override public void onToolEnd(RunContext<Void> c, Agent<Void> a, Tool<Void> t, String id, String result) {
            toolEnds.incrementAndGet();
        }
    }

    /** The desk's model, which hangs in its third call (the one after the refund) until its worker goes away. */
    static final class HangsAfterTheTool implements Model {
        final CountDownLatch inThirdCall = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public ModelResponse respond(ModelRequest request) {
            calls.incrementAndGet();
            if (request.lastInput() instanceof ToolOutput o && o.callId().startsWith("call_r")) {
                inThirdCall.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("the worker went away", e);
                }
            }
            return RefundDesk.answer(request);
        }
    }

    private DurableWorker worker(RefundDesk desk, Model model, Hooks hooks) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).hooks(hooks).traceProcessor(spans).build());
        DurableWorker w = DurableWorker.builder(runner, store).agents(desk.triage()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).build().start();
        workers.add(w);
        return w;
    }

    /** Starts the refund run on a worker that goes away in the model call after the refund (m1, m2 and the tool are done). */
    private RunHandle crashedAfterTheTool(RefundDesk desk, Hooks hooks) throws InterruptedException {
        HangsAfterTheTool model = new HangsAfterTheTool();
        DurableWorker dying = worker(desk, model, hooks);
        RunHandle run = dying.startRun(desk.triage(), "refund O-1 150");
        assertThat(model.inThirdCall.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close();
        assertThat(store.findRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(store.effects(run.id())).extracting(Effect::key).containsExactly("start", "m1", "m2", "t2/call_r3");
        return run;
    }

    @Test
    void a_run_resumed_after_a_crash_fires_hooks_and_spans_once_per_step() throws Exception {
        RefundDesk first = new RefundDesk();
        Hooks firstHooks = new Hooks();
        RunHandle run = crashedAfterTheTool(first, firstHooks);
        assertThat(firstHooks.modelStarts).as("m1, m2 and the m3 the crash cut short").hasValue(3);
        assertThat(firstHooks.modelEnds).hasValue(2);
        assertThat(firstHooks.toolStarts).hasValue(1);
        assertThat(firstHooks.toolEnds).hasValue(1);
        assertThat(firstHooks.agentStarts).containsExactly("triage", "refunds");
        assertThat(firstHooks.handoffs).containsExactly("triage -> refunds");
        long modelSpansBefore = spans.count(SpanData.ModelCall.class);
        long toolSpansBefore = spans.count(SpanData.ToolCall.class);

        RefundDesk second = new RefundDesk();
        Hooks secondHooks = new Hooks();
        DurableWorker survivor = worker(second, second.model(), secondHooks);
        survivor.resumeIncomplete();
        RunRecord done = survivor.attach(run.id()).result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $150 for O-1\"");
        assertThat(second.modelCalls).as("only m3 is performed again").hasValue(1);
        assertThat(second.invocations).as("the refund is not run again").isEmpty();
        assertThat(secondHooks.modelStarts).as("m1 and m2 are replayed without their hooks").hasValue(1);
        assertThat(secondHooks.modelEnds).hasValue(1);
        assertThat(secondHooks.toolStarts).as("the replayed tool call fires no hook").hasValue(0);
        assertThat(secondHooks.toolEnds).hasValue(0);
        assertThat(secondHooks.agentStarts).as("both agents started in the first execution").isEmpty();
        assertThat(secondHooks.handoffs).as("the handoff was carried out in the first execution").isEmpty();
        assertThat(spans.count(SpanData.ModelCall.class) - modelSpansBefore).as("one model span: m3's").isEqualTo(1);
        assertThat(spans.count(SpanData.ToolCall.class) - toolSpansBefore).as("no tool span on replay").isZero();
    }

    @Test
    void a_journal_written_in_the_effect_format_runs_have_always_had_replays_unchanged() throws Exception {
        RefundDesk first = new RefundDesk();
        RunHandle run = crashedAfterTheTool(first, new Hooks());
        String id = run.id();
        // The rows as journals hold them, written by the code before the engine seam (same keys,
        // same JSON); the tool's recorded output is marked, so the replay shows it read the row.
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        Usage usage = Usage.of(20, 5);
        String usageJson = "\"usage\":{\"requests\":1,\"inputTokens\":20,\"outputTokens\":5,\"totalTokens\":25,"
                + "\"cachedInputTokens\":0,\"reasoningTokens\":0},\"responseId\":null}";
        store.recordEffect(new Effect(id, "start", Effect.Kind.START, Effect.Status.DONE, "triage", null, null,
                "{\"agent\":\"triage\",\"historyItems\":0}", 1, at, at, null));
        store.recordEffect(new Effect(id, "m1", Effect.Kind.MODEL, Effect.Status.DONE, "triage", null, null,
                "{\"output\":[{\"type\":\"function_call\",\"callId\":\"call_h1\",\"name\":\"transfer_to_refunds\","
                        + "\"arguments\":\"{}\"}]," + usageJson, 1, at, at, usage));
        store.recordEffect(new Effect(id, "m2", Effect.Kind.MODEL, Effect.Status.DONE, "refunds", null, null,
                "{\"output\":[{\"type\":\"function_call\",\"callId\":\"call_r3\",\"name\":\"issue_refund\","
                        + "\"arguments\":\"{\\\"order_id\\\":\\\"O-1\\\",\\\"amount\\\":150}\"}]," + usageJson, 1, at, at, usage));
        store.recordEffect(new Effect(id, "t2/call_r3", Effect.Kind.TOOL, Effect.Status.DONE, "refunds", "issue_refund",
                "{\"order_id\":\"O-1\",\"amount\":150}",
                "{\"output\":\"refunded $150 for O-1 (as recorded)\",\"error\":false,\"handoffTo\":null}", 1, at, at, null));

        RefundDesk second = new RefundDesk();
        DurableWorker survivor = worker(second, second.model(), new Hooks());
        survivor.resumeIncomplete();
        RunRecord done = survivor.attach(id).result();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.finalOutput()).isEqualTo("\"Done: refunded $150 for O-1 (as recorded)\"");
        assertThat(second.modelCalls).hasValue(1);
        assertThat(second.invocations).isEmpty();
        assertThat(store.effects(id)).extracting(Effect::key).containsExactly("start", "m1", "m2", "t2/call_r3", "m3");
        assertThat(done.usage().requests()).as("replayed model calls count, as recorded").isEqualTo(3);
    }
}
