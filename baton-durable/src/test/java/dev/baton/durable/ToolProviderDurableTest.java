package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ToolProviderFailed;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.RunContext;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A durable run whose tool source goes down: it stops without ending, and finishes once the source is back. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(30)
class ToolProviderDurableTest {

    record Query(String name) {}

    @Test
    void a_run_whose_tool_provider_is_down_stays_resumable_and_completes_without_calling_a_recorded_tool_again() throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        AtomicInteger toolCalls = new AtomicInteger();
        AtomicInteger modelCalls = new AtomicInteger();
        Tool<Object> findCustomer = Tool.<Object, Query>of("find_customer", "Finds a customer.", Query.class, (ctx, q) -> {
            toolCalls.incrementAndGet();
            up.set(false); // the server goes away right after answering
            return "customer " + q.name() + " is C-7";
        });
        ToolProvider<Object> crm = new ToolProvider<>() {
            @Override
            public String name() {
                return "crm";
            }

            @Override
            public List<Tool<Object>> tools(RunContext<Object> context, Agent<Object> agent) {
                if (!up.get()) {
                    throw new IllegalStateException("MCP server 'crm' is not running");
                }
                return List.of(findCustomer);
            }
        };
        Model model = request -> {
            modelCalls.incrementAndGet();
            Item last = request.lastInput();
            Item out = last instanceof ToolOutput o ? Message.assistant("Found: " + o.output())
                    : new ToolCall("call_1", "find_customer", "{\"name\":\"Ada\"}");
            return new ModelResponse(List.of(out), Usage.zero());
        };
        Agent<Object> agent = Agent.builder("support").toolProviders(crm).build();
        InMemoryRunStore store = new InMemoryRunStore();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        try (DurableWorker worker = DurableWorker.builder(runner, store).agents(agent).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).build().start()) {
            RunHandle run = worker.startRun(agent, "who is Ada?");

            assertThatThrownBy(run::result).isInstanceOf(ToolProviderFailed.class).hasMessageContaining("'crm'");
            assertThat(store.findRun(run.id()).orElseThrow().status()).as("stopped, not ended").isEqualTo(RunStatus.RUNNING);

            up.set(true); // the worker takes the run up again on its own, at a later heartbeat
            RunRecord done = store.findRun(run.id()).orElseThrow();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (done.status() == RunStatus.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(20);
                done = store.findRun(run.id()).orElseThrow();
            }

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.finalOutput()).contains("customer Ada is C-7");
            assertThat(toolCalls).as("the recorded tool result is replayed").hasValue(1);
            assertThat(modelCalls).as("the recorded model call is replayed").hasValue(2);
        }
    }
}
