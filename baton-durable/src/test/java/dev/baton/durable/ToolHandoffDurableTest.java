package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("A tool's handoff in a durable run")
@Timeout(30)
class ToolHandoffDurableTest {
    record Route() {}

    record Refund(String orderId) {}

    /** Triage routes with a tool that returns the refunds agent (Swarm style); refunds refunds and reports. */
    static final class Desk {
        final AtomicInteger routes = new AtomicInteger();
        final AtomicInteger modelCalls = new AtomicInteger();
        final CountDownLatch inRefund = new CountDownLatch(1);
        volatile CountDownLatch blockInRefund;

        Agent<Void> triage() {
            Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an order.", Refund.class, (ctx, r) -> {
                CountDownLatch block = blockInRefund;
                if (block != null) {
                    inRefund.countDown();
                    block.await();
                }
                return "refunded " + r.orderId();
            });
            Agent<Void> refunds = Agent.<Void>builder("refunds").tools(refund).build();
            Tool<Void> route = Tool.<Void, Route>of("route_to_refunds", "Hand refunds to the refunds agent.", Route.class,
                    (ctx, r) -> {
                        routes.incrementAndGet();
                        return refunds;
                    });
            // The disabled handoff is never offered; it makes refunds reachable by name for a replay.
            return Agent.<Void>builder("triage").tools(route).handoffs(Handoff.to(refunds).enabled(false)).build();
        }

        Model model() {
            return request -> {
                modelCalls.incrementAndGet();
                Item last = request.lastInput();
                List<Item> out;
                if (request.agent().equals("triage")) {
                    out = List.of(new ToolCall("call_route", "route_to_refunds", "{}"));
                } else if (last instanceof ToolOutput o && o.callId().equals("call_refund")) {
                    out = List.of(Message.assistant("Done: " + o.output()));
                } else {
                    out = List.of(new ToolCall("call_refund", "issue_refund", "{\"order_id\":\"O-1\"}"));
                }
                return new ModelResponse(out, Usage.of(20, 5));
            };
        }
    }

    private static DurableWorker durable(Desk desk, InMemoryRunStore store) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).build());
        return DurableWorker.builder(runner, store).agents(desk.triage()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
    }

    @Test
    void is_replayed_from_the_journal_and_the_run_goes_on_with_the_agent_the_tool_chose() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        Desk first = new Desk();
        first.blockInRefund = new CountDownLatch(1);
        DurableWorker dying = durable(first, store);
        RunHandle run = dying.startRun(first.triage(), "refund O-1");
        assertThat(first.inRefund.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close(); // the process goes away in the middle of the refund, after the tool's handoff

        Desk second = new Desk();
        try (DurableWorker survivor = durable(second, store)) {
            survivor.resumeIncomplete();
            RunRecord done = survivor.attach(run.id()).result();

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.currentAgent()).isEqualTo("refunds");
            assertThat(done.finalOutput()).contains("Done: refunded O-1");
            assertThat(first.routes.get() + second.routes.get()).as("the routing tool ran once, before the stop").isEqualTo(1);
            assertThat(second.modelCalls.get()).as("only the model call after the refund").isEqualTo(1);
        }
    }
}
