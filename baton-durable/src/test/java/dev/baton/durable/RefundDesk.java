package dev.baton.durable;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small refund desk for durable-run specs: triage hands "refund O-1 150" to the refunds agent,
 * which calls {@code issue_refund} (needing approval above $200) and then reports the tool's
 * output. The model is a pure function of the request and counts its calls; the refund ledger
 * deduplicates by the call's idempotency key and counts every invocation.
 */
final class RefundDesk {
    private static final Pattern ASK = Pattern.compile("refund (\\S+) (\\d+)");

    record Refund(String orderId, int amount) {}

    final AtomicInteger modelCalls = new AtomicInteger();
    final List<String> invocations = new CopyOnWriteArrayList<>();
    final Map<String, String> ledger = new ConcurrentHashMap<>();
    /** When set, the tool blocks here after doing its work (a crash point), until interrupted. */
    volatile CountDownLatch blockInTool;
    final CountDownLatch inTool = new CountDownLatch(1);
    final String refundsInstructions;

    RefundDesk() {
        this("Issue refunds with issue_refund, then report.");
    }

    RefundDesk(String refundsInstructions) {
        this.refundsInstructions = refundsInstructions;
    }

    Model model() {
        return request -> {
            modelCalls.incrementAndGet();
            return answer(request);
        };
    }

    static ModelResponse answer(ModelRequest request) {
        Item last = request.lastInput();
        List<Item> out;
        if (request.agent().equals("triage")) {
            out = List.of(new ToolCall("call_h" + request.input().size(), "transfer_to_refunds", "{}"));
        } else if (last instanceof ToolOutput o && o.callId().startsWith("call_r")) {
            out = List.of(Message.assistant("Done: " + o.output()));
        } else {
            Matcher m = ASK.matcher(firstUserText(request));
            if (!m.find()) {
                out = List.of(Message.assistant("Which order should I refund?"));
            } else {
                out = List.of(new ToolCall("call_r" + request.input().size(), "issue_refund",
                        "{\"order_id\":\"" + m.group(1) + "\",\"amount\":" + m.group(2) + "}"));
            }
        }
        return new ModelResponse(out, Usage.of(20, 5));
    }

    private static String firstUserText(ModelRequest request) {
        for (Item i : request.input()) {
            if (i instanceof Message msg && msg.role() == Message.Role.USER) {
                return msg.text();
            }
        }
        return "";
    }

    Agent<Void> triage() {
        Tool<Void> refund = Tool.<Void, Refund>of("issue_refund", "Refund an order.", Refund.class, (ctx, r) -> {
            invocations.add(ctx.idempotencyKey());
            ledger.putIfAbsent(ctx.idempotencyKey(), r.orderId() + " $" + r.amount());
            CountDownLatch block = blockInTool;
            if (block != null) {
                inTool.countDown();
                block.await();
            }
            return "refunded $" + r.amount() + " for " + r.orderId();
        }).requiringApproval((ctx, args) -> args.contains("\"amount\":") && amount(args) > 200);
        Agent<Void> refunds = Agent.<Void>builder("refunds").instructions(refundsInstructions).tools(refund).build();
        return Agent.<Void>builder("triage").instructions("Route refund requests.").handoffs(refunds).build();
    }

    private static int amount(String args) {
        Matcher m = Pattern.compile("\"amount\":(\\d+)").matcher(args);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
