package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolAnswer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Images from a tool in a durable run")
@Timeout(30)
class ToolImagesDurableTest {
    record ReceiptRef(String id) {}

    static final Image RECEIPT = Image.ofBytes("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});

    /** Billing looks at a receipt (an image), then refunds; the refund can be held to stop the worker in it. */
    static final class Desk {
        final AtomicInteger receipts = new AtomicInteger();
        final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
        final CountDownLatch inRefund = new CountDownLatch(1);
        volatile CountDownLatch blockInRefund;

        Agent<Void> billing() {
            Tool<Void> receipt = Tool.<Void, ReceiptRef>of("get_receipt", "Show a receipt.", ReceiptRef.class, (ctx, r) -> {
                receipts.incrementAndGet();
                return ToolAnswer.of("Receipt " + r.id() + ":", RECEIPT);
            });
            Tool<Void> refund = Tool.<Void, ReceiptRef>of("refund", "Refund a receipt.", ReceiptRef.class, (ctx, r) -> {
                CountDownLatch block = blockInRefund;
                if (block != null) {
                    inRefund.countDown();
                    block.await();
                }
                return "refunded " + r.id();
            });
            return Agent.<Void>builder("billing").tools(receipt, refund).build();
        }

        Model model() {
            return request -> {
                requests.add(request);
                Item last = request.lastInput();
                List<Item> out;
                if (last instanceof Message) {
                    out = List.of(new ToolCall("call_receipt", "get_receipt", "{\"id\":\"R-1\"}"));
                } else if (last instanceof ToolOutput o && o.callId().equals("call_receipt")) {
                    out = List.of(new ToolCall("call_refund", "refund", "{\"id\":\"R-1\"}"));
                } else {
                    out = List.of(Message.assistant("Done."));
                }
                return new ModelResponse(out, Usage.of(20, 5));
            };
        }
    }

    private static DurableWorker durable(Desk desk, InMemoryRunStore store) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).build());
        return DurableWorker.builder(runner, store).agents(desk.billing()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
    }

    @Test
    void are_journaled_with_the_tool_result_and_read_again_by_the_model_after_a_restart() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        Desk first = new Desk();
        first.blockInRefund = new CountDownLatch(1);
        DurableWorker dying = durable(first, store);
        RunHandle run = dying.startRun(first.billing(), "refund R-1, here is the receipt");
        assertThat(first.inRefund.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close(); // the process goes away during the refund, after the receipt was journaled

        Desk second = new Desk();
        try (DurableWorker survivor = durable(second, store)) {
            survivor.resumeIncomplete();
            RunRecord done = survivor.attach(run.id()).result();

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(second.receipts).as("the receipt comes from the journal").hasValue(0);
            ToolOutput replayed = second.requests.getLast().input().stream().filter(ToolOutput.class::isInstance)
                    .map(ToolOutput.class::cast).filter(o -> o.callId().equals("call_receipt")).findFirst().orElseThrow();
            assertThat(replayed.output()).isEqualTo("Receipt R-1:");
            assertThat(replayed.images()).containsExactly(RECEIPT);
        }
    }
}
