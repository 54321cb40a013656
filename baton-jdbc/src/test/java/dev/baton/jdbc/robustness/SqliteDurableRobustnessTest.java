package dev.baton.jdbc.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Review specs of durable runs over the SQLite run store (the default store). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class SqliteDurableRobustnessTest {
    @TempDir
    Path dir;

    record Order(String orderId) {}

    private static final Model MODEL = request -> {
        Item last = request.lastInput();
        Item out = last instanceof ToolOutput o ? Message.assistant("Done: " + o.output())
                : new ToolCall("call_1", "lookup", "{\"order_id\":\"O-1\"}");
        return new ModelResponse(List.of(out), Usage.of(10, 2));
    };

    private static Agent<Void> agent(CountDownLatch inTool, CountDownLatch block) {
        Tool<Void> lookup = Tool.<Void, Order>of("lookup", "Look an order up.", Order.class, (ctx, o) -> {
            if (block != null) {
                inTool.countDown();
                block.await();
            }
            return "found " + o.orderId();
        });
        return Agent.<Void>builder("desk").instructions("Look orders up.").tools(lookup).build();
    }

    private static DurableWorker durable(SqliteRunStore store, Agent<Void> agent) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(MODEL).build());
        return DurableWorker.builder(runner, store).agents(agent).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
    }

    // Defect 1 on the SQLite store: after a graceful close() and a resume by another runner, the
    // event journal of the completed run holds a RunFailed event in place of the replayed event
    // with that sequence number (RunLoop.java:146-151 + StoreJournal.java:116-118 journal it;
    // SqliteRunStore APPEND_EVENT line 124-125 "ON CONFLICT (run_id, seq) DO NOTHING" keeps it).
    @Test
    void a_run_closed_mid_tool_and_resumed_on_sqlite_has_no_failure_event_in_its_history() throws Exception {
        try (SqliteRunStore store = SqliteRunStore.open(dir.resolve("baton.db"))) {
            List<String> expected;
            try (DurableWorker reference = durable(store, agent(null, null))) {
                RunHandle ref = reference.startRun(agent(null, null), "look up O-1");
                assertThat(ref.result().status()).isEqualTo(RunStatus.COMPLETED);
                expected = ref.history().events().stream().map(RecordedEvent::type).toList();
            }

            CountDownLatch inTool = new CountDownLatch(1);
            Agent<Void> blocking = agent(inTool, new CountDownLatch(1));
            String runId;
            try (DurableWorker dying = durable(store, blocking)) {
                runId = dying.startRun(blocking, "look up O-1").id();
                assertThat(inTool.await(5, TimeUnit.SECONDS)).isTrue();
            } // close(): a redeploy

            try (DurableWorker survivor = durable(store, agent(null, null))) {
                survivor.resumeIncomplete();
                assertThat(survivor.attach(runId).result().status()).isEqualTo(RunStatus.COMPLETED);
                List<String> types = survivor.client().history(runId).events().stream().map(RecordedEvent::type).toList();
                assertThat(types).doesNotContain("RunFailed");
                assertThat(types).isEqualTo(expected);
            }
        }
    }
}
