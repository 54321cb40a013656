package dev.baton.durable.robustness;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One agent, "refunds", with an {@code issue_refund} tool (approval above $200). The model is a pure
 * function of the request: it calls the tool for "refund O-1 150", then reports the tool's output.
 */
final class Desk {
    private static final Pattern ASK = Pattern.compile("refund (\\S+) (\\d+)");

    record Refund(String orderId, int amount) {}

    final AtomicInteger modelCalls = new AtomicInteger();
    final List<String> invocations = new CopyOnWriteArrayList<>();
    /** When set, the tool blocks here (until released or interrupted). */
    volatile CountDownLatch blockInTool;
    final CountDownLatch inTool = new CountDownLatch(1);
    /** When set, the first model call blocks here. */
    volatile CountDownLatch blockFirstModelCall;
    final CountDownLatch inModel = new CountDownLatch(1);

    Model model() {
        return request -> {
            int n = modelCalls.incrementAndGet();
            CountDownLatch block = blockFirstModelCall;
            if (n == 1 && block != null) {
                inModel.countDown();
                try {
                    block.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return answer(request);
        };
    }

    static ModelResponse answer(ModelRequest request) {
        Item last = request.lastInput();
        List<Item> out;
        if (last instanceof ToolOutput o) {
            out = List.of(Message.assistant("Done: " + o.output()));
        } else {
            Matcher m = ASK.matcher(last instanceof Message msg ? msg.text() : "");
            out = m.find()
                    ? List.of(new ToolCall("call_r" + request.input().size(), "issue_refund",
                            "{\"order_id\":\"" + m.group(1) + "\",\"amount\":" + m.group(2) + "}"))
                    : List.of(Message.assistant("Which order?"));
        }
        return new ModelResponse(out, Usage.of(20, 5));
    }

    Agent<Void> agent() {
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an order.", Refund.class, (ctx, r) -> {
            invocations.add(ctx.idempotencyKey());
            CountDownLatch block = blockInTool;
            if (block != null) {
                inTool.countDown();
                block.await();
            }
            return "refunded $" + r.amount() + " for " + r.orderId();
        }).requiringApproval((ctx, args) -> amount(args) > 200);
        return Agent.<Void>builder("refunds").instructions("Issue refunds, then report.").tools(refund).build();
    }

    static int amount(String args) {
        Matcher m = Pattern.compile("\"amount\":(\\d+)").matcher(args);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
